//! The user's event log and GDPR export.

use lifeos_core::UserId;
use lifeos_store::{EventPage, EventQuery};

use crate::LifeOs;
use crate::error::{Error, Result};

impl LifeOs {
    /// One page of the user's event log, in `seq` order, after `after_seq` when given, at
    /// most `limit` events (1 to 1000); follow [`EventPage::next`].
    ///
    /// # Errors
    /// [`Error::Invalid`] on `limit` outside 1..=1000; [`Error::Storage`].
    pub async fn events(
        &self,
        user: UserId,
        after_seq: Option<u64>,
        limit: u32,
    ) -> Result<EventPage> {
        let query = EventQuery::new().after_seq(after_seq).limit(limit);
        self.store()
            .read_events(user, &query)
            .await
            .map_err(Error::store("reading the event log"))
    }

    /// Everything stored about the user as one JSON document (GDPR export): profile,
    /// projects, tasks, calendar events, subscriptions, OAuth token metadata and the event
    /// log.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn export(&self, user: UserId) -> Result<serde_json::Value> {
        let export = self
            .store()
            .export_user(user)
            .await
            .map_err(Error::store("exporting the user"))?;
        export
            .to_json()
            .map_err(|e| Error::store("writing the export document")(e.into()))
    }
}
