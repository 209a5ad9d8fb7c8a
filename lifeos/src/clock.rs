//! Where the application layer reads time: the wall clock of [`lifeos_store::Clock`] for
//! what it records, and a [`Monotonic`] clock for how long a workflow took.
//!
//! Library code never reads a clock directly: both are injected, and tests use fakes.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A monotonic clock: time elapsed since an arbitrary origin, never going back.
/// Measures latencies (the `latency_ms` of `ai.plan_generated`).
pub trait Monotonic: Send + Sync + fmt::Debug {
    /// Time since this clock's origin.
    fn elapsed(&self) -> Duration;
}

/// The system's monotonic clock (`std::time::Instant`), origin at construction.
#[derive(Debug, Clone, Copy)]
pub struct SystemMonotonic {
    origin: Instant,
}

impl SystemMonotonic {
    /// A clock whose origin is now.
    #[allow(clippy::disallowed_methods)] // the one place the application layer reads it
    pub fn new() -> Self {
        SystemMonotonic {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemMonotonic {
    fn default() -> Self {
        Self::new()
    }
}

impl Monotonic for SystemMonotonic {
    fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A monotonic clock for tests: advances by `step` on every read (zero keeps it still).
#[derive(Debug)]
pub struct ManualMonotonic {
    state: Mutex<(Duration, Duration)>,
}

impl ManualMonotonic {
    /// A clock at zero advancing by `step` per read.
    pub fn with_step(step: Duration) -> Self {
        ManualMonotonic {
            state: Mutex::new((Duration::ZERO, step)),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut s = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.0 = s.0.saturating_add(by);
    }
}

impl Monotonic for ManualMonotonic {
    fn elapsed(&self) -> Duration {
        let mut s = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (now, step) = *s;
        s.0 = now.saturating_add(step);
        now
    }
}
