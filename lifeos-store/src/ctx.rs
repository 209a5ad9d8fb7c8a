//! What every backend shares at run time: the clock, the id RNG, the keyring and the
//! event hub.

use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rand_core::RngCore;

use crate::clock::{Clock, lock};
use crate::crypto::Keyring;
use crate::hub::EventHub;
use crate::options::StoreOptions;

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
