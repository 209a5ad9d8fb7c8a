//! A real server on loopback for each test, over a chosen backend.

#![allow(dead_code)]

use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use lifeos::LifeOs;
use lifeos::core::{Tier, UserId};
use lifeos::store::{ManualClock, StoreOptions};
use lifeos_server::{AppState, AuthKeys, ServerConfig, router};
use rand_core::SeedableRng;
use serde_json::Value;
use tokio::sync::OnceCell;

pub const SECRET: &str = "test-secret-of-a-reasonable-length";
pub const RSA_PUBLIC: &str = include_str!("../fixtures/rsa_public.pem");
pub const RSA_PRIVATE: &str = include_str!("../fixtures/rsa_private.pem");
pub const EC_PUBLIC: &str = include_str!("../fixtures/ec_public.pem");
pub const EC_PRIVATE: &str = include_str!("../fixtures/ec_private.pem");

/// Where a test server keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh schema in this binary's PostgreSQL database.
    Postgres,
}

/// Thursday 3 December 2026, 12:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap()
}

pub fn random_u64() -> u64 {
    static N: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(u64::from(std::process::id()));
    h.write_u64(N.fetch_add(1, Ordering::Relaxed));
    h.finish()
}

pub fn user(n: u128) -> UserId {
    UserId::from_uuid(uuid::Uuid::from_u128(n))
}

/// A user no other test uses.
pub fn fresh_user() -> UserId {
    UserId::from_uuid(uuid::Uuid::from_u64_pair(random_u64(), random_u64()))
}

/// A service URL from `var`, or `None` with a note (a failure with `CI=true`).
pub fn service_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but {var} is not set: these tests must run"
            );
            let _ = std::io::stderr().write_all(
                format!("\n{var} is not set: skipping this test's run on it\n").as_bytes(),
            );
            None
        }
    }
}

static PG_DATABASE: OnceCell<String> = OnceCell::const_new();

/// This binary's PostgreSQL database, created on first use (stale ones of dead
/// processes are dropped).
async fn pg_database(server: &str) -> String {
    PG_DATABASE
        .get_or_init(|| async {
            use sqlx::postgres::PgConnectOptions;
            let admin = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(server)
                .await
                .expect("PostgreSQL at LIFEOS_TEST_DATABASE_URL is reachable");
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT datname::text FROM pg_database WHERE datname LIKE 'lifeos\\_t\\_srv\\_%'",
            )
            .fetch_all(&admin)
            .await
            .unwrap_or_default();
            for name in names {
                let pid = name.split('_').nth(3).and_then(|p| p.parse::<u32>().ok());
                if let Some(pid) = pid {
                    let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
                    if !alive && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name}"))
                            .execute(&admin)
                            .await;
                    }
                }
            }
            let name = format!("lifeos_t_srv_{}_{:x}", std::process::id(), random_u64());
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .expect("create the test database");
            admin.close().await;
            let options: PgConnectOptions = server.parse().unwrap();
            format!(
                "postgres://{}@{}:{}/{name}",
                options.get_username(),
                options.get_host(),
                options.get_port()
            )
        })
        .await
        .clone()
}

pub mod openai;

/// A running server.
pub struct Server {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub http: reqwest::Client,
    pub state: AppState,
    _dir: Option<tempfile::TempDir>,
}

/// Options of [`start`].
pub struct Setup {
    pub backend: Backend,
    pub config: ServerConfig,
    pub keys: Option<AuthKeys>,
    pub redis_prefix: Option<String>,
    /// The application's model (`None`: no model, the `NoopRefiner`).
    pub refiner: Option<Arc<dyn lifeos::scheduler::refine::Refiner>>,
}

impl Setup {
    pub fn new(backend: Backend) -> Self {
        Setup {
            backend,
            config: ServerConfig::new(),
            keys: None,
            redis_prefix: None,
            refiner: None,
        }
    }
}

/// Starts a server for `backend` with the defaults; `None` when the backend's service is
/// not configured (the test then skips).
pub async fn start(backend: Backend) -> Option<Server> {
    start_with(Setup::new(backend)).await
}

