//! Migration 0003 gives a task scheduled before blocks existed its slot as its one block.

use chrono::Duration;
use lifeos_core::event::ScheduledBy;
use lifeos_core::{NewTask, PlannedBlock};
use lifeos_store::SqliteStore;
use lifeos_store::prelude::*;
use sqlx::Connection;

use super::temp_path;
use crate::conformance::{options, t0, user};

#[tokio::test]
async fn a_slot_stored_before_blocks_becomes_the_one_block() {
    let path = temp_path("planned-blocks-migration.sqlite");
    let store = SqliteStore::open(&path, options(3)).await.unwrap();
    let u = user(1);
    let task = store.create_task(u, NewTask::titled("old")).await.unwrap();
    let idle = store.create_task(u, NewTask::titled("idle")).await.unwrap();
    let (start, end) = (t0(), t0() + Duration::minutes(45));
    store
        .save_schedule(u, vec![(task.id, start, end)], ScheduledBy::Planner)
        .await
        .unwrap();
    store.close().await;

    // Back to the shape of a row written before 0003: no `planned_blocks` key, and the
    // migration not yet applied.
    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE tasks SET data = json_remove(data, '$.planned_blocks')")
        .execute(&mut conn)
        .await
        .unwrap();
    let removed = sqlx::query("DELETE FROM _sqlx_migrations WHERE description = 'planned blocks'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(removed.rows_affected(), 1);
    let missing: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tasks WHERE json_type(data, '$.planned_blocks') IS NULL",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(missing, 2);
    conn.close().await.unwrap();

    let store = SqliteStore::open(&path, options(4)).await.unwrap();
    let read = store.get_task(u, task.id).await.unwrap();
    assert_eq!(read.planned_blocks, [PlannedBlock::new(start, end)]);
    assert_eq!(read.scheduled_start, Some(start));
    // A task with no slot keeps no blocks.
    assert!(
        store
            .get_task(u, idle.id)
            .await
            .unwrap()
            .planned_blocks
            .is_empty()
    );
    store.close().await;
}
