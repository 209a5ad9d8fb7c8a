//! Test isolation on the shared PostgreSQL server (DESIGN.md): one database
//! `lifeos_t_<pid>_<random>` per test binary, one schema per store inside it. Databases
//! left by earlier runs (their process gone) are dropped when a binary starts.

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

/// `LIFEOS_TEST_DATABASE_URL`, or: with `CI=true` a failure, otherwise a note that the
/// PostgreSQL tests skip and the end of this test binary (exit status 0).
pub fn server_url() -> String {
    match std::env::var("LIFEOS_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but LIFEOS_TEST_DATABASE_URL is not set: the PostgreSQL tests must run"
            );
            // Not through eprintln!: the test harness would capture it.
            let _ = std::io::stderr().write_all(
                b"\nLIFEOS_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests of this binary\n",
            );
            std::process::exit(0);
        }
    }
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

/// `LIFEOS_TEST_NATS_URL`, or: with `CI=true` a failure, otherwise a note that the NATS
/// tests skip and the end of this test binary (exit status 0).
pub fn nats_url() -> String {
    match std::env::var("LIFEOS_TEST_NATS_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but LIFEOS_TEST_NATS_URL is not set: the NATS tests must run"
            );
            let _ = std::io::stderr().write_all(
                b"\nLIFEOS_TEST_NATS_URL is not set: skipping the NATS tests of this binary\n",
            );
            std::process::exit(0);
        }
    }
}
