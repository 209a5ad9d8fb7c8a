//! Tasks: the unit of work the planner places.
//!
//! A [`Task`] is created from a validated [`NewTask`] and changed by a validated
//! [`TaskPatch`] or a status [`Task::transition`]; each change bumps [`Task::version`] so
//! stores can refuse stale writes (optimistic concurrency).

use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::chunk::{
    PlannedBlock, check_chunk_limit, check_effort, check_estimate_range, sorted_blocks,
};
use crate::error::{Error, Validator};
use crate::id::{ProjectId, TaskId, UserId};
use crate::plan::PlanTask;
use crate::plan::week::PlanWeekTask;
use crate::validate::{check_labels, check_text, normalize_labels};

/// Title length, in Unicode scalar values after trimming.
pub const TITLE_MAX_CHARS: usize = 500;
/// Description length, in Unicode scalar values.
pub const DESCRIPTION_MAX_CHARS: usize = 20_000;
/// Longest estimate of a task in one sitting, in minutes (one day); a chunked task may
/// reach [`crate::chunk::ESTIMATE_MAX_CHUNKED_MINUTES`].
pub const ESTIMATE_MAX_MINUTES: i64 = 1440;
/// Longest recorded actual time, in minutes (thirty days).
pub const ACTUAL_MAX_MINUTES: i64 = 43_200;
/// Most labels on one task.
pub const LABELS_MAX: usize = 20;
/// Label length, in Unicode scalar values after trimming.
pub const LABEL_MAX_CHARS: usize = 50;
/// Most AI-suggested subtasks on one task.
pub const SUBTASKS_MAX: usize = 50;
/// Most dependencies on one task.
pub const DEPENDS_ON_MAX: usize = 100;

/// Where a task is in its lifecycle.
///
/// Allowed changes: pending → in_progress, completed, cancelled; in_progress → pending,
/// completed, cancelled; completed or cancelled → pending (reopen). Nothing else, and never
/// to the same status.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaskStatus {
    /// Not started.
    #[default]
    Pending,
    /// Being worked on.
    InProgress,
    /// Done.
    Completed,
    /// Dropped.
    Cancelled,
}

impl TaskStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Pending,
        TaskStatus::InProgress,
        TaskStatus::Completed,
        TaskStatus::Cancelled,
    ];

    /// The wire name (`pending`, `in_progress`, `completed`, `cancelled`).
    pub fn as_str(&self) -> &'static str {
        match self {
            TaskStatus::Pending => "pending",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Completed => "completed",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Whether the lifecycle allows going from `self` to `to`.
    pub fn can_transition_to(self, to: TaskStatus) -> bool {
        use TaskStatus::*;
        matches!(
            (self, to),
            (Pending, InProgress | Completed | Cancelled)
                | (InProgress, Pending | Completed | Cancelled)
                | (Completed | Cancelled, Pending)
        )
    }

    /// Whether a task in this status still needs doing (pending or in progress).
    pub fn is_actionable(self) -> bool {
        matches!(self, TaskStatus::Pending | TaskStatus::InProgress)
    }
}

impl std::fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TaskStatus {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        TaskStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                Error::invalid(
                    "status",
                    text,
                    "one of pending, in_progress, completed, cancelled",
                )
            })
    }
}

/// How important a task is: 0 (lowest) to 3 (highest).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Priority(u8);

impl Priority {
    /// Priority 0.
    pub const LOWEST: Priority = Priority(0);
    /// Priority 3.
    pub const HIGHEST: Priority = Priority(3);

    /// A priority from 0 to 3.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `priority` when `value` is above 3.
    pub fn new(value: u8) -> Result<Self, Error> {
        if value <= 3 {
            Ok(Priority(value))
        } else {
            Err(Error::invalid("priority", value, "an integer in 0..=3"))
        }
    }

