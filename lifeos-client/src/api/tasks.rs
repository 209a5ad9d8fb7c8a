//! `/api/v1/tasks`: list, create, read, patch, delete, restore, transitions, breakdown.

use chrono::{DateTime, Utc};
use futures_util::Stream;
use lifeos_core::wire::List;
use lifeos_core::{NewTask, ProjectId, Task, TaskId, TaskPatch, TaskStatus};
use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::exec::Call;
use crate::request::{Get, ListRequest, Write};

/// The task routes: [`Client::tasks`].
#[derive(Debug, Clone)]
pub struct Tasks {
    client: Client,
}

fn path(id: TaskId) -> String {
    format!("/api/v1/tasks/{id}")
}

impl Tasks {
    pub(crate) fn new(client: &Client) -> Self {
        Tasks {
            client: client.clone(),
        }
    }

    /// `GET /tasks`: filter with the builder's methods, then `send()` a page or
    /// `stream()` every task.
    pub fn list(&self) -> TaskList {
        TaskList {
            inner: ListRequest::new(
                &self.client,
                Call::new(Method::GET, "/api/v1/tasks"),
                "cursor",
            ),
        }
    }

    /// `POST /tasks`: a new pending task (201).
    pub fn create(&self, task: &NewTask) -> Write<Task> {
        Write::new(&self.client, Call::new(Method::POST, "/api/v1/tasks")).with_json(task)
    }

    /// `GET /tasks/{id}`, deleted tasks too.
    pub fn get(&self, id: TaskId) -> Get<Task> {
        Get::new(&self.client, Call::new(Method::GET, path(id)))
    }

    /// `PATCH /tasks/{id}` (lists replace; a patch that sets nothing is a no-op).
    pub fn update(&self, id: TaskId, patch: &TaskPatch) -> Write<Task> {
        Write::new(&self.client, Call::new(Method::PATCH, path(id))).with_json(patch)
    }

    /// `DELETE /tasks/{id}`: a soft delete.
    pub fn delete(&self, id: TaskId) -> Write<Task> {
        Write::new(&self.client, Call::new(Method::DELETE, path(id)))
    }

    /// `POST /tasks/{id}/restore`.
    pub fn restore(&self, id: TaskId) -> Write<Task> {
        self.action(id, "restore")
    }

    /// `POST /tasks/{id}/start`: pending to in progress.
    pub fn start(&self, id: TaskId) -> Write<Task> {
        self.action(id, "start")
    }

    /// `POST /tasks/{id}/complete`, without the actual minutes.
    pub fn complete(&self, id: TaskId) -> Write<Task> {
        self.action(id, "complete")
    }

    /// `POST /tasks/{id}/complete` with `{"actual_minutes": minutes}` (0..=43200).
    pub fn complete_in(&self, id: TaskId, actual_minutes: u32) -> Write<Task> {
        self.action(id, "complete")
            .with_json(&serde_json::json!({ "actual_minutes": actual_minutes }))
    }

    /// `POST /tasks/{id}/cancel`.
    pub fn cancel(&self, id: TaskId) -> Write<Task> {
        self.action(id, "cancel")
    }

    /// `POST /tasks/{id}/breakdown`: the model's subtasks stored in `ai_breakdown` (503
    /// `unavailable` without a model on the server).
    pub fn breakdown(&self, id: TaskId) -> Write<Task> {
        self.action(id, "breakdown")
    }

    fn action(&self, id: TaskId, action: &str) -> Write<Task> {
        Write::new(
            &self.client,
            Call::new(Method::POST, format!("{}/{action}", path(id))),
        )
    }
}

/// `GET /tasks` with its filters: [`Tasks::list`].
#[must_use = "a request does nothing until sent"]
#[derive(Debug, Clone)]
pub struct TaskList {
    inner: ListRequest<Task>,
}

impl TaskList {
    fn param(self, name: &'static str, value: impl Into<String>) -> Self {
        TaskList {
            inner: self.inner.param(name, value),
        }
    }

    /// Tasks in any of `statuses`.
    pub fn status(self, statuses: impl IntoIterator<Item = TaskStatus>) -> Self {
        let list: Vec<&str> = statuses.into_iter().map(|s| s.as_str()).collect();
        self.param("status", list.join(","))
    }

    /// Tasks carrying `label`.
    pub fn label(self, label: impl Into<String>) -> Self {
        self.param("label", label)
    }

    /// Tasks of `project`.
    pub fn project(self, project: ProjectId) -> Self {
        self.param("project_id", project.to_string())
    }

    /// `from <= due_date`.
    pub fn due_after(self, from: DateTime<Utc>) -> Self {
        self.param("due_after", super::instant(from))
    }

    /// `due_date < to`.
    pub fn due_before(self, to: DateTime<Utc>) -> Self {
        self.param("due_before", super::instant(to))
    }

    /// `from <= scheduled_start`.
    pub fn scheduled_from(self, from: DateTime<Utc>) -> Self {
        self.param("scheduled_from", super::instant(from))
    }

    /// `scheduled_start < to`.
    pub fn scheduled_to(self, to: DateTime<Utc>) -> Self {
        self.param("scheduled_to", super::instant(to))
    }

    /// Titles containing `text`, case-insensitively (1..=200 characters).
    pub fn q(self, text: impl Into<String>) -> Self {
        self.param("q", text)
    }

    /// Soft-deleted tasks too.
    pub fn include_deleted(self, include: bool) -> Self {
        self.param("include_deleted", include.to_string())
    }

    /// Page size, 1..=200.
    pub fn limit(self, limit: u32) -> Self {
        TaskList {
            inner: self.inner.limit(limit),
        }
    }

    /// Starts after `cursor` (a page's `next_cursor`, bound to these filters).
    pub fn cursor(self, cursor: impl Into<String>) -> Self {
        TaskList {
            inner: self.inner.cursor(cursor),
        }
    }

    /// One page.
    ///
    /// # Errors
    /// See [`crate::Error`]; a bad filter or cursor is a 400 naming it.
    pub async fn send(self) -> Result<List<Task>> {
        self.inner.send().await
    }

    /// Every matching task, following cursors.
    pub fn stream(self) -> impl Stream<Item = Result<Task>> + Send + 'static {
        self.inner.stream()
    }
}
