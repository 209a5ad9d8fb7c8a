//! The WAL is copied into the database file by background checkpoints, not only by the
//! safety net in a commit.

use std::time::Duration;

use lifeos_core::NewTask;
use lifeos_store::SqliteStore;
use lifeos_store::prelude::*;

use super::temp_path;
use crate::conformance::{options, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_are_checkpointed_into_the_database_file_in_the_background() {
    let path = temp_path("checkpoint.sqlite");
    let store = SqliteStore::open(&path, options(7)).await.unwrap();
    let before = std::fs::metadata(&path).unwrap().len();
    let u = user(1);
    // 300 commits of about 2 KB each: 600 KB in the WAL, far below the safety net
    // (16,000 pages), so only a background checkpoint copies them.
    for i in 0..300 {
        let mut task = NewTask::titled(format!("task {i}"));
        task.description = Some("d".repeat(2000));
        store.create_task(u, task).await.unwrap();
    }
    let mut grown = 0;
    for _ in 0..100 {
        grown = std::fs::metadata(&path)
            .unwrap()
            .len()
            .saturating_sub(before);
        if grown > 256 * 1024 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        grown > 256 * 1024,
        "the database file grew by {grown} bytes: the WAL was not checkpointed"
    );
    assert_eq!(
        store
            .list_all_tasks(u, &Default::default())
            .await
            .unwrap()
            .len(),
        300
    );
}
