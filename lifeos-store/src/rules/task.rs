//! Tasks: creation (one or a batch) and every change, each with its event.

use chrono::{DateTime, Utc};
use lifeos_core::event::{
    ScheduledBy, TaskCompleted, TaskCreated, TaskRef, TaskScheduled, TaskUpdated,
};
use lifeos_core::{
    DomainEvent, EventPayload, EventSource, FieldError, NewTask, Task, TaskId, UserId,
    ValidationErrors,
};

use super::{check_instant, check_version, event};
use crate::change::{TaskChange, TaskOp};
use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// Instants a task keeps, each in the stored range.
fn check_task_instants(task: &Task) -> Result<()> {
    check_instant("due_date", task.due_date)?;
    check_instant("scheduled_start", task.scheduled_start)?;
    check_instant("scheduled_end", task.scheduled_end)?;
    check_instant("pinned_start", task.pinned_start)?;
    for (i, b) in task.planned_blocks.iter().enumerate() {
        check_instant(&format!("planned_blocks[{i}].start"), Some(b.start))?;
        check_instant(&format!("planned_blocks[{i}].end"), Some(b.end))?;
    }
    check_instant("ai_suggested_time", task.ai_suggested_time)
}

/// Where a placement came from: the user, or the planner and AI.
fn scheduled_source(by: ScheduledBy) -> EventSource {
    match by {
        ScheduledBy::User => EventSource::Api,
        ScheduledBy::Planner | ScheduledBy::Ai => EventSource::Ai,
    }
}

/// A new task and its `task.created` event.
fn create_task(
    ctx: &Ctx,
    user: UserId,
    new: NewTask,
    now: DateTime<Utc>,
) -> Result<(Task, DomainEvent)> {
    let id = ctx.with_rng(|rng| TaskId::generate(now, rng));
    let task = Task::create(id, user, new, now)?;
    check_task_instants(&task)?;
    let payload = EventPayload::TaskCreated(TaskCreated {
        task_id: task.id,
        title: task.title.clone(),
        priority: task.priority,
        due_date: task.due_date,
    });
    let e = event(ctx, user, now, EventSource::Api, payload);
    Ok((task, e))
}

/// `change` applied to `current`: the new task and its event, or `None` for a no-op
/// (deleting a deleted task, restoring a live one).
pub(crate) fn change_task(
    ctx: &Ctx,
    current: &Task,
    change: &TaskChange,
    now: DateTime<Utc>,
) -> Result<Option<(Task, DomainEvent)>> {
    check_version("task", current.id, change.expected_version, current.version)?;
    let mut task = current.clone();
    let id = task.id;
    let (payload, source) = match &change.op {
        TaskOp::Delete if task.is_deleted() => return Ok(None),
        TaskOp::Restore if !task.is_deleted() => return Ok(None),
        TaskOp::Delete => {
            task.soft_delete(now);
            (
                EventPayload::TaskDeleted(TaskRef { task_id: id }),
                EventSource::Api,
            )
        }
        TaskOp::Restore => {
            task.restore(now);
            (
                EventPayload::TaskRestored(TaskRef { task_id: id }),
                EventSource::Api,
            )
        }
        _ if task.is_deleted() => return Err(Error::not_found("task", id)),
        TaskOp::Update(patch) => {
            task.apply(patch, now)?;
            let changed = patch
                .changed_fields()
                .into_iter()
                .map(String::from)
                .collect();
            let payload = EventPayload::TaskUpdated(TaskUpdated {
                task_id: id,
                version: task.version,
                changed,
            });
            (payload, EventSource::Api)
        }
        TaskOp::Complete {
            actual_minutes,
            via_ai,
        } => {
            if let Some(m) = actual_minutes
                && i64::from(*m) > lifeos_core::task::ACTUAL_MAX_MINUTES
            {
                return Err(Error::invalid(
                    "actual_minutes",
                    m,
                    "an integer in 0..=43200",
                ));
            }
            task.transition(lifeos_core::TaskStatus::Completed, now)?;
            if actual_minutes.is_some() {
                task.actual_minutes = *actual_minutes;
            }
            let payload = EventPayload::TaskCompleted(TaskCompleted {
                task_id: id,
                actual_minutes: task.actual_minutes,
                completed_via_ai: *via_ai,
            });
            let source = if *via_ai {
                EventSource::Ai
            } else {
                EventSource::Api
            };
            (payload, source)
        }
        TaskOp::Schedule {
            start,
            end,
            by,
            rationale,
        } => {
            task.schedule(*start, *end, now)?;
            let payload = EventPayload::TaskScheduled(TaskScheduled {
                task_id: id,
                scheduled_start: *start,
                scheduled_end: *end,
                scheduled_by: *by,
                rationale: rationale.clone(),
                blocks: task.planned_blocks.clone(),
            });
            (payload, scheduled_source(*by))
        }
        TaskOp::ScheduleBlocks {
            blocks,
            by,
            rationale,
        } => {
            task.schedule_blocks(blocks, now)?;
            let payload = match (task.scheduled_start, task.scheduled_end) {
                (Some(start), Some(end)) => EventPayload::TaskScheduled(TaskScheduled {
                    task_id: id,
                    scheduled_start: start,
                    scheduled_end: end,
                    scheduled_by: *by,
                    rationale: rationale.clone(),
                    blocks: task.planned_blocks.clone(),
                }),
                _ => EventPayload::TaskUpdated(TaskUpdated {
                    task_id: id,
                    version: task.version,
                    changed: ["scheduled_start", "scheduled_end", "planned_blocks"]
                        .map(String::from)
                        .to_vec(),
                }),
            };
            (payload, scheduled_source(*by))
        }
    };
    check_task_instants(&task)?;
    let e = event(ctx, task.user_id, now, source, payload);
    Ok(Some((task, e)))
}

