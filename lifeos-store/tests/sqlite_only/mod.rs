//! Tests only SQLite needs: the append-only trigger by raw SQL, reopening a file, and
//! results identical to the memory backend.

use lifeos_core::NewTask;
use lifeos_store::prelude::*;
use lifeos_store::{EventQuery, MemoryStore, SqliteStore};
use sqlx::Connection;

use crate::conformance::{options, t0, user};

mod checkpoint;
mod first_open;
mod planned_blocks_migration;

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

/// The FTS5 index follows every insert, rename, soft delete and erasure in the same
/// transaction: the indexed search and the scan agree, and erasure leaves no index entry.
#[tokio::test]
async fn title_index_follows_every_change() {
    let path = temp_path("fts.sqlite");
    let store = SqliteStore::open(&path, options(9)).await.unwrap();
    let (u, v) = (user(1), user(2));
    let mut ids = Vec::new();
    for title in [
        "Quarterly Report",
        "report draft",
        "50% off_sale",
        "Ünïcode Straße",
    ] {
        ids.push(store.create_task(u, NewTask::titled(title)).await.unwrap());
    }
    store
        .create_task(v, NewTask::titled("someone else's report"))
        .await
        .unwrap();
    let titles = |page: lifeos_store::Page<lifeos_core::Task>| -> Vec<String> {
        page.items.into_iter().map(|t| t.title).collect()
    };
    let search = |text: &'static str| store.search_tasks(u, text, None, 50);
    assert_eq!(
        titles(search("REPORT").await.unwrap()),
        ["Quarterly Report", "report draft"]
    );
    assert_eq!(titles(search("% off_").await.unwrap()), ["50% off_sale"]);
    assert_eq!(titles(search("aße").await.unwrap()), ["Ünïcode Straße"]);
    assert!(search("off%sale").await.unwrap().items.is_empty());
    // A rename moves the title in the index.
    let patch = lifeos_core::TaskPatch {
        title: Some("Annual summary".into()),
        ..Default::default()
    };
    store
        .update_task(u, ids[0].id, ids[0].version, patch)
        .await
        .unwrap();
    assert_eq!(titles(search("report").await.unwrap()), ["report draft"]);
    assert_eq!(titles(search("annual").await.unwrap()), ["Annual summary"]);
    // A soft-deleted task is not found; restored, it is again.
    store.delete_task(u, ids[1].id).await.unwrap();
    assert!(search("report").await.unwrap().items.is_empty());
    store.restore_task(u, ids[1].id).await.unwrap();
    assert_eq!(titles(search("report").await.unwrap()), ["report draft"]);
    // Erasure empties the user's index entries in its own transaction.
    store.erase_user(u).await.unwrap();
    assert!(search("report").await.unwrap().items.is_empty());
    store.close().await;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let indexed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tasks_fts WHERE tasks_fts MATCH '\"report\"'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(indexed, 1, "only the other user's task stays indexed");
}

/// A stored row that does not decode is an error naming its table and id, never a
/// default value.
#[tokio::test]
async fn a_corrupt_row_is_an_error_naming_table_and_id() {
    let path = temp_path("corrupt.sqlite");
    let store = SqliteStore::open(&path, options(10)).await.unwrap();
    let u = user(1);
    let t = store.create_task(u, NewTask::titled("fine")).await.unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE tasks SET data = '{\"not\": \"a task\"}' WHERE id = ?")
        .bind(*t.id.as_uuid())
        .execute(&mut conn)
        .await
        .unwrap();
    let err = store.get_task(u, t.id).await.unwrap_err();
    assert!(err.is_backend());
    assert_eq!(
        err.to_string(),
        format!("stored tasks row {} cannot be decoded", t.id)
    );
    assert!(matches!(
        err,
        lifeos_store::Error::Corrupt { table: "tasks", .. }
    ));
    assert!(
        store
            .list_tasks(u, &lifeos_store::TaskQuery::new())
            .await
            .is_err()
    );
    assert!(store.export_user(u).await.is_err());
}

/// A legacy calendar row whose rule cannot be parsed (written by raw SQL, as before rules
/// were checked) does not fail the day: the window read returns the other events and
/// names the one left out; any other damage to a row is still an error.
#[tokio::test]
async fn unreadable_legacy_rule_is_skipped_with_a_warning() {
    use lifeos_core::calendar::{EventTime, Provider};
    use lifeos_store::CalendarEventInput;

    let path = temp_path("legacy_rule.sqlite");
    let store = SqliteStore::open(&path, options(11)).await.unwrap();
    let u = user(1);
    let at = |h: i64| EventTime::Utc(t0() + chrono::Duration::hours(h));
    let single = store
        .upsert_calendar_event(
            u,
            CalendarEventInput::new(Provider::Manual, "standup", at(1), at(2)),
        )
        .await
        .unwrap()
        .into_inner();
    let mut series = CalendarEventInput::new(Provider::Manual, "gym", at(3), at(4));
    series.rrule = Some("FREQ=DAILY".parse().unwrap());
    let series = store
        .upsert_calendar_event(u, series)
        .await
        .unwrap()
        .into_inner();
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE calendar_events SET data = json_set(data, '$.rrule', 'FREQ=SOMETIMES') WHERE id = ?")
        .bind(*series.id.as_uuid())
        .execute(&mut conn)
        .await
        .unwrap();
    let (from, to) = (t0(), t0() + chrono::Duration::days(1));
    let window = store.calendar_window(u, from, to).await.unwrap();
    assert_eq!(window.events, std::slice::from_ref(&single));
    assert_eq!(window.skipped.len(), 1);
    let skipped = &window.skipped[0];
    assert_eq!(
        (
            skipped.event_id,
            skipped.title.as_deref(),
            skipped.rrule.as_str()
        ),
        (series.id, Some("gym"), "FREQ=SOMETIMES")
    );
    assert!(
        skipped.warning().contains(&series.id.to_string()),
        "{}",
        skipped.warning()
    );
    // The day still expands, with the warning beside it.
    let day = store
        .window_occurrences(u, from, to, chrono_tz::UTC)
        .await
        .unwrap();
    assert_eq!(day.occurrences.entries.len(), 1);
    assert_eq!(day.unreadable, window.skipped);
    assert_eq!(
        store.list_events_for_window(u, from, to).await.unwrap(),
        std::slice::from_ref(&single)
    );
    // Other damage is an error naming the table and the row.
    sqlx::query("UPDATE calendar_events SET data = '{}' WHERE id = ?")
        .bind(*single.id.as_uuid())
        .execute(&mut conn)
        .await
        .unwrap();
    let err = store.calendar_window(u, from, to).await.unwrap_err();
    assert!(matches!(
        err,
        lifeos_store::Error::Corrupt {
            table: "calendar_events",
            ..
        }
    ));
}
