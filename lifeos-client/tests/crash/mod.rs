//! The fault test of issue 10: the `lifeos-server` process killed with SIGKILL and
//! restarted, twice, while the client creates 500 tasks with retries; afterwards exactly
//! 500 tasks exist and the log holds exactly one `task.created` for each.
//!
//! It runs the server binary built beside this test (`cargo build -p lifeos-server`, which
//! `cargo test --workspace` does); without it the test skips with a note.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::TryStreamExt;
use lifeos::core::NewTask;
use lifeos_client::{Backoff, Client, StaticToken};
use rand_core::SeedableRng;
use tokio::process::{Child, Command};

use crate::support::{SECRET, fresh_user, random_u64};

const TASKS: usize = 500;

fn server_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?;
    let bin = dir.join(format!("lifeos-server{}", std::env::consts::EXE_SUFFIX));
    bin.exists().then_some(bin)
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
#[ignore = "a retry after a lost answer creates once only when the server stores idempotency records (the `server` branch)"]
async fn sigkill_mid_run_leaves_exactly_one_task_and_one_event_per_create() {
    let Some(bin) = server_binary() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but the lifeos-server binary is not built"
        );
        eprintln!("lifeos-server is not built beside the tests: skipping");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("crash.db").display());
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
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
    let mut server = spawn(&bin, port, &db);
    wait_ready(&client).await;

    let created = Arc::new(AtomicUsize::new(0));
    let writer = {
        let client = client.clone();
        let created = created.clone();
        tokio::spawn(async move {
            for i in 0..TASKS {
                client
                    .tasks()
                    .create(&NewTask::titled(format!("task {i}")))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("task {i}: {e:?}"));
                created.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    for at in [120, 320] {
        while created.load(Ordering::SeqCst) < at {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        server.start_kill().unwrap(); // SIGKILL
        server.wait().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        server = spawn(&bin, port, &db);
    }
    writer.await.unwrap();

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
