//! Dependencies: a write after which a user's tasks would depend on each other in a cycle
//! (of any length) is refused, in every backend alike.

use std::collections::BTreeMap;

use lifeos_core::dependency::{describe_cycle, find_cycle};
use lifeos_core::{Task, TaskId};

use crate::error::{Error, Result};

/// The tasks among `written` whose dependencies are new or changed (`before`: a task as
/// stored before the write, `None` for a new one): only these can close a cycle.
pub(crate) fn changed_dependencies<'a>(
    written: impl IntoIterator<Item = &'a Task>,
    before: impl Fn(TaskId) -> Option<&'a Task>,
) -> Vec<TaskId> {
    written
        .into_iter()
        .filter(|t| {
            !t.depends_on.is_empty() && before(t.id).is_none_or(|b| b.depends_on != t.depends_on)
        })
        .map(|t| t.id)
        .collect()
}

/// Refuses the write when a cycle passes through one of `starts`, over the user's tasks
/// as they would be stored: `stored` (at least every task of the user with dependencies;
/// deleted and finished ones count too, so a restore never brings a cycle back) with
/// `written` over them.
///
/// # Errors
/// [`Error::Invalid`] on `depends_on`, naming the tasks of the cycle by title.
pub(crate) fn check_acyclic<'a>(
    stored: impl IntoIterator<Item = &'a Task>,
    written: impl IntoIterator<Item = &'a Task>,
    starts: &[TaskId],
) -> Result<()> {
    if starts.is_empty() {
        return Ok(());
    }
    let mut tasks: BTreeMap<TaskId, &Task> = stored.into_iter().map(|t| (t.id, t)).collect();
    tasks.extend(written.into_iter().map(|t| (t.id, t)));
    let graph: BTreeMap<TaskId, Vec<TaskId>> = tasks
        .values()
        .filter(|t| !t.depends_on.is_empty())
        .map(|t| (t.id, t.depends_on.clone()))
        .collect();
    match find_cycle(&graph, starts.iter().copied()) {
        None => Ok(()),
        Some(cycle) => {
            let named = describe_cycle(&cycle, |id| tasks.get(&id).map(|t| t.title.clone()));
            // The value is cut short for display; the expectation names every task.
            Err(Error::invalid(
                "depends_on",
                &named,
                format!("dependencies without a cycle, but {named} would wait on each other"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use lifeos_core::{NewTask, UserId};

    fn task(n: u128, title: &str, deps: &[u128]) -> Task {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let user = UserId::from_uuid(uuid::Uuid::from_u128(1));
        let mut t = Task::create(
            TaskId::from_uuid(uuid::Uuid::from_u128(n)),
            user,
            NewTask::titled(title),
            now,
        )
        .unwrap();
        t.depends_on = deps
            .iter()
            .map(|d| TaskId::from_uuid(uuid::Uuid::from_u128(*d)))
            .collect();
        t
    }

    #[test]
    fn a_write_closing_a_cycle_names_its_tasks_by_title() {
        let stored = [task(1, "A", &[2]), task(2, "B", &[3]), task(3, "C", &[])];
        let written = [task(3, "C", &[1])];
        let starts = changed_dependencies(&written, |id| stored.iter().find(|t| t.id == id));
        assert_eq!(starts, [written[0].id]);
        let err = check_acyclic(&stored, &written, &starts).unwrap_err();
        let problem = err.validation().unwrap().first();
        assert_eq!(problem.field, "depends_on");
        assert_eq!(problem.value, "\"A\" → \"B\" → \"C\" → \"A\"");
    }

    #[test]
    fn unchanged_dependencies_are_not_rechecked_and_a_chain_passes() {
        let stored = [task(1, "A", &[2]), task(2, "B", &[1])];
        // A legacy cycle already stored: a write that leaves the dependencies alone passes.
        let starts = changed_dependencies(&stored, |id| stored.iter().find(|t| t.id == id));
        assert!(starts.is_empty());
        check_acyclic(&stored, &stored, &starts).unwrap();
        let chain = [task(1, "A", &[2]), task(2, "B", &[3])];
        check_acyclic(&chain, &[], &[chain[0].id]).unwrap();
    }
}
