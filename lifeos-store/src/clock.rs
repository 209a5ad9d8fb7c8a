//! Time and randomness for stores: a [`Clock`] and an injected RNG, set on [`StoreOptions`].

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use rand_core::{RngCore, SeedableRng};

use crate::crypto::Keyring;
use crate::hub::EventHub;

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

/// How a store is set up: its clock, the RNG for ids, and the OAuth token keys.
///
/// Defaults: [`SystemClock`], a ChaCha RNG seeded once from the OS, no keyring (token calls
/// then fail with [`crate::Error::Crypto`]).
pub struct StoreOptions {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Box<dyn RngCore + Send>,
    pub(crate) keyring: Option<Keyring>,
    pub(crate) event_buffer: usize,
}

impl fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreOptions")
            .field("clock", &self.clock)
            .field("keyring", &self.keyring)
            .field("event_buffer", &self.event_buffer)
            .finish_non_exhaustive()
    }
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl StoreOptions {
    /// The defaults (see the type's docs).
    pub fn new() -> Self {
        StoreOptions {
            clock: Arc::new(SystemClock),
            rng: Box::new(rand_chacha::ChaCha12Rng::from_os_rng()),
            keyring: None,
            event_buffer: 1024,
        }
    }

    /// Reads time from `clock`.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Draws id bytes from `rng` (seed it in tests for reproducible ids).
    pub fn rng(mut self, rng: impl RngCore + Send + 'static) -> Self {
        self.rng = Box::new(rng);
        self
    }

    /// Encrypts OAuth tokens with `keyring`.
    pub fn keyring(mut self, keyring: Keyring) -> Self {
        self.keyring = Some(keyring);
        self
    }

    /// How many events a slow subscriber may fall behind before it lags (default 1024).
    pub fn event_buffer(mut self, events: usize) -> Self {
        self.event_buffer = events.max(1);
        self
    }
}

/// What every backend shares: the clock, the id RNG, the keyring and the event hub.
pub(crate) struct Ctx {
    clock: Arc<dyn Clock>,
    rng: Mutex<Box<dyn RngCore + Send>>,
    pub(crate) keyring: Option<Keyring>,
    pub(crate) hub: EventHub,
}

impl fmt::Debug for Ctx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl Ctx {
    pub(crate) fn new(options: StoreOptions) -> Self {
        Ctx {
            clock: options.clock,
            rng: Mutex::new(options.rng),
            keyring: options.keyring,
            hub: EventHub::new(options.event_buffer),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs `f` with the id RNG.
    pub(crate) fn with_rng<T>(&self, f: impl FnOnce(&mut dyn RngCore) -> T) -> T {
        let mut rng = lock(&self.rng);
        f(&mut **rng)
    }

    pub(crate) fn keyring(&self) -> crate::Result<&Keyring> {
        self.keyring.as_ref().ok_or_else(|| crate::Error::Crypto {
            message: "no keyring configured (StoreOptions::keyring)".into(),
        })
    }
}
