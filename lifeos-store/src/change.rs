//! Changes to existing tasks: the operation and the version it is guarded by.

use chrono::{DateTime, Utc};
use lifeos_core::event::ScheduledBy;
use lifeos_core::{PlannedBlock, TaskId, TaskPatch};

/// A change to an existing task.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // short-lived values; boxing would burden every caller
pub enum TaskOp {
    /// Apply a patch (`task.updated`, naming the fields set; a status set by a patch is
    /// recorded there too; use [`TaskOp::Complete`] for a `task.completed` event).
    Update(TaskPatch),
    /// Complete it (`task.completed`), recording the minutes spent if known.
    Complete {
        /// Minutes actually spent.
        actual_minutes: Option<u32>,
        /// Whether it was completed through an AI suggestion.
        via_ai: bool,
    },
    /// Soft-delete it (`task.deleted`); a no-op on a deleted task.
    Delete,
    /// Undo a soft delete (`task.restored`); a no-op on a live task.
    Restore,
    /// Place it in time (`task.scheduled`).
    Schedule {
        /// Planned start.
        start: DateTime<Utc>,
        /// Planned end (at or after start).
        end: DateTime<Utc>,
        /// Who placed it.
        by: ScheduledBy,
        /// Why there.
        rationale: Option<String>,
    },
    /// Place it as blocks (`task.scheduled` with every block; the first block's span is
    /// its `scheduled_start`/`scheduled_end`). No blocks clears the schedule
    /// (`task.updated` naming `planned_blocks`).
    ScheduleBlocks {
        /// The blocks, in any order: at most 28, none empty, none overlapping.
        blocks: Vec<PlannedBlock>,
        /// Who placed them.
        by: ScheduledBy,
        /// Why there.
        rationale: Option<String>,
    },
}

/// One operation on one task, guarded by the version the caller read (`None`: apply to
/// whatever version is stored, atomically).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskChange {
    /// The task.
    pub task_id: TaskId,
    /// The version the caller read; a different stored version is a [`crate::Error::Conflict`].
    pub expected_version: Option<u64>,
    /// What to do.
    pub op: TaskOp,
}

impl TaskChange {
    /// `op` on `task_id`, guarded by `expected_version`.
    pub fn new(task_id: TaskId, expected_version: Option<u64>, op: TaskOp) -> Self {
        TaskChange {
            task_id,
            expected_version,
            op,
        }
    }
}
