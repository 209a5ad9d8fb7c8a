//! A dependency cycle: refused when written; one in legacy data fails the plan naming the
//! tasks' titles, and saves nothing.

use lifeos::ErrorKind;
use lifeos::PlanDayOptions;
use lifeos::core::{NewTask, TaskPatch};

use super::*;

#[tokio::test]
async fn a_cycle_is_refused_on_write_and_a_legacy_one_names_the_titles_in_the_plan() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let (app, _, me) = sqlite_app(dir.path()).await;
    let a = app
        .add_task(me, NewTask::titled("Write report"))
        .await
        .unwrap();
    let b = NewTask {
        depends_on: vec![a.id],
        ..NewTask::titled("Send report")
    };
    let b = app.add_task(me, b).await.unwrap();
    app.add_task(me, NewTask::titled("Unrelated"))
        .await
        .unwrap();

    // Through the application: refused, on `depends_on`, naming both tasks.
    let patch = TaskPatch {
        depends_on: Some(vec![b.id]),
        ..TaskPatch::default()
    };
    let err = app
        .update_task(me, a.id, a.version, patch)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    assert_eq!(err.field(), Some("depends_on"));
    assert!(err.to_string().contains("\"Send report\""), "{err}");

    // Written behind the store's back (as an older version could have).
    let mut conn = sqlx::SqliteConnection::connect(&format!(
        "sqlite://{}",
        dir.path().join("lifeos.db").display()
    ))
    .await
    .unwrap();
    sqlx::query(
        "UPDATE tasks SET data = json_set(data, '$.depends_on', json_array(?)) WHERE id = ?",
    )
    .bind(b.id.to_string())
    .bind(*a.id.as_uuid())
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let before = kinds(&app, me).await;
    let err = app
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap_err();
    // Typed: callers branch on the variant, not on the message.
    assert!(err.is_dependency_cycle(), "{err}");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let lifeos::Error::DependencyCycle {
        field,
        tasks,
        message,
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(field, "tasks[0].dependsOn");
    assert_eq!(err.field(), Some("tasks[0].dependsOn"));
    assert_eq!(
        tasks,
        &vec![a.id, b.id],
        "the cycle's tasks, as the message names them"
    );
    assert_eq!(
        message,
        "dependency cycle among the tasks: \"Write report\" → \"Send report\" → \"Write report\""
    );
    assert_eq!(kinds(&app, me).await, before, "nothing saved");
}
