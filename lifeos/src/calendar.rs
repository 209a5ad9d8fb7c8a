//! Calendar events added by hand, the occurrences of a span, and the iCalendar export.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lifeos_core::recurrence::EventOccurrences;
use lifeos_core::{CalendarEvent, CalendarEventId, UserId};
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
        self.store()
            .delete_calendar_event(user, id)
            .await
            .map_err(Error::store("deleting an event"))
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
