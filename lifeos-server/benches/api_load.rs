//! Load on the real `lifeos-server` binary over loopback: 64 keep-alive connections (one
//! per simulated client), 80% reads and 20% writes, against SQLite and PostgreSQL with
//! rate limits off (`--rate-limit-multiplier 0`), and once more on SQLite with them on in
//! Redis. Prints requests per second and the latency percentiles; then the cost of the
//! Redis rate limiter alone, as the p50 of one sequential client with and without it.
//!
//! Each configuration runs twice:
//! - **saturated** (closed loop): each connection sends its next request as soon as the
//!   answer is in. This measures the most the server answers per second; its latencies are
//!   queueing at saturation (Little's law: mean latency = connections / throughput).
//! - **paced** (open loop, `--rate R` requests per second over all connections, default
//!   1000): each connection sends on a fixed schedule, and a request's latency counts from
//!   the instant it was due, so a late answer also charges the requests queued behind it
//!   (no coordinated omission, as wrk2 measures). This is the latency a user sees at a
//!   load the server sustains.
//!
//! ```text
//! cargo bench -p lifeos-server --bench api_load                 # 10 s per run
//! cargo bench -p lifeos-server --bench api_load -- --secs 30 --connections 64 --rate 1500
//! ```
//!
//! PostgreSQL needs `LIFEOS_TEST_DATABASE_URL` (a fresh database `lifeos_api_load` is made
//! on that server), Redis `LIFEOS_TEST_REDIS_URL`; a run whose service is missing is
//! skipped with a line saying so. The generator shares the machine with the server: on
//! two cores both compete for the CPU, so the figures are a floor for a real deployment.
#![allow(clippy::disallowed_methods)] // a bench measures with the real clock
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Stdio;
use std::time::{Duration, Instant};

use lifeos::core::{Tier, UserId};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use tokio::process::{Child, Command};

const SECRET: &str = "load bench secret, long enough for HS256";
/// Tasks each user has before the clock starts: lists read full pages.
const SEEDED_TASKS: usize = 60;
/// Requests of the sequential rate-limit probe, per configuration.
const PROBE_REQUESTS: usize = 3000;

struct Args {
    secs: u64,
    connections: usize,
    users: usize,
    /// Requests per second of the paced runs, over all connections; 0 skips them.
    rate: f64,
}

