//! How a store is set up: [`StoreOptions`] with the clock, the id RNG, the keyring.

use std::fmt;
use std::sync::Arc;

use rand_core::{RngCore, SeedableRng};

use crate::clock::{Clock, SystemClock};
use crate::crypto::Keyring;

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
