//! LifeOS domain types and rules.
#![doc = "WIP"]

pub mod calendar;
pub mod error;
pub mod id;
pub mod plan;
pub mod task;
pub mod time;

pub use calendar::{
    Attendee, AttendeeResponse, CalendarEvent, EventStatus, EventTime, Provider, RecurrenceRange,
    Transparency,
};
pub use error::{Error, ErrorKind, FieldError, ValidationErrors, Validator};
pub use id::{CalendarEventId, EventId, OAuthTokenId, ProjectId, SubscriptionId, TaskId, UserId};
pub use task::TaskStatus;
