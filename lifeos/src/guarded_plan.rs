//! What both planning workflows share around their loop: plan from what is stored, save
//! only over what was read (`ReadGuard`), and plan again when something changed in
//! between, a bounded number of times.

use chrono::NaiveDate;
use lifeos_core::UserId;
use tokio::sync::MutexGuard;

use crate::LifeOs;
use crate::error::{Error, Result};

/// The tries of one planning call: how many are allowed, and the date of the last one
/// that met a change (for the [`Error::PlanConflict`] when none is left).
pub(crate) struct Tries {
    allowed: u32,
    date: NaiveDate,
}

impl Tries {
    /// `max_attempts` tries (at least one); `date` is named if none gets to plan.
    pub(crate) fn new(max_attempts: u32, date: NaiveDate) -> Self {
        Self {
            allowed: max_attempts.max(1),
            date,
        }
    }

    /// The 1-based number of each try.
    pub(crate) fn numbers(&self) -> std::ops::RangeInclusive<u32> {
        1..=self.allowed
    }

    /// Whether the save `outcome` ends the loop: `Ok(true)` when saved, `Ok(false)` when
    /// what was read changed (nothing saved; plan again), or its other error.
    pub(crate) fn saved(
        &mut self,
        outcome: Result<()>,
        user: UserId,
        attempt: u32,
        date: NaiveDate,
    ) -> Result<bool> {
        match outcome {
            Ok(()) => Ok(true),
            Err(e) if e.is_conflict() => {
                tracing::debug!(%user, attempt, "tasks changed while planning; planning again");
                self.date = date;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// The error once every try met a change.
    pub(crate) fn exhausted(self) -> Error {
        Error::PlanConflict {
            date: self.date,
            attempts: self.allowed,
        }
    }
}

impl LifeOs {
    /// Unless `dry_run`, waits for this user's turn to plan: plans of one user in this
    /// process take turns, so they do not keep invalidating each other's reads; other
    /// processes are kept apart by the guarded save itself.
    pub(crate) async fn turn_to_plan(
        &self,
        user: UserId,
        dry_run: bool,
    ) -> Option<MutexGuard<'_, ()>> {
        if dry_run {
            None
        } else {
            Some(self.planning_turn(user).await)
        }
    }
}
