//! [`LifeOs`]: the application, built once over a store, a clock and an RNG, cheap to clone.

use std::fmt;
use std::sync::{Arc, Mutex};

use lifeos_core::UserId;
use lifeos_store::{Clock, Store, SystemClock};
use rand_core::{RngCore, SeedableRng};

use crate::clock::{Monotonic, SystemMonotonic};
use crate::refinement::{AiParts, AiQuota, PlanCache};
use lifeos_scheduler::refine::Refiner;

/// How many planning locks a [`LifeOs`] holds.
const PLANNING_STRIPES: usize = 64;

/// The LifeOS application: every workflow (plan a day and save it, import a calendar, the
/// task transitions) as one method, over one [`Store`].
///
/// Cloning is cheap and clones share everything (the store, the clocks, the RNG). Every
/// call is scoped to the `user` it is given; the caller (a server, the Python bindings, a
/// command line) authenticates that user. Futures are `Send`.
#[derive(Clone)]
pub struct LifeOs {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    /// Striped per-user turns for planning (see [`LifeOs::planning_turn`]).
    planning: [tokio::sync::Mutex<()>; PLANNING_STRIPES],
    clock: Arc<dyn Clock>,
    monotonic: Arc<dyn Monotonic>,
    rng: Mutex<Box<dyn RngCore + Send>>,
    ai: AiParts,
}

impl fmt::Debug for LifeOs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LifeOs")
            .field("clock", &self.inner.clock)
            .field("monotonic", &self.inner.monotonic)
            .finish_non_exhaustive()
    }
}

impl LifeOs {
    /// The application over `store`, with the defaults of [`LifeOsBuilder`].
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::builder(store).build()
    }

    /// A builder over `store`, to set the clocks and the RNG.
    pub fn builder(store: Arc<dyn Store>) -> LifeOsBuilder {
        LifeOsBuilder {
            store,
            clock: None,
            monotonic: None,
            rng: None,
            ai: AiParts::default(),
        }
    }

    /// The store, for what no workflow covers (reads, exports, the event log).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    pub(crate) fn monotonic(&self) -> &dyn Monotonic {
        &*self.inner.monotonic
    }

    /// The model, the plan cache and the AI quota.
    pub(crate) fn ai(&self) -> &AiParts {
        &self.inner.ai
    }

    /// Waits for `user`'s turn to plan in this process: plans of one user take turns, so
    /// concurrent requests do not keep invalidating each other's guarded saves. Striped
    /// (a fixed number of locks, users hashed onto them): bounded memory, and two users
    /// sharing a stripe only wait for each other.
    pub(crate) async fn planning_turn(&self, user: UserId) -> tokio::sync::MutexGuard<'_, ()> {
        let stripe = (user.as_uuid().as_u128() % PLANNING_STRIPES as u128) as usize;
        self.inner.planning[stripe].lock().await
    }

    /// Runs `f` with the injected RNG (never held across an await).
    pub(crate) fn with_rng<T>(&self, f: impl FnOnce(&mut dyn RngCore) -> T) -> T {
        let mut rng = self
            .inner
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut **rng)
    }
}

/// Builds a [`LifeOs`].
///
/// Defaults: the system clock ([`SystemClock`]) for what is recorded, the system's
/// monotonic clock for latencies, and a ChaCha RNG seeded once from the OS for ids.
/// Tests set all three (a [`lifeos_store::ManualClock`], a
/// [`crate::ManualMonotonic`], a seeded RNG) and get byte-identical results.
pub struct LifeOsBuilder {
    store: Arc<dyn Store>,
    clock: Option<Arc<dyn Clock>>,
    monotonic: Option<Arc<dyn Monotonic>>,
    rng: Option<Box<dyn RngCore + Send>>,
    ai: AiParts,
}

impl fmt::Debug for LifeOsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LifeOsBuilder")
            .field("clock", &self.clock)
            .field("monotonic", &self.monotonic)
            .finish_non_exhaustive()
    }
}

impl LifeOsBuilder {
    /// Reads the time of what it records (imports) from `clock`.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Measures latencies with `monotonic`.
    pub fn monotonic(mut self, monotonic: Arc<dyn Monotonic>) -> Self {
        self.monotonic = Some(monotonic);
        self
    }

    /// Draws the bytes of new ids from `rng` (seed it for reproducible ids).
    pub fn rng(mut self, rng: impl RngCore + Send + 'static) -> Self {
        self.rng = Some(Box::new(rng));
        self
    }

    /// Refines plans with `refiner` when asked to (default: none configured, so a
    /// refinement is `unavailable`). With the `openai` feature:
    /// `lifeos::scheduler::refine::openai::OpenAiRefiner`.
    pub fn refiner(mut self, refiner: Arc<dyn Refiner>) -> Self {
        self.ai.refiner = refiner;
        self
    }

    /// Keeps the model's proposals in `cache` (default: in memory, 5 minutes).
    pub fn plan_cache(mut self, cache: Arc<dyn PlanCache>) -> Self {
        self.ai.cache = cache;
        self
    }

    /// Counts model calls against the tiers' limits in `quota` (default: in memory).
    pub fn ai_quota(mut self, quota: Arc<dyn AiQuota>) -> Self {
        self.ai.quota = quota;
        self
    }

    /// The application.
    pub fn build(self) -> LifeOs {
        LifeOs {
            inner: Arc::new(Inner {
                store: self.store,
                planning: std::array::from_fn(|_| tokio::sync::Mutex::new(())),
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                monotonic: self
                    .monotonic
                    .unwrap_or_else(|| Arc::new(SystemMonotonic::new())),
                rng: Mutex::new(
                    self.rng
                        .unwrap_or_else(|| Box::new(rand_chacha::ChaCha12Rng::from_os_rng())),
                ),
                ai: self.ai,
            }),
        }
    }
}
