//! iCalendar import and export (in progress).
