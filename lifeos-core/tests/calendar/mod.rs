//! Calendars: recurrence expansion (against python-dateutil too), blocked time, iCalendar.

mod differential;
mod ical;
mod ical_bounds;
mod ical_corpus;
mod ical_corpus_occurrences;
mod ical_itip;
mod ical_series;
mod ical_tolerance;
mod recurrence;
