//! Where a refinement's latency comes from: an injected monotonic clock (library code reads
//! no clock; `clippy.toml` bans it).

use std::time::Duration;

/// A monotonic clock: time since an arbitrary, fixed origin. An application implements it
/// over `std::time::Instant`; tests use a fake that advances as they say.
pub trait MonotonicClock: Send + Sync {
    /// Time elapsed since the clock's origin; never decreases.
    fn elapsed(&self) -> Duration;
}
