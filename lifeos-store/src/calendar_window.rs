//! What a window read returns: the calendar events that may touch the window, and the
//! stored events left out because their recurrence rule cannot be read.

use lifeos_core::recurrence::EventOccurrences;
use lifeos_core::{CalendarEvent, CalendarEventId};

/// A stored calendar event left out of a window read: its recurrence rule (written before
/// rules were checked, or by another program) cannot be parsed. The rest of the window is
/// still read; any other damage to a row is an error instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnreadableEvent {
    /// The event left out.
    pub event_id: CalendarEventId,
    /// Its title, when the row has one.
    pub title: Option<String>,
    /// The stored rule text.
    pub rrule: String,
    /// Why the rule cannot be read.
    pub reason: String,
}

impl UnreadableEvent {
    /// A sentence for a person: which event was left out and why.
    pub fn warning(&self) -> String {
        match &self.title {
            Some(title) => format!(
                "calendar event {} ({title:?}) was left out: its rule {:?} cannot be read: {}",
                self.event_id, self.rrule, self.reason
            ),
            None => format!(
                "calendar event {} was left out: its rule {:?} cannot be read: {}",
                self.event_id, self.rrule, self.reason
            ),
        }
    }
}

/// The events that may touch a window (see
/// [`crate::CalendarStore::list_events_for_window`]) and those left out, by id.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct CalendarWindow {
    /// The events, ordered by id.
    pub events: Vec<CalendarEvent>,
    /// Stored events left out: their rule cannot be read.
    pub skipped: Vec<UnreadableEvent>,
}

impl CalendarWindow {
    /// A window of `events` with nothing left out.
    pub fn new(events: Vec<CalendarEvent>) -> Self {
        CalendarWindow {
            events,
            skipped: Vec::new(),
        }
    }
}

/// The occurrences of a window, and the stored events the window read left out.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WindowOccurrences {
    /// The occurrences (with the series core could not expand in their `skipped`).
    pub occurrences: EventOccurrences,
    /// Stored events left out before expansion: their rule cannot be read.
    pub unreadable: Vec<UnreadableEvent>,
}
