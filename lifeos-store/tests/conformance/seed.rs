//! Seeding a new user: one transaction, all or nothing, once.

use chrono::Duration;
use lifeos_core::calendar::{EventTime, Provider};
use lifeos_core::{NewProfile, NewTask, PreferencesPatch, TaskStatus};
use lifeos_store::{CalendarEventInput, ErrorKind, SeedTask, Store, TaskQuery, UserSeed};

use super::{Make, event_count, kinds, options, t0, user};

fn profile() -> NewProfile {
    NewProfile {
        email: "seed@example.com".into(),
        name: None,
        avatar_url: None,
        preferences: PreferencesPatch::default(),
    }
}

fn seed(bad_title_at: Option<usize>) -> UserSeed {
    let at = |h| EventTime::Utc(t0() + Duration::hours(h));
    let mut seed = UserSeed::new(profile())
        .event(CalendarEventInput::new(
            Provider::Manual,
            "Standup",
            at(1),
            at(2),
        ))
        .event(CalendarEventInput::new(
            Provider::Manual,
            "Lunch",
            at(4),
            at(5),
        ));
    let titles = ["Write", "Send", "Done already"];
    let title = |i: usize| {
        if bad_title_at == Some(i) {
            ""
        } else {
            titles[i]
        }
    };
    let write = seed.task(SeedTask::new(NewTask::titled(title(0))));
    seed.task(SeedTask::new(NewTask::titled(title(1))).after([write]));
    seed.task(SeedTask::new(NewTask::titled(title(2))).completed(Some(25)));
    seed
}

pub async fn seeding_is_one_transaction_all_or_nothing_and_once<S: Store>(make: &impl Make<S>) {
    let store = make(options(42)).await;
    let u = user(1);

    // A seed that fails on its last part writes nothing at all: no half-seeded user.
    let err = store.seed_user(u, seed(Some(2))).await.unwrap_err();
    assert_eq!(err.field(), Some("tasks[2].title"), "{err}");
    assert!(store.get_profile(u).await.unwrap_err().is_not_found());
    assert_eq!(event_count(&store, u).await, 0);
    let err = store
        .seed_user(u, {
            let mut s = seed(None);
            s.task(SeedTask::new(NewTask::titled("x")).after([7]));
            s
        })
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("tasks[3].after[0]"), "{err}");
    assert_eq!(event_count(&store, u).await, 0);

    store.seed_user(u, seed(None)).await.unwrap();
    let tasks = store.list_all_tasks(u, &TaskQuery::new()).await.unwrap();
    let titled = |title: &str| tasks.iter().find(|t| t.title == title).unwrap();
    assert_eq!(tasks.len(), 3);
    assert_eq!(titled("Send").depends_on, [titled("Write").id]);
    assert_eq!(titled("Done already").status, TaskStatus::Completed);
    assert_eq!(titled("Done already").actual_minutes, Some(25));
    let events = store.list_calendar_events(u, false).await.unwrap();
    assert_eq!(events.len(), 2);
    let log = kinds(&store, u).await;
    assert_eq!(
        log,
        [
            "profile.updated",
            "calendar_event.created",
            "calendar_event.created",
            "task.created",
            "task.created",
            "task.created",
            "task.completed"
        ]
    );

    // Seeded once: a second seed is a duplicate and changes nothing.
    let err = store.seed_user(u, seed(None)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert_eq!(kinds(&store, u).await, log);
    assert_eq!(
        store.list_all_tasks(u, &TaskQuery::new()).await.unwrap(),
        tasks
    );
}