    /// The number, 0 to 3.
    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Priority {
    type Error = Error;
    fn try_from(value: u8) -> Result<Self, Error> {
        Priority::new(value)
    }
}

impl From<Priority> for u8 {
    fn from(p: Priority) -> u8 {
        p.0
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A step the AI suggested for breaking a task down (`ai_breakdown`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subtask {
    /// What to do.
    pub title: String,
    /// How long it should take, in minutes.
    #[serde(default)]
    pub estimated_minutes: Option<u32>,
    /// Whether it is done.
    #[serde(default)]
    pub done: bool,
}

/// A task, with every field of the original `tasks` table plus what the planner needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    /// Identity.
    pub id: TaskId,
    /// Owner.
    pub user_id: UserId,
    /// What to do (1 to 500 characters, trimmed).
    pub title: String,
    /// Longer text (up to 20,000 characters).
    pub description: Option<String>,
    /// Lifecycle state.
    pub status: TaskStatus,
    /// When it is due.
    pub due_date: Option<DateTime<Utc>>,
    /// Whether `due_date` must not be missed (the planner never schedules it later).
    pub hard_deadline: bool,
    /// Start the planner chose (not a pin: replanned freely).
    pub scheduled_start: Option<DateTime<Utc>>,
    /// End the planner chose.
    pub scheduled_end: Option<DateTime<Utc>>,
    /// Start the user fixed; the planner keeps it exactly (`pinnedStart`).
    pub pinned_start: Option<DateTime<Utc>>,
    /// Expected effort in minutes (1 to 1440, or up to 20,160 when chunked).
    pub estimated_minutes: Option<u32>,
    /// Shortest sitting when the task is chunked (a multiple of 5 in 5..=1440).
    #[serde(default)]
    pub min_chunk_minutes: Option<u32>,
    /// Longest sitting: below the estimate, the task is chunked (a multiple of 5 in
    /// 5..=1440).
    #[serde(default)]
    pub max_chunk_minutes: Option<u32>,
    /// The blocks the planner chose, sorted and non-overlapping (at most 28); the first
    /// one's span is also `scheduled_start`/`scheduled_end`, for readers of one slot.
    /// Empty on tasks stored before blocks existed: see [`Task::blocks`].
    #[serde(default)]
    pub planned_blocks: Vec<PlannedBlock>,
    /// Effort actually spent, in minutes.
    pub actual_minutes: Option<u32>,
    /// Importance.
    pub priority: Priority,
    /// Labels, trimmed, unique, in the user's order.
    pub labels: Vec<String>,
    /// Project it belongs to.
    pub project_id: Option<ProjectId>,
    /// Tasks that must be done before this one.
    pub depends_on: Vec<TaskId>,
    /// When the AI suggested doing it.
    pub ai_suggested_time: Option<DateTime<Utc>>,
    /// Subtasks the AI suggested.
    pub ai_breakdown: Vec<Subtask>,
    /// Why the AI scheduled it as it did.
    pub ai_context: Option<String>,
    /// When it was completed (set on completion, cleared on reopen).
    pub completed_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Soft-deletion time.
    pub deleted_at: Option<DateTime<Utc>>,
    /// 1 at creation, +1 per change: a write must name the version it read.
    pub version: u64,
}

/// The fields of a task to create. Numbers are wide so that out-of-range input reaches
/// validation (and an error naming the field) instead of failing to parse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTask {
    /// What to do: 1 to 500 characters after trimming.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, max_length = 500, pattern = r"\S")
    )]
    pub title: String,
    /// Up to 20,000 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub description: Option<String>,
    /// When it is due.
    pub due_date: Option<DateTime<Utc>>,
    /// Whether the due date is a hard deadline.
    pub hard_deadline: bool,
    /// A start the user fixes.
    pub pinned_start: Option<DateTime<Utc>>,
    /// 1 to 1440 minutes, or up to 20,160 when chunked.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 20160))]
    pub estimated_minutes: Option<i64>,
    /// Shortest sitting of a chunked task (a multiple of 5 in 5..=1440; default
    /// min(30, max)).
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 5, maximum = 1440, multiple_of = 5)
    )]
    pub min_chunk_minutes: Option<i64>,
    /// Longest sitting (a multiple of 5 in 5..=1440): below the estimate, the task is
    /// chunked.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 5, maximum = 1440, multiple_of = 5)
    )]
    pub max_chunk_minutes: Option<i64>,
    /// 0 to 3.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 3))]
    pub priority: i64,
    /// At most 20, each 1 to 50 characters after trimming; duplicates are dropped.
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub labels: Vec<String>,
    /// Project it belongs to.
    pub project_id: Option<ProjectId>,
    /// Tasks that must be done first (at most 100).
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub depends_on: Vec<TaskId>,
}

