//! A real lifeos-server on loopback for each test, over a chosen backend.

#![allow(dead_code)]

use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use lifeos::LifeOs;
use lifeos::core::UserId;
use lifeos::store::{Clock, ManualClock, StoreOptions};
use lifeos_client::{Backoff, Client, StaticToken};
use lifeos_server::{AppState, AuthKeys, ServerConfig, router};
use rand_core::SeedableRng;
use tokio::sync::OnceCell;

pub const SECRET: &str = "test-secret-of-a-reasonable-length";

/// Where a test server keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
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
pub async fn pg_database(server: &str) -> String {
    PG_DATABASE
        .get_or_init(|| async {
            use sqlx::postgres::PgConnectOptions;
            let admin = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(server)
                .await
                .expect("PostgreSQL at LIFEOS_TEST_DATABASE_URL is reachable");
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT datname::text FROM pg_database WHERE datname LIKE 'lifeos\\_t\\_cli\\_%'",
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
            let name = format!("lifeos_t_cli_{}_{:x}", std::process::id(), random_u64());
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

/// A running server.
pub struct Server {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    _dir: Option<tempfile::TempDir>,
}

/// Starts a server for `backend`; `None` when the backend's service is not configured
/// (the test then skips).
pub async fn start(backend: Backend) -> Option<Server> {
    start_with(backend, ServerConfig::new()).await
}

/// A server whose rate limits are off (`--rate-limit-multiplier 0`).
pub async fn start_unlimited(backend: Backend) -> Option<Server> {
    let mut config = ServerConfig::new();
    config.rate_limit_multiplier = 0.0;
    start_with(backend, config).await
}

pub async fn start_with(backend: Backend, config: ServerConfig) -> Option<Server> {
    let clock = Arc::new(ManualClock::new(t0()));
    let options = StoreOptions::new()
        .clock(clock.clone())
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(random_u64()));
    let (store, dir): (Arc<dyn lifeos::store::Store>, _) = match backend {
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
    let app = LifeOs::builder(store)
        .clock(clock.clone())
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(random_u64()))
        .build();
    let keys = AuthKeys::new(Some(SECRET), None, "authenticated").unwrap();
    let state = AppState::new(app, clock.clone(), keys, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router(state.clone())).into_future());
    Some(Server {
        base,
        clock,
        state,
        _dir: dir,
    })
}

impl Server {
    /// An HS256 token for `user`, valid for an hour from the server's clock.
    pub fn token(&self, user: UserId) -> String {
        lifeos_server::auth::dev_token(SECRET, user, "authenticated", None, self.clock.now(), 3600)
            .unwrap()
    }

    /// A client acting as `user`, with a seeded RNG and quick retries.
    pub fn client(&self, user: UserId) -> Client {
        // Distinct creation instants keep list order independent of random ids.
        self.clock.advance(chrono::Duration::milliseconds(1));
        Client::builder(&self.base)
            .token_provider(StaticToken::new(self.token(user)))
            .rng(rand_chacha::ChaCha8Rng::seed_from_u64(random_u64()))
            .retry_policy(Backoff::new().base(std::time::Duration::from_millis(20)))
            .build()
            .unwrap()
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
