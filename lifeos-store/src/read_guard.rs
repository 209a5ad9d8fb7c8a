//! [`ReadGuard`]: what a computation read, so that saving its result is refused when any
//! of it changed meanwhile (how a plan is saved only over the data it was computed from).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lifeos_core::{CalendarEvent, CalendarEventId, Task, TaskId, TaskStatus};

use crate::calendar_window::CalendarWindow;
use crate::error::{Error, Result};

/// What a write was computed from. [`crate::TaskStore::change_tasks_guarded`] checks it in
/// the write's own transaction (under the lock that orders writers) and refuses the write
/// with [`Error::Changed`] when the stored data differs.
///
/// ```
/// # use lifeos_store::{ReadGuard, CalendarWindow};
/// # let (tasks, from, to, window) = (Vec::new(), chrono::Utc::now(), chrono::Utc::now(), CalendarWindow::default());
/// let guard = ReadGuard::new()
///     .actionable_tasks(&tasks)
///     .calendar_window(from, to, &window);
/// # let _ = guard;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadGuard {
    tasks: Option<BTreeMap<TaskId, u64>>,
    window: Option<GuardedWindow>,
}

#[derive(Debug, Clone, PartialEq)]
struct GuardedWindow {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    events: BTreeMap<CalendarEventId, CalendarEvent>,
    skipped: Vec<CalendarEventId>,
}

impl ReadGuard {
    /// A guard that checks nothing.
    pub fn new() -> Self {
        ReadGuard::default()
    }

    /// The user's actionable tasks (pending or in progress, not deleted) as read: the
    /// write is refused when one of them changed, finished or was deleted, or when an
    /// actionable task that was not read takes time (a slot, or a pinned start: another
    /// plan placed it). A plain task added meanwhile takes no time, so it leaves a plan of
    /// the others valid; the next plan places it.
    pub fn actionable_tasks(mut self, tasks: &[Task]) -> Self {
        self.tasks = Some(tasks.iter().map(|t| (t.id, t.version)).collect());
        self
    }

    /// The calendar window `[from, to]` as read (see
    /// [`crate::CalendarStore::calendar_window`]): the write is refused when the window
    /// now reads otherwise (an event added, changed or deleted).
    pub fn calendar_window(
        mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        window: &CalendarWindow,
    ) -> Self {
        self.window = Some(GuardedWindow {
            from,
            to,
            events: window.events.iter().map(|e| (e.id, e.clone())).collect(),
            skipped: window.skipped.iter().map(|s| s.event_id).collect(),
        });
        self
    }

    /// Whether the actionable tasks are guarded.
    pub(crate) fn guards_tasks(&self) -> bool {
        self.tasks.is_some()
    }

    /// The window guarded, if any.
    pub(crate) fn window(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.window.as_ref().map(|w| (w.from, w.to))
    }

    /// Checks the actionable tasks as stored now: each one's id, version and whether it
    /// takes time (see [`takes_time`]).
    pub(crate) fn check_tasks(
        &self,
        now: impl IntoIterator<Item = (TaskId, u64, bool)>,
    ) -> Result<()> {
        let Some(read) = &self.tasks else {
            return Ok(());
        };
        let now: BTreeMap<TaskId, (u64, bool)> = now
            .into_iter()
            .map(|(id, v, timed)| (id, (v, timed)))
            .collect();
        let changed = read
            .iter()
            .find(|(id, v)| now.get(id).map(|(version, _)| version) != Some(v))
            .map(|(id, _)| id)
            .or_else(|| {
                now.iter()
                    .find(|(id, (_, timed))| *timed && !read.contains_key(id))
                    .map(|(id, _)| id)
            });
        match changed {
            Some(id) => Err(Error::Changed {
                entity: "task",
                id: id.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// Checks the calendar window as it reads now.
    pub(crate) fn check_window(&self, now: &CalendarWindow) -> Result<()> {
        let Some(read) = &self.window else {
            return Ok(());
        };
        let now_events: BTreeMap<CalendarEventId, &CalendarEvent> =
            now.events.iter().map(|e| (e.id, e)).collect();
        let now_skipped: Vec<CalendarEventId> = now.skipped.iter().map(|s| s.event_id).collect();
        let changed = read
            .events
            .iter()
            .find(|(id, e)| now_events.get(id) != Some(e))
            .map(|(id, _)| *id)
            .or_else(|| {
                now_events
                    .keys()
                    .find(|id| !read.events.contains_key(id))
                    .copied()
            })
            .or_else(|| {
                (now_skipped != read.skipped)
                    .then(|| now_skipped.first().or(read.skipped.first()).copied())
                    .flatten()
            });
        match changed {
            Some(id) => Err(Error::Changed {
                entity: "calendar_event",
                id: id.to_string(),
            }),
            None => Ok(()),
        }
    }
}

/// Whether a task takes time in a day: it has a slot or a pinned start.
pub(crate) fn takes_time(t: &Task) -> bool {
    t.scheduled_start.is_some() || t.pinned_start.is_some()
}

/// Whether a task counts among the actionable ones a guard compares.
pub(crate) fn actionable(t: &Task) -> bool {
    t.deleted_at.is_none() && matches!(t.status, TaskStatus::Pending | TaskStatus::InProgress)
}