impl NewTask {
    /// A new task with this title and every other field at its default.
    pub fn titled(title: impl Into<String>) -> Self {
        NewTask {
            title: title.into(),
            ..NewTask::default()
        }
    }

    /// Checks every field, listing every problem.
    ///
    /// # Errors
    /// [`Error::Invalid`] with one entry per offending field.
    pub fn validate(&self) -> Result<(), Error> {
        let mut v = Validator::new();
        check_title(&mut v, &self.title);
        check_text(
            &mut v,
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX_CHARS,
        );
        check_estimate_range(&mut v, self.estimated_minutes);
        check_chunk_limit(&mut v, "min_chunk_minutes", self.min_chunk_minutes);
        check_chunk_limit(&mut v, "max_chunk_minutes", self.max_chunk_minutes);
        check_effort(
            &mut v,
            self.estimated_minutes,
            self.min_chunk_minutes,
            self.max_chunk_minutes,
            self.pinned_start.is_some(),
        );
        check_priority(&mut v, self.priority);
        check_labels(&mut v, "labels", &self.labels, LABELS_MAX, LABEL_MAX_CHARS);
        check_depends_on(&mut v, &self.depends_on, None);
        v.finish(())
    }
}

/// A change to some fields of a task. `None` leaves a field as it is; for a field that may be
/// empty, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskPatch {
    /// New title.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 500, pattern = r"\S")
    )]
    pub title: Option<String>,
    /// New description, or `Some(None)` to clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub description: Option<Option<String>>,
    /// New status, applied by the lifecycle rules of [`Task::transition`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// New due date, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub due_date: Option<Option<DateTime<Utc>>>,
    /// New hard-deadline flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hard_deadline: Option<bool>,
    /// New planned start, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub scheduled_start: Option<Option<DateTime<Utc>>>,
    /// New planned end, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub scheduled_end: Option<Option<DateTime<Utc>>>,
    /// New pin, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub pinned_start: Option<Option<DateTime<Utc>>>,
    /// New estimate (1 to 1440, or up to 20,160 when chunked), or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 20160))]
    pub estimated_minutes: Option<Option<i64>>,
    /// New shortest sitting (a multiple of 5 in 5..=1440), or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 5, maximum = 1440, multiple_of = 5)
    )]
    pub min_chunk_minutes: Option<Option<i64>>,
    /// New longest sitting (a multiple of 5 in 5..=1440), or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 5, maximum = 1440, multiple_of = 5)
    )]
    pub max_chunk_minutes: Option<Option<i64>>,
    /// New actual effort (0 to 43,200), or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 43200))]
    pub actual_minutes: Option<Option<i64>>,
    /// New priority (0 to 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 3))]
    pub priority: Option<i64>,
    /// New labels (replacing the old ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub labels: Option<Vec<String>>,
    /// New project, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub project_id: Option<Option<ProjectId>>,
    /// New dependencies (replacing the old ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub depends_on: Option<Vec<TaskId>>,
    /// New AI suggestion, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub ai_suggested_time: Option<Option<DateTime<Utc>>>,
    /// New AI breakdown (replacing the old one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_breakdown: Option<Vec<Subtask>>,
    /// New AI context, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub ai_context: Option<Option<String>>,
}

