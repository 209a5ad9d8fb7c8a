//! [`UserSeed`]: a new user's profile with their first tasks and calendar events, written
//! in one transaction ([`crate::ProfileStore::seed_user`]): all of it, or nothing.

use lifeos_core::{CalendarEventInput, NewProfile, NewTask};

/// What [`crate::ProfileStore::seed_user`] writes: a profile, calendar events and tasks.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserSeed {
    /// The profile.
    pub profile: NewProfile,
    /// New calendar events (no `series_id`: a seed names no stored event).
    pub events: Vec<CalendarEventInput>,
    /// Tasks, created in order.
    pub tasks: Vec<SeedTask>,
}

impl UserSeed {
    /// A seed of just `profile`.
    pub fn new(profile: NewProfile) -> Self {
        UserSeed {
            profile,
            events: Vec::new(),
            tasks: Vec::new(),
        }
    }

    /// Adds a calendar event.
    pub fn event(mut self, event: CalendarEventInput) -> Self {
        self.events.push(event);
        self
    }

    /// Adds a task; returns its index, for [`SeedTask::after`] of later tasks.
    pub fn task(&mut self, task: SeedTask) -> usize {
        self.tasks.push(task);
        self.tasks.len() - 1
    }
}

/// A task of a [`UserSeed`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SeedTask {
    /// The task.
    pub task: NewTask,
    /// Earlier tasks of the seed (by index) it depends on, besides `task.depends_on`.
    pub after: Vec<usize>,
    /// Completed right away, with the minutes spent if known (`task.completed`).
    pub completed: Option<Option<u32>>,
}

impl SeedTask {
    /// A plain task.
    pub fn new(task: NewTask) -> Self {
        SeedTask {
            task,
            after: Vec::new(),
            completed: None,
        }
    }

    /// Depending on earlier tasks of the seed.
    pub fn after(mut self, earlier: impl IntoIterator<Item = usize>) -> Self {
        self.after.extend(earlier);
        self
    }

    /// Completed, with the minutes spent if known.
    pub fn completed(mut self, actual_minutes: Option<u32>) -> Self {
        self.completed = Some(actual_minutes);
        self
    }
}
