//! The NATS JetStream relay against the machine's PostgreSQL and NATS: concurrent
//! writers, the relay killed midway and restarted; every event lands in the stream
//! exactly once (after deduplication), none is missing, each user's in `seq` order.
//! Needs `LIFEOS_TEST_DATABASE_URL` and `LIFEOS_TEST_NATS_URL`: without them every test
//! reports itself ignored with the reason (with `CI=true` the binary fails). Runs under
//! libtest-mimic (`harness = false`). The stream and subject prefix are
//! `lifeos_t_<random>`; the stream is deleted at the end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(unused_macros)]
mod conformance;
mod pg_support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lifeos_core::NewTask;
use lifeos_store::prelude::*;
use lifeos_store::relay::{Relay, RelayConfig};
use lifeos_store::{EventQuery, PostgresConfig, PostgresStore};

use crate::conformance::{options, user};

fn main() {
    use crate::conformance::{Trials, block_on};
    let trials: Trials = vec![
        (
            "relay_killed_midway_publishes_every_event_exactly_once",
            Box::new(|| block_on(relay_killed_midway_publishes_every_event_exactly_once())),
        ),
        (
            "sqlite_relay_watermark_is_the_last_seq",
            Box::new(|| block_on(sqlite_relay_watermark_is_the_last_seq())),
        ),
        (
            "running_relay_publishes_on_notification",
            Box::new(|| block_on(running_relay_publishes_on_notification())),
        ),
    ];
    pg_support::run(
        trials,
        &["LIFEOS_TEST_DATABASE_URL", "LIFEOS_TEST_NATS_URL"],
    );
}

const WRITERS: u128 = 4;
const TASKS_PER_WRITER: u64 = 60;

