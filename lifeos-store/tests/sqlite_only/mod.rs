//! Tests only SQLite needs: the append-only trigger by raw SQL, reopening a file, and
//! results identical to the memory backend.

use lifeos_core::NewTask;
use lifeos_store::prelude::*;
use lifeos_store::{EventQuery, MemoryStore, SqliteStore};
use sqlx::Connection;

use crate::conformance::{options, user};

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lifeos-store-only-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

#[tokio::test]
async fn event_log_refuses_update_and_delete_by_raw_sql() {
    let path = temp_path("trigger.sqlite");
    let store = SqliteStore::open(&path, options(1)).await.unwrap();
    let u = user(1);
    store.create_task(u, NewTask::titled("a")).await.unwrap();
    store.close().await;

    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let update = sqlx::query("UPDATE events SET event_type = 'task.forged'")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = sqlx::query("DELETE FROM events")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
    // Listing another user for erasure does not unlock this user's events.
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("INSERT INTO erasure_in_progress (user_id) VALUES (?)")
        .bind(*user(2).as_uuid())
        .execute(&mut *tx)
        .await
        .unwrap();
    assert!(
        sqlx::query("DELETE FROM events")
            .execute(&mut *tx)
            .await
            .is_err()
    );
    tx.rollback().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
    conn.close().await.unwrap();
}

#[tokio::test]
async fn reopening_a_file_keeps_rows_events_and_seq() {
    let path = temp_path("reopen.sqlite");
    let u = user(1);
    let store = SqliteStore::open(&path, options(1)).await.unwrap();
    let t = store
        .create_task(u, NewTask::titled("keep me"))
        .await
        .unwrap();
    store.close().await;
    drop(store);
    let store = SqliteStore::open(&path, options(2)).await.unwrap();
    assert_eq!(store.get_task(u, t.id).await.unwrap(), t);
    store.complete_task(u, t.id).await.unwrap();
    let seqs: Vec<u64> = store
        .read_all_events(u, &EventQuery::new())
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, [1, 2]);
}

/// One script on both backends with the same clock and seed: every answer is identical.
#[tokio::test]
async fn answers_equal_the_memory_backend() {
    let memory = MemoryStore::new(options(42));
    let sqlite = SqliteStore::open_in_memory(options(42)).await.unwrap();
    assert_eq!(
        crate::differential::script(&memory).await,
        crate::differential::script(&sqlite).await
    );
}
