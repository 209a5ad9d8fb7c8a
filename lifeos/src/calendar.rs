//! Calendar events added by hand, the occurrences of a span, and the iCalendar export.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lifeos_core::recurrence::EventOccurrences;
use lifeos_core::{CalendarEvent, CalendarEventId, CalendarEventPatch, UserId};
use lifeos_store::CalendarEventInput;

use crate::LifeOs;
use crate::error::{Error, Result};

impl LifeOs {
    /// Adds an event (`calendar_event.created`), or, when `input` names an `external_id`
    /// already stored for its provider, updates that one (`calendar_event.updated`;
    /// nothing when its `etag` is the stored one). Returns the event as stored.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming every field at fault (an end before the start, a
    /// `series_id` that is not the user's event, ...); [`Error::Storage`].
    pub async fn add_event(
        &self,
        user: UserId,
        input: CalendarEventInput,
    ) -> Result<CalendarEvent> {
        self.store()
            .upsert_calendar_event(user, input)
            .await
            .map(lifeos_store::Upserted::into_inner)
            .map_err(Error::store("saving an event"))
    }

    /// The event, deleted or not.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Storage`].
    pub async fn event(&self, user: UserId, id: CalendarEventId) -> Result<CalendarEvent> {
        self.store()
            .get_calendar_event(user, id)
            .await
            .map_err(Error::store("reading an event"))
    }

    /// Soft-deletes an event (`calendar_event.deleted`).
    ///
    /// # Errors
    /// [`Error::NotFound`] (also when already deleted); [`Error::Storage`].
    pub async fn delete_event(&self, user: UserId, id: CalendarEventId) -> Result<CalendarEvent> {
        self.delete_event_at(user, id, None).await
    }

    /// Soft-deletes an event read at `expected_version` (`None`: whatever is stored).
    ///
    /// # Errors
    /// [`Error::NotFound`] (also when already deleted); [`Error::Conflict`] when another
    /// version is stored; [`Error::Storage`].
    pub async fn delete_event_at(
        &self,
        user: UserId,
        id: CalendarEventId,
        expected_version: Option<u64>,
    ) -> Result<CalendarEvent> {
        self.store()
            .delete_calendar_event_at(user, id, expected_version)
            .await
            .map_err(Error::store("deleting an event"))
    }

    /// Patches an event read at `expected_version` (`None`: whatever is stored):
    /// `calendar_event.updated` and version + 1; a patch that changes nothing is a no-op.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use chrono::{TimeZone, Utc};
    /// # use lifeos::LifeOs;
    /// # use lifeos::core::{CalendarEventPatch, EventTime, Provider, UserId};
    /// # use lifeos::store::{CalendarEventInput, MemoryStore};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    /// let app = LifeOs::new(Arc::new(MemoryStore::default()));
    /// let me = UserId::from_uuid(uuid::Uuid::from_u128(1));
    /// let at = |h| EventTime::Utc(Utc.with_ymd_and_hms(2026, 12, 4, h, 0, 0).unwrap());
    /// let e = app.add_event(me, CalendarEventInput::new(Provider::Manual, "1:1", at(9), at(10))).await?;
    /// let patch = CalendarEventPatch { end: Some(at(11)), ..Default::default() };
    /// let e = app.update_event(me, e.id, Some(1), patch.clone()).await?;
    /// assert_eq!((e.version, e.end), (2, at(11)));
    /// // A stale version is a conflict, never a lost update.
    /// assert!(app.update_event(me, e.id, Some(1), patch).await.is_err());
    /// # Ok::<(), lifeos::Error>(())
    /// # })?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for a deleted event); [`Error::Conflict`];
    /// [`Error::Invalid`] naming the fields (an end before the start, ...).
    pub async fn update_event(
        &self,
        user: UserId,
        id: CalendarEventId,
        expected_version: Option<u64>,
        patch: CalendarEventPatch,
    ) -> Result<CalendarEvent> {
        self.store()
            .update_calendar_event(user, id, expected_version, patch)
            .await
            .map_err(Error::store("updating an event"))
    }

    /// The occurrences of the user's events that touch `[from, to)`, recurring series
    /// expanded and their overrides applied, all-day and floating times read in `tz`
    /// (default: the user's zone). Series that cannot be expanded are listed in
    /// `skipped`; `truncated` says whether a series hit the expansion bounds.
    ///
    /// # Errors
    /// [`Error::Invalid`] on `to` when it is before `from`; [`Error::NotFound`] when `tz`
    /// is not given and the user has no profile; [`Error::Storage`].
    pub async fn events_between(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: Option<Tz>,
    ) -> Result<EventOccurrences> {
        if to < from {
            return Err(Error::from(lifeos_core::Error::invalid(
                "to",
                to.to_rfc3339(),
                "an instant at or after `from`",
            )));
        }
        let tz = match tz {
            Some(tz) => tz,
            None => self.preferences(user).await?.timezone,
        };
        let events = self
            .store()
            .list_events_for_window(user, from, to)
            .await
            .map_err(Error::store("reading the calendar"))?;
        Ok(lifeos_core::recurrence::occurrences(&events, tz, from, to)?)
    }

    /// The user's events (not deleted ones) as one iCalendar document, ordered by id.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn export_ics(&self, user: UserId) -> Result<String> {
        let events = self
            .store()
            .list_calendar_events(user, false)
            .await
            .map_err(Error::store("reading the calendar"))?;
        Ok(lifeos_core::ical::export(&events))
    }
}
