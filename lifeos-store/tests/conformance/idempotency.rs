//! Idempotency records: written in the change's transaction or not at all, scoped to the
//! user, replayed 24 hours, purged lazily, kept by erasure for the erasing request only.

use std::sync::Arc;

use chrono::Duration;
use lifeos_core::calendar::{EventTime, Provider};
use lifeos_core::{NewProject, NewTask};
use lifeos_store::idempotency::{
    PendingRecord, StoredResponse, Written, with_pending, with_render,
};
use lifeos_store::{
    CalendarEventInput, ErrorKind, IdempotencyRecord, IdempotencyScope, ManualClock, Store,
    StoreOptions, TaskQuery, UpsertBatch, UpsertCounts,
};
use rand_core::SeedableRng;

use super::{Make, event_count, options, t0, user};

fn scope(key: &str) -> IdempotencyScope {
    IdempotencyScope::new("POST", "/api/v1/tasks", key)
}

/// A record that answers the first task written, 201 with its title.
fn task_record(key: &str) -> PendingRecord {
    PendingRecord::new(scope(key), "fp-1", |w| match w {
        Written::Tasks([t]) => Some(StoredResponse {
            status: 201,
            body: format!("{{\"title\":\"{}\"}}", t.title),
            etag: Some(format!("\"{}\"", t.version)),
            location: Some(format!("/api/v1/tasks/{}", t.id)),
        }),
        _ => None,
    })
}

async fn task_count<S: Store>(store: &S, u: lifeos_core::UserId) -> usize {
    store
        .list_all_tasks(u, &TaskQuery::new().include_deleted(true))
        .await
        .unwrap()
        .len()
}

