//! What every backend computes the same way, per entity: new rows and their events,
//! version checks, the calendar window index. Backends only load and persist.

use chrono::{DateTime, Utc};
use lifeos_core::{DomainEvent, EventId, EventPayload, EventSource, UserId};

use crate::ctx::Ctx;
use crate::error::{Error, Result};

mod calendar;
mod calendar_index;
mod dependency;
mod log;
mod profile;
mod project;
mod seed;
mod subscription;
mod task;
mod token;

pub(crate) use calendar::{
    delete_calendar_event, patch_calendar_event, recurrence_key, upsert_calendar_event,
};
pub(crate) use calendar_index::{CalIndex, CalKind};
pub(crate) use dependency::{changed_dependencies, check_acyclic};
pub(crate) use log::{is_tombstone, recorded_event, tombstone};
pub(crate) use profile::{create_profile, update_profile};
pub(crate) use project::{create_project, delete_project, update_project};
pub(crate) use seed::seed_rows;
pub(crate) use subscription::upsert_subscription;
pub(crate) use task::{change_task, create_tasks};
pub(crate) use token::{open_token, provider_key, reseal_token, seal_token, token_deleted};

/// A domain event of `user` at `now`.
pub(crate) fn event(
    ctx: &Ctx,
    user: UserId,
    now: DateTime<Utc>,
    source: EventSource,
    payload: EventPayload,
) -> DomainEvent {
    DomainEvent {
        id: ctx.with_rng(|rng| EventId::generate(now, rng)),
        occurred_at: now,
        user_id: user,
        source,
        payload,
    }
}

/// Instants are stored as i64 nanoseconds since the epoch (years 1677 to 2262): refuse
/// others in every backend alike.
pub(crate) fn check_instant(field: &str, t: Option<DateTime<Utc>>) -> Result<()> {
    match t {
        Some(t) if t.timestamp_nanos_opt().is_none() => Err(Error::invalid(
            field,
            t.to_rfc3339(),
            "an instant between 1677-09-22 and 2262-04-11",
        )),
        _ => Ok(()),
    }
}

/// Nanoseconds since the epoch, saturating (callers checked the range first).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

pub(crate) fn check_version(
    entity: &'static str,
    id: impl std::fmt::Display,
    expected: Option<u64>,
    actual: u64,
) -> Result<()> {
    match expected {
        Some(expected) if expected != actual => Err(Error::Conflict {
            entity,
            id: id.to_string(),
            expected,
            actual,
        }),
        _ => Ok(()),
    }
}

/// A validation error of the `i`-th item of a batch, its fields under `events[i].`; other
/// errors unchanged.
pub(crate) fn batch_field(e: Error, i: usize) -> Error {
    match e {
        Error::Invalid(errors) => {
            let fields: Vec<_> = Vec::from(errors)
                .into_iter()
                .map(|mut f| {
                    f.field = format!("events[{i}].{}", f.field);
                    f
                })
                .collect();
            match lifeos_core::ValidationErrors::try_from(fields) {
                Ok(errors) => Error::Invalid(errors),
                Err(_) => Error::invalid(format!("events[{i}]"), "", "a valid event"),
            }
        }
        other => other,
    }
}