/// New tasks and their `task.created` events, in order. For a batch of several, every
/// problem of every task is reported at once, each field named by its batch index
/// (`tasks[2].title`); a single task's fields keep their plain names.
pub(crate) fn create_tasks(
    ctx: &Ctx,
    user: UserId,
    new: Vec<NewTask>,
    now: DateTime<Utc>,
) -> Result<(Vec<Task>, Vec<DomainEvent>)> {
    let batch = new.len() > 1;
    let mut tasks = Vec::with_capacity(new.len());
    let mut events = Vec::with_capacity(new.len());
    let mut problems: Vec<FieldError> = Vec::new();
    for (i, n) in new.into_iter().enumerate() {
        match create_task(ctx, user, n, now) {
            Ok((task, e)) => {
                tasks.push(task);
                events.push(e);
            }
            Err(Error::Invalid(errors)) if batch => {
                problems.extend(Vec::from(errors).into_iter().map(|mut f| {
                    f.field = format!("tasks[{i}].{}", f.field);
                    f
                }));
            }
            Err(e) => return Err(e),
        }
    }
    match ValidationErrors::try_from(problems) {
        Ok(errors) => Err(Error::Invalid(errors)),
        Err(_) => Ok((tasks, events)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn batch_errors_name_every_bad_task_by_index() {
        let ctx = Ctx::new(crate::StoreOptions::new());
        let user = UserId::from_uuid(uuid::Uuid::from_u128(1));
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let batch = vec![
            NewTask::titled("  "),
            NewTask::titled("fine"),
            NewTask::titled(""),
        ];
        let err = create_tasks(&ctx, user, batch, now).unwrap_err();
        let fields: Vec<&str> = err.validation().unwrap().fields().collect();
        assert_eq!(fields, ["tasks[0].title", "tasks[2].title"]);
        // A single task keeps its plain field names.
        let err = create_tasks(&ctx, user, vec![NewTask::titled("")], now).unwrap_err();
        assert_eq!(err.field(), Some("title"));
        let (tasks, events) = create_tasks(&ctx, user, vec![NewTask::titled("a")], now).unwrap();
        assert_eq!((tasks.len(), events.len()), (1, 1));
    }
}