pub async fn idempotency_record_commits_with_its_change_once<S: Store>(make: &impl Make<S>) {
    let store = make(options(71)).await;
    let u = user(1);
    let (task, written) = with_pending(
        task_record("k1"),
        store.create_task(u, NewTask::titled("Once")),
    )
    .await;
    let task = task.unwrap();
    assert!(written);
    let record = store
        .idempotency_record(u, &scope("k1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.fingerprint, "fp-1");
    assert_eq!(record.response.status, 201);
    assert_eq!(record.response.body, "{\"title\":\"Once\"}");
    assert_eq!(record.response.etag.as_deref(), Some("\"1\""));
    assert_eq!(
        record.response.location,
        Some(format!("/api/v1/tasks/{}", task.id))
    );

    // The same scope again: the whole change is refused, nothing written.
    let events = event_count(&store, u).await;
    let (again, written) = with_pending(
        task_record("k1"),
        store.create_task(u, NewTask::titled("Twice")),
    )
    .await;
    assert_eq!(again.unwrap_err().kind(), ErrorKind::Conflict);
    assert!(!written);
    assert_eq!(task_count(&store, u).await, 1);
    assert_eq!(event_count(&store, u).await, events);

    // Scoped to the user, and to method and path.
    assert!(
        store
            .idempotency_record(user(2), &scope("k1"))
            .await
            .unwrap()
            .is_none()
    );
    let other_path = IdempotencyScope::new("POST", "/api/v1/projects", "k1");
    assert!(
        store
            .idempotency_record(u, &other_path)
            .await
            .unwrap()
            .is_none()
    );
    let (_, written) = with_pending(
        task_record("k1"),
        store.create_task(user(2), NewTask::titled("Theirs")),
    )
    .await;
    assert!(written, "another user's same key is another scope");
}

pub async fn idempotency_record_is_not_written_by_a_failed_change<S: Store>(make: &impl Make<S>) {
    let store = make(options(72)).await;
    let u = user(1);
    let (out, written) = with_pending(
        task_record("k"),
        store.create_task(u, NewTask::titled("  ")),
    )
    .await;
    assert_eq!(out.unwrap_err().kind(), ErrorKind::Invalid);
    assert!(!written);
    assert!(
        store
            .idempotency_record(u, &scope("k"))
            .await
            .unwrap()
            .is_none()
    );

    // A write the renderer declines leaves the record for the next one in the scope.
    let (out, written) = with_pending(task_record("k"), async {
        let p = store
            .create_project(
                u,
                NewProject {
                    name: "Side".into(),
                    description: None,
                    color: None,
                },
            )
            .await
            .unwrap();
        let t = store
            .create_task(u, NewTask::titled("After"))
            .await
            .unwrap();
        (p, t)
    })
    .await;
    assert!(written);
    let record = store
        .idempotency_record(u, &scope("k"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        record.response.body,
        format!("{{\"title\":\"{}\"}}", out.1.title)
    );
    // A second write in the same scope does not write it twice.
    let (t2, written) = with_pending(task_record("k2"), async {
        store
            .create_task(u, NewTask::titled("First"))
            .await
            .unwrap();
        store.create_task(u, NewTask::titled("Second")).await
    })
    .await;
    assert!(t2.is_ok() && written);
    let record = store
        .idempotency_record(u, &scope("k2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.response.body, "{\"title\":\"First\"}");
}

pub async fn idempotency_record_of_a_no_op_is_stored<S: Store>(make: &impl Make<S>) {
    let store = make(options(73)).await;
    let u = user(1);
    let at = |h| EventTime::Utc(t0() + Duration::hours(h));
    let mut input = CalendarEventInput::new(Provider::Google, "Sync", at(1), at(2));
    input.external_id = Some("ext-1".into());
    input.etag = Some("e1".into());
    store.upsert_calendar_event(u, input.clone()).await.unwrap();
    let events = event_count(&store, u).await;
    let record = PendingRecord::new(scope("noop"), "fp", |w| match w {
        Written::CalendarUpsert(up) => Some(StoredResponse::json(200, up.get().title.clone())),
        _ => None,
    });
    let (out, written) = with_pending(record, store.upsert_calendar_event(u, input)).await;
    assert!(matches!(out.unwrap(), lifeos_store::Upserted::Unchanged(_)));
    assert!(written, "the unchanged answer is stored too");
    assert_eq!(event_count(&store, u).await, events, "and no event");
    let record = store
        .idempotency_record(u, &scope("noop"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.response.body, "Sync");
}

/// An import's answer is a report of its batch: rendered by the importer (`with_render`)
/// from what the batch wrote, and stored in the batch's transaction, or not at all.
pub async fn idempotency_record_of_a_batch_is_rendered_in_its_transaction<S: Store>(
    make: &impl Make<S>,
) {
    let store = make(options(76)).await;
    let u = user(1);
    let at = |h| EventTime::Utc(t0() + Duration::hours(h));
    let inputs: Vec<CalendarEventInput> = (0..3)
        .map(|i| {
            let mut input =
                CalendarEventInput::new(Provider::Ics, format!("E{i}"), at(i), at(i + 1));
            input.external_id = Some(format!("uid-{i}"));
            // The same etag again is "unchanged".
            input.etag = Some(format!("e{i}"));
            input
        })
        .collect();
    let batch = || UpsertBatch::new().lenient(true).synced_from(Provider::Ics);
    let import_scope = |key: &str| IdempotencyScope::new("POST", "/api/v1/calendar/import", key);
    // The caller's own renderer declines everything: the import renders its report.
    let declining = |key: &str| PendingRecord::new(import_scope(key), "fp", |_| None);
    let report = |w: Written<'_>| match w {
        Written::CalendarBatch(answers) => {
            let c = UpsertCounts::of(answers);
            let body = format!("{}/{}/{}", c.created, c.updated, c.unchanged);
            Some(StoredResponse::json(200, body))
        }
        _ => None,
    };

    let (out, written) = with_pending(
        declining("first"),
        with_render(
            report,
            store.upsert_calendar_events(u, inputs.clone(), batch()),
        ),
    )
    .await;
    assert_eq!(out.unwrap().len(), 3);
    assert!(written);
    let record = store
        .idempotency_record(u, &import_scope("first"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.response.body, "3/0/0");

    // The same file again under another key: nothing changes, the report is stored anyway.
    let events = event_count(&store, u).await;
    let (_, written) = with_pending(
        declining("second"),
        with_render(
            report,
            store.upsert_calendar_events(u, inputs.clone(), batch()),
        ),
    )
    .await;
    assert!(written);
    let record = store
        .idempotency_record(u, &import_scope("second"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.response.body, "0/0/3");
    assert_eq!(event_count(&store, u).await, events);

    // A record of the scope stored meanwhile (another process finished first): the whole
    // batch is refused, none of its events or rows written.
    store
        .put_idempotency_record(
            u,
            IdempotencyRecord {
                scope: import_scope("raced"),
                fingerprint: "fp".into(),
                response: StoredResponse::json(200, "theirs"),
                created_at: t0(),
            },
        )
        .await
        .unwrap();
    let mut changed = inputs.clone();
    changed[0].title = "Renamed".into();
    changed[0].etag = Some("e0-renamed".into());
    let (out, written) = with_pending(
        declining("raced"),
        with_render(report, store.upsert_calendar_events(u, changed, batch())),
    )
    .await;
    assert_eq!(out.unwrap_err().kind(), ErrorKind::Conflict);
    assert!(!written);
    assert_eq!(event_count(&store, u).await, events);
    let stored = store.list_calendar_events(u, false).await.unwrap();
    assert!(stored.iter().all(|e| e.title != "Renamed"));

    // Without a pending record the renderer does nothing.
    let out = with_render(report, store.upsert_calendar_events(u, inputs, batch())).await;
    assert!(out.is_ok());
}

pub async fn idempotency_records_expire_after_a_day_and_are_purged<S: Store>(make: &impl Make<S>) {
    let clock = Arc::new(ManualClock::with_step(t0(), Duration::zero()));
    let store = make(
        StoreOptions::new()
            .clock(clock.clone())
            .rng(rand_chacha::ChaCha8Rng::seed_from_u64(74)),
    )
    .await;
    let u = user(1);
    let response = StoredResponse::json(200, "{}");
    let record = |key: &str| IdempotencyRecord {
        scope: scope(key),
        fingerprint: "fp".into(),
        response: response.clone(),
        // Replaced by the store's clock.
        created_at: t0() - Duration::days(30),
    };
    store
        .put_idempotency_record(u, record("old"))
        .await
        .unwrap();
    let stored = store
        .idempotency_record(u, &scope("old"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.created_at, t0());
    assert_eq!(
        store
            .put_idempotency_record(u, record("old"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );

    clock.set(t0() + Duration::hours(24) - Duration::nanoseconds(1));
    assert!(
        store
            .idempotency_record(u, &scope("old"))
            .await
            .unwrap()
            .is_some()
    );
    clock.set(t0() + Duration::hours(24));
    assert!(
        store
            .idempotency_record(u, &scope("old"))
            .await
            .unwrap()
            .is_none()
    );
    // Expired: the key is free again (the write purges the expired record first).
    let (out, written) = with_pending(
        task_record("old"),
        store.create_task(u, NewTask::titled("Later")),
    )
    .await;
    assert!(out.is_ok() && written);
    let again = store
        .idempotency_record(u, &scope("old"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.response.status, 201);
}

pub async fn erasure_keeps_only_its_own_idempotency_record<S: Store>(make: &impl Make<S>) {
    let store = make(options(75)).await;
    let u = user(1);
    let (_, written) = with_pending(
        task_record("before"),
        store.create_task(u, NewTask::titled("Gone")),
    )
    .await;
    assert!(written);
    let erase_scope = IdempotencyScope::new("DELETE", "/api/v1/me", "bye");
    let record = PendingRecord::new(erase_scope.clone(), "fp", |w| match w {
        Written::Erased(counts) => Some(StoredResponse::json(200, counts["tasks"].to_string())),
        _ => None,
    });
    let (erasure, written) = with_pending(record, store.erase_user(u)).await;
    let erasure = erasure.unwrap();
    assert!(written);
    assert!(!erasure.counts.contains_key("idempotency_records"));
    assert!(
        store
            .idempotency_record(u, &scope("before"))
            .await
            .unwrap()
            .is_none()
    );
    let kept = store
        .idempotency_record(u, &erase_scope)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.response.body, "1");
}
