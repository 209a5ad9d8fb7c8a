//! Calendar event writes that say what they did, for the REST API's 201/200 answers.

use lifeos_core::{CalendarEvent, UserId};
use lifeos_store::{CalendarEventInput, Upserted};

use crate::LifeOs;
use crate::error::{Error, Result};

impl LifeOs {
    /// [`LifeOs::add_event`], telling whether the event was created, updated or left
    /// unchanged (an upsert by `external_id` with the stored `etag`).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming every field at fault; [`Error::Storage`].
    pub async fn save_event(
        &self,
        user: UserId,
        input: CalendarEventInput,
    ) -> Result<Upserted<CalendarEvent>> {
        self.store()
            .upsert_calendar_event(user, input)
            .await
            .map_err(Error::store("saving an event"))
    }
}
