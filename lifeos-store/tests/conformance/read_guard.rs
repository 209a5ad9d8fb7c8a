//! Guarded writes: refused, with nothing written, when what they were computed from
//! changed; a plain task added meanwhile does not count.

use chrono::Duration;
use lifeos_core::calendar::{EventTime, Provider};
use lifeos_core::event::ScheduledBy;
use lifeos_core::{NewTask, Task, TaskPatch, UserId};
use lifeos_store::{
    CalendarEventInput, ErrorKind, ReadGuard, Store, TaskChange, TaskOp, TaskQuery,
};

use super::{Make, event_count, options, t0, user};

fn slot(t: &Task, h: i64) -> TaskChange {
    let op = TaskOp::Schedule {
        start: t0() + Duration::hours(h),
        end: t0() + Duration::hours(h + 1),
        by: ScheduledBy::Planner,
        rationale: None,
    };
    TaskChange::new(t.id, Some(t.version), op)
}

async fn guard<S: Store>(store: &S, u: UserId) -> ReadGuard {
    let (from, to) = (t0(), t0() + Duration::days(1));
    let tasks = store
        .list_all_tasks(u, &TaskQuery::actionable())
        .await
        .unwrap();
    let window = store.calendar_window(u, from, to).await.unwrap();
    ReadGuard::new()
        .actionable_tasks(&tasks)
        .calendar_window(from, to, &window)
}

fn meeting(h: i64) -> CalendarEventInput {
    let at = |h| EventTime::Utc(t0() + Duration::hours(h));
    CalendarEventInput::new(Provider::Manual, "Meeting", at(h), at(h + 1))
}

pub async fn guarded_writes_are_refused_when_what_they_read_changed<S: Store>(make: &impl Make<S>) {
    let store = make(options(41)).await;
    let u = user(1);
    let a = store.create_task(u, NewTask::titled("a")).await.unwrap();
    let b = store.create_task(u, NewTask::titled("b")).await.unwrap();
    store.upsert_calendar_event(u, meeting(3)).await.unwrap();

    let refused = |err: lifeos_store::Error, entity: &str| {
        assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
        assert!(
            matches!(&err, lifeos_store::Error::Changed { entity: e, .. } if *e == entity),
            "{err:?}"
        );
    };
    let save = |g: ReadGuard, t: Task| {
        let store = &store;
        async move {
            store
                .change_tasks_guarded(u, vec![slot(&t, 1)], None, &g)
                .await
        }
    };

    // Another task read changed (even one the write does not touch).
    let g = guard(&store, u).await;
    let patch = TaskPatch {
        description: Some(Some("edited".into())),
        ..TaskPatch::default()
    };
    store.update_task(u, b.id, b.version, patch).await.unwrap();
    let before = event_count(&store, u).await;
    refused(save(g, a.clone()).await.unwrap_err(), "task");
    assert_eq!(store.get_task(u, a.id).await.unwrap(), a, "nothing written");
    assert_eq!(event_count(&store, u).await, before);

    // A task placed meanwhile that the guard never read.
    let g = guard(&store, u).await;
    let c = store.create_task(u, NewTask::titled("c")).await.unwrap();
    let placed = store
        .change_tasks(u, vec![slot(&c, 1)])
        .await
        .unwrap()
        .remove(0);
    refused(save(g, a.clone()).await.unwrap_err(), "task");
    // A task finished meanwhile.
    let g = guard(&store, u).await;
    store.complete_task(u, placed.id).await.unwrap();
    refused(save(g, a.clone()).await.unwrap_err(), "task");

    // A calendar event added, or changed, in the window.
    let g = guard(&store, u).await;
    let added = store
        .upsert_calendar_event(u, meeting(5))
        .await
        .unwrap()
        .into_inner();
    refused(save(g, a.clone()).await.unwrap_err(), "calendar_event");
    let g = guard(&store, u).await;
    store.delete_calendar_event(u, added.id).await.unwrap();
    refused(save(g, a.clone()).await.unwrap_err(), "calendar_event");
    assert_eq!(store.get_task(u, a.id).await.unwrap(), a, "nothing written");

    // A plain task added meanwhile takes no time: the write stands. So do changes to
    // another user's rows, and events outside the window.
    let g = guard(&store, u).await;
    store.create_task(u, NewTask::titled("d")).await.unwrap();
    store
        .create_task(user(2), NewTask::titled("elsewhere"))
        .await
        .unwrap();
    store.upsert_calendar_event(u, meeting(60)).await.unwrap();
    let (saved, _) = save(g, a.clone()).await.unwrap();
    assert_eq!(saved[0].scheduled_start, Some(t0() + Duration::hours(1)));
}