async fn relay_killed_midway_publishes_every_event_exactly_once() {
    let nats_url = pg_support::nats_url();
    let db_url = pg_support::database_url().await;
    let schema = pg_support::schema();
    let store = Arc::new(
        PostgresStore::connect(
            PostgresConfig::new(db_url.clone()).schema(schema.clone()),
            options(1),
        )
        .await
        .unwrap(),
    );
    let tag = format!("lifeos_t_{:x}", pg_support::random_u64());
    let config = RelayConfig::new()
        .stream(tag.clone())
        .prefix(tag.clone())
        .poll_interval(Duration::from_millis(5))
        .batch(7);
    // The relay connects as its own role, which may read every user's events.
    let relay_db =
        PostgresConfig::new(pg_support::with_user(&db_url, "lifeos_relay")).schema(schema.clone());

    // Writers: two users have two writers each, so one user's transactions interleave too.
    let written = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = Arc::clone(&store);
        let written = Arc::clone(&written);
        writers.push(tokio::spawn(async move {
            let u = user(1 + w % 2);
            for i in 0..TASKS_PER_WRITER {
                let t = store
                    .create_task(u, NewTask::titled(format!("w{w} t{i}")))
                    .await
                    .unwrap();
                if i % 3 == 0 {
                    store.complete_task(u, t.id).await.unwrap();
                }
                written.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }

    // The first relay runs until about a third of the writes are done, then is killed.
    let first = Relay::connect(relay_db.clone(), &nats_url, config.clone())
        .await
        .unwrap();
    let first = tokio::spawn(async move { first.run().await });
    let total = WRITERS as u64 * TASKS_PER_WRITER;
    while written.load(Ordering::Relaxed) < total / 3 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());

    // A new relay starts from the stored watermark while the writers go on.
    let second = Relay::connect(relay_db.clone(), &nats_url, config.clone())
        .await
        .unwrap();
    let mut republished = 0;
    let mut duplicates = 0;
    while !writers.iter().all(|w| w.is_finished()) {
        let pass = second.pass().await.unwrap();
        republished += pass.published;
        duplicates += pass.duplicates;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for w in writers {
        w.await.unwrap();
    }

    // Every event of the database, by id.
    let mut expected = BTreeMap::new();
    for u in [user(1), user(2)] {
        for e in store.read_all_events(u, &EventQuery::new()).await.unwrap() {
            expected.insert(e.event.id.to_string(), (u, e.seq));
        }
    }
    assert_eq!(expected.len() as u64, total + total.div_ceil(3));

    // Passes until the stream holds them all (a transaction open elsewhere on the server
    // may hold the horizon back for a moment).
    let client = async_nats::connect(&nats_url).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let mut stream = js.get_stream(&tag).await.unwrap();
    for _ in 0..600 {
        let pass = second.pass().await.unwrap();
        republished += pass.published;
        duplicates += pass.duplicates;
        if stream.info().await.unwrap().state.messages >= expected.len() as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let state = stream.info().await.unwrap().state.clone();
    eprintln!(
        "relay: {} events, {} published after the restart, {} of them duplicates dropped by JetStream",
        expected.len(),
        republished,
        duplicates
    );

    // Exactly once, none missing, each user's events in seq order, on <prefix>.<type>.
    let mut seen = BTreeSet::new();
    let mut last_seq: BTreeMap<_, u64> = BTreeMap::new();
    for n in state.first_sequence..=state.last_sequence {
        let m = stream.get_raw_message(n).await.unwrap();
        let id = m
            .headers
            .get(async_nats::header::NATS_MESSAGE_ID)
            .unwrap()
            .to_string();
        assert!(seen.insert(id.clone()), "event {id} stored twice");
        let (u, seq) = expected[&id];
        let body: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
        assert_eq!(body["seq"], seq);
        assert_eq!(
            m.subject.as_str(),
            format!("{tag}.{}", body["type"].as_str().unwrap())
        );
        let before = last_seq.insert(u, seq).unwrap_or(0);
        assert!(before < seq, "user {u}: seq {seq} after {before}");
    }
    assert_eq!(state.messages, expected.len() as u64);
    assert_eq!(seen.len(), expected.len());

    // A crash after publishing but before storing the watermark is a rewound watermark:
    // the pass re-sends everything and JetStream drops every copy.
    let owner = sqlx::PgPool::connect(&db_url).await.unwrap();
    sqlx::query(&format!(
        "UPDATE {schema}.relay_offsets SET watermark = '0'::xid8 WHERE relay = $1"
    ))
    .bind(format!("{tag}/{tag}"))
    .execute(&owner)
    .await
    .unwrap();
    owner.close().await;
    let again = second.pass().await.unwrap();
    assert!(again.published >= expected.len() as u64);
    assert_eq!(again.duplicates, again.published);
    assert_eq!(
        stream.info().await.unwrap().state.messages,
        expected.len() as u64
    );

    js.delete_stream(&tag).await.unwrap();
}

/// On SQLite the watermark is the last `seq` published: a pass sends only what is new,
/// and a rewound watermark re-sends what JetStream then drops.
#[cfg(feature = "sqlite")]
async fn sqlite_relay_watermark_is_the_last_seq() {
    let nats_url = pg_support::nats_url();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lifeos-relay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("relay.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let store = lifeos_store::SqliteStore::open(&path, options(3))
        .await
        .unwrap();
    let u = user(1);
    for i in 0..5 {
        store
            .create_task(u, NewTask::titled(format!("t{i}")))
            .await
            .unwrap();
    }
    let tag = format!("lifeos_t_{:x}", pg_support::random_u64());
    let config = RelayConfig::new().stream(tag.clone()).prefix(tag.clone());
    let relay = Relay::connect_sqlite(&path, &nats_url, config.clone())
        .await
        .unwrap();
    assert_eq!(relay.pass().await.unwrap().published, 5);
    assert_eq!(relay.pass().await.unwrap().published, 0);
    for i in 5..8 {
        store
            .create_task(u, NewTask::titled(format!("t{i}")))
            .await
            .unwrap();
    }
    assert_eq!(relay.pass().await.unwrap().published, 3);
    let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE relay_offsets SET last_seq = 0")
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    let again = relay.pass().await.unwrap();
    assert_eq!((again.published, again.duplicates), (8, 8));

    let client = async_nats::connect(&nats_url).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let mut stream = js.get_stream(&tag).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 8);
    js.delete_stream(&tag).await.unwrap();
    store.close().await;
}

/// `run` wakes on the store's commit notifications, well before its poll interval.
async fn running_relay_publishes_on_notification() {
    let nats_url = pg_support::nats_url();
    let db_url = pg_support::database_url().await;
    let schema = pg_support::schema();
    let store = PostgresStore::connect(
        PostgresConfig::new(db_url.clone()).schema(schema.clone()),
        options(5),
    )
    .await
    .unwrap();
    let tag = format!("lifeos_t_{:x}", pg_support::random_u64());
    let config = RelayConfig::new()
        .stream(tag.clone())
        .prefix(tag.clone())
        .poll_interval(Duration::from_secs(600));
    let relay_db =
        PostgresConfig::new(pg_support::with_user(&db_url, "lifeos_relay")).schema(schema);
    let relay = Relay::connect(relay_db, &nats_url, config).await.unwrap();
    let running = tokio::spawn(async move { relay.run().await });
    let client = async_nats::connect(&nats_url).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let mut stream = js.get_stream(&tag).await.unwrap();
    // Let the relay finish its first (empty) pass and start listening.
    tokio::time::sleep(Duration::from_millis(300)).await;
    store
        .create_task(user(1), NewTask::titled("wake up"))
        .await
        .unwrap();
    let mut messages = 0;
    for _ in 0..100 {
        messages = stream.info().await.unwrap().state.messages;
        if messages == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    running.abort();
    js.delete_stream(&tag).await.unwrap();
    assert_eq!(messages, 1);
}
