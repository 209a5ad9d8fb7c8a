//! Task changes guarded by an optional expected version, as a REST `If-Match` asks, with a
//! refused lifecycle step reported as [`Error::InvalidTransition`].

use lifeos_core::{Task, TaskId, TaskPatch, TaskStatus, UserId};
use lifeos_store::{TaskChange, TaskOp};

use crate::LifeOs;
use crate::error::{Error, ErrorKind, Result};

impl LifeOs {
    /// Applies `op` to a task: guarded by `expected_version` when given (a different
    /// stored version is [`Error::Conflict`], nothing changed), otherwise atomically to
    /// whatever version is stored. A status change the lifecycle refuses (a transition,
    /// or a patch setting `status`) is [`Error::InvalidTransition`] from the stored
    /// status; every other validation problem stays [`Error::Invalid`]. A patch that sets
    /// nothing is a no-op: the task is answered as stored, its version kept, no event.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also a deleted task for anything but delete and restore),
    /// [`Error::Conflict`], [`Error::InvalidTransition`], [`Error::Invalid`],
    /// [`Error::Storage`].
    pub async fn change_task_at(
        &self,
        user: UserId,
        id: TaskId,
        expected_version: Option<u64>,
        op: TaskOp,
    ) -> Result<Task> {
        if let TaskOp::Update(patch) = &op
            && *patch == TaskPatch::default()
        {
            return self.unchanged(user, id, expected_version).await;
        }
        let target = target_status(&op);
        let result = self
            .store()
            .change_task(user, TaskChange::new(id, expected_version, op))
            .await
            .map_err(Error::store("changing a task"));
        match (result, target) {
            (Err(e), Some(to)) if refused_status(&e) => {
                // The store reports a refused step as invalid `status` (its only rule on a
                // status); the stored status names where the step started.
                let from = self.task(user, id).await?.status;
                Err(Error::InvalidTransition { from, to })
            }
            (result, _) => result,
        }
    }
}

impl LifeOs {
    /// The task as stored, checked as a change would be: live, at `expected_version`.
    async fn unchanged(&self, user: UserId, id: TaskId, expected: Option<u64>) -> Result<Task> {
        let task = self.task(user, id).await?;
        if task.is_deleted() {
            return Err(Error::NotFound {
                entity: "task",
                id: id.to_string(),
            });
        }
        match expected {
            Some(expected) if expected != task.version => Err(Error::Conflict {
                entity: "task",
                id: id.to_string(),
                expected,
                actual: task.version,
            }),
            _ => Ok(task),
        }
    }
}

/// The status `op` moves a task to, if it moves one.
fn target_status(op: &TaskOp) -> Option<TaskStatus> {
    match op {
        TaskOp::Update(patch) => patch.status,
        TaskOp::Complete { .. } => Some(TaskStatus::Completed),
        _ => None,
    }
}

/// Whether `e` is the store's refusal of a status step: invalid on `status` and nothing else.
fn refused_status(e: &Error) -> bool {
    e.kind() == ErrorKind::Invalid
        && e.validation()
            .is_some_and(|v| v.fields().all(|f| f == "status"))
}
