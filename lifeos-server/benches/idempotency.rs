//! Latency of `POST /api/v1/tasks` on SQLite through a real loopback server: plain, with
//! an `Idempotency-Key` (the record written in the change's transaction), and a replay
//! of a stored key. Prints p50 and p99 per case (one client, sequential requests).
//!
//! `cargo bench -p lifeos-server --bench idempotency` (`-- N` for N requests per case;
//! default 2000).
#![allow(clippy::disallowed_methods)] // a bench measures with the real clock
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use lifeos::LifeOs;
use lifeos::core::UserId;
use lifeos::store::{StoreOptions, SystemClock};
use lifeos_server::{AppState, AuthKeys, ServerConfig, router};

const SECRET: &str = "bench secret, long enough for HS256";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn run(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    n: usize,
    key: impl Fn(usize) -> Option<String>,
) -> Vec<Duration> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut req = http
            .post(url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(r#"{"title":"Bench task","labels":["bench"],"priority":2}"#);
        if let Some(k) = key(i) {
            req = req.header("idempotency-key", k);
        }
        let started = Instant::now();
        let r = req.send().await.unwrap();
        let status = r.status();
        let _ = r.bytes().await.unwrap();
        out.push(started.elapsed());
        assert_eq!(status, 201);
    }
    out.sort_unstable();
    out
}

fn report(name: &str, samples: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<28} n={:<6} p50={:.3} ms  p99={:.3} ms",
        samples.len(),
        ms(percentile(samples, 0.50)),
        ms(percentile(samples, 0.99))
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = lifeos::open(&url, StoreOptions::new()).await.unwrap();
    let app = LifeOs::new(store);
    let keys = AuthKeys::new(Some(SECRET), None, "authenticated").unwrap();
    let mut config = ServerConfig::new();
    config.rate_limit_multiplier = 0.0;
    let state = AppState::new(app, Arc::new(SystemClock), keys, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router(state)).into_future());

    let user = UserId::from_uuid(uuid::Uuid::from_u128(0xbe7c4));
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    let token =
        lifeos_server::auth::dev_token(SECRET, user, "authenticated", None, now, 3600).unwrap();
    // ring as the process's TLS provider: with reqwest's `rustls-no-provider` enabled by
    // another crate of the build, `Client::new()` would panic without one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let url = format!("{base}/api/v1/tasks");

    // Warm up (profile creation, connections, statement caches).
    run(&http, &url, &token, 200, |_| None).await;
    let plain = run(&http, &url, &token, n, |_| None).await;
    let keyed = run(&http, &url, &token, n, |i| Some(format!("bench-{i}"))).await;
    let replay = run(&http, &url, &token, n, |i| {
        Some(format!("bench-{}", i % 100))
    })
    .await;
    println!("POST /api/v1/tasks on SQLite (file, WAL), loopback, one client:");
    report("plain", &plain);
    report("keyed (record in the tx)", &keyed);
    report("replay of a stored key", &replay);
}
