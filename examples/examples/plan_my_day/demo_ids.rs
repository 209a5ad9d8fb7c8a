//! The store's id RNG for the demo: a fixed seed while the demo week is seeded, the OS's
//! otherwise. Ids are UUID v7 (the `--now` instant and random bits), and a plan breaks ties
//! between equal placements by task id: with the demo's ids drawn from a fixed seed, the
//! same `--now` seeds the same ids and prints the same plan on every new database, while
//! tasks added later still get ids no other run can repeat.

use std::sync::{Arc, Mutex, PoisonError};

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

/// The seed of the demo's ids (any constant would do; this one spells "LifeOS demo").
const DEMO_SEED: [u8; 32] = *b"LifeOS demo week, seeded ids v1.";

/// An RNG shared with the store, whose source the example switches.
#[derive(Clone)]
pub struct DemoIds(Arc<Mutex<ChaCha20Rng>>);

impl DemoIds {
    /// Drawing from the OS.
    pub fn from_os() -> Self {
        DemoIds(Arc::new(Mutex::new(ChaCha20Rng::from_os_rng())))
    }

    /// Runs `seed` with ids from the demo's fixed seed, then draws from the OS again.
    pub async fn fixed_while<T>(&self, seed: impl Future<Output = T>) -> T {
        self.set(ChaCha20Rng::from_seed(DEMO_SEED));
        let out = seed.await;
        self.set(ChaCha20Rng::from_os_rng());
        out
    }

    fn set(&self, rng: ChaCha20Rng) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = rng;
    }

    fn with<T>(&self, draw: impl FnOnce(&mut ChaCha20Rng) -> T) -> T {
        draw(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl RngCore for DemoIds {
    fn next_u32(&mut self) -> u32 {
        self.with(RngCore::next_u32)
    }

    fn next_u64(&mut self) -> u64 {
        self.with(RngCore::next_u64)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.with(|rng| rng.fill_bytes(dest));
    }
}
