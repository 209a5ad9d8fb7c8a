//! The fault test of issue 10: the `lifeos-server` process killed with SIGKILL and
//! restarted, twice, while the client creates 500 tasks with retries; afterwards exactly
//! 500 tasks exist and the log holds exactly one `task.created` for each. On SQLite, and on
//! PostgreSQL when `LIFEOS_TEST_DATABASE_URL` is set.
//!
//! The kills land where they hurt: a loopback proxy between the client and the server holds
//! the answer of a create (so its change is committed), has the server killed, and drops
//! the answer. The client's retry, under the same `Idempotency-Key`, reaches the restarted
//! server and must be answered by the stored record, not by a second task.
//!
//! It runs the server binary built beside this test (`cargo build -p lifeos-server`, which
//! `cargo test --workspace` does); without it the test skips with a note (a failure under
//! `CI=true`). Bounded: the whole run has two minutes; loopback only.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::TryStreamExt;
use lifeos::core::NewTask;
use lifeos_client::{Backoff, Client, StaticToken};
use rand_core::SeedableRng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};

use crate::support::{SECRET, fresh_user, pg_database, random_u64, service_url};

const TASKS: usize = 500;

/// The bound of one whole run (two kills and restarts included).
const RUN_BOUND: Duration = Duration::from_secs(120);

fn server_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?;
    let bin = dir.join(format!("lifeos-server{}", std::env::consts::EXE_SUFFIX));
    if bin.exists() {
        return Some(bin);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the lifeos-server binary is not built"
    );
    eprintln!("lifeos-server is not built beside the tests: skipping");
    None
}

fn spawn(bin: &PathBuf, port: u16, db: &str) -> Child {
    Command::new(bin)
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .args(["--database-url", db])
        .args(["--jwt-secret", SECRET])
        .args(["--rate-limit-multiplier", "0"])
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts")
}

async fn wait_ready(client: &Client) {
    for _ in 0..200 {
        if client.service().ready().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_run_leaves_exactly_one_task_and_one_event_per_create() {
    let Some(bin) = server_binary() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("crash.db").display());
    bounded(run(&bin, &db)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_run_on_postgres_leaves_exactly_one_task_and_one_event_per_create() {
    let Some(bin) = server_binary() else {
        return;
    };
    let Some(server) = service_url("LIFEOS_TEST_DATABASE_URL") else {
        return;
    };
    // This binary's own database: the server migrates its default schema there.
    let db = pg_database(&server).await;
    bounded(run(&bin, &db)).await;
}

async fn bounded(run: impl Future<Output = ()>) {
    tokio::time::timeout(RUN_BOUND, run)
        .await
        .expect("the crash run finishes within its bound");
}

/// A loopback proxy to the server on `upstream`. Once `armed`, the next answer the server
/// sends is held: the proxy asks (on `kill`) for the server to be killed, waits until it
/// is, and drops the answer and the connection.
struct Proxy {
    port: u16,
    armed: Arc<std::sync::atomic::AtomicBool>,
}

impl Proxy {
    async fn start(upstream: u16, kill: mpsc::Sender<oneshot::Sender<()>>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let armed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let trap = armed.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                // A server that is down: the client sees its connection closed, and retries.
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                    continue;
                };
                tokio::spawn(pipe(client, server, trap.clone(), kill.clone()));
            }
        });
        Proxy { port, armed }
    }

    /// Holds the next answer and has the server killed before dropping it.
    fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }
}

async fn pipe(
    client: TcpStream,
    server: TcpStream,
    armed: Arc<std::sync::atomic::AtomicBool>,
    kill: mpsc::Sender<oneshot::Sender<()>>,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upstream = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match server_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if armed.swap(false, Ordering::SeqCst) {
            let (done, killed) = oneshot::channel();
            if kill.send(done).await.is_ok() {
                let _ = killed.await;
            }
            break;
        }
        if client_write.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    upstream.abort();
}

async fn run(bin: &PathBuf, db: &str) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (kill, mut kills) = mpsc::channel::<oneshot::Sender<()>>(1);
    let proxy = Proxy::start(port, kill).await;
    let base = format!("http://127.0.0.1:{}", proxy.port);
    let user = fresh_user();
    // The binary reads the real clock: a token from t0 would be expired.
    let now = chrono::DateTime::from_timestamp(seconds_now(), 0).unwrap();
    let token =
        lifeos_server::auth::dev_token(SECRET, user, "authenticated", None, now, 3600).unwrap();
    let client = Client::builder(&base)
        .token_provider(StaticToken::new(token))
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(random_u64()))
        .retry_policy(
            Backoff::new()
                .base(Duration::from_millis(50))
                .max_delay(Duration::from_millis(500))
                .max_attempts(200)
                .max_total_wait(Duration::from_secs(60)),
        )
        .request_timeout(Duration::from_secs(5))
        .total_timeout(Some(Duration::from_secs(90)))
        .build()
        .unwrap();
    let mut server = spawn(bin, port, db);
    wait_ready(&client).await;

    let created = Arc::new(AtomicUsize::new(0));
    let replayed = Arc::new(AtomicUsize::new(0));
    let writer = {
        let client = client.clone();
        let (created, replayed) = (created.clone(), replayed.clone());
        tokio::spawn(async move {
            for i in 0..TASKS {
                let sent = client
                    .tasks()
                    .create(&NewTask::titled(format!("task {i}")))
                    .send_with_meta()
                    .await
                    .unwrap_or_else(|e| panic!("task {i}: {e:?}"));
                assert_eq!(sent.value.title, format!("task {i}"));
                if sent.replayed {
                    replayed.fetch_add(1, Ordering::SeqCst);
                }
                created.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    for at in [120, 320] {
        while created.load(Ordering::SeqCst) < at {
            assert!(!writer.is_finished(), "the writer stopped before task {at}");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        proxy.arm();
        // The next create is committed; its answer is held until the server is gone.
        let killed = kills.recv().await.expect("the proxy holds an answer");
        server.start_kill().unwrap(); // SIGKILL
        server.wait().await.unwrap();
        let _ = killed.send(());
        tokio::time::sleep(Duration::from_millis(200)).await;
        server = spawn(bin, port, db);
    }
    writer.await.unwrap();
    // Each lost answer was retried under its key and replayed from the stored record.
    assert_eq!(replayed.load(Ordering::SeqCst), 2);

    let tasks: Vec<_> = client
        .tasks()
        .list()
        .limit(200)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let titles: HashSet<_> = tasks.iter().map(|t| t.title.clone()).collect();
    assert_eq!((tasks.len(), titles.len()), (TASKS, TASKS));
    let events: Vec<_> = client
        .events()
        .list()
        .limit(200)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let created_events: Vec<_> = events
        .iter()
        .filter(|e| e.event.kind() == "task.created")
        .map(|e| e.event.entity_id())
        .collect();
    let distinct: HashSet<_> = created_events.iter().collect();
    assert_eq!((created_events.len(), distinct.len()), (TASKS, TASKS));
    let ids: HashSet<_> = tasks.iter().map(|t| *t.id.as_uuid()).collect();
    assert!(created_events.iter().all(|id| ids.contains(id)));
    server.start_kill().unwrap();
}

#[allow(clippy::disallowed_methods)] // the binary under test reads the real clock
fn seconds_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}
