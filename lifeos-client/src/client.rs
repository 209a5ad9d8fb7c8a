//! [`Client`] and its [`ClientBuilder`]: one HTTP connection pool, the token provider,
//! the retry policy and the RNG behind idempotency keys and jitter.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

use crate::auth::TokenProvider;
use crate::error::{Error, Result};
use crate::retry::{Backoff, RetryPolicy};

/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("lifeos-client/", env!("CARGO_PKG_VERSION"));

/// A LifeOS API client: cheap to clone (one shared connection pool).
///
/// ```no_run
/// use lifeos_client::{Client, StaticToken};
/// use lifeos_core::NewTask;
/// # async fn demo() -> Result<(), lifeos_client::Error> {
/// let client = Client::builder("http://127.0.0.1:8080")
///     .token_provider(StaticToken::new("eyJ..."))
///     .build()?;
/// let task = client.tasks().create(&NewTask::titled("Write the report")).send().await?;
/// let task = client.tasks().start(task.id).if_match(task.version).send().await?;
/// # let _ = task; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) stream_http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) tokens: Option<Arc<dyn TokenProvider>>,
    pub(crate) retry: Arc<dyn RetryPolicy>,
    pub(crate) rng: Mutex<Box<dyn RngCore + Send>>,
    pub(crate) total_timeout: Option<Duration>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]: [`Client::builder`].
pub struct ClientBuilder {
    base: String,
    tokens: Option<Arc<dyn TokenProvider>>,
    retry: Arc<dyn RetryPolicy>,
    rng: Option<Box<dyn RngCore + Send>>,
    connect_timeout: Duration,
    request_timeout: Duration,
    stream_idle_timeout: Duration,
    total_timeout: Option<Duration>,
    user_agent: String,
}

impl Client {
    /// A builder for a client of the server at `base_url` (`http://host:port`, the API
    /// under `/api/v1`). Defaults: no token, [`Backoff::new`], connect timeout 10 s,
    /// request timeout 30 s, stream idle timeout 45 s (the server comments every 15 s),
    /// total time per call 60 s, an RNG seeded by the operating system,
    /// [`DEFAULT_USER_AGENT`].
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base: base_url.into(),
            tokens: None,
            retry: Arc::new(Backoff::new()),
            rng: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            stream_idle_timeout: Duration::from_secs(45),
            total_timeout: Some(Duration::from_secs(60)),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// A fresh `Idempotency-Key`: a UUID from the client's RNG.
    pub(crate) fn new_key(&self) -> String {
        let mut bytes = [0u8; 16];
        self.with_rng(|rng| rng.fill_bytes(&mut bytes));
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    pub(crate) fn with_rng<T>(&self, f: impl FnOnce(&mut dyn RngCore) -> T) -> T {
        // A poisoned lock only means another thread panicked mid-draw: the RNG is usable.
        let mut guard = match self.inner.rng.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(guard.as_mut())
    }
}

impl ClientBuilder {
    /// Where bearer tokens come from (none: requests are sent without `Authorization`).
    pub fn token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.tokens = Some(Arc::new(provider));
        self
    }

    /// The retry policy ([`Backoff`] by default; [`crate::NoRetry`] to turn retries off).
    pub fn retry_policy(mut self, policy: impl RetryPolicy + 'static) -> Self {
        self.retry = Arc::new(policy);
        self
    }

    /// The RNG for idempotency keys and jitter (default: ChaCha8 seeded by the operating
    /// system). Inject a seeded one for reproducible tests; never share a seed between
    /// processes, or their idempotency keys collide.
    pub fn rng(mut self, rng: impl RngCore + Send + 'static) -> Self {
        self.rng = Some(Box::new(rng));
        self
    }

    /// The time allowed to connect.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The time allowed for one attempt, answer body included (not the event feed).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The longest silence tolerated on the event feed before reconnecting.
    pub fn stream_idle_timeout(mut self, timeout: Duration) -> Self {
        self.stream_idle_timeout = timeout;
        self
    }

    /// The bound on a whole call, retries and waits included (`None`: only the retry
    /// policy bounds it).
    pub fn total_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The client.
    ///
    /// # Errors
    /// [`Error::Config`] for a base URL that is not `http://` or `https://`, an invalid
    /// user agent, or a TLS setup failure.
    pub fn build(self) -> Result<Client> {
        let base = self.base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::Config(format!(
                "base URL {base:?} is not http:// or https://"
            )));
        }
        let tls = tls_config(&base)?;
        let common = || {
            let builder = reqwest::Client::builder()
                .user_agent(self.user_agent.clone())
                .connect_timeout(self.connect_timeout);
            with_tls(builder, &tls)
        };
        let http = common()
            .timeout(self.request_timeout)
            .build()
            .map_err(|e| Error::Config(format!("building the HTTP client: {e}")))?;
        let stream_http = common()
            .read_timeout(self.stream_idle_timeout)
            .build()
            .map_err(|e| Error::Config(format!("building the HTTP client: {e}")))?;
        let rng = match self.rng {
            Some(rng) => rng,
            None => Box::new(
                ChaCha8Rng::try_from_os_rng()
                    .map_err(|e| Error::Config(format!("seeding the RNG: {e}")))?,
            ),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                stream_http,
                base,
                tokens: self.tokens,
                retry: self.retry,
                rng: Mutex::new(rng),
                total_timeout: self.total_timeout,
            }),
        })
    }
}

#[cfg(feature = "rustls")]
type Tls = rustls::ClientConfig;
/// No TLS: `http://` only.
#[cfg(not(feature = "rustls"))]
struct Tls;

/// rustls with the ring provider and the platform's certificate verifier.
#[cfg(feature = "rustls")]
fn tls_config(_base: &str) -> Result<Tls> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS versions: {e}")))?
        .with_platform_verifier()
        .map_err(|e| Error::Config(format!("TLS verifier: {e}")))
        .map(|b| b.with_no_client_auth())
}

/// Without the `rustls` feature only `http://` is spoken.
#[cfg(not(feature = "rustls"))]
fn tls_config(base: &str) -> Result<Tls> {
    if base.starts_with("https://") {
        return Err(Error::Config(
            "https:// needs the lifeos-client feature `rustls`".into(),
        ));
    }
    Ok(Tls)
}

#[cfg(feature = "rustls")]
fn with_tls(builder: reqwest::ClientBuilder, tls: &Tls) -> reqwest::ClientBuilder {
    builder.tls_backend_preconfigured(tls.clone())
}

#[cfg(not(feature = "rustls"))]
fn with_tls(builder: reqwest::ClientBuilder, _: &Tls) -> reqwest::ClientBuilder {
    builder
}

#[cfg(test)]
mod tests {
    use super::Client;

    #[test]
    fn a_base_url_must_be_http_or_https() {
        let err = Client::builder("ftp://x").build().unwrap_err();
        assert!(err.to_string().contains("ftp://x"), "{err}");
        assert!(Client::builder("http://127.0.0.1:1/").build().is_ok());
    }

    #[test]
    fn https_needs_and_has_the_rustls_feature() {
        let built = Client::builder("https://example.invalid").build();
        assert_eq!(built.is_ok(), cfg!(feature = "rustls"), "{built:?}");
    }
}
