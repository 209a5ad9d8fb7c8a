//! `/api/v1/calendar`: events, occurrences, iCalendar import and export.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lifeos_core::wire::{ImportReport, Occurrences};
use lifeos_core::{CalendarEvent, CalendarEventId, CalendarEventInput, CalendarEventPatch};
use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::exec::{Body, Call};
use crate::request::{Get, GetText, ListRequest, Write};

/// The calendar routes: [`Client::calendar`].
#[derive(Debug, Clone)]
pub struct Calendar {
    client: Client,
}

fn path(id: CalendarEventId) -> String {
    format!("/api/v1/calendar/events/{id}")
}

impl Calendar {
    pub(crate) fn new(client: &Client) -> Self {
        Calendar {
            client: client.clone(),
        }
    }

    /// `GET /calendar/events`: the non-deleted events.
    pub fn list(&self) -> ListRequest<CalendarEvent> {
        ListRequest::new(
            &self.client,
            Call::new(Method::GET, "/api/v1/calendar/events"),
            "cursor",
        )
    }

    /// `POST /calendar/events`: 201 created; with an `external_id`, an upsert (200 when
    /// updated or unchanged; see [`crate::Sent::status`]).
    pub fn create(&self, event: &CalendarEventInput) -> Write<CalendarEvent> {
        Write::new(
            &self.client,
            Call::new(Method::POST, "/api/v1/calendar/events"),
        )
        .with_json(event)
    }

    /// `GET /calendar/events/{id}`.
    pub fn get(&self, id: CalendarEventId) -> Get<CalendarEvent> {
        Get::new(&self.client, Call::new(Method::GET, path(id)))
    }

    /// `PATCH /calendar/events/{id}`: the fields set in `patch`, under a create's rules
    /// (the upsert key and `series_id` are not patched); lists replace. With
    /// [`Write::if_match`], only at that version (else [`crate::Error::Conflict`], 412).
    pub fn update(&self, id: CalendarEventId, patch: &CalendarEventPatch) -> Write<CalendarEvent> {
        Write::new(&self.client, Call::new(Method::PATCH, path(id))).with_json(patch)
    }

    /// `DELETE /calendar/events/{id}`.
    pub fn delete(&self, id: CalendarEventId) -> Write<CalendarEvent> {
        Write::new(&self.client, Call::new(Method::DELETE, path(id)))
    }

    /// `GET /calendar/occurrences?from=&to=`: the occurrences touching `[from, to)`
    /// (at most 366 days), in the user's zone unless [`OccurrencesRequest::tz`].
    pub fn occurrences(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> OccurrencesRequest {
        let mut call = Call::new(Method::GET, "/api/v1/calendar/occurrences");
        call.set("from", super::instant(from));
        call.set("to", super::instant(to));
        OccurrencesRequest {
            client: self.client.clone(),
            call,
        }
    }

    /// `POST /calendar/import`: an iCalendar document (`text/calendar`, up to 50 MiB),
    /// imported leniently; the report lists each skipped `VEVENT` with its line.
    pub fn import(&self, ics: impl Into<Bytes>) -> Write<ImportReport> {
        let mut call = Call::new(Method::POST, "/api/v1/calendar/import");
        call.body = Some(Body {
            content_type: "text/calendar",
            bytes: ics.into(),
        });
        Write::new(&self.client, call)
    }

    /// `GET /calendar/export`: the non-deleted events as one iCalendar document.
    pub fn export(&self) -> GetText {
        GetText::new(
            &self.client,
            Call::new(Method::GET, "/api/v1/calendar/export"),
        )
    }
}

/// `GET /calendar/occurrences`: [`Calendar::occurrences`].
#[must_use = "a request does nothing until sent"]
#[derive(Debug, Clone)]
pub struct OccurrencesRequest {
    client: Client,
    call: Call,
}

impl OccurrencesRequest {
    /// The zone for all-day and floating times (default: the user's).
    pub fn tz(mut self, tz: Tz) -> Self {
        self.call.set("tz", tz.name());
        self
    }

    /// Sends the request.
    ///
    /// # Errors
    /// See [`crate::Error`]; a window over 366 days is a 400 naming `to`.
    pub async fn send(self) -> Result<Occurrences> {
        Get::new(&self.client, self.call).send().await
    }
}