pub async fn start_with(setup: Setup) -> Option<Server> {
    let clock = Arc::new(ManualClock::new(t0()));
    let options = StoreOptions::new()
        .clock(clock.clone())
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(random_u64()));
    let (store, dir): (Arc<dyn lifeos::store::Store>, _) = match setup.backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("lifeos.db");
            let store = lifeos::open(&format!("sqlite://{}", path.display()), options)
                .await
                .unwrap();
            (store, Some(dir))
        }
        Backend::Postgres => {
            let server = service_url("LIFEOS_TEST_DATABASE_URL")?;
            let url = pg_database(&server).await;
            let config = lifeos::store::PostgresConfig::new(url)
                .schema(format!("s_{:x}", random_u64()))
                .max_connections(4);
            let store = lifeos::store::PostgresStore::connect(config, options)
                .await
                .unwrap();
            (Arc::new(store), None)
        }
    };
    // Wired as the binary wires it: the model, then the plan cache and the AI quota on
    // the rate limits' Redis connection when there is one.
    let builder = LifeOs::builder(store)
        .clock(clock.clone())
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(random_u64()));
    let mut builder = lifeos_server::ai::with_refiner(builder, setup.refiner);
    let mut limiter = None;
    if let Some(prefix) = setup.redis_prefix {
        let url = service_url("LIFEOS_TEST_REDIS_URL")?;
        let l = lifeos_server::rate_limit::RedisLimiter::connect(&url, &prefix)
            .await
            .expect("Redis at LIFEOS_TEST_REDIS_URL is reachable");
        builder = lifeos_server::ai::with_redis(builder, &l, &prefix);
        limiter = Some(l);
    }
    let app = builder.build();
    let keys = setup
        .keys
        .unwrap_or_else(|| AuthKeys::new(Some(SECRET), None, "authenticated").unwrap());
    let mut state = AppState::new(app, clock.clone(), keys, setup.config);
    if let Some(limiter) = limiter {
        state = state.with_redis(limiter);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router(state.clone())).into_future());
    Some(Server {
        base,
        clock,
        http: http_client(),
        state,
        _dir: dir,
    })
}

impl Server {
    /// The SQLite file of a SQLite server.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.path().join("lifeos.db"))
    }

    /// An HS256 token for `user` valid for an hour from the server's clock.
    pub fn token(&self, user: UserId) -> String {
        self.token_tier(user, None)
    }

    pub fn token_tier(&self, user: UserId, tier: Option<Tier>) -> String {
        lifeos_server::auth::dev_token(
            SECRET,
            user,
            "authenticated",
            tier,
            self.clock.now_utc(),
            3600,
        )
        .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request as `user`.
    pub fn req(
        &self,
        method: reqwest::Method,
        path: &str,
        user: UserId,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(self.token(user))
    }

    /// A POST as `user` of `tier` (the token's `app_metadata.tier`).
    pub fn post_as(&self, path: &str, user: UserId, tier: Tier) -> reqwest::RequestBuilder {
        self.http
            .post(self.url(path))
            .bearer_auth(self.token_tier(user, Some(tier)))
    }

    pub fn get(&self, path: &str, user: UserId) -> reqwest::RequestBuilder {
        self.req(reqwest::Method::GET, path, user)
    }

    pub fn post(&self, path: &str, user: UserId) -> reqwest::RequestBuilder {
        self.req(reqwest::Method::POST, path, user)
    }

    pub fn patch(&self, path: &str, user: UserId) -> reqwest::RequestBuilder {
        self.req(reqwest::Method::PATCH, path, user)
    }

    pub fn delete(&self, path: &str, user: UserId) -> reqwest::RequestBuilder {
        self.req(reqwest::Method::DELETE, path, user)
    }

    /// Creates a task titled `title` for `user`, returning its JSON.
    pub async fn task(&self, user: UserId, title: &str) -> Value {
        // Distinct creation instants keep list order independent of random ids.
        self.clock.advance(chrono::Duration::milliseconds(1));
        let r = self
            .post("/api/v1/tasks", user)
            .json(&serde_json::json!({ "title": title }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "creating {title}");
        r.json().await.unwrap()
    }
}

/// Reads the clock (a helper so tests need not import the trait).
pub trait NowUtc {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl NowUtc for ManualClock {
    fn now_utc(&self) -> DateTime<Utc> {
        lifeos::store::Clock::now(self)
    }
}

/// A response's status, headers and JSON body.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

pub async fn answer(r: reqwest::RequestBuilder) -> Answer {
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem with `status` and `slug`; returns its first error's field.
    pub fn problem(&self, status: u16, slug: &str) -> Option<String> {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(
            self.body["type"],
            format!("https://lifeos.dev/problems/{slug}"),
            "body: {}",
            self.text
        );
        assert_eq!(
            self.body["request_id"].as_str(),
            self.header("x-request-id"),
            "the problem's request id is the header's"
        );
        self.body["errors"][0]["field"].as_str().map(str::to_owned)
    }
}

/// Runs a test body on SQLite, and on PostgreSQL when configured.
#[macro_export]
macro_rules! on_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body($crate::support::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $body($crate::support::Backend::Postgres).await;
            }
        }
    };
}

/// A plain HTTP client for the tests. Installs ring as the process's TLS provider first:
/// in a build where reqwest has rustls without a provider (`--all-features`),
/// `reqwest::Client::new()` would panic without one. Installing twice is harmless.
pub(crate) fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
