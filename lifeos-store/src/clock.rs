//! Where stores read the time: the [`Clock`] trait, the system clock and a manual clock
//! for tests.

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};

/// Where a store reads the time of a change.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock: the one place LifeOS reads the wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for tests: starts at a fixed instant and advances by `step` on every read
/// (so every change gets a distinct, increasing time).
#[derive(Debug)]
pub struct ManualClock {
    state: Mutex<(DateTime<Utc>, Duration)>,
}

impl ManualClock {
    /// A clock at `start` that advances by one millisecond per read.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self::with_step(start, Duration::milliseconds(1))
    }

    /// A clock at `start` that advances by `step` per read (zero keeps it still).
    pub fn with_step(start: DateTime<Utc>, step: Duration) -> Self {
        ManualClock {
            state: Mutex::new((start, step)),
        }
    }

    /// Moves the clock to `to`.
    pub fn set(&self, to: DateTime<Utc>) {
        lock(&self.state).0 = to;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut s = lock(&self.state);
        s.0 += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        let mut s = lock(&self.state);
        let (now, step) = *s;
        s.0 = now + step;
        now
    }
}

/// A poisoned lock still guards consistent data here (every writer finishes its critical
/// section without panicking paths), so take it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
