//! iTIP (RFC 5546): a `VCALENDAR`'s `METHOD` says what its events mean. `PUBLISH`,
//! `REQUEST` and `ADD` carry events to import; `CANCEL` cancels events by `UID` (and
//! `RECURRENCE-ID`); `REPLY`, `COUNTER`, `REFRESH` and `DECLINECOUNTER` are about an
//! attendee's answer and change no event. An unknown method is read as `PUBLISH`.

use chrono::{DateTime, Utc};
use rand_core::RngCore;

use super::parse::Component;
use crate::calendar::{CalendarEvent, EventStatus, EventTime, RecurrenceRange};
use crate::id::CalendarEventId;

/// What a calendar's events mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// Events to import (`PUBLISH`, `REQUEST`, `ADD`, no `METHOD`, or an unknown one).
    Import,
    /// Events to cancel.
    Cancel,
    /// An answer that changes no event; the method's name.
    Answer(&'static str),
}

impl Method {
    /// The method of a top-level component (a `VCALENDAR`).
    pub(crate) fn of(calendar: &Component) -> Method {
        let name = calendar
            .get("METHOD")
            .map(|p| p.value.trim().to_ascii_uppercase())
            .unwrap_or_default();
        match name.as_str() {
            "CANCEL" => Method::Cancel,
            "REPLY" => Method::Answer("REPLY"),
            "COUNTER" => Method::Answer("COUNTER"),
            "REFRESH" => Method::Answer("REFRESH"),
            "DECLINECOUNTER" => Method::Answer("DECLINECOUNTER"),
            _ => Method::Import,
        }
    }
}

/// An iTIP cancellation: the events with this `UID` (only the instance at
/// `recurrence_id`, when given) are cancelled.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Cancellation {
    /// The line of its `BEGIN:VEVENT`.
    pub line: usize,
    /// The `UID` of the events cancelled.
    pub uid: String,
    /// The instance cancelled, or `None` for every event with the `UID`.
    pub recurrence_id: Option<EventTime>,
    /// How many events of this file (read before it) it cancelled.
    pub cancelled_in_file: usize,
}

impl Cancellation {
    /// The events to write so that `events` (a file's, or a user's stored ones) honour
    /// this cancellation: each event it names, marked cancelled (an event already
    /// cancelled comes back unchanged but for `updated_at`), and for an instance of a series that has no override of it, a new
    /// cancelled override (so the series skips that instance). Empty when it names no
    /// event of `events`.
    pub fn apply<R: RngCore + ?Sized>(
        &self,
        events: &[CalendarEvent],
        now: DateTime<Utc>,
        rng: &mut R,
    ) -> Vec<CalendarEvent> {
        let same_uid = |e: &&CalendarEvent| e.external_id.as_deref() == Some(self.uid.as_str());
        let cancel = |e: &CalendarEvent| CalendarEvent {
            status: EventStatus::Cancelled,
            updated_at: now,
            ..e.clone()
        };
        let Some(instance) = self.recurrence_id else {
            return events.iter().filter(same_uid).map(cancel).collect();
        };
        let overrides: Vec<&CalendarEvent> = events
            .iter()
            .filter(same_uid)
            .filter(|e| e.recurrence_id == Some(instance))
            .collect();
        if !overrides.is_empty() {
            return overrides.into_iter().map(cancel).collect();
        }
        let Some(master) = events
            .iter()
            .filter(same_uid)
            .find(|e| e.recurrence_id.is_none())
        else {
            return Vec::new();
        };
        // The cancelled instance keeps the series' length, from the instance's start.
        let length =
            master.end.to_utc(chrono_tz::Tz::UTC) - master.start.to_utc(chrono_tz::Tz::UTC);
        let end = match instance {
            EventTime::Date(d) => EventTime::Date(
                d.checked_add_signed(chrono::Duration::days(length.num_days().max(1)))
                    .unwrap_or(d),
            ),
            EventTime::Floating(t) => {
                EventTime::Floating(t.checked_add_signed(length).unwrap_or(t))
            }
            EventTime::Utc(t) => EventTime::Utc(t.checked_add_signed(length).unwrap_or(t)),
            EventTime::Zoned { local, tz } => EventTime::Zoned {
                local: local.checked_add_signed(length).unwrap_or(local),
                tz,
            },
        };
        vec![CalendarEvent {
            id: CalendarEventId::generate(now, rng),
            start: instance,
            end,
            duration: None,
            rrule: None,
            rdates: Vec::new(),
            exdates: Vec::new(),
            series_id: Some(master.id),
            recurrence_id: Some(instance),
            recurrence_range: RecurrenceRange::ThisInstance,
            status: EventStatus::Cancelled,
            created_at: now,
            updated_at: now,
            version: 1,
            ..master.clone()
        }]
    }
}