impl TaskPatch {
    /// Checks every field the patch sets, listing every problem. Rules needing the task
    /// itself (status lifecycle, self-dependency, scheduled end after start) are checked by
    /// [`Task::apply`].
    ///
    /// # Errors
    /// [`Error::Invalid`] with one entry per offending field.
    pub fn validate(&self) -> Result<(), Error> {
        let mut v = Validator::new();
        self.check_into(&mut v, None);
        v.finish(())
    }

    fn check_into(&self, v: &mut Validator, own_id: Option<TaskId>) {
        if let Some(title) = &self.title {
            check_title(v, title);
        }
        if let Some(description) = &self.description {
            check_text(
                v,
                "description",
                description.as_deref(),
                DESCRIPTION_MAX_CHARS,
            );
        }
        if let Some(estimate) = self.estimated_minutes {
            check_estimate_range(v, estimate);
        }
        if let Some(min) = self.min_chunk_minutes {
            check_chunk_limit(v, "min_chunk_minutes", min);
        }
        if let Some(max) = self.max_chunk_minutes {
            check_chunk_limit(v, "max_chunk_minutes", max);
        }
        if let Some(Some(actual)) = self.actual_minutes {
            v.check(
                (0..=ACTUAL_MAX_MINUTES).contains(&actual),
                "actual_minutes",
                actual,
                "an integer in 0..=43200",
            );
        }
        if let Some(priority) = self.priority {
            check_priority(v, priority);
        }
        if let Some(labels) = &self.labels {
            check_labels(v, "labels", labels, LABELS_MAX, LABEL_MAX_CHARS);
        }
        if let Some(depends_on) = &self.depends_on {
            check_depends_on(v, depends_on, own_id);
        }
        if let Some(breakdown) = &self.ai_breakdown {
            check_breakdown(v, breakdown);
        }
        if let Some(context) = &self.ai_context {
            check_text(v, "ai_context", context.as_deref(), DESCRIPTION_MAX_CHARS);
        }
    }

    /// The names of the fields this patch sets, in declaration order (for `task.updated`).
    pub fn changed_fields(&self) -> Vec<&'static str> {
        let set = [
            ("title", self.title.is_some()),
            ("description", self.description.is_some()),
            ("status", self.status.is_some()),
            ("due_date", self.due_date.is_some()),
            ("hard_deadline", self.hard_deadline.is_some()),
            ("scheduled_start", self.scheduled_start.is_some()),
            ("scheduled_end", self.scheduled_end.is_some()),
            ("pinned_start", self.pinned_start.is_some()),
            ("estimated_minutes", self.estimated_minutes.is_some()),
            ("min_chunk_minutes", self.min_chunk_minutes.is_some()),
            ("max_chunk_minutes", self.max_chunk_minutes.is_some()),
            ("actual_minutes", self.actual_minutes.is_some()),
            ("priority", self.priority.is_some()),
            ("labels", self.labels.is_some()),
            ("project_id", self.project_id.is_some()),
            ("depends_on", self.depends_on.is_some()),
            ("ai_suggested_time", self.ai_suggested_time.is_some()),
            ("ai_breakdown", self.ai_breakdown.is_some()),
            ("ai_context", self.ai_context.is_some()),
        ];
        set.into_iter()
            .filter(|(_, s)| *s)
            .map(|(n, _)| n)
            .collect()
    }

    /// Whether the patch sets nothing.
    pub fn is_empty(&self) -> bool {
        self.changed_fields().is_empty()
    }
}

