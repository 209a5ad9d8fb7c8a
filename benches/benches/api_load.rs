//! A load test of the REST API (issue 10): 64 concurrent connections on loopback, each a
//! `lifeos-client` acting as its own user, 80% reads (a task by id, a page of 20 tasks)
//! and 20% writes (a new task), against the real `lifeos-server` router. Prints requests
//! per second, p50, p99 and p99.9; asserts every request succeeded and every write landed.
//!
//! ```sh
//! cargo bench -p lifeos-benches --bench api_load                       # SQLite, 10 s, limits off
//! cargo bench -p lifeos-benches --bench api_load -- postgres 10        # LIFEOS_TEST_DATABASE_URL
//! cargo bench -p lifeos-benches --bench api_load -- sqlite 10 redis    # limits on, in Redis
//! ```
//!
//! With `redis`, rate limits are on (enterprise tier, multiplier 100, so no request is
//! refused) and every request runs the Redis GCRA script (`LIFEOS_TEST_REDIS_URL`).

#![allow(missing_docs)]
#![allow(clippy::disallowed_methods)] // a bench measures with the real clock
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use lifeos::core::{NewTask, Tier, UserId};
use lifeos::store::{StoreOptions, SystemClock};
use lifeos_client::{Client, NoRetry, StaticToken};
use lifeos_server::{AppState, AuthKeys, ServerConfig, router};
use rand_core::{RngCore, SeedableRng};

const CONNECTIONS: usize = 64;
const SEEDED: usize = 20;
const SECRET: &str = "bench-secret-of-a-reasonable-length";

struct Worker {
    latencies: Vec<u32>,
    writes: usize,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let backend = args.first().map_or("sqlite", String::as_str).to_owned();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let redis = args.iter().any(|a| a == "redis");

    let dir = tempfile::tempdir().unwrap();
    let options = StoreOptions::new().rng(rand_chacha::ChaCha8Rng::seed_from_u64(1));
    let store: Arc<dyn lifeos::store::Store> = match backend.as_str() {
        "postgres" => {
            let url = std::env::var("LIFEOS_TEST_DATABASE_URL")
                .expect("postgres needs LIFEOS_TEST_DATABASE_URL");
            let schema = format!("bench_load_{}", std::process::id());
            let config = lifeos::store::PostgresConfig::new(url)
                .schema(schema)
                .max_connections(16);
            Arc::new(
                lifeos::store::PostgresStore::connect(config, options)
                    .await
                    .unwrap(),
            )
        }
        _ => {
            let path = dir.path().join("load.db");
            lifeos::open(&format!("sqlite://{}", path.display()), options)
                .await
                .unwrap()
        }
    };
    let app = lifeos::LifeOs::builder(store)
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(2))
        .build();
    let keys = AuthKeys::new(Some(SECRET), None, "authenticated").unwrap();
    let mut config = ServerConfig::new();
    config.rate_limit_multiplier = if redis { 100.0 } else { 0.0 };
    let mut state = AppState::new(app, Arc::new(SystemClock), keys, config);
    if redis {
        let url =
            std::env::var("LIFEOS_TEST_REDIS_URL").expect("redis needs LIFEOS_TEST_REDIS_URL");
        let prefix = format!("bench-load-{}", std::process::id());
        let limiter = lifeos_server::rate_limit::RedisLimiter::connect(&url, &prefix)
            .await
            .unwrap();
        state = state.with_redis(limiter);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router(state)).into_future());

    let now = chrono::Utc::now();
    let mut seeder = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut clients = Vec::new();
    for _ in 0..CONNECTIONS {
        let user = UserId::from_uuid(uuid::Uuid::from_u64_pair(
            seeder.next_u64(),
            seeder.next_u64(),
        ));
        let tier = redis.then_some(Tier::Enterprise);
        let token =
            lifeos_server::auth::dev_token(SECRET, user, "authenticated", tier, now, 3600).unwrap();
        let client = Client::builder(&base)
            .token_provider(StaticToken::new(token))
            .retry_policy(NoRetry)
            .rng(rand_chacha::ChaCha8Rng::seed_from_u64(seeder.next_u64()))
            .build()
            .unwrap();
        let mut ids = Vec::new();
        for i in 0..SEEDED {
            let task = client
                .tasks()
                .create(&NewTask::titled(format!("seed {i}")))
                .send()
                .await
                .unwrap();
            ids.push(task.id);
        }
        clients.push((client, ids, seeder.next_u64()));
    }

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = clients
        .into_iter()
        .map(|(client, ids, seed)| {
            tokio::spawn(async move {
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
                let mut w = Worker {
                    latencies: Vec::new(),
                    writes: 0,
                };
                while Instant::now() < deadline {
                    let roll = rng.next_u32() % 10;
                    let t = Instant::now();
                    match roll {
                        0 | 1 => {
                            client
                                .tasks()
                                .create(&NewTask::titled("load"))
                                .send()
                                .await
                                .unwrap();
                            w.writes += 1;
                        }
                        2..=5 => {
                            let id = ids[rng.next_u32() as usize % ids.len()];
                            client.tasks().get(id).send().await.unwrap();
                        }
                        _ => {
                            client.tasks().list().limit(20).send().await.unwrap();
                        }
                    }
                    w.latencies
                        .push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                }
                (client, w)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut checks = Vec::new();
    for handle in workers {
        let (client, w) = handle
            .await
            .expect("a worker failed: a request was refused");
        all.extend_from_slice(&w.latencies);
        checks.push((client, w.writes));
    }
    let elapsed = started.elapsed().as_secs_f64();
    for (client, writes) in checks {
        let n = client.tasks().list().limit(200).stream();
        let count = futures_util::TryStreamExt::try_collect::<Vec<_>>(n)
            .await
            .unwrap()
            .len();
        assert_eq!(count, SEEDED + writes, "every write landed once");
    }
    all.sort_unstable();
    let pct = |p: f64| {
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        f64::from(all[i]) / 1000.0
    };
    println!(
        "api/load/{backend}{}: {} requests in {elapsed:.1} s over {CONNECTIONS} connections: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms",
        if redis { "_redis_limits" } else { "" },
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        pct(0.999),
    );
}
