//! The calendar routes' answers: occurrences in a window and the iCalendar import report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::EventTime;
use crate::id::CalendarEventId;

/// One occurrence as `GET /calendar/occurrences` answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OccurrenceEntry {
    /// The event (a series master for its expanded instances).
    pub event_id: CalendarEventId,
    /// The occurrence's title.
    pub title: String,
    /// Start instant (RFC 3339 UTC).
    pub start: DateTime<Utc>,
    /// End instant (RFC 3339 UTC).
    pub end: DateTime<Utc>,
    /// Whether it is an all-day occurrence.
    pub is_all_day: bool,
    /// Whether it blocks time.
    pub busy: bool,
    /// The instance's original start.
    pub recurrence_id: EventTime,
}

/// The answer of `GET /calendar/occurrences`: the occurrences touching the window, in
/// core's order, unpaged.
///
/// ```
/// # use lifeos_core::wire::Occurrences;
/// let o: Occurrences = serde_json::from_str(r#"{"results":[],"truncated":false}"#).unwrap();
/// assert!(o.results.is_empty() && !o.truncated);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Occurrences {
    /// The occurrences in core's order.
    pub results: Vec<OccurrenceEntry>,
    /// Whether a series hit the expansion bounds.
    pub truncated: bool,
}

/// One skipped `VEVENT` of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportLineError {
    /// The 1-based physical line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The answer of `POST /calendar/import`: the counts sum to the document's `VEVENT`s.
///
/// ```
/// # use lifeos_core::wire::ImportReport;
/// let r: ImportReport = serde_json::from_str(
///     r#"{"imported":2,"updated":0,"skipped":1,"cancelled":0,"errors":[{"line":9,"message":"no DTSTART"}]}"#,
/// ).unwrap();
/// assert_eq!((r.imported, r.errors[0].line), (2, 9));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Events created.
    pub imported: usize,
    /// Events that changed.
    pub updated: usize,
    /// Events skipped: unreadable ones and unchanged ones.
    pub skipped: usize,
    /// Of the events written, those written as cancelled (an iTIP `METHOD:CANCEL`, or
    /// `STATUS:CANCELLED`).
    #[serde(default)]
    pub cancelled: usize,
    /// Why each unreadable event was skipped.
    pub errors: Vec<ImportLineError>,
}
