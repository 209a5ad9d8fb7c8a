//! LifeOS: tasks, calendars, and a Plan My Day planner that puts your work into the free
//! time around your meetings, explains why, and never double-books.
//!
//! This is the crate an application depends on. [`LifeOs`] holds the workflows that
//! combine the planner and the store, each one method; the lower crates are re-exported
//! as [`core`], [`scheduler`] and [`store`].
//!
//! ```
//! use std::sync::Arc;
//! use chrono::{TimeZone, Utc};
//! use lifeos::core::{NewProfile, NewTask, PreferencesPatch, UserId};
//! use lifeos::prelude::*;
//! use lifeos::store::{MemoryStore, StoreOptions};
//! use lifeos::{LifeOs, PlanDayOptions};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//!
//! let store = Arc::new(MemoryStore::new(StoreOptions::new()));
//! let app = LifeOs::new(store.clone());
//! let me = UserId::from_uuid(uuid::Uuid::from_u128(1));
//! let prefs = PreferencesPatch { timezone: Some("Europe/Berlin".into()), ..Default::default() };
//! store.create_profile(me, NewProfile { email: "me@example.com".into(), name: None, avatar_url: None, preferences: prefs }).await?;
//!
//! let report = app.add_task(me, NewTask { estimated_minutes: Some(90), ..NewTask::titled("Write Q3 report") }).await?;
//! let now = Utc.with_ymd_and_hms(2026, 3, 9, 7, 0, 0).unwrap(); // a Monday, 08:00 in Berlin
//! let day = app.plan_day(me, None, now, PlanDayOptions::new()).await?;
//!
//! // Placed in the morning's peak hours, saved with its `task.scheduled` event.
//! assert_eq!(day.response.scheduled_tasks[0].task_id, *report.id.as_uuid());
//! assert!(day.saved && day.counts().moved == 1);
//! assert!(app.task(me, report.id).await?.scheduled_start.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok(())
//! # }
//! ```
//!
//! # Workflows
//! - [`LifeOs::plan_day`]: load the profile, the actionable tasks and the day's calendar,
//!   plan with [`scheduler::plan_day`], and save in one transaction what changed (moved
//!   or new slots with `task.scheduled`, slots that no longer fit cleared) with the
//!   `ai.plan_generated` event; conditional on the tasks being unchanged (replanned
//!   otherwise). [`PlanDayOptions::dry_run`] plans without saving.
//!   Chunked tasks and a stored schedule are planned as the one-day case of the week
//!   contract, with the stored blocks as `previousPlan`, so unchanged ones stay.
//! - [`LifeOs::plan_week`]: the same over 1..=14 days with [`scheduler::plan_week`]:
//!   tasks in chunks, the stored blocks kept where they still fit (a block under way
//!   pinned), each task's changed blocks saved with `task.scheduled`;
//!   [`WeekPlan::changed_blocks`] counts them.
//! - [`LifeOs::import_ics`]: an iCalendar file, idempotent by `UID` and content, lenient
//!   (bad events skipped and reported with their line) or strict.
//! - Tasks: [`LifeOs::add_task`], [`LifeOs::update_task`], [`LifeOs::start_task`],
//!   [`LifeOs::complete_task`], [`LifeOs::cancel_task`], [`LifeOs::reopen_task`],
//!   [`LifeOs::delete_task`], [`LifeOs::restore_task`], [`LifeOs::tasks`].
//! - Profile: [`LifeOs::ensure_profile`], [`LifeOs::ensure_profile_with_email`],
//!   [`LifeOs::profile`], [`LifeOs::preferences`], [`LifeOs::set_preferences`],
//!   [`LifeOs::patch_preferences`].
//! - Pages in `(created_at, id)` order for the REST lists: [`LifeOs::projects_page`],
//!   [`LifeOs::events_page`]; [`LifeOs::delete_project_at`] for `If-Match`.
//! - Projects and calendar: the project calls, [`LifeOs::add_event`] (and
//!   [`LifeOs::save_event`], which says whether it created or updated),
//!   [`LifeOs::events_between`] (series expanded), [`LifeOs::export_ics`].
//! - Guarded changes for `If-Match`: [`LifeOs::change_task_at`].
//! - The log and GDPR: [`LifeOs::events`], [`LifeOs::export`].
//! - Keyed callers (the REST server's `Idempotency-Key`): [`PlanDayOptions::respond`] and
//!   [`IcsImportOptions::respond`] render the caller's answer inside the save's
//!   transaction ([`Respond`]), so it commits with the change.
//! - [`LifeOs::store`] reaches the store for everything else (erasure, OAuth tokens,
//!   subscriptions); [`open`] opens a store from a path or URL.
//!
//! # Time and randomness
//! Workflows take `now` where it decides the result (the day planned); what they record
//! takes its time from the injected [`store::Clock`], latencies from a [`Monotonic`]
//! clock, and ids from the injected RNG ([`LifeOsBuilder`]). With fakes for all three,
//! the same inputs give byte-identical results.
//!
//! # Errors
//! One [`Error`] with a stable [`ErrorKind`] (what the REST server maps to a status and
//! the Python bindings to an exception), [`Error::field`] and [`Error::validation`] for
//! the fields at fault; the store's own error stays behind `source()`.
//!
//! # Crate features
//! - `sqlite` (default): the embedded SQLite backend; [`open`] takes a file path.
//! - `postgres`: the PostgreSQL backend; [`open`] takes a `postgres://` URL.
//! - `nats`: the NATS JetStream relay of the event log (`store::relay`).
//! - `openapi`: `utoipa::ToSchema` for the wire types of core and the store, for the
//!   REST server's OpenAPI document.

pub use lifeos_core as core;
pub use lifeos_scheduler as scheduler;
pub use lifeos_store as store;

mod app;
pub mod breakdown;
mod calendar;
mod clock;
mod error;
mod event_writes;
mod guarded_plan;
mod guarded_tasks;
mod import;
mod log;
mod open;
mod pages;
mod plan_day;
mod plan_week;
mod planned_blocks;
mod profile;
mod projects;
pub mod refinement;
mod respond;
mod tasks;

pub use app::{LifeOs, LifeOsBuilder};
pub use clock::{ManualMonotonic, Monotonic, SystemMonotonic};
pub use error::{Error, ErrorKind, Result};
pub use import::{IcsImportOptions, ImportProblem, ImportReport};
pub use open::open;
pub use plan_day::{DayPlan, PlanCounts, PlanDayOptions, ScheduleChange, Slot};
pub use plan_week::{PlanWeekOptions, WeekPlan};
pub use planned_blocks::BlockChange;
pub use refinement::{QuotaExceeded, RefineUsage};
pub use respond::Respond;

/// The store traits, to bring their methods into scope: `use lifeos::prelude::*;`.
pub mod prelude {
    pub use lifeos_store::prelude::*;
}
