//! `LifeOs::change_task_at`: the optional version guard and refused lifecycle steps.

use lifeos::core::{NewTask, TaskPatch, TaskStatus};
use lifeos::store::TaskOp;
use lifeos::{Error, ErrorKind};

use super::*;

#[tokio::test]
async fn a_stale_version_conflicts_and_changes_nothing() {
    let (app, _, me) = memory_app().await;
    let t = app.add_task(me, NewTask::titled("Plan")).await.unwrap();
    let patch = |title: &str| {
        TaskOp::Update(TaskPatch {
            title: Some(title.into()),
            ..TaskPatch::default()
        })
    };
    let v2 = app
        .change_task_at(me, t.id, Some(1), patch("Plan B"))
        .await
        .unwrap();
    assert_eq!((v2.version, v2.title.as_str()), (2, "Plan B"));
    let err = app
        .change_task_at(me, t.id, Some(1), patch("Plan C"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(app.task(me, t.id).await.unwrap(), v2);
    // Without a version it applies to the current one.
    let v3 = app
        .change_task_at(me, t.id, None, patch("Plan D"))
        .await
        .unwrap();
    assert_eq!(v3.version, 3);
}

#[tokio::test]
async fn a_refused_step_is_an_invalid_transition_from_the_stored_status() {
    let (app, _, me) = memory_app().await;
    let t = app.add_task(me, NewTask::titled("Ship")).await.unwrap();
    let complete = || TaskOp::Complete {
        actual_minutes: None,
        via_ai: false,
    };
    app.change_task_at(me, t.id, None, complete())
        .await
        .unwrap();
    let err = app
        .change_task_at(me, t.id, None, complete())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidTransition {
            from: TaskStatus::Completed,
            to: TaskStatus::Completed
        }
    ));
    let to_progress = TaskOp::Update(TaskPatch {
        status: Some(TaskStatus::InProgress),
        ..TaskPatch::default()
    });
    let err = app
        .change_task_at(me, t.id, None, to_progress)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidTransition);
    // Other problems stay validation errors.
    let bad = TaskOp::Update(TaskPatch {
        title: Some(" ".into()),
        ..TaskPatch::default()
    });
    let err = app.change_task_at(me, t.id, None, bad).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::Invalid, Some("title"))
    );
}

#[tokio::test]
async fn an_empty_patch_keeps_the_version_and_adds_no_event() {
    let (app, _, me) = memory_app().await;
    let t = app.add_task(me, NewTask::titled("Same")).await.unwrap();
    let before = kinds(&app, me).await;
    let empty = || TaskOp::Update(TaskPatch::default());
    assert_eq!(
        app.change_task_at(me, t.id, None, empty()).await.unwrap(),
        t
    );
    assert_eq!(
        app.change_task_at(me, t.id, Some(1), empty())
            .await
            .unwrap(),
        t
    );
    let stale = app
        .change_task_at(me, t.id, Some(2), empty())
        .await
        .unwrap_err();
    assert_eq!(stale.kind(), ErrorKind::Conflict);
    assert_eq!(kinds(&app, me).await, before);
    app.delete_task(me, t.id).await.unwrap();
    let gone = app
        .change_task_at(me, t.id, None, empty())
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
}
