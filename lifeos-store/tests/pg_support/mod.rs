//! Test isolation on the shared PostgreSQL server (DESIGN.md): one database
//! `lifeos_t_<pid>_<random>` per test binary, one schema per store inside it, dropped when
//! the binary ends ([`run`]). Databases left by earlier runs (their process gone) are
//! dropped when a binary starts.

#![allow(dead_code)]

use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::PgConnectOptions;
use tokio::sync::OnceCell;

/// A random-looking 64-bit value (the standard library's per-process hash keys), so
/// tests need no clock or global RNG.
pub fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(u64::from(std::process::id()));
    h.finish()
}

/// `LIFEOS_TEST_DATABASE_URL` (the harness of [`run`] ignores the tests without it).
pub fn server_url() -> String {
    service("LIFEOS_TEST_DATABASE_URL")
        .expect("LIFEOS_TEST_DATABASE_URL is set (the harness ignores these tests otherwise)")
}

/// A service variable's value, if set and not empty.
fn service(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.is_empty())
}

/// Runs `trials` under libtest-mimic. Without every variable of `needs`, each test is
/// reported ignored with the reason, unless `CI=true`, where a missing service fails the
/// binary. This binary's database is dropped at the end, whatever the outcome.
pub fn run(trials: crate::conformance::Trials, needs: &[&str]) -> ! {
    let args = libtest_mimic::Arguments::from_args();
    let missing: Vec<&str> = needs
        .iter()
        .copied()
        .filter(|v| service(v).is_none())
        .collect();
    if !missing.is_empty() && std::env::var("CI").as_deref() == Ok("true") {
        let _ = writeln!(
            std::io::stderr(),
            "CI=true but {} is not set: the service tests must run",
            missing.join(" and ")
        );
        std::process::exit(101);
    }
    let reason = (!missing.is_empty()).then(|| format!("skipped: {} not set", missing.join(", ")));
    let trials = trials
        .into_iter()
        .map(|(name, body)| {
            let trial = libtest_mimic::Trial::test(name, move || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).map_err(|panic| {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "panicked".to_owned());
                    libtest_mimic::Failed::from(message)
                })
            });
            match &reason {
                Some(reason) => trial.with_ignored_flag(true).with_kind(reason.clone()),
                None => trial,
            }
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    drop_database();
    conclusion.exit()
}

/// Drops this binary's database, if a test created it.
fn drop_database() {
    let Some(url) = DATABASE.get() else { return };
    let Some(name) = url.rsplit('/').next().map(str::to_owned) else {
        return;
    };
    let Some(server) = service("LIFEOS_TEST_DATABASE_URL") else {
        return;
    };
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return;
    }
    crate::conformance::block_on(async move {
        if let Ok(admin) = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(&server)
            .await
        {
            let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    });
}

/// `url` with another database (and optionally another user).
pub fn with_database(url: &str, database: &str, user: Option<&str>) -> String {
    let options: PgConnectOptions = url.parse().expect("LIFEOS_TEST_DATABASE_URL parses");
    let mut options = options.database(database);
    if let Some(user) = user {
        options = options.username(user);
    }
    let host = options.get_host().to_owned();
    let port = options.get_port();
    let user = options.get_username().to_owned();
    format!("postgres://{user}@{host}:{port}/{database}")
}

static DATABASE: OnceCell<String> = OnceCell::const_new();

/// The URL of this test binary's database, created on first use.
pub fn database_url() -> std::pin::Pin<Box<dyn std::future::Future<Output = String> + Send>> {
    Box::pin(async { database_url_inner().await })
}

async fn database_url_inner() -> String {
    DATABASE
        .get_or_init(|| async {
            let server = server_url();
            let admin = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(&server)
                .await
                .expect("the PostgreSQL server at LIFEOS_TEST_DATABASE_URL is reachable");
            sweep_stale(&admin).await;
            let name = format!("lifeos_t_{}_{:x}", std::process::id(), random_u64());
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .expect("create the test database");
            admin.close().await;
            with_database(&server, &name, None)
        })
        .await
        .clone()
}

/// Drops `lifeos_t_<pid>_*` databases whose process no longer runs (on this host).
async fn sweep_stale(admin: &sqlx::PgPool) {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'lifeos\\_t\\_%'",
    )
    .fetch_all(admin)
    .await
    .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        if pid == std::process::id() || std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(admin)
                .await;
        }
    }
}

/// A fresh schema name for one store.
pub fn schema() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("s_{}", N.fetch_add(1, Ordering::Relaxed))
}

/// `url` with another user (trust authentication on the test server).
pub fn with_user(url: &str, user: &str) -> String {
    let options: PgConnectOptions = url.parse().expect("database URL parses");
    let database = options.get_database().unwrap_or("postgres").to_owned();
    with_database(url, &database, Some(user))
}

/// `LIFEOS_TEST_NATS_URL` (the harness of [`run`] ignores the tests without it).
pub fn nats_url() -> String {
    service("LIFEOS_TEST_NATS_URL")
        .expect("LIFEOS_TEST_NATS_URL is set (the harness ignores these tests otherwise)")
}
