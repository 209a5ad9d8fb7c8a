//! A keyed caller's answer to a plan or an import (`PlanDayOptions::respond`,
//! `IcsImportOptions::respond`) is stored in the save's own transaction: the change and
//! its answer commit together, or neither does.

use lifeos::core::NewTask;
use lifeos::store::idempotency::{PendingRecord, StoredResponse, with_pending};
use lifeos::store::{IdempotencyRecord, IdempotencyScope, TaskQuery};
use lifeos::{ErrorKind, IcsImportOptions, PlanDayOptions};

use super::*;

fn scope(path: &str) -> IdempotencyScope {
    IdempotencyScope::new("POST", path, "k-1")
}

/// The caller's own renderer declines every write: only the workflow's answer is stored.
fn pending(path: &str) -> PendingRecord {
    PendingRecord::new(scope(path), "fp", |_| None)
}

/// A record of `path` stored before (another process answered the key first).
async fn taken(app: &lifeos::LifeOs, me: UserId, path: &str) {
    app.store()
        .put_idempotency_record(
            me,
            IdempotencyRecord {
                scope: scope(path),
                fingerprint: "fp".into(),
                response: StoredResponse::json(200, "theirs"),
                created_at: monday_morning(),
            },
        )
        .await
        .unwrap();
}

fn plan_answer() -> PlanDayOptions {
    PlanDayOptions::new().respond(|plan| {
        let body = format!("saved={} changes={}", plan.saved, plan.changes.len());
        Some(StoredResponse::json(200, body))
    })
}

async fn add_work(app: &lifeos::LifeOs, me: UserId) {
    let new = NewTask {
        estimated_minutes: Some(60),
        ..NewTask::titled("Write")
    };
    app.add_task(me, new).await.unwrap();
}

async fn scheduled(app: &lifeos::LifeOs, me: UserId) -> usize {
    app.store()
        .list_all_tasks(me, &TaskQuery::actionable())
        .await
        .unwrap()
        .iter()
        .filter(|t| t.scheduled_start.is_some())
        .count()
}

#[tokio::test]
async fn a_keyed_plan_stores_its_answer_with_the_saved_plan() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, me) = sqlite_app(dir.path()).await;
    add_work(&app, me).await;
    let path = "/api/v1/ai/plan-day";
    let (plan, written) = with_pending(
        pending(path),
        app.plan_day(me, None, monday_morning(), plan_answer()),
    )
    .await;
    let plan = plan.unwrap();
    assert!(written && plan.saved);
    let record = app
        .store()
        .idempotency_record(me, &scope(path))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.response.body, "saved=true changes=1");
    assert_eq!(scheduled(&app, me).await, 1);
}

#[tokio::test]
async fn a_keyed_plan_whose_key_is_taken_saves_nothing() {
    let (app, _, me) = memory_app().await;
    add_work(&app, me).await;
    let path = "/api/v1/ai/plan-day";
    taken(&app, me, path).await;
    let before = kinds(&app, me).await;
    let (plan, written) = with_pending(
        pending(path),
        app.plan_day(me, None, monday_morning(), plan_answer()),
    )
    .await;
    assert_eq!(plan.unwrap_err().kind(), ErrorKind::Duplicate);
    assert!(!written);
    assert_eq!(scheduled(&app, me).await, 0, "no slot without its answer");
    assert_eq!(kinds(&app, me).await, before, "no ai.plan_generated either");
}

#[tokio::test]
async fn a_keyed_dry_run_stores_no_answer() {
    let (app, _, me) = memory_app().await;
    add_work(&app, me).await;
    let path = "/api/v1/ai/plan-day";
    let (plan, written) = with_pending(
        pending(path),
        app.plan_day(me, None, monday_morning(), plan_answer().dry_run(true)),
    )
    .await;
    assert!(!plan.unwrap().saved);
    assert!(!written, "a dry run saves nothing to store an answer with");
}

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:a@x\r\nDTSTART:20260309T090000Z\r\nDTEND:20260309T100000Z\r\nSUMMARY:A\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b@x\r\nSUMMARY:no start\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

fn import_answer() -> IcsImportOptions {
    IcsImportOptions::new().respond(|r| {
        let body = format!("{}/{}/{}/{}", r.imported, r.updated, r.unchanged, r.skipped);
        Some(StoredResponse::json(200, body))
    })
}

#[tokio::test]
async fn a_keyed_import_stores_the_report_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, me) = sqlite_app(dir.path()).await;
    let path = "/api/v1/calendar/import";
    let (report, written) =
        with_pending(pending(path), app.import_ics(me, ICS, import_answer())).await;
    let report = report.unwrap();
    assert!(written);
    assert_eq!((report.imported, report.skipped), (1, 1));
    let record = app
        .store()
        .idempotency_record(me, &scope(path))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.response.body, "1/0/0/1");

    // The same file under another key changes nothing; its report is stored all the same.
    let other = IdempotencyScope::new("POST", path, "k-2");
    let (_, written) = with_pending(
        PendingRecord::new(other.clone(), "fp", |_| None),
        app.import_ics(me, ICS, import_answer()),
    )
    .await;
    assert!(written);
    let record = app
        .store()
        .idempotency_record(me, &other)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.response.body, "0/0/1/1");
}

#[tokio::test]
async fn a_keyed_import_whose_key_is_taken_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, me) = sqlite_app(dir.path()).await;
    let path = "/api/v1/calendar/import";
    taken(&app, me, path).await;
    let before = kinds(&app, me).await;
    let (report, written) =
        with_pending(pending(path), app.import_ics(me, ICS, import_answer())).await;
    assert_eq!(report.unwrap_err().kind(), ErrorKind::Duplicate);
    assert!(!written);
    assert!(
        app.store()
            .list_calendar_events(me, true)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(kinds(&app, me).await, before, "no calendar.synced either");
}
