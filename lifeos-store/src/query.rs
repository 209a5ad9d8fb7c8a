//! What to read: task and event queries, time ranges, the folded form titles are
//! searched in.

use chrono::{DateTime, Utc};
use lifeos_core::{DomainEvent, ProjectId, Task, TaskStatus};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::page::Cursor;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size.
pub const MAX_LIMIT: u32 = 1000;

/// A half-open time range `[from, to)`; an absent bound is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    /// Inclusive lower bound.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub to: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// `[from, to)`.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        TimeRange {
            from: Some(from),
            to: Some(to),
        }
    }

    /// Whether `t` lies in the range.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t < to)
    }
}

/// Which tasks to list. Built with [`TaskQuery::new`] and its setters.
///
/// Defaults: every status, no label/project/date filters, soft-deleted tasks excluded,
/// from the start, 50 per page. Rows come in `(created_at, id)` order (keyset pagination).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskQuery {
    /// Only these statuses (empty: all).
    pub statuses: Vec<TaskStatus>,
    /// Only tasks carrying this label (exact, after trimming).
    pub label: Option<String>,
    /// Only tasks of this project.
    pub project_id: Option<ProjectId>,
    /// Only tasks with a due date in this range.
    pub due: Option<TimeRange>,
    /// Only tasks with a scheduled start in this range.
    pub scheduled: Option<TimeRange>,
    /// Only tasks whose title contains this text, compared after `str::to_lowercase` of both.
    pub title_contains: Option<String>,
    /// Whether soft-deleted tasks are listed too (never for a title search).
    pub include_deleted: bool,
    /// Start after this cursor.
    pub after: Option<Cursor>,
    /// Page size, 1 to 1000.
    pub limit: u32,
}

impl Default for TaskQuery {
    fn default() -> Self {
        Self::new()
    }
}

impl TaskQuery {
    /// Every non-deleted task, 50 per page.
    pub fn new() -> Self {
        TaskQuery {
            statuses: Vec::new(),
            label: None,
            project_id: None,
            due: None,
            scheduled: None,
            title_contains: None,
            include_deleted: false,
            after: None,
            limit: DEFAULT_LIMIT,
        }
    }

    /// Pending and in-progress tasks (what a planner places).
    pub fn actionable() -> Self {
        Self::new().statuses([TaskStatus::Pending, TaskStatus::InProgress])
    }

    /// Only these statuses.
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = TaskStatus>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Only tasks with this label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Only tasks of this project.
    pub fn project(mut self, project: ProjectId) -> Self {
        self.project_id = Some(project);
        self
    }

    /// Only tasks due in `range`.
    pub fn due(mut self, range: TimeRange) -> Self {
        self.due = Some(range);
        self
    }

    /// Only tasks scheduled to start in `range`.
    pub fn scheduled(mut self, range: TimeRange) -> Self {
        self.scheduled = Some(range);
        self
    }

    /// Only tasks whose title contains `text`, case-insensitively.
    pub fn title_contains(mut self, text: impl Into<String>) -> Self {
        self.title_contains = Some(text.into());
        self
    }

    /// Also list soft-deleted tasks.
    pub fn include_deleted(mut self, yes: bool) -> Self {
        self.include_deleted = yes;
        self
    }

    /// Start after `cursor`.
    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.after = cursor;
        self
    }

    /// `limit` rows per page.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    /// Checks the page size.
    pub(crate) fn check(&self) -> Result<()> {
        check_limit(self.limit)
    }

    /// Whether `task` passes every filter except the cursor (the reference semantics every
    /// backend matches).
    pub fn matches(&self, task: &Task) -> bool {
        let deleted_ok =
            !task.is_deleted() || (self.include_deleted && self.title_contains.is_none());
        deleted_ok
            && (self.statuses.is_empty() || self.statuses.contains(&task.status))
            && self
                .label
                .as_ref()
                .is_none_or(|l| task.labels.iter().any(|t| t == l.trim()))
            && self.project_id.is_none_or(|p| task.project_id == Some(p))
            && self
                .due
                .is_none_or(|r| task.due_date.is_some_and(|d| r.contains(d)))
            && self
                .scheduled
                .is_none_or(|r| task.scheduled_start.is_some_and(|d| r.contains(d)))
            && self
                .title_contains
                .as_ref()
                .is_none_or(|q| fold(&task.title).contains(&fold(q)))
    }
}

/// The folded form titles are searched in: Rust's `str::to_lowercase`.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// Which events to read. Defaults: every type, all time, from the start, 100 per page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EventQuery {
    /// Only these `type`s (empty: all).
    pub types: Vec<String>,
    /// Only events about this entity.
    pub entity_id: Option<Uuid>,
    /// Only events that occurred in this range.
    pub occurred: Option<TimeRange>,
    /// Only events after this `seq`.
    pub after_seq: Option<u64>,
    /// Page size, 1 to 1000.
    pub limit: u32,
}

impl Default for EventQuery {
    fn default() -> Self {
        Self::new()
    }
}

impl EventQuery {
    /// Every event of the user, 100 per page.
    pub fn new() -> Self {
        EventQuery {
            types: Vec::new(),
            entity_id: None,
            occurred: None,
            after_seq: None,
            limit: 100,
        }
    }

    /// Only events of `kind` (may be called again to add types).
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.types.push(kind.into());
        self
    }

    /// Only events about `entity`.
    pub fn entity(mut self, entity: impl Into<Uuid>) -> Self {
        self.entity_id = Some(entity.into());
        self
    }

    /// Only events that occurred in `range`.
    pub fn occurred(mut self, range: TimeRange) -> Self {
        self.occurred = Some(range);
        self
    }

    /// Only events after `seq`.
    pub fn after_seq(mut self, seq: Option<u64>) -> Self {
        self.after_seq = seq;
        self
    }

    /// `limit` events per page.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    /// Checks the page size.
    pub(crate) fn check(&self) -> Result<()> {
        check_limit(self.limit)
    }

    /// Whether `e` passes every filter except the seq cursor.
    pub fn matches(&self, e: &DomainEvent) -> bool {
        (self.types.is_empty() || self.types.iter().any(|t| t == e.kind()))
            && self.entity_id.is_none_or(|id| e.entity_id() == id)
            && self.occurred.is_none_or(|r| r.contains(e.occurred_at))
    }
}

/// A page size is 1..=[`MAX_LIMIT`] rows: the one rule every paged query shares.
fn check_limit(limit: u32) -> Result<()> {
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(())
    } else {
        Err(Error::invalid("limit", limit, "an integer in 1..=1000"))
    }
}
