//! The server's configuration and shared state.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lifeos::LifeOs;
use lifeos::store::Clock;
use rand_core::{RngCore, SeedableRng};
use uuid::Uuid;

use crate::auth::AuthKeys;
use crate::rate_limit::LocalLimiter;

/// How the server behaves; [`ServerConfig::new`] gives API.md's defaults.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Largest JSON body, in bytes (default 1,048,576).
    pub max_body_bytes: usize,
    /// Largest `POST /calendar/import` body, in bytes (50 MiB).
    pub max_import_bytes: usize,
    /// How long a request may take, SSE streams excepted (default 30 s).
    pub request_timeout: Duration,
    /// Every quota is multiplied by it; 0 turns rate limits off (default 1).
    pub rate_limit_multiplier: f64,
    /// Origins allowed by CORS (none by default).
    pub cors_origins: Vec<String>,
    /// The interval of SSE keep-alive comments (15 s).
    pub keep_alive: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerConfig {
    /// The defaults of API.md.
    pub fn new() -> Self {
        ServerConfig {
            max_body_bytes: 1_048_576,
            max_import_bytes: 50 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            rate_limit_multiplier: 1.0,
            cors_origins: Vec::new(),
            keep_alive: Duration::from_secs(15),
        }
    }
}

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) app: LifeOs,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) keys: AuthKeys,
    pub(crate) config: ServerConfig,
    pub(crate) local_limiter: LocalLimiter,
    #[cfg(feature = "redis")]
    pub(crate) redis: Option<crate::rate_limit::RedisLimiter>,
    /// In-flight `Idempotency-Key` marks when Redis is not configured.
    pub(crate) in_flight: crate::idempotency::LocalMarks,
    pub(crate) draining: AtomicBool,
    pub(crate) shutdown: tokio::sync::watch::Sender<bool>,
    pub(crate) rng: Mutex<rand_chacha::ChaCha12Rng>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("keys", &self.inner.keys)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over the application `app`, reading time from `clock` (the binary passes
    /// `lifeos::store::SystemClock`), verifying tokens with `keys`.
    pub fn new(app: LifeOs, clock: Arc<dyn Clock>, keys: AuthKeys, config: ServerConfig) -> Self {
        let (shutdown, _) = tokio::sync::watch::channel(false);
        AppState {
            inner: Arc::new(Inner {
                app,
                clock,
                keys,
                config,
                local_limiter: LocalLimiter::new(),
                #[cfg(feature = "redis")]
                redis: None,
                in_flight: Default::default(),
                draining: AtomicBool::new(false),
                shutdown,
                rng: Mutex::new(rand_chacha::ChaCha12Rng::from_os_rng()),
            }),
        }
    }

    /// Shares the rate limits through Redis (before the state is cloned).
    #[cfg(feature = "redis")]
    pub fn with_redis(mut self, limiter: crate::rate_limit::RedisLimiter) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.redis = Some(limiter);
        }
        self
    }

    /// Starts draining: `/ready` answers 503 and event streams close.
    pub fn begin_shutdown(&self) {
        self.inner.draining.store(true, Ordering::SeqCst);
        self.inner.shutdown.send_replace(true);
    }

    /// Whether the server is draining.
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::SeqCst)
    }

    /// The application.
    pub fn app(&self) -> &LifeOs {
        &self.inner.app
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// A random (version 4) UUID from the state's RNG, for request ids.
    pub(crate) fn new_uuid(&self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.inner
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}
