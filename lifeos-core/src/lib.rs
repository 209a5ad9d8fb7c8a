//! LifeOS domain types and rules: tasks, projects, calendars, profiles, billing, the domain
//! events every change emits, and the planner's wire types. No I/O, no clock, no global RNG:
//! functions take `now`, ids come from an injected RNG.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use lifeos_core::{NewTask, Task, TaskId, TaskStatus, UserId};
//! use rand_core::SeedableRng;
//!
//! let now = Utc.with_ymd_and_hms(2026, 3, 8, 14, 2, 0).unwrap();
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
//! let user = UserId::generate(now, &mut rng);
//!
//! let new = NewTask { priority: 3, estimated_minutes: Some(90), ..NewTask::titled("  Write Q3 report ") };
//! let mut task = Task::create(TaskId::generate(now, &mut rng), user, new, now)?;
//! assert_eq!(task.title, "Write Q3 report");
//!
//! task.transition(TaskStatus::Completed, now)?;
//! assert_eq!(task.completed_at, Some(now));
//! assert_eq!(task.version, 2);
//!
//! // Bad input names every offending field at once.
//! let err = NewTask { priority: 9, ..NewTask::titled("") }.validate().unwrap_err();
//! assert_eq!(err.validation().unwrap().fields().collect::<Vec<_>>(), ["title", "priority"]);
//! # Ok::<(), lifeos_core::Error>(())
//! ```
//!
//! # Overview
//! - [`id`]: typed UUID v7 ids ([`TaskId`], [`UserId`], ...) built from `now` and an RNG.
//! - [`task`]: [`Task`], its lifecycle ([`TaskStatus`]), [`NewTask`] and [`TaskPatch`].
//! - [`chunk`]: tasks in chunks (`min_chunk_minutes`, `max_chunk_minutes`) and the
//!   [`PlannedBlock`]s a planner chose.
//! - [`dependency`]: dependency cycles among tasks, found iteratively.
//! - [`project`], [`profile`] (with planning [`Preferences`]), [`oauth`], [`billing`].
//! - [`calendar`]: [`CalendarEvent`] and [`EventTime`] (all-day, floating, zoned, UTC).
//! - [`recurrence`]: [`RecurrenceRule`] (parsed and checked when written, stored as its
//!   RRULE text) and bounded expansion across DST; events to `blockedTime`.
//! - [`ical`]: `.ics` import and export (Google, Outlook, Apple).
//! - [`event`]: [`DomainEvent`], the envelope and typed payloads of the append-only log.
//! - [`plan`]: the Plan My Day wire types (`PLANNER.md`), their JSON reader, and
//!   [`plan::PlanDayRequest::check`], the one gate of the planner's rules; in
//!   [`plan::week`] Plan My Week's (`PLANNER-WEEK.md`).
//! - [`time`]: local wall-clock times resolved to instants across DST.
//!
//! # Errors
//! Every fallible call returns [`Error`]. Validation collects every problem as a
//! [`FieldError`] naming the field path, the value and what is accepted; [`Error::kind`]
//! and [`Error::field`] let callers branch without parsing text.
//!
//! # Crate features
//! - `openapi`: `utoipa::ToSchema` for the wire types (tasks, projects, profiles,
//!   calendar events, the list envelope, the problem document, the event envelope), so
//!   `lifeos-server` generates its OpenAPI document from them (the `openapi` module holds
//!   the hand-written ones). Off by default.
//!
//! # Design
//! Stores, planners and clients build on these types; this crate depends on no other LifeOS
//! crate. Row structs and database mappings live in `lifeos-store`, never here.

pub mod billing;
pub mod calendar;
mod calendar_patch;
pub mod chunk;
pub mod dependency;
pub mod error;
pub mod event;
pub mod ical;
pub mod id;
pub mod input;
pub mod oauth;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod plan;
pub mod profile;
pub mod project;
pub mod recurrence;
pub mod task;
pub mod time;
mod validate;
pub mod wire;

pub use billing::{Subscription, SubscriptionStatus, Tier};
pub use calendar::{
    Attendee, AttendeeResponse, CalendarEvent, EventStatus, EventTime, NominalDuration, Provider,
    RecurrenceRange, Transparency,
};
pub use calendar_patch::CalendarEventPatch;
pub use chunk::PlannedBlock;
pub use error::{Error, ErrorKind, FieldError, ValidationErrors, Validator};
pub use event::{DomainEvent, EventPayload, EventSource};
pub use id::{CalendarEventId, EventId, OAuthTokenId, ProjectId, SubscriptionId, TaskId, UserId};
pub use input::{CalendarEventInput, SubscriptionInput};
pub use oauth::OAuthToken;
pub use profile::{NewProfile, Preferences, PreferencesPatch, Profile, ProfilePatch};
pub use project::{NewProject, Project, ProjectPatch};
pub use recurrence::{Expansion, Occurrence, RecurrenceRule, Series};
pub use task::{NewTask, Priority, Subtask, Task, TaskPatch, TaskStatus};
pub use time::ClockTime;
