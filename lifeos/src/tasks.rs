//! The task calls: thin, documented wrappers over the store that map its errors once.

use lifeos_core::{NewTask, Task, TaskId, TaskPatch, TaskStatus, UserId};
use lifeos_store::{Page, TaskChange, TaskOp, TaskQuery};

use crate::LifeOs;
use crate::error::{Error, Result};

impl LifeOs {
    /// Adds a task (`task.created`).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming every field at fault (`project_id` when the project is not
    /// the user's); [`Error::Storage`].
    pub async fn add_task(&self, user: UserId, new: NewTask) -> Result<Task> {
        self.store()
            .create_task(user, new)
            .await
            .map_err(Error::store("adding a task"))
    }

    /// Adds several tasks in one transaction (one `task.created` each): all or none.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming each field by its index (`tasks[2].title`); nothing is
    /// written then.
    pub async fn add_tasks(&self, user: UserId, new: Vec<NewTask>) -> Result<Vec<Task>> {
        self.store()
            .create_tasks(user, new)
            .await
            .map_err(Error::store("adding tasks"))
    }

    /// The task, deleted or not.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub async fn task(&self, user: UserId, id: TaskId) -> Result<Task> {
        self.store()
            .get_task(user, id)
            .await
            .map_err(Error::store("reading a task"))
    }

    /// One page of the user's tasks matching `query`, in creation order; follow
    /// [`Page::next`] with [`TaskQuery::after`].
    ///
    /// # Errors
    /// [`Error::Invalid`] for a limit outside 1..=1000.
    pub async fn tasks(&self, user: UserId, query: &TaskQuery) -> Result<Page<Task>> {
        self.store()
            .list_tasks(user, query)
            .await
            .map_err(Error::store("listing tasks"))
    }

    /// Patches a task read at `expected_version` (`task.updated`).
    ///
    /// # Errors
    /// [`Error::Conflict`] when it changed since; [`Error::Invalid`];
    /// [`Error::Invalid`] on `status` for a change the lifecycle refuses;
    /// [`Error::NotFound`].
    pub async fn update_task(
        &self,
        user: UserId,
        id: TaskId,
        expected_version: u64,
        patch: TaskPatch,
    ) -> Result<Task> {
        self.store()
            .update_task(user, id, expected_version, patch)
            .await
            .map_err(Error::store("updating a task"))
    }

    /// Starts a task: pending to in progress (`task.updated`).
    ///
    /// # Errors
    /// [`Error::Invalid`] on `status` from any other status; [`Error::NotFound`].
    pub async fn start_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        self.set_status(user, id, TaskStatus::InProgress).await
    }

    /// Cancels a task (`task.updated`).
    ///
    /// # Errors
    /// [`Error::Invalid`] on `status` when it is already cancelled or completed;
    /// [`Error::NotFound`].
    pub async fn cancel_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        self.set_status(user, id, TaskStatus::Cancelled).await
    }

    /// Reopens a completed or cancelled task as pending (`task.updated`).
    ///
    /// # Errors
    /// [`Error::Invalid`] on `status` when the lifecycle refuses it; [`Error::NotFound`].
    pub async fn reopen_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        self.set_status(user, id, TaskStatus::Pending).await
    }

    /// Completes a task (`task.completed`), recording the minutes spent if known.
    ///
    /// # Errors
    /// [`Error::Invalid`] on `status` when it is already completed or cancelled;
    /// [`Error::NotFound`].
    pub async fn complete_task(
        &self,
        user: UserId,
        id: TaskId,
        actual_minutes: Option<u32>,
    ) -> Result<Task> {
        let op = TaskOp::Complete {
            actual_minutes,
            via_ai: false,
        };
        self.store()
            .change_task(user, TaskChange::new(id, None, op))
            .await
            .map_err(Error::store("completing a task"))
    }

    /// Soft-deletes a task (`task.deleted`); [`LifeOs::restore_task`] undoes it.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub async fn delete_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        self.store()
            .delete_task(user, id)
            .await
            .map_err(Error::store("deleting a task"))
    }

    /// Restores a soft-deleted task (`task.restored`).
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub async fn restore_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        self.store()
            .restore_task(user, id)
            .await
            .map_err(Error::store("restoring a task"))
    }

    /// Sets the status through a patch applied atomically to whatever version is stored.
    async fn set_status(&self, user: UserId, id: TaskId, status: TaskStatus) -> Result<Task> {
        let patch = TaskPatch {
            status: Some(status),
            ..TaskPatch::default()
        };
        self.store()
            .change_task(user, TaskChange::new(id, None, TaskOp::Update(patch)))
            .await
            .map_err(Error::store("changing a task's status"))
    }
}