impl Task {
    /// A new task from validated input: version 1, status pending, created and updated at
    /// `now`, title and labels trimmed, duplicate labels dropped.
    ///
    /// # Errors
    /// [`Error::Invalid`] listing every problem of `new`.
    pub fn create(
        id: TaskId,
        user_id: UserId,
        new: NewTask,
        now: DateTime<Utc>,
    ) -> Result<Task, Error> {
        new.validate()?;
        Ok(Task {
            id,
            user_id,
            title: new.title.trim().to_owned(),
            description: new.description,
            status: TaskStatus::Pending,
            due_date: new.due_date,
            hard_deadline: new.hard_deadline,
            scheduled_start: None,
            scheduled_end: None,
            pinned_start: new.pinned_start,
            // Validation bounds both, so the conversions cannot fail.
            estimated_minutes: new.estimated_minutes.and_then(|m| u32::try_from(m).ok()),
            min_chunk_minutes: new.min_chunk_minutes.and_then(|m| u32::try_from(m).ok()),
            max_chunk_minutes: new.max_chunk_minutes.and_then(|m| u32::try_from(m).ok()),
            planned_blocks: Vec::new(),
            actual_minutes: None,
            priority: Priority(u8::try_from(new.priority).unwrap_or(0)),
            labels: normalize_labels(&new.labels),
            project_id: new.project_id,
            depends_on: dedup_ids(&new.depends_on),
            ai_suggested_time: None,
            ai_breakdown: Vec::new(),
            ai_context: None,
            completed_at: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            version: 1,
        })
    }

    /// Moves the task to status `to` at `now`: completing sets `completed_at`, reopening
    /// clears it. Bumps the version.
    ///
    /// # Errors
    /// [`Error::InvalidTransition`] (field `status`) when the lifecycle forbids the change;
    /// the task is then unchanged.
    pub fn transition(&mut self, to: TaskStatus, now: DateTime<Utc>) -> Result<(), Error> {
        self.check_transition(to)?;
        self.set_status(to, now);
        self.touch(now);
        Ok(())
    }

    fn check_transition(&self, to: TaskStatus) -> Result<(), Error> {
        if self.status.can_transition_to(to) {
            Ok(())
        } else {
            Err(Error::InvalidTransition {
                from: self.status,
                to,
            })
        }
    }

    fn set_status(&mut self, to: TaskStatus, now: DateTime<Utc>) {
        match to {
            TaskStatus::Completed => self.completed_at = Some(now),
            TaskStatus::Pending => self.completed_at = None,
            TaskStatus::InProgress | TaskStatus::Cancelled => {}
        }
        self.status = to;
    }

