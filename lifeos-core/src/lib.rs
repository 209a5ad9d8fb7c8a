//! LifeOS domain types and rules.
#![doc = "WIP"]

pub mod calendar;
pub mod error;
pub mod ical;
pub mod id;
pub mod plan;
pub mod recurrence;
pub mod task;
pub mod time;

pub use calendar::{
    Attendee, AttendeeResponse, CalendarEvent, EventStatus, EventTime, NominalDuration, Provider,
    RecurrenceRange, Transparency,
};
pub use error::{Error, ErrorKind, FieldError, ValidationErrors, Validator};
pub use id::{CalendarEventId, EventId, OAuthTokenId, ProjectId, SubscriptionId, TaskId, UserId};
pub use recurrence::{Expansion, Occurrence, RecurrenceRule, Series};
pub use task::TaskStatus;