fn args() -> Args {
    let mut out = Args {
        secs: 10,
        connections: 64,
        users: 16,
        rate: 1000.0,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = || argv.get(i + 1).and_then(|v| v.parse().ok());
        match argv[i].as_str() {
            "--secs" => out.secs = value().expect("--secs N"),
            "--connections" => out.connections = value().expect("--connections N") as usize,
            "--users" => out.users = value().expect("--users N") as usize,
            "--rate" => {
                out.rate = argv
                    .get(i + 1)
                    .and_then(|v| v.parse().ok())
                    .expect("--rate R")
            }
            // `cargo bench` passes `--bench`; other flags are not ours.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    assert!(out.connections > 0 && out.users > 0 && out.secs > 0);
    assert!(out.rate >= 0.0 && out.rate.is_finite(), "--rate R: R >= 0");
    out
}

/// One server process; killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_server(database_url: &str, multiplier: &str, redis: Option<&str>) -> Server {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lifeos-server"));
    cmd.arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database-url")
        .arg(database_url)
        .arg("--jwt-secret")
        .arg(SECRET)
        .arg("--rate-limit-multiplier")
        .arg(multiplier)
        .env_remove("OPENAI_API_KEY")
        .env_remove("LIFEOS_REDIS_URL")
        // Request logs at `info` would measure the terminal, not the server.
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Some(url) = redis {
        cmd.arg("--redis-url").arg(url);
    }
    let child = cmd.spawn().expect("spawn lifeos-server");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/ready")).send().await
            && r.status().is_success()
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not get ready in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server { child, base }
}

/// One user's token and the ids of the tasks seeded for it.
struct User {
    token: String,
    tasks: Vec<String>,
}

fn token(n: usize) -> String {
    let user = UserId::from_uuid(uuid::Uuid::from_u128(0x10ad_0000 + n as u128));
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    // Enterprise: the largest quota, so that with limits on the limiter runs on every
    // request and the multiplier keeps the load under it.
    lifeos_server::auth::dev_token(
        SECRET,
        user,
        "authenticated",
        Some(Tier::Enterprise),
        now,
        3600,
    )
    .unwrap()
}

async fn seed(http: &reqwest::Client, base: &str, users: usize) -> Vec<User> {
    let mut out = Vec::with_capacity(users);
    for n in 0..users {
        let token = token(n);
        let mut tasks = Vec::with_capacity(SEEDED_TASKS);
        for t in 0..SEEDED_TASKS {
            let r = http
                .post(format!("{base}/api/v1/tasks"))
                .bearer_auth(&token)
                .json(&serde_json::json!({
                    "title": format!("Seeded task {t}"),
                    "labels": ["load"],
                    "priority": t % 4,
                    "estimated_minutes": 30,
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201, "seeding: {}", r.text().await.unwrap());
            let body: serde_json::Value = r.json().await.unwrap();
            tasks.push(body["id"].as_str().unwrap().to_owned());
        }
        out.push(User { token, tasks });
    }
    out
}

/// The request mix: 80% reads, 20% writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    GetTask,
    ListTasks,
    GetMe,
    CreateTask,
    PatchTask,
}

const KINDS: [Kind; 5] = [
    Kind::GetTask,
    Kind::ListTasks,
    Kind::GetMe,
    Kind::CreateTask,
    Kind::PatchTask,
];

fn pick(rng: &mut ChaCha8Rng) -> Kind {
    match rng.next_u32() % 100 {
        0..40 => Kind::GetTask,
        40..70 => Kind::ListTasks,
        70..80 => Kind::GetMe,
        80..90 => Kind::CreateTask,
        _ => Kind::PatchTask,
    }
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    /// The same latencies by request kind (which part of the mix makes the tail).
    by_kind_latencies: [Vec<Duration>; 5],
    /// Answers outside 2xx, with their status: the run is refused if any.
    failures: Vec<(Kind, u16)>,
    by_kind: [usize; 5],
}

/// A paced connection's schedule: its requests are due at `first`, `first + period`, …
#[derive(Clone, Copy)]
struct Pace {
    first: Instant,
    period: Duration,
}

/// One client per connection, connected (by one untimed `GET /me`) before the clock
/// starts: building a client loads its TLS roots, which is not the server's time.
async fn connected_client(base: &str, user: &User) -> reqwest::Client {
    // reqwest keeps one idle keep-alive connection per client.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .http1_only()
        .build()
        .unwrap();
    let r = http
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "warm-up GET /me: {}", r.status());
    let _ = r.bytes().await.unwrap();
    http
}

async fn client_loop(
    http: reqwest::Client,
    base: String,
    user: &User,
    seed: u64,
    until: Instant,
    keyed_prefix: String,
    pace: Option<Pace>,
) -> Tally {
    // Without a pace the loop is closed (the next request leaves when the answer is in);
    // with one, each request leaves when due, or at once when the connection is behind.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tally = Tally {
        latencies: Vec::with_capacity(1 << 16),
        ..Tally::default()
    };
    let mut n = 0u64;
    loop {
        // When the request is due: its latency counts from then.
        let due = match pace {
            Some(p) => {
                let due = p.first + p.period * n as u32;
                if due >= until {
                    break;
                }
                tokio::time::sleep_until(due.into()).await;
                due
            }
            None if Instant::now() < until => Instant::now(),
            None => break,
        };
        let kind = pick(&mut rng);
        let task = &user.tasks[rng.next_u32() as usize % user.tasks.len()];
        let req = match kind {
            Kind::GetTask => http.get(format!("{base}/api/v1/tasks/{task}")),
            Kind::ListTasks => http.get(format!("{base}/api/v1/tasks?limit=20")),
            Kind::GetMe => http.get(format!("{base}/api/v1/me")),
            Kind::CreateTask => http
                .post(format!("{base}/api/v1/tasks"))
                .header("idempotency-key", format!("{keyed_prefix}-{n}"))
                .json(&serde_json::json!({
                    "title": format!("Load task {n}"),
                    "labels": ["load"],
                    "priority": 2,
                })),
            Kind::PatchTask => http
                .patch(format!("{base}/api/v1/tasks/{task}"))
                .json(&serde_json::json!({ "priority": n % 4 })),
        };
        let req = req.bearer_auth(&user.token);
        let r = req.send().await.unwrap();
        let status = r.status();
        let _ = r.bytes().await.unwrap();
        tally.latencies.push(due.elapsed());
        tally.by_kind[kind as usize] += 1;
        tally.by_kind_latencies[kind as usize].push(*tally.latencies.last().unwrap());
        if !status.is_success() {
            tally.failures.push((kind, status.as_u16()));
        }
        n += 1;
    }
    tally
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs the mix on `server`: saturated (closed loop), then paced at `a.rate` if not 0.
async fn load(name: &str, server: &Server, users: &[User], a: &Args) {
    run(&format!("{name}, saturated"), server, users, a, None).await;
    if a.rate > 0.0 {
        run(
            &format!("{name}, paced {} req/s", a.rate),
            server,
            users,
            a,
            Some(a.rate),
        )
        .await;
    }
}

async fn run(name: &str, server: &Server, users: &[User], a: &Args, rate: Option<f64>) {
    let mut clients = Vec::with_capacity(a.connections);
    for c in 0..a.connections {
        clients.push(connected_client(&server.base, &users[c % users.len()]).await);
    }
    let started = Instant::now();
    let until = started + Duration::from_secs(a.secs);
    // Paced: each connection sends every `connections / rate` seconds, the connections'
    // schedules spread evenly over one period.
    let period = rate.map(|r| Duration::from_secs_f64(a.connections as f64 / r));
    let tallies =
        futures_util::future::join_all(clients.into_iter().enumerate().map(|(c, http)| {
            let pace = period.map(|period| Pace {
                first: started + period.mul_f64(c as f64 / a.connections as f64),
                period,
            });
            let user = &users[c % users.len()];
            client_loop(
                http,
                server.base.clone(),
                user,
                c as u64,
                until,
                // Keys are printable ASCII without spaces (API.md): a slug of the run's name.
                format!("{}-{c}", slug(name)),
                pace,
            )
        }))
        .await;
    let elapsed = started.elapsed();
    let mut all: Vec<Duration> = tallies
        .iter()
        .flat_map(|t| t.latencies.iter().copied())
        .collect();
    all.sort_unstable();
    let failures: Vec<(Kind, u16)> = tallies
        .iter()
        .flat_map(|t| t.failures.iter().copied())
        .collect();
    let mut by_kind = [0usize; 5];
    for t in &tallies {
        for (k, n) in t.by_kind.iter().enumerate() {
            by_kind[k] += n;
        }
    }
    let writes = (by_kind[Kind::CreateTask as usize] + by_kind[Kind::PatchTask as usize]) as f64;
    println!(
        "{name:<48} {:>8} req {:>9.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms  p99.9 {:>7.3} ms  max {:>8.3} ms  writes {:.1}%",
        all.len(),
        all.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&all, 0.50)),
        ms(percentile(&all, 0.99)),
        ms(percentile(&all, 0.999)),
        ms(*all.last().unwrap()),
        100.0 * writes / all.len() as f64,
    );
    for (k, kind) in KINDS.iter().enumerate() {
        let mut samples: Vec<Duration> = tallies
            .iter()
            .flat_map(|t| t.by_kind_latencies[k].iter().copied())
            .collect();
        if samples.is_empty() {
            continue;
        }
        samples.sort_unstable();
        println!(
            "    {:<12} {:>8} req  p50 {:>7.3} ms  p99 {:>7.3} ms",
            format!("{kind:?}"),
            samples.len(),
            ms(percentile(&samples, 0.50)),
            ms(percentile(&samples, 0.99)),
        );
    }
    assert!(
        failures.is_empty(),
        "{name}: {} answers outside 2xx, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}

/// p50 of one client's sequential `GET /me` (the lightest authenticated route): the rate
/// limiter's cost is the difference between a server with it and one without.
async fn probe(server: &Server, user: &User) -> Duration {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .http1_only()
        .build()
        .unwrap();
    let url = format!("{}/api/v1/me", server.base);
    let mut out = Vec::with_capacity(PROBE_REQUESTS);
    for i in 0..PROBE_REQUESTS + 300 {
        let started = Instant::now();
        let r = http
            .get(&url)
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let _ = r.bytes().await.unwrap();
        // The first 300 warm the connection and the caches.
        if i >= 300 {
            out.push(started.elapsed());
        }
        assert!(status.is_success(), "probe: {status}");
    }
    out.sort_unstable();
    percentile(&out, 0.5)
}

async fn fresh_postgres(server_url: &str) -> String {
    use sqlx::postgres::{PgConnectOptions, PgPool};
    const DB: &str = "lifeos_api_load";
    let options: PgConnectOptions = server_url.parse().unwrap();
    let admin = PgPool::connect(server_url).await.unwrap();
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {DB} WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
    sqlx::raw_sql(&format!("CREATE DATABASE {DB}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    format!(
        "postgres://{}@{}:{}/{DB}",
        options.get_username(),
        options.get_host(),
        options.get_port()
    )
}

async fn redis_flush(url: &str) -> bool {
    // A fresh start for the limiter's keys: FLUSHDB on the test Redis.
    let Ok(client) = redis::Client::open(url) else {
        return false;
    };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
        return false;
    };
    redis::cmd("FLUSHDB")
        .query_async::<()>(&mut conn)
        .await
        .is_ok()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    // ring as the process's TLS provider: with reqwest's `rustls-no-provider` enabled by
    // another crate of the build, `Client::new()` would panic without one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    println!(
        "lifeos-server over loopback: {} connections, {} users, {} s per run, 80% reads \
         (40% GET /tasks/{{id}}, 30% GET /tasks?limit=20, 10% GET /me), 20% writes \
         (10% keyed POST /tasks, 10% PATCH /tasks/{{id}})",
        a.connections, a.users, a.secs
    );

    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("load.db").display());
    {
        let server = start_server(&sqlite, "0", None).await;
        let users = seed(&http, &server.base, a.users).await;
        load("sqlite, limits off", &server, &users, &a).await;
    }

    match std::env::var("LIFEOS_TEST_DATABASE_URL") {
        Ok(url) => {
            let db = fresh_postgres(&url).await;
            let server = start_server(&db, "0", None).await;
            let users = seed(&http, &server.base, a.users).await;
            load("postgres, limits off", &server, &users, &a).await;
        }
        Err(_) => println!("LIFEOS_TEST_DATABASE_URL is not set: PostgreSQL skipped"),
    }

    let redis_url = std::env::var("LIFEOS_TEST_REDIS_URL").ok();
    match redis_url.as_deref() {
        Some(url) if redis_flush(url).await => {
            // Limits on: every request runs the Redis GCRA script; the multiplier lifts
            // the quotas above this load, so the run measures the limiter, not its 429s.
            let sqlite = format!("sqlite://{}", dir.path().join("load-redis.db").display());
            let server = start_server(&sqlite, "1000", Some(url)).await;
            let users = seed(&http, &server.base, a.users).await;
            load("sqlite, limits on in Redis (x1000)", &server, &users, &a).await;
            drop(server);

            let sqlite = format!("sqlite://{}", dir.path().join("probe.db").display());
            let off = start_server(&sqlite, "0", None).await;
            let user = User {
                token: token(999),
                tasks: Vec::new(),
            };
            let p50_off = probe(&off, &user).await;
            drop(off);
            let on = start_server(&sqlite, "1000", Some(url)).await;
            let p50_on = probe(&on, &user).await;
            println!(
                "rate limiter in Redis, one sequential client, GET /api/v1/me: p50 {:.3} ms without, \
                 {:.3} ms with: {:.3} ms per request",
                ms(p50_off),
                ms(p50_on),
                ms(p50_on.saturating_sub(p50_off))
            );
        }
        Some(_) => println!("Redis at LIFEOS_TEST_REDIS_URL does not answer: Redis runs skipped"),
        None => println!("LIFEOS_TEST_REDIS_URL is not set: Redis runs skipped"),
    }
}