    /// Applies `patch` at `now`: either every field changes or, on error, none does. Bumps
    /// the version once.
    ///
    /// # Errors
    /// [`Error::Invalid`] listing every problem (including a task depending on itself and a
    /// scheduled end before its start), or [`Error::InvalidTransition`] when the patch sets a
    /// status the lifecycle forbids.
    pub fn apply(&mut self, patch: &TaskPatch, now: DateTime<Utc>) -> Result<(), Error> {
        let mut v = Validator::new();
        patch.check_into(&mut v, Some(self.id));
        let start = patch.scheduled_start.unwrap_or(self.scheduled_start);
        let end = patch.scheduled_end.unwrap_or(self.scheduled_end);
        if let (Some(start), Some(end)) = (start, end) {
            v.check(
                end >= start,
                "scheduled_end",
                end.to_rfc3339(),
                "at or after scheduled_start",
            );
        }
        let wide = |m: Option<u32>| m.map(i64::from);
        check_effort(
            &mut v,
            patch
                .estimated_minutes
                .unwrap_or(wide(self.estimated_minutes)),
            patch
                .min_chunk_minutes
                .unwrap_or(wide(self.min_chunk_minutes)),
            patch
                .max_chunk_minutes
                .unwrap_or(wide(self.max_chunk_minutes)),
            patch.pinned_start.unwrap_or(self.pinned_start).is_some(),
        );
        v.finish(())?;
        if let Some(to) = patch.status {
            self.check_transition(to)?;
        }

        if let Some(title) = &patch.title {
            self.title = title.trim().to_owned();
        }
        if let Some(description) = &patch.description {
            self.description.clone_from(description);
        }
        if let Some(to) = patch.status {
            self.set_status(to, now);
        }
        if let Some(due) = patch.due_date {
            self.due_date = due;
        }
        if let Some(hard) = patch.hard_deadline {
            self.hard_deadline = hard;
        }
        if patch.scheduled_start.is_some() || patch.scheduled_end.is_some() {
            // A slot set by hand replaces the planned blocks.
            self.planned_blocks = match (start, end) {
                (Some(start), Some(end)) => vec![PlannedBlock::new(start, end)],
                _ => Vec::new(),
            };
        }
        self.scheduled_start = start;
        self.scheduled_end = end;
        if let Some(pin) = patch.pinned_start {
            self.pinned_start = pin;
        }
        if let Some(estimate) = patch.estimated_minutes {
            self.estimated_minutes = estimate.and_then(|m| u32::try_from(m).ok());
        }
        if let Some(min) = patch.min_chunk_minutes {
            self.min_chunk_minutes = min.and_then(|m| u32::try_from(m).ok());
        }
        if let Some(max) = patch.max_chunk_minutes {
            self.max_chunk_minutes = max.and_then(|m| u32::try_from(m).ok());
        }
        if let Some(actual) = patch.actual_minutes {
            self.actual_minutes = actual.and_then(|m| u32::try_from(m).ok());
        }
        if let Some(priority) = patch.priority {
            self.priority = Priority(u8::try_from(priority).unwrap_or(0));
        }
        if let Some(labels) = &patch.labels {
            self.labels = normalize_labels(labels);
        }
        if let Some(project) = patch.project_id {
            self.project_id = project;
        }
        if let Some(depends_on) = &patch.depends_on {
            self.depends_on = dedup_ids(depends_on);
        }
        if let Some(suggested) = patch.ai_suggested_time {
            self.ai_suggested_time = suggested;
        }
        if let Some(breakdown) = &patch.ai_breakdown {
            self.ai_breakdown.clone_from(breakdown);
        }
        if let Some(context) = &patch.ai_context {
            self.ai_context.clone_from(context);
        }
        self.touch(now);
        Ok(())
    }

    /// Records a planner's choice (not a pin). Bumps the version.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `scheduled_end` when `end` is before `start`.
    pub fn schedule(
        &mut self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        if end < start {
            return Err(Error::invalid(
                "scheduled_end",
                end.to_rfc3339(),
                "at or after scheduled_start",
            ));
        }
        self.scheduled_start = Some(start);
        self.scheduled_end = Some(end);
        self.planned_blocks = vec![PlannedBlock::new(start, end)];
        self.touch(now);
        Ok(())
    }

    /// Records a planner's blocks (not a pin), sorted; `scheduled_start`/`scheduled_end`
    /// become the first block's span (cleared when there is none). Bumps the version.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `planned_blocks` (more than 28) or `planned_blocks[i]`
    /// (an empty block, or one overlapping the block before); the task is then unchanged.
    pub fn schedule_blocks(
        &mut self,
        blocks: &[PlannedBlock],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let sorted = sorted_blocks(blocks)?;
        self.scheduled_start = sorted.first().map(|b| b.start);
        self.scheduled_end = sorted.first().map(|b| b.end);
        self.planned_blocks = sorted;
        self.touch(now);
        Ok(())
    }

    /// The planned blocks; for a task stored before blocks existed, its scheduled slot as
    /// the one block (none when it has no complete slot).
    pub fn blocks(&self) -> Vec<PlannedBlock> {
        if !self.planned_blocks.is_empty() {
            return self.planned_blocks.clone();
        }
        match (self.scheduled_start, self.scheduled_end) {
            (Some(start), Some(end)) => vec![PlannedBlock::new(start, end)],
            _ => Vec::new(),
        }
    }

