//! The task calls and how their errors map.

use lifeos::ErrorKind;
use lifeos::core::{NewTask, TaskPatch, TaskStatus};
use lifeos::store::TaskQuery;

use super::*;

#[tokio::test]
async fn transitions_follow_the_lifecycle() {
    let (app, _, me) = memory_app().await;
    let t = app
        .add_task(me, NewTask::titled("Write report"))
        .await
        .unwrap();
    assert_eq!(
        app.start_task(me, t.id).await.unwrap().status,
        TaskStatus::InProgress
    );
    let done = app.complete_task(me, t.id, Some(40)).await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    assert_eq!(done.actual_minutes, Some(40));

    // Completing twice is refused on `status` and changes nothing.
    let err = app.complete_task(me, t.id, None).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::Invalid, Some("status"))
    );
    assert_eq!(app.task(me, t.id).await.unwrap(), done);

    assert_eq!(
        app.reopen_task(me, t.id).await.unwrap().status,
        TaskStatus::Pending
    );
    assert_eq!(
        app.cancel_task(me, t.id).await.unwrap().status,
        TaskStatus::Cancelled
    );
    let deleted = app.delete_task(me, t.id).await.unwrap();
    assert!(deleted.deleted_at.is_some());
    assert!(
        app.restore_task(me, t.id)
            .await
            .unwrap()
            .deleted_at
            .is_none()
    );
    assert_eq!(
        kinds(&app, me).await[1..],
        [
            "task.created",
            "task.updated",
            "task.completed",
            "task.updated",
            "task.updated",
            "task.deleted",
            "task.restored"
        ]
    );
}

#[tokio::test]
async fn errors_map_to_stable_kinds() {
    let (app, _, me) = memory_app().await;
    let t = app
        .add_task(me, NewTask::titled("Write report"))
        .await
        .unwrap();

    let stale = app
        .update_task(me, t.id, t.version + 1, TaskPatch::default())
        .await
        .unwrap_err();
    assert!(stale.is_conflict());
    assert!(
        matches!(stale, lifeos::Error::Conflict { entity: "task", .. }),
        "{stale}"
    );

    let other = app.task(user(2), t.id).await.unwrap_err();
    assert_eq!(
        other.kind(),
        ErrorKind::NotFound,
        "another user's task is not found"
    );

    let bad = app
        .add_tasks(me, vec![NewTask::titled("ok"), NewTask::titled("  ")])
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::Invalid);
    assert!(
        bad.validation()
            .unwrap()
            .fields()
            .any(|f| f.ends_with("title")),
        "{bad}"
    );
    let page = app.tasks(me, &TaskQuery::new()).await.unwrap();
    assert_eq!(page.items.len(), 1, "the invalid batch wrote nothing");

    let limit = app.tasks(me, &TaskQuery::new().limit(0)).await.unwrap_err();
    assert_eq!(limit.kind(), ErrorKind::Invalid);
}

#[tokio::test]
async fn futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let (app, _, me) = memory_app().await;
    let now = monday_morning();
    assert_send(&app.plan_day(me, None, now, lifeos::PlanDayOptions::new()));
    assert_send(&app.import_ics(me, "", lifeos::IcsImportOptions::new()));
    assert_send(&app.add_task(me, NewTask::titled("x")));
}
