//! Integration tests for `lifeos-core`: recurrence and iCalendar.
// Helpers outside `#[test]` functions unwrap too: this is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "suite/differential.rs"]
mod differential;
#[path = "suite/ical.rs"]
mod ical;
#[path = "suite/recurrence.rs"]
mod recurrence;