    /// Whether the task is chunked: `max_chunk_minutes` below the estimate (default 30)
    /// and no pin.
    pub fn is_chunked(&self) -> bool {
        self.pinned_start.is_none()
            && self
                .max_chunk_minutes
                .is_some_and(|max| max < self.estimated_minutes.unwrap_or(30))
    }

    /// Soft-deletes the task at `now`. Bumps the version.
    pub fn soft_delete(&mut self, now: DateTime<Utc>) {
        self.deleted_at = Some(now);
        self.touch(now);
    }

    /// Undoes a soft delete. Bumps the version.
    pub fn restore(&mut self, now: DateTime<Utc>) {
        self.deleted_at = None;
        self.touch(now);
    }

    /// Whether the task is soft-deleted.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
        self.version += 1;
    }
}

impl Task {
    /// This task as the planner sees it (a `tasks` entry of a plan request): no estimate
    /// means PLANNER.md's default of 30 minutes, and a pin loses any fraction of a second
    /// (the wire takes whole seconds).
    pub fn to_plan_task(&self) -> PlanTask {
        PlanTask {
            id: *self.id.as_uuid(),
            title: self.title.clone(),
            priority: self.priority.value(),
            estimated_minutes: self.estimated_minutes.unwrap_or(30),
            due_date: self.due_date,
            hard_deadline: self.hard_deadline,
            labels: self.labels.clone(),
            depends_on: self.depends_on.iter().map(|id| *id.as_uuid()).collect(),
            pinned_start: self
                .pinned_start
                .map(|pin| pin.with_nanosecond(0).unwrap_or(pin)),
            status: self.status,
        }
    }

    /// This task as the week planner sees it: [`Task::to_plan_task`] with its chunk
    /// limits.
    pub fn to_plan_week_task(&self) -> PlanWeekTask {
        PlanWeekTask {
            task: self.to_plan_task(),
            min_chunk_minutes: self.min_chunk_minutes,
            max_chunk_minutes: self.max_chunk_minutes,
        }
    }
}

fn check_title(v: &mut Validator, title: &str) {
    let n = title.trim().chars().count();
    v.check(
        (1..=TITLE_MAX_CHARS).contains(&n),
        "title",
        title,
        "1..=500 characters after trimming",
    );
}

fn check_priority(v: &mut Validator, priority: i64) {
    v.check(
        (0..=3).contains(&priority),
        "priority",
        priority,
        "an integer in 0..=3",
    );
}

fn check_depends_on(v: &mut Validator, ids: &[TaskId], own_id: Option<TaskId>) {
    v.check(
        ids.len() <= DEPENDS_ON_MAX,
        "depends_on",
        format!("{} ids", ids.len()),
        "at most 100 ids",
    );
    if let Some(own) = own_id {
        for (i, id) in ids.iter().enumerate() {
            v.check(
                *id != own,
                format!("depends_on[{i}]"),
                id,
                "another task's id (a task cannot depend on itself)",
            );
        }
    }
}

fn check_breakdown(v: &mut Validator, breakdown: &[Subtask]) {
    v.check(
        breakdown.len() <= SUBTASKS_MAX,
        "ai_breakdown",
        format!("{} subtasks", breakdown.len()),
        "at most 50 subtasks",
    );
    for (i, sub) in breakdown.iter().enumerate() {
        let n = sub.title.trim().chars().count();
        v.check(
            (1..=TITLE_MAX_CHARS).contains(&n),
            format!("ai_breakdown[{i}].title"),
            &sub.title,
            "1..=500 characters after trimming",
        );
        if let Some(m) = sub.estimated_minutes {
            v.check(
                (1..=1440).contains(&m),
                format!("ai_breakdown[{i}].estimated_minutes"),
                m,
                "an integer in 1..=1440",
            );
        }
    }
}

fn dedup_ids(ids: &[TaskId]) -> Vec<TaskId> {
    let mut out: Vec<TaskId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}
