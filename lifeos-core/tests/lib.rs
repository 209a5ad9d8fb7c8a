//! Integration tests for `lifeos-core`: recurrence and iCalendar.

mod differential;
