//! A new user's seed: every row and event computed up front, so a backend only persists
//! them in one transaction.

use chrono::{DateTime, Utc};
use lifeos_core::{CalendarEvent, DomainEvent, Profile, Task, UserId};

use crate::change::{TaskChange, TaskOp};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::seed::UserSeed;

/// The rows of a seed, in order, with their events.
pub(crate) struct SeedRows {
    pub(crate) profile: Profile,
    pub(crate) events: Vec<CalendarEvent>,
    pub(crate) tasks: Vec<Task>,
    pub(crate) log: Vec<DomainEvent>,
}

/// Every row of `seed` for `user` at `now`: the profile, the calendar events, the tasks
/// (each depending on the earlier ones it names, completed when asked).
///
/// # Errors
/// [`Error::Invalid`] naming the field (`events[1].series_id`, `tasks[2].after[0]`,
/// `tasks[0].title`, ...).
pub(crate) fn seed_rows(
    ctx: &Ctx,
    user: UserId,
    seed: UserSeed,
    now: DateTime<Utc>,
) -> Result<SeedRows> {
    let (profile, e) = super::create_profile(ctx, user, seed.profile, now)?;
    let mut log = vec![e];
    let mut events = Vec::with_capacity(seed.events.len());
    for (i, input) in seed.events.into_iter().enumerate() {
        if let Some(s) = input.series_id {
            return Err(Error::invalid(
                format!("events[{i}].series_id"),
                s,
                "none (a seed names no stored event)",
            ));
        }
        let written = super::upsert_calendar_event(ctx, user, input, None, None, now)
            .map_err(|e| prefixed(e, &format!("events[{i}].")))?;
        if let Some((row, e)) = written {
            events.push(row);
            log.push(e);
        }
    }
    let mut tasks: Vec<Task> = Vec::with_capacity(seed.tasks.len());
    for (i, mut seeded) in seed.tasks.into_iter().enumerate() {
        for (j, &earlier) in seeded.after.iter().enumerate() {
            let id = tasks.get(earlier).filter(|_| earlier < i).map(|t| t.id);
            let id = id.ok_or_else(|| {
                Error::invalid(
                    format!("tasks[{i}].after[{j}]"),
                    earlier,
                    format!("the index of an earlier task of the seed (below {i})"),
                )
            })?;
            seeded.task.depends_on.push(id);
        }
        let (mut created, events) = super::create_tasks(ctx, user, vec![seeded.task], now)
            .map_err(|e| prefixed(e, &format!("tasks[{i}].")))?;
        log.extend(events);
        let mut task = created
            .pop()
            .ok_or_else(|| Error::invalid(format!("tasks[{i}]"), "(none)", "a task"))?;
        if let Some(actual_minutes) = seeded.completed {
            let op = TaskOp::Complete {
                actual_minutes,
                via_ai: false,
            };
            let change = TaskChange::new(task.id, None, op);
            if let Some((done, e)) = super::change_task(ctx, &task, &change, now)
                .map_err(|e| prefixed(e, &format!("tasks[{i}].")))?
            {
                task = done;
                log.push(e);
            }
        }
        tasks.push(task);
    }
    Ok(SeedRows {
        profile,
        events,
        tasks,
        log,
    })
}

/// A validation error's fields under `prefix`; other errors unchanged.
fn prefixed(e: Error, prefix: &str) -> Error {
    match e {
        Error::Invalid(errors) => {
            let fields: Vec<_> = Vec::from(errors)
                .into_iter()
                .map(|mut f| {
                    f.field = format!("{prefix}{}", f.field);
                    f
                })
                .collect();
            match lifeos_core::ValidationErrors::try_from(fields) {
                Ok(errors) => Error::Invalid(errors),
                Err(_) => Error::invalid(prefix.trim_end_matches('.'), "", "valid"),
            }
        }
        other => other,
    }
}
