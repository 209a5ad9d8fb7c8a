//! The server's language model (API.md "Running"): `OPENAI_API_KEY` enables plan-day's
//! `refine` and task breakdown, `OPENAI_BASE_URL` points at any OpenAI-compatible server,
//! `--ai-model` and `--ai-timeout-secs` choose the model and bound each call. Without a
//! key the application keeps its `NoopRefiner`: a refinement is `unavailable` and a
//! breakdown 503.
//!
//! The plan cache and the AI quota live in Redis (on the rate limits' connection) when the
//! server has one, else in this process's memory (the application's defaults).
//!
//! ```
//! use std::time::Duration;
//! use lifeos_server::ai::AiSettings;
//!
//! let env = |name: &str| (name == "OPENAI_API_KEY").then(|| "sk-test".to_owned());
//! let settings = AiSettings::from_lookup(env).model("gpt-4o-mini").timeout(Duration::from_secs(5));
//! assert!(settings.enabled());
//! assert!(!AiSettings::from_lookup(|_| None).enabled());
//! ```

use std::sync::Arc;
use std::time::Duration;

use lifeos::LifeOsBuilder;
use lifeos::scheduler::refine::Refiner;

/// The model API.md's `--ai-model` defaults to.
pub const DEFAULT_MODEL: &str = "gpt-4o";

/// API.md's `--ai-timeout-secs` default: below the request timeout, so a slow model still
/// leaves time to answer the deterministic plan.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// How the server reaches its language model; [`AiSettings::new`] has no key (no model).
#[derive(Clone, PartialEq, Eq)]
pub struct AiSettings {
    api_key: Option<String>,
    base_url: Option<String>,
    model: String,
    timeout: Duration,
}

impl std::fmt::Debug for AiSettings {
    // The key is a secret: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AiSettings")
            .field("enabled", &self.enabled())
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Default for AiSettings {
    fn default() -> Self {
        Self::new()
    }
}

impl AiSettings {
    /// No key (no model), the public API, [`DEFAULT_MODEL`], [`DEFAULT_TIMEOUT`].
    pub fn new() -> Self {
        Self {
            api_key: None,
            base_url: None,
            model: DEFAULT_MODEL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The key from `OPENAI_API_KEY` (blank means none) and the base URL from
    /// `OPENAI_BASE_URL`, read through `lookup` (the binary passes the environment).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            api_key: set("OPENAI_API_KEY"),
            base_url: set("OPENAI_BASE_URL"),
            ..Self::new()
        }
    }

    /// Sets the API key (blank means none).
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        let key = key.into();
        self.api_key = Some(key.trim().to_owned()).filter(|k| !k.is_empty());
        self
    }

    /// Sets the server's base URL (up to `/v1`).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Asks `model` (plans and breakdowns alike).
    #[must_use]
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// Bounds each model call, retries included.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether a key is set: refinement and breakdown are enabled.
    pub fn enabled(&self) -> bool {
        self.api_key.is_some()
    }

    /// The model asked.
    pub fn model_name(&self) -> &str {
        &self.model
    }

    /// The timeout of a call.
    pub fn timeout_value(&self) -> Duration {
        self.timeout
    }
}

/// Why the model could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AiError {
    /// A key is set but this build has no OpenAI support (feature `openai`).
    #[error("this build has no OpenAI support (feature `openai`)")]
    NotBuilt,
    /// The HTTP client could not be built.
    #[error("the language model's client cannot be built")]
    Client(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The application's monotonic clock as the refiner reads it (its one timeout).
#[cfg(feature = "openai")]
struct Elapsed(Arc<dyn lifeos::Monotonic>);

#[cfg(feature = "openai")]
impl lifeos::scheduler::refine::MonotonicClock for Elapsed {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

/// The refiner of `settings`: `None` without a key (the application keeps its
/// `NoopRefiner`); else the async-openai refiner asking `settings`' model at its base URL,
/// its timeout read from `monotonic`, retry jitter drawn from `rng`.
///
/// # Errors
/// [`AiError::NotBuilt`] when a key is set in a build without the `openai` feature;
/// [`AiError::Client`] when the HTTP client cannot be built.
pub fn refiner(
    settings: &AiSettings,
    monotonic: Arc<dyn lifeos::Monotonic>,
    rng: impl rand_core::RngCore + Send + 'static,
) -> Result<Option<Arc<dyn Refiner>>, AiError> {
    let Some(key) = &settings.api_key else {
        return Ok(None);
    };
    #[cfg(feature = "openai")]
    {
        use lifeos::scheduler::refine::openai::{OpenAiConfig, OpenAiRefiner};
        let mut config = OpenAiConfig::new(key.clone())
            .model(settings.model.clone())
            .timeout(settings.timeout);
        if let Some(url) = &settings.base_url {
            config = config.base_url_set(url.clone());
        }
        let refiner = OpenAiRefiner::new(config, Arc::new(Elapsed(monotonic)), rng)
            .map_err(|e| AiError::Client(Box::new(e)))?;
        Ok(Some(Arc::new(refiner)))
    }
    #[cfg(not(feature = "openai"))]
    {
        let _ = (key, monotonic, rng);
        Err(AiError::NotBuilt)
    }
}

/// `builder` with `refiner` (`None`: the application's `NoopRefiner` stays).
pub fn with_refiner(builder: LifeOsBuilder, refiner: Option<Arc<dyn Refiner>>) -> LifeOsBuilder {
    match refiner {
        Some(refiner) => builder.refiner(refiner),
        None => builder,
    }
}

/// `builder` with the plan cache and the AI quota in Redis, on `limiter`'s connection
/// (the rate limits'), keys under `prefix`: every process on that Redis shares them.
#[cfg(feature = "redis")]
pub fn with_redis(
    builder: LifeOsBuilder,
    limiter: &crate::rate_limit::RedisLimiter,
    prefix: &str,
) -> LifeOsBuilder {
    use lifeos::refinement::{RedisAiQuota, RedisPlanCache};
    let conn = limiter.connection();
    builder
        .plan_cache(Arc::new(RedisPlanCache::with_connection(
            conn.clone(),
            prefix,
        )))
        .ai_quota(Arc::new(RedisAiQuota::with_connection(conn, prefix)))
}
