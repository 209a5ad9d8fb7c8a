//! The backend conformance suite: generic test bodies, instantiated for each backend by
//! `conformance_suite!(make)` where `make: Fn(StoreOptions) -> impl Future<Output = S>`.
//! A PostgreSQL backend adds one test binary calling the same macro.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use lifeos_core::calendar::{EventTime, Provider};
use lifeos_core::event::ScheduledBy;
use lifeos_core::{
    EventPayload, NewProfile, NewProject, NewTask, ProfilePatch, ProjectPatch, SubscriptionStatus,
    Task, TaskId, TaskPatch, TaskStatus, Tier, UserId,
};
use lifeos_store::{
    CalendarEventInput, EncryptionKey, ErrorKind, EventQuery, Keyring, ManualClock, OAuthSecret,
    Store, StoreOptions, SubscriptionInput, TaskChange, TaskOp, TaskQuery, TimeRange, Upserted,
};
use proptest::prelude::*;
use rand_core::SeedableRng;
use uuid::Uuid;

/// Generates one `#[tokio::test]` per conformance test for the backend `make` builds;
/// `conformance_suite!(trials make)` instead returns them as [`Trials`] for a binary with
/// its own harness (the service tests).
macro_rules! conformance_suite {
    ($make:expr) => {
        conformance_suite!(@list tests $make);

        proptest::proptest! {
            #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..proptest::prelude::ProptestConfig::default() })]
            #[test]
            fn tenant_isolation(ops in crate::conformance::ops()) {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(crate::conformance::tenant_isolation(&$make, ops));
            }
        }
    };
    (trials $make:expr) => {
        conformance_suite!(@list trials $make)
    };
    (@list $mode:ident $make:expr) => {
        conformance_suite! { @ $mode $make;
            task_lifecycle_appends_events,
            stale_version_is_a_conflict,
            no_lost_update_with_concurrent_writers,
            failed_mutation_leaves_neither_row_nor_event,
            list_filters,
            paging_guarantee_under_concurrent_inserts,
            search_folds_case_and_escapes_wildcards,
            event_log_reads_and_cursors,
            subscribe_streams_own_events_in_order,
            profiles_and_preferences,
            projects,
            subscriptions,
            oauth_tokens_are_sealed_and_rotate,
            calendar_upsert_and_window,
            occurrences_expand_series_with_overrides,
            erasure_leaves_only_a_tombstone,
            recorded_events_and_slow_subscribers,
            changes_and_record_commit_together,
            usable_as_a_trait_object,
            dependency_cycles_are_refused_at_write_time,
            guarded_writes_are_refused_when_what_they_read_changed,
            seeding_is_one_transaction_all_or_nothing_and_once,
            a_batch_of_events_is_one_transaction,
            idempotency_record_commits_with_its_change_once,
            idempotency_record_is_not_written_by_a_failed_change,
            idempotency_record_of_a_no_op_is_stored,
            idempotency_record_of_a_batch_is_rendered_in_its_transaction,
            idempotency_records_expire_after_a_day_and_are_purged,
            erasure_keeps_only_its_own_idempotency_record,
            calendar_events_are_versioned_and_patched_at_a_version,
            planned_blocks_are_stored_with_their_event
        }
    };
    (@tests $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                crate::conformance::$name(&$make).await;
            }
        )*
    };
    (@trials $make:expr; $($name:ident),*) => {{
        let trials: crate::conformance::Trials = vec![
            $(
                (
                    stringify!($name),
                    Box::new(|| crate::conformance::block_on(crate::conformance::$name(&$make))),
                ),
            )*
            (
                "tenant_isolation",
                Box::new(|| crate::conformance::tenant_isolation_cases(&$make)),
            ),
        ];
        trials
    }};
}

mod calendar_patch;
mod dependencies;
mod idempotency;
mod planned_blocks;
mod read_guard;
mod seed;
mod upsert_batch;
#[allow(unused_imports)] // not every binary including this module runs the suite
pub use calendar_patch::*;
#[allow(unused_imports)]
pub use dependencies::*;
#[allow(unused_imports)]
pub use idempotency::*;
#[allow(unused_imports)]
pub use planned_blocks::*;
#[allow(unused_imports)]
pub use read_guard::*;
#[allow(unused_imports)]
pub use seed::*;
#[allow(unused_imports)]
pub use upsert_batch::*;

/// Named test bodies for a binary with its own harness (`harness = false`).
pub type Trials = Vec<(&'static str, Box<dyn FnOnce() + Send>)>;

/// Runs `f` to completion on a fresh two-worker runtime (what `#[tokio::test]` does).
pub fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The `tenant_isolation` property, 24 cases, as the `proptest!` block runs it.
pub fn tenant_isolation_cases<S: Store>(make: &impl Make<S>) {
    let config = ProptestConfig {
        cases: 24,
        ..ProptestConfig::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let outcome = runner.run(&ops(), |ops| {
        rt.block_on(tenant_isolation(make, ops));
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("tenant_isolation: {e}");
    }
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 8, 9, 0, 0).unwrap()
}

pub fn key(byte: u8) -> EncryptionKey {
    EncryptionKey::from_bytes([byte; 32])
}

/// Deterministic options: a clock at `t0` stepping 1 ms per read, a seeded RNG, key 1.
pub fn options(seed: u64) -> StoreOptions {
    options_with(seed, Keyring::new(1, key(1)))
}

pub fn options_with(seed: u64, keyring: Keyring) -> StoreOptions {
    StoreOptions::new()
        .clock(Arc::new(ManualClock::new(t0())))
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(seed))
        .keyring(keyring)
}

pub fn user(n: u128) -> UserId {
    UserId::from_uuid(Uuid::from_u128(n))
}

pub trait Make<S>: Fn(StoreOptions) -> Self::Fut + Sync {
    type Fut: Future<Output = S> + Send;
}
impl<S, F, Fut> Make<S> for F
where
    F: Fn(StoreOptions) -> Fut + Sync,
    Fut: Future<Output = S> + Send,
{
    type Fut = Fut;
}

async fn kinds<S: Store>(store: &S, u: UserId) -> Vec<String> {
    store
        .read_all_events(u, &EventQuery::new())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.kind().to_owned())
        .collect()
}

async fn event_count<S: Store>(store: &S, u: UserId) -> usize {
    store
        .read_all_events(u, &EventQuery::new())
        .await
        .unwrap()
        .len()
}

pub async fn task_lifecycle_appends_events<S: Store>(make: &impl Make<S>) {
    let store = make(options(1)).await;
    let u = user(1);
    let new = NewTask {
        priority: 2,
        labels: vec![" deep ".into(), "deep".into()],
        ..NewTask::titled("  Write report ")
    };
    let t = store.create_task(u, new).await.unwrap();
    assert_eq!(
        (t.title.as_str(), t.version, t.labels.clone()),
        ("Write report", 1, vec!["deep".to_owned()])
    );
    assert_eq!(store.get_task(u, t.id).await.unwrap(), t);

    let patch = TaskPatch {
        title: Some("Write Q3 report".into()),
        ..TaskPatch::default()
    };
    let t2 = store.update_task(u, t.id, 1, patch).await.unwrap();
    assert_eq!((t2.version, t2.title.as_str()), (2, "Write Q3 report"));
    let t3 = store.complete_task(u, t.id).await.unwrap();
    assert_eq!(t3.status, TaskStatus::Completed);
    assert!(t3.completed_at.is_some());
    let err = store.complete_task(u, t.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(err.field(), Some("status"));
    let t4 = store.delete_task(u, t.id).await.unwrap();
    assert!(t4.is_deleted());
    assert_eq!(
        store.delete_task(u, t.id).await.unwrap(),
        t4,
        "deleting twice is a no-op"
    );
    assert!(
        store
            .list_tasks(u, &TaskQuery::new())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let err = store
        .update_task(u, t.id, t4.version, TaskPatch::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    let t5 = store.restore_task(u, t.id).await.unwrap();
    assert!(!t5.is_deleted());
    assert_eq!(t5.version, 5);
    assert_eq!(store.get_task(u, t.id).await.unwrap(), t5);

    let start = t0() + Duration::hours(2);
    let pending = store.create_task(u, NewTask::titled("Plan")).await.unwrap();
    let saved = store
        .save_schedule(
            u,
            vec![(pending.id, start, start + Duration::minutes(30))],
            ScheduledBy::Planner,
        )
        .await
        .unwrap();
    assert_eq!(saved[0].scheduled_start, Some(start));

    assert_eq!(
        kinds(&store, u).await,
        [
            "task.created",
            "task.updated",
            "task.completed",
            "task.deleted",
            "task.restored",
            "task.created",
            "task.scheduled"
        ]
    );
    let events = store.read_all_events(u, &EventQuery::new()).await.unwrap();
    assert!(
        events.windows(2).all(|w| w[0].seq < w[1].seq),
        "seq increases"
    );
    match &events[6].event.payload {
        EventPayload::TaskScheduled(s) => assert_eq!(
            (s.task_id, s.scheduled_by),
            (pending.id, ScheduledBy::Planner)
        ),
        other => panic!("unexpected {other:?}"),
    }
    // Invalid input names every field and writes nothing.
    let err = store
        .create_task(
            u,
            NewTask {
                priority: 9,
                ..NewTask::titled("")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.validation().unwrap().fields().collect::<Vec<_>>(),
        ["title", "priority"]
    );
    assert_eq!(event_count(&store, u).await, 7);
}

pub async fn stale_version_is_a_conflict<S: Store>(make: &impl Make<S>) {
    let store = make(options(2)).await;
    let u = user(1);
    let t = store.create_task(u, NewTask::titled("a")).await.unwrap();
    let p = TaskPatch {
        priority: Some(3),
        ..TaskPatch::default()
    };
    store.update_task(u, t.id, 1, p.clone()).await.unwrap();
    let err = store.update_task(u, t.id, 1, p).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(matches!(
        err,
        lifeos_store::Error::Conflict {
            expected: 1,
            actual: 2,
            ..
        }
    ));
    assert_eq!(store.get_task(u, t.id).await.unwrap().version, 2);
    assert_eq!(event_count(&store, u).await, 2);
}

pub async fn no_lost_update_with_concurrent_writers<S: Store + 'static>(make: &impl Make<S>) {
    let store = Arc::new(make(options(3)).await);
    let u = user(1);
    let t = store
        .create_task(u, NewTask::titled("counter"))
        .await
        .unwrap();
    let mut stream = store.subscribe(u);
    const WRITERS: usize = 6;
    const EACH: usize = 8;
    let mut handles = Vec::new();
    for w in 0..WRITERS {
        let store = Arc::clone(&store);
        handles.push(tokio::spawn(async move {
            let mut conflicts = 0;
            for i in 0..EACH {
                loop {
                    let cur = store.get_task(u, t.id).await.unwrap();
                    let mut log = cur.description.clone().unwrap_or_default();
                    log.push_str(&format!("w{w}-{i};"));
                    let patch = TaskPatch {
                        description: Some(Some(log)),
                        ..TaskPatch::default()
                    };
                    match store.update_task(u, t.id, cur.version, patch).await {
                        Ok(_) => break,
                        Err(e) if e.is_conflict() => conflicts += 1,
                        Err(e) => panic!("{e}"),
                    }
                    tokio::task::yield_now().await;
                }
            }
            conflicts
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let end = store.get_task(u, t.id).await.unwrap();
    // Every writer's every append survived: no update was lost.
    let mut entries: Vec<&str> = end
        .description
        .as_deref()
        .unwrap()
        .split_terminator(';')
        .collect();
    entries.sort_unstable();
    let mut want: Vec<String> = (0..WRITERS)
        .flat_map(|w| (0..EACH).map(move |i| format!("w{w}-{i}")))
        .collect();
    want.sort_unstable();
    assert_eq!(entries, want);
    assert_eq!(end.version, 1 + (WRITERS * EACH) as u64);
    let updates = store
        .read_all_events(u, &EventQuery::new().kind("task.updated"))
        .await
        .unwrap();
    assert_eq!(updates.len(), WRITERS * EACH);
    let versions: BTreeSet<u64> = updates
        .iter()
        .map(|e| match &e.event.payload {
            EventPayload::TaskUpdated(p) => p.version,
            _ => 0,
        })
        .collect();
    assert_eq!(versions, (2..=1 + (WRITERS * EACH) as u64).collect());
    // Concurrent writers still publish in seq order.
    let mut seqs = Vec::new();
    while let Some(e) = stream.try_recv() {
        seqs.push(e.unwrap().seq);
    }
    assert_eq!(seqs.len(), WRITERS * EACH);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
}

pub async fn failed_mutation_leaves_neither_row_nor_event<S: Store>(make: &impl Make<S>) {
    let store = make(options(4)).await;
    let (u, v) = (user(1), user(2));
    let a = store.create_task(u, NewTask::titled("a")).await.unwrap();
    let b = store.create_task(u, NewTask::titled("b")).await.unwrap();
    store.complete_task(u, b.id).await.unwrap();
    let before_events = event_count(&store, u).await;
    let start = t0() + Duration::hours(1);
    // The first change succeeds inside the transaction, the second is stale: all undone.
    let err = store
        .change_tasks(
            u,
            vec![
                TaskChange::new(
                    a.id,
                    Some(1),
                    TaskOp::Schedule {
                        start,
                        end: start + Duration::minutes(5),
                        by: ScheduledBy::Planner,
                        rationale: None,
                    },
                ),
                TaskChange::new(a.id, Some(1), TaskOp::Delete),
            ],
        )
        .await
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(store.get_task(u, a.id).await.unwrap(), a);
    // Midway failure on a second task (invalid transition).
    let err = store
        .change_tasks(
            u,
            vec![
                TaskChange::new(
                    a.id,
                    None,
                    TaskOp::Complete {
                        actual_minutes: Some(5),
                        via_ai: false,
                    },
                ),
                TaskChange::new(
                    b.id,
                    None,
                    TaskOp::Complete {
                        actual_minutes: None,
                        via_ai: false,
                    },
                ),
            ],
        )
        .await
        .unwrap_err();
    assert!(err.is_invalid());
    assert_eq!(store.get_task(u, a.id).await.unwrap(), a);
    // A batch create whose second task is invalid creates nothing.
    let err = store
        .create_tasks(u, vec![NewTask::titled("ok"), NewTask::titled(" ")])
        .await
        .unwrap_err();
    assert!(err.is_invalid());
    // Another user's project is refused: no row, no event.
    let p = store
        .create_project(
            v,
            NewProject {
                name: "theirs".into(),
                ..NewProject::default()
            },
        )
        .await
        .unwrap();
    let err = store
        .create_task(
            u,
            NewTask {
                project_id: Some(p.id),
                ..NewTask::titled("sneaky")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("project_id"));
    let err = store
        .update_task(
            u,
            a.id,
            1,
            TaskPatch {
                project_id: Some(Some(p.id)),
                ..TaskPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("project_id"));
    assert_eq!(store.get_task(u, a.id).await.unwrap(), a);
    let all = store
        .list_all_tasks(u, &TaskQuery::new().include_deleted(true))
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(event_count(&store, u).await, before_events);
}

pub async fn list_filters<S: Store>(make: &impl Make<S>) {
    let store = make(options(5)).await;
    let u = user(1);
    let other = user(2);
    let proj = store
        .create_project(
            u,
            NewProject {
                name: "P".into(),
                ..NewProject::default()
            },
        )
        .await
        .unwrap();
    let day = |h: i64| t0() + Duration::hours(h);
    let mut made = Vec::new();
    for i in 0..12i64 {
        let new = NewTask {
            labels: if i % 3 == 0 {
                vec!["home".into()]
            } else {
                vec!["work".into(), format!("l{i}")]
            },
            project_id: (i % 4 == 0).then_some(proj.id),
            due_date: (i % 2 == 0).then(|| day(24 * i)),
            ..NewTask::titled(format!("task {i}"))
        };
        made.push(store.create_task(u, new).await.unwrap());
        store
            .create_task(other, NewTask::titled(format!("other {i}")))
            .await
            .unwrap();
    }
    store.complete_task(u, made[1].id).await.unwrap();
    store
        .change_task(
            u,
            TaskChange::new(
                made[2].id,
                None,
                TaskOp::Update(TaskPatch {
                    status: Some(TaskStatus::InProgress),
                    ..TaskPatch::default()
                }),
            ),
        )
        .await
        .unwrap();
    store.delete_task(u, made[3].id).await.unwrap();
    store
        .save_schedule(
            u,
            vec![(made[4].id, day(3), day(4)), (made[5].id, day(30), day(31))],
            ScheduledBy::User,
        )
        .await
        .unwrap();

    let ids = |tasks: Vec<Task>| tasks.into_iter().map(|t| t.id).collect::<Vec<TaskId>>();
    let pick = |idx: &[usize]| idx.iter().map(|&i| made[i].id).collect::<Vec<TaskId>>();
    let all = |q: TaskQuery| {
        let store = &store;
        async move { store.list_all_tasks(u, &q.limit(5)).await.unwrap() }
    };
    assert_eq!(
        ids(all(TaskQuery::new()).await),
        pick(&[0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11])
    );
    assert_eq!(
        ids(all(TaskQuery::new().include_deleted(true)).await).len(),
        12
    );
    assert_eq!(
        ids(all(TaskQuery::actionable()).await),
        pick(&[0, 2, 4, 5, 6, 7, 8, 9, 10, 11])
    );
    assert_eq!(
        ids(all(TaskQuery::new().statuses([TaskStatus::Completed])).await),
        pick(&[1])
    );
    assert_eq!(
        ids(all(TaskQuery::new().label("home")).await),
        pick(&[0, 6, 9])
    );
    assert_eq!(ids(all(TaskQuery::new().label(" l7 ")).await), pick(&[7]));
    assert_eq!(
        ids(all(TaskQuery::new().project(proj.id)).await),
        pick(&[0, 4, 8])
    );
    assert_eq!(
        ids(all(TaskQuery::new().due(TimeRange::new(day(48), day(24 * 8)))).await),
        pick(&[2, 4, 6])
    );
    assert_eq!(
        ids(all(TaskQuery::new().due(TimeRange {
            from: None,
            to: Some(day(1))
        }))
        .await),
        pick(&[0])
    );
    assert_eq!(
        ids(all(TaskQuery::new().scheduled(TimeRange::new(day(0), day(24)))).await),
        pick(&[4])
    );
    assert_eq!(
        ids(all(TaskQuery::actionable().label("work").project(proj.id)).await),
        pick(&[4, 8])
    );
    for q in [TaskQuery::new().limit(0), TaskQuery::new().limit(1001)] {
        assert_eq!(
            store.list_tasks(u, &q).await.unwrap_err().field(),
            Some("limit")
        );
    }
    // The cursor survives a text round trip.
    let page = store
        .list_tasks(u, &TaskQuery::new().limit(4))
        .await
        .unwrap();
    let cursor: lifeos_store::Cursor = page.next.unwrap().to_string().parse().unwrap();
    let next = store
        .list_tasks(u, &TaskQuery::new().limit(4).after(Some(cursor)))
        .await
        .unwrap();
    assert_eq!(ids(next.items), pick(&[5, 6, 7, 8]));
    assert!("garbage".parse::<lifeos_store::Cursor>().is_err());
}

pub async fn paging_guarantee_under_concurrent_inserts<S: Store + 'static>(make: &impl Make<S>) {
    let store = Arc::new(make(options(6)).await);
    let u = user(1);
    let news: Vec<NewTask> = (0..150).map(|i| NewTask::titled(format!("t{i}"))).collect();
    let existing: BTreeSet<TaskId> = store
        .create_tasks(u, news)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    let writer = {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            let mut inserted = BTreeSet::new();
            for i in 0..60 {
                let t = store
                    .create_task(u, NewTask::titled(format!("new{i}")))
                    .await
                    .unwrap();
                inserted.insert(t.id);
                tokio::task::yield_now().await;
            }
            inserted
        })
    };
    let mut seen = Vec::new();
    let mut query = TaskQuery::new().limit(7);
    loop {
        let page = store.list_tasks(u, &query).await.unwrap();
        seen.extend(page.items.iter().map(|t| t.id));
        tokio::task::yield_now().await;
        match page.next {
            Some(c) => query.after = Some(c),
            None => break,
        }
    }
    let inserted = writer.await.unwrap();
    let unique: BTreeSet<TaskId> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no row twice");
    assert!(
        existing.is_subset(&unique),
        "every existing row exactly once"
    );
    assert!(
        unique
            .iter()
            .all(|id| existing.contains(id) || inserted.contains(id))
    );
}

pub async fn search_folds_case_and_escapes_wildcards<S: Store>(make: &impl Make<S>) {
    let store = make(options(7)).await;
    let u = user(1);
    let titles = [
        "Call Mom",
        "CALL the bank",
        "recall notes",
        "Straße fegen",
        "STRASSE",
        "İstanbul trip",
        "ΣΊΣΥΦΟΣ",
        "100% done",
        "100 percent",
        "snake_case name",
        "snakeXcase",
        r"back\slash",
        "Ǆemal",
        "deleted call",
    ];
    let mut tasks = Vec::new();
    for t in titles {
        tasks.push(store.create_task(u, NewTask::titled(t)).await.unwrap());
    }
    store
        .create_task(user(2), NewTask::titled("call from other user"))
        .await
        .unwrap();
    store.delete_task(u, tasks[13].id).await.unwrap();
    for q in [
        "call",
        "CALL",
        "straße",
        "strasse",
        "i̇stanbul",
        "İSTANBUL",
        "σίσυφος",
        "%",
        "100%",
        "_",
        "e_c",
        r"\",
        r"k\s",
        "ǆ",
        "Ǆ",
        "",
        "zzz",
    ] {
        let expected: Vec<TaskId> = tasks[..13]
            .iter()
            .filter(|t| t.title.to_lowercase().contains(&q.to_lowercase()))
            .map(|t| t.id)
            .collect();
        let mut got = Vec::new();
        let mut after = None;
        loop {
            let page = store.search_tasks(u, q, after, 2).await.unwrap();
            got.extend(page.items.iter().map(|t| t.id));
            match page.next {
                Some(c) => after = Some(c),
                None => break,
            }
        }
        assert_eq!(got, expected, "query {q:?}");
    }
}

pub async fn event_log_reads_and_cursors<S: Store>(make: &impl Make<S>) {
    let store = make(options(8)).await;
    let (u, v) = (user(1), user(2));
    let a = store.create_task(u, NewTask::titled("a")).await.unwrap();
    let b = store.create_task(u, NewTask::titled("b")).await.unwrap();
    store.create_task(v, NewTask::titled("v")).await.unwrap();
    store.complete_task(u, a.id).await.unwrap();
    store
        .update_task(
            u,
            b.id,
            1,
            TaskPatch {
                priority: Some(1),
                ..TaskPatch::default()
            },
        )
        .await
        .unwrap();
    let all = store.read_all_events(u, &EventQuery::new()).await.unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.iter().all(|e| e.event.user_id == u));
    let created = store
        .read_all_events(u, &EventQuery::new().kind("task.created"))
        .await
        .unwrap();
    assert_eq!(created.len(), 2);
    let two = store
        .read_all_events(
            u,
            &EventQuery::new()
                .kind("task.created")
                .kind("task.completed"),
        )
        .await
        .unwrap();
    assert_eq!(two.len(), 3);
    let hist = store.entity_history(u, *a.id.as_uuid()).await.unwrap();
    assert_eq!(
        hist.iter().map(|e| e.event.kind()).collect::<Vec<_>>(),
        ["task.created", "task.completed"]
    );
    assert!(
        store
            .entity_history(v, *a.id.as_uuid())
            .await
            .unwrap()
            .is_empty()
    );
    let range = TimeRange::new(all[1].event.occurred_at, all[3].event.occurred_at);
    let mid = store
        .read_all_events(u, &EventQuery::new().occurred(range))
        .await
        .unwrap();
    assert_eq!(
        mid.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [all[1].seq, all[2].seq]
    );
    let p1 = store
        .read_events(u, &EventQuery::new().limit(3))
        .await
        .unwrap();
    assert_eq!(p1.events.len(), 3);
    let p2 = store
        .read_events(u, &EventQuery::new().limit(3).after_seq(p1.next))
        .await
        .unwrap();
    assert_eq!(p2.events.len(), 1);
    assert_eq!(p2.next, None);
    assert_eq!(p2.events[0], all[3]);
    // The stored envelope is exactly the domain event.
    let json = serde_json::to_value(&all[0]).unwrap();
    assert_eq!(json["type"], "task.created");
    assert_eq!(json["seq"], all[0].seq);
    assert_eq!(json["data"]["task_id"], a.id.to_string());
}

pub async fn subscribe_streams_own_events_in_order<S: Store>(make: &impl Make<S>) {
    let store = make(options(9)).await;
    let (u, v) = (user(1), user(2));
    let mut su = store.subscribe(u);
    let mut sv = store.subscribe(v);
    let a = store.create_task(u, NewTask::titled("a")).await.unwrap();
    store.create_task(v, NewTask::titled("v")).await.unwrap();
    store.complete_task(u, a.id).await.unwrap();
    let _ = store.create_task(u, NewTask::titled("")).await.unwrap_err();
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), su.recv())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let second = su.try_recv().unwrap().unwrap();
    assert_eq!(
        (first.event.kind(), second.event.kind()),
        ("task.created", "task.completed")
    );
    assert!(first.seq < second.seq);
    assert!(su.try_recv().is_none());
    let only = sv.try_recv().unwrap().unwrap();
    assert_eq!(only.event.user_id, v);
    assert!(sv.try_recv().is_none());
    let log = store.read_all_events(u, &EventQuery::new()).await.unwrap();
    assert_eq!(log, vec![first, second]);
}

pub async fn profiles_and_preferences<S: Store>(make: &impl Make<S>) {
    let store = make(options(10)).await;
    let u = user(1);
    assert!(store.get_profile(u).await.unwrap_err().is_not_found());
    let new = NewProfile {
        email: "ada@example.com".into(),
        ..NewProfile::default()
    };
    let p = store.create_profile(u, new.clone()).await.unwrap();
    assert_eq!(p.version, 1);
    assert!(
        store
            .create_profile(u, new)
            .await
            .unwrap_err()
            .is_conflict()
    );
    let patch = ProfilePatch {
        preferences: Some(lifeos_core::PreferencesPatch {
            timezone: Some("Europe/Berlin".into()),
            ..Default::default()
        }),
        ..ProfilePatch::default()
    };
    let p2 = store
        .update_profile(u, Some(1), patch.clone())
        .await
        .unwrap();
    assert_eq!(p2.preferences.timezone, chrono_tz::Europe::Berlin);
    assert!(
        store
            .update_profile(u, Some(1), patch)
            .await
            .unwrap_err()
            .is_conflict()
    );
    let bad = ProfilePatch {
        preferences: Some(lifeos_core::PreferencesPatch {
            timezone: Some("Mars/Base".into()),
            workday_end: Some("25:00".into()),
            ..Default::default()
        }),
        ..ProfilePatch::default()
    };
    let err = store.update_profile(u, None, bad).await.unwrap_err();
    assert_eq!(err.validation().unwrap().len(), 2);
    assert_eq!(store.get_profile(u).await.unwrap(), p2);
    assert!(store.get_profile(user(2)).await.unwrap_err().is_not_found());
    assert_eq!(
        kinds(&store, u).await,
        ["profile.updated", "profile.updated"]
    );
}

pub async fn projects<S: Store>(make: &impl Make<S>) {
    let store = make(options(11)).await;
    let (u, v) = (user(1), user(2));
    let p = store
        .create_project(
            u,
            NewProject {
                name: " Home ".into(),
                color: Some("#AABBCC".into()),
                ..NewProject::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (p.name.as_str(), p.color.as_deref()),
        ("Home", Some("#aabbcc"))
    );
    assert!(store.get_project(v, p.id).await.unwrap_err().is_not_found());
    assert!(
        store
            .update_project(v, p.id, None, ProjectPatch::default())
            .await
            .unwrap_err()
            .is_not_found()
    );
    let p2 = store
        .update_project(
            u,
            p.id,
            Some(1),
            ProjectPatch {
                archived: Some(true),
                ..ProjectPatch::default()
            },
        )
        .await
        .unwrap();
    assert!(p2.archived_at.is_some());
    assert!(
        store
            .update_project(u, p.id, Some(1), ProjectPatch::default())
            .await
            .unwrap_err()
            .is_conflict()
    );
    let t = store
        .create_task(
            u,
            NewTask {
                project_id: Some(p.id),
                ..NewTask::titled("in P")
            },
        )
        .await
        .unwrap();
    store.delete_project(u, p.id).await.unwrap();
    assert!(
        store
            .delete_project(u, p.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(store.list_projects(u, false).await.unwrap().is_empty());
    assert_eq!(store.list_projects(u, true).await.unwrap().len(), 1);
    assert_eq!(
        store.get_task(u, t.id).await.unwrap().project_id,
        Some(p.id)
    );
    assert!(store.list_projects(v, true).await.unwrap().is_empty());
    assert_eq!(
        kinds(&store, u).await,
        [
            "project.created",
            "project.updated",
            "task.created",
            "project.deleted"
        ]
    );
}

fn sub_input(tier: Tier, status: SubscriptionStatus) -> SubscriptionInput {
    SubscriptionInput {
        stripe_customer_id: "cus_1".into(),
        stripe_subscription_id: "sub_1".into(),
        stripe_price_id: "price_1".into(),
        status,
        tier,
        current_period_start: Some(t0()),
        current_period_end: Some(t0() + Duration::days(30)),
        cancel_at: None,
        canceled_at: None,
        ai_requests_this_period: 0,
        mrr_cents: 1200,
    }
}

pub async fn subscriptions<S: Store>(make: &impl Make<S>) {
    let store = make(options(12)).await;
    let (u, v) = (user(1), user(2));
    assert_eq!(store.effective_tier(u).await.unwrap(), Tier::Free);
    let s = store
        .upsert_subscription(u, sub_input(Tier::Pro, SubscriptionStatus::Active))
        .await
        .unwrap();
    assert!(matches!(s, Upserted::Created(_)));
    let same = store
        .upsert_subscription(u, sub_input(Tier::Pro, SubscriptionStatus::Active))
        .await
        .unwrap();
    assert!(matches!(same, Upserted::Unchanged(_)));
    let up = store
        .upsert_subscription(u, sub_input(Tier::Team, SubscriptionStatus::Active))
        .await
        .unwrap();
    assert!(matches!(up, Upserted::Updated(_)));
    assert_eq!(up.get().id, s.get().id);
    assert_eq!(store.effective_tier(u).await.unwrap(), Tier::Team);
    store
        .upsert_subscription(u, sub_input(Tier::Team, SubscriptionStatus::Canceled))
        .await
        .unwrap();
    assert_eq!(store.effective_tier(u).await.unwrap(), Tier::Free);
    // The same Stripe id under another user is that user's own row.
    store
        .upsert_subscription(v, sub_input(Tier::Starter, SubscriptionStatus::Active))
        .await
        .unwrap();
    assert_eq!(store.effective_tier(v).await.unwrap(), Tier::Starter);
    assert_eq!(store.list_subscriptions(u).await.unwrap().len(), 1);
    let err = store
        .upsert_subscription(
            u,
            SubscriptionInput {
                stripe_price_id: "x".into(),
                ..sub_input(Tier::Free, SubscriptionStatus::Active)
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.validation().unwrap().fields().collect::<Vec<_>>(),
        ["stripe_price_id", "tier"]
    );
    let changes = store
        .read_all_events(u, &EventQuery::new().kind("subscription.changed"))
        .await
        .unwrap();
    assert_eq!(changes.len(), 3);
    match &changes[1].event.payload {
        EventPayload::SubscriptionChanged(c) => {
            assert_eq!((c.previous_tier, c.new_tier), (Some(Tier::Pro), Tier::Team))
        }
        other => panic!("{other:?}"),
    }
}

fn secret(n: u32) -> OAuthSecret {
    OAuthSecret {
        access_token: format!("ya29.access-{n}"),
        refresh_token: format!("1//refresh-{n}"),
        expires_at: t0() + Duration::hours(1),
        scopes: vec!["calendar.readonly".into()],
    }
}

pub async fn oauth_tokens_are_sealed_and_rotate<S: Store>(make: &impl Make<S>) {
    let ring = Keyring::new(1, key(1));
    let store = make(options_with(13, ring.clone())).await;
    let (u, v) = (user(1), user(2));
    let t = store.put_oauth_token(u, "google", secret(1)).await.unwrap();
    assert_eq!(t.key_id, 1);
    let text = format!("{t:?}{}", serde_json::to_string(&t).unwrap());
    assert!(!text.contains("ya29") && !text.contains("refresh-1"));
    assert_eq!(
        store.open_oauth_token(u, "google").await.unwrap(),
        secret(1)
    );
    assert!(
        store
            .open_oauth_token(v, "google")
            .await
            .unwrap_err()
            .is_not_found()
    );
    let t2 = store.put_oauth_token(u, "google", secret(2)).await.unwrap();
    assert_eq!(t2.id, t.id);
    store
        .put_oauth_token(u, "outlook", secret(3))
        .await
        .unwrap();
    ring.rotate_to(2, key(2));
    assert_eq!(store.rotate_oauth_tokens(u).await.unwrap(), 2);
    assert_eq!(store.rotate_oauth_tokens(u).await.unwrap(), 0);
    ring.remove_key(1);
    assert_eq!(store.get_oauth_token(u, "google").await.unwrap().key_id, 2);
    assert_eq!(
        store.open_oauth_token(u, "google").await.unwrap(),
        secret(2)
    );
    assert_eq!(
        store.open_oauth_token(u, "outlook").await.unwrap(),
        secret(3)
    );
    store.delete_oauth_token(u, "outlook").await.unwrap();
    assert!(
        store
            .get_oauth_token(u, "outlook")
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        store
            .delete_oauth_token(v, "google")
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert_eq!(store.list_oauth_tokens(u).await.unwrap().len(), 1);
    assert_eq!(
        kinds(&store, u).await,
        [
            "oauth_token.stored",
            "oauth_token.stored",
            "oauth_token.stored",
            "oauth_token.rotated",
            "oauth_token.rotated",
            "oauth_token.deleted"
        ]
    );
    // A token under a key the ring lost cannot be opened, and rotation changes nothing.
    store.put_oauth_token(u, "apple", secret(4)).await.unwrap();
    ring.rotate_to(3, key(3));
    ring.remove_key(2);
    assert_eq!(
        store.open_oauth_token(u, "apple").await.unwrap_err().kind(),
        ErrorKind::Crypto
    );
    let before = event_count(&store, u).await;
    assert_eq!(
        store.rotate_oauth_tokens(u).await.unwrap_err().kind(),
        ErrorKind::Crypto
    );
    assert_eq!(event_count(&store, u).await, before);
}

fn utc(h: i64) -> EventTime {
    EventTime::Utc(t0() + Duration::hours(h))
}

pub async fn calendar_upsert_and_window<S: Store>(make: &impl Make<S>) {
    let store = make(options(14)).await;
    let (u, v) = (user(1), user(2));
    let mut input = CalendarEventInput::new(Provider::Google, "Standup", utc(1), utc(2));
    input.external_id = Some("g-1".into());
    input.etag = Some("e1".into());
    let created = store.upsert_calendar_event(u, input.clone()).await.unwrap();
    assert!(matches!(created, Upserted::Created(_)));
    let same = store.upsert_calendar_event(u, input.clone()).await.unwrap();
    assert!(matches!(same, Upserted::Unchanged(_)));
    input.etag = Some("e2".into());
    input.title = "Standup (moved)".into();
    let updated = store.upsert_calendar_event(u, input.clone()).await.unwrap();
    assert!(matches!(updated, Upserted::Updated(_)));
    assert_eq!(updated.get().id, created.get().id);
    // Same key under another user is another row.
    let theirs = store.upsert_calendar_event(v, input.clone()).await.unwrap();
    assert!(matches!(theirs, Upserted::Created(_)));
    assert_ne!(theirs.get().id, created.get().id);
    assert_eq!(
        kinds(&store, u).await,
        ["calendar_event.created", "calendar_event.updated"]
    );

    // Window tests: day 2 (t0+24h .. t0+48h).
    let (from, to) = (t0() + Duration::hours(24), t0() + Duration::hours(48));
    let mk = |title: &str, s: i64, e: i64| {
        CalendarEventInput::new(Provider::Manual, title, utc(s), utc(e))
    };
    let inside = store
        .upsert_calendar_event(u, mk("inside", 30, 31))
        .await
        .unwrap()
        .into_inner();
    let spanning = store
        .upsert_calendar_event(u, mk("spanning", 20, 50))
        .await
        .unwrap()
        .into_inner();
    store
        .upsert_calendar_event(u, mk("after", 60, 61))
        .await
        .unwrap();
    let gone = store
        .upsert_calendar_event(u, mk("deleted", 30, 31))
        .await
        .unwrap()
        .into_inner();
    store.delete_calendar_event(u, gone.id).await.unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let all_day = store
        .upsert_calendar_event(
            u,
            CalendarEventInput::new(
                Provider::Manual,
                "all day",
                EventTime::Date(date),
                EventTime::Date(date.succ_opt().unwrap()),
            ),
        )
        .await
        .unwrap()
        .into_inner();
    let mut daily = mk("daily", -48, -47);
    daily.external_id = Some("series".into());
    daily.provider = Provider::Google;
    daily.rrule = Some("FREQ=DAILY".parse().unwrap());
    let daily = store
        .upsert_calendar_event(u, daily)
        .await
        .unwrap()
        .into_inner();
    let mut ended = mk("ended", -48, -47);
    ended.rrule = Some("FREQ=DAILY;UNTIL=20260307T000000Z".parse().unwrap());
    store.upsert_calendar_event(u, ended).await.unwrap();
    let mut future = mk("future series", 72, 73);
    future.rrule = Some("FREQ=WEEKLY".parse().unwrap());
    store.upsert_calendar_event(u, future).await.unwrap();
    // An override of `daily`, linked by external id, moved far away: still returned.
    let mut moved = mk("daily moved", 200, 201);
    moved.provider = Provider::Google;
    moved.external_id = Some("series".into());
    moved.recurrence_id = Some(utc(-24));
    let moved = store
        .upsert_calendar_event(u, moved)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(moved.series_id, Some(daily.id));
    let mut bad = mk("bad link", 1, 2);
    bad.series_id = Some(theirs.get().id);
    assert_eq!(
        store
            .upsert_calendar_event(u, bad)
            .await
            .unwrap_err()
            .field(),
        Some("series_id")
    );
    let bad = mk("backwards", 5, 1);
    assert_eq!(
        store
            .upsert_calendar_event(u, bad)
            .await
            .unwrap_err()
            .field(),
        Some("end")
    );

    let got: BTreeSet<_> = store
        .list_events_for_window(u, from, to)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.title)
        .collect();
    let want: BTreeSet<String> = [&inside, &spanning, &all_day, &daily, &moved]
        .iter()
        .map(|e| e.title.clone())
        .collect();
    assert_eq!(got, want);
    let ordered = store.list_events_for_window(u, from, to).await.unwrap();
    assert!(ordered.windows(2).all(|w| w[0].id < w[1].id));
    assert!(
        store
            .list_events_for_window(v, from, to)
            .await
            .unwrap()
            .iter()
            .all(|e| e.user_id == v)
    );
    assert!(
        store
            .list_events_for_window(u, to, from)
            .await
            .unwrap_err()
            .is_invalid()
    );
    assert_eq!(store.list_calendar_events(u, true).await.unwrap().len(), 10);
    assert!(
        store
            .get_calendar_event(v, inside.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

pub async fn occurrences_expand_series_with_overrides<S: Store>(make: &impl Make<S>) {
    let store = make(options(15)).await;
    let (u, v) = (user(1), user(2));
    let ny = chrono_tz::America::New_York;
    let local = |d: u32, h: u32, m: u32| EventTime::Zoned {
        local: chrono::NaiveDate::from_ymd_opt(2026, 3, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap(),
        tz: ny,
    };
    // A daily standup at 09:30 New York time across the spring-forward night (8 March 2026).
    let mut standup = CalendarEventInput::new(
        Provider::Google,
        "Standup",
        local(6, 9, 30),
        local(6, 9, 45),
    );
    standup.external_id = Some("standup".into());
    standup.rrule = Some("FREQ=DAILY;COUNT=10".parse().unwrap());
    standup.exdates = vec![local(10, 9, 30)];
    store
        .upsert_calendar_event(u, standup.clone())
        .await
        .unwrap();
    // The 11th moves to 14:00; the 12th is cancelled (both linked by external id).
    let mut moved = CalendarEventInput::new(
        Provider::Google,
        "Standup (moved)",
        local(11, 14, 0),
        local(11, 14, 15),
    );
    moved.external_id = Some("standup".into());
    moved.recurrence_id = Some(local(11, 9, 30));
    store.upsert_calendar_event(u, moved).await.unwrap();
    let mut cancelled = CalendarEventInput::new(
        Provider::Google,
        "Standup",
        local(12, 9, 30),
        local(12, 9, 45),
    );
    cancelled.external_id = Some("standup".into());
    cancelled.recurrence_id = Some(local(12, 9, 30));
    cancelled.status = lifeos_core::EventStatus::Cancelled;
    store.upsert_calendar_event(u, cancelled).await.unwrap();
    // A free all-day event and another user's series.
    let mut holiday = CalendarEventInput::new(
        Provider::Manual,
        "Holiday",
        EventTime::Date(chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()),
        EventTime::Date(chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()),
    );
    holiday.transparency = lifeos_core::Transparency::Free;
    store.upsert_calendar_event(u, holiday).await.unwrap();
    store.upsert_calendar_event(v, standup).await.unwrap();

    let from = Utc.with_ymd_and_hms(2026, 3, 8, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 3, 13, 0, 0, 0).unwrap();
    let found = store.list_occurrences(u, from, to, ny).await.unwrap();
    assert!(!found.truncated);
    let seen: Vec<(String, String, bool, bool)> = found
        .entries
        .iter()
        .map(|o| (o.title.clone(), o.start.to_rfc3339(), o.busy, o.is_all_day))
        .collect();
    let row =
        |t: &str, s: &str, busy: bool, all_day: bool| (t.to_owned(), s.to_owned(), busy, all_day);
    assert_eq!(
        seen,
        [
            // 8 March is the spring-forward day: 09:30 EDT is 13:30 UTC.
            row("Standup", "2026-03-08T13:30:00+00:00", true, false),
            row("Holiday", "2026-03-09T04:00:00+00:00", false, true),
            row("Standup", "2026-03-09T13:30:00+00:00", true, false),
            // 10th excluded, 11th moved, 12th cancelled.
            row("Standup (moved)", "2026-03-11T18:00:00+00:00", true, false),
        ]
    );
    let moved_occurrence = &found.entries[3];
    assert_eq!(moved_occurrence.recurrence_id, local(11, 9, 30));
    assert_eq!(
        store
            .list_occurrences(v, from, to, ny)
            .await
            .unwrap()
            .entries
            .len(),
        4
    );
}

pub async fn erasure_leaves_only_a_tombstone<S: Store>(make: &impl Make<S>) {
    let store = make(options(15)).await;
    let (u, v) = (user(1), user(2));
    for who in [u, v] {
        store
            .create_profile(
                who,
                NewProfile {
                    email: format!("{who}@example.com"),
                    ..NewProfile::default()
                },
            )
            .await
            .unwrap();
        let p = store
            .create_project(
                who,
                NewProject {
                    name: "p".into(),
                    ..NewProject::default()
                },
            )
            .await
            .unwrap();
        let t = store
            .create_task(
                who,
                NewTask {
                    project_id: Some(p.id),
                    ..NewTask::titled("t")
                },
            )
            .await
            .unwrap();
        store.complete_task(who, t.id).await.unwrap();
        store
            .upsert_calendar_event(
                who,
                CalendarEventInput::new(Provider::Manual, "e", utc(1), utc(2)),
            )
            .await
            .unwrap();
        store
            .upsert_subscription(who, sub_input(Tier::Pro, SubscriptionStatus::Active))
            .await
            .unwrap();
        store
            .put_oauth_token(who, "google", secret(1))
            .await
            .unwrap();
    }
    let v_before = store.export_user(v).await.unwrap().to_json().unwrap();
    let mut stream = store.subscribe(u);
    let erased = store.erase_user(u).await.unwrap();
    let want: BTreeMap<String, u64> = [
        ("calendar_events", 1),
        ("events", 7),
        ("oauth_tokens", 1),
        ("profiles", 1),
        ("projects", 1),
        ("subscriptions", 1),
        ("tasks", 1),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_owned(), n))
    .collect();
    assert_eq!(erased.counts, want);
    match &erased.tombstone.event.payload {
        EventPayload::UserErased(e) => assert_eq!((e.erased_user_id, &e.counts), (u, &want)),
        other => panic!("{other:?}"),
    }
    assert_eq!(stream.try_recv().unwrap().unwrap(), erased.tombstone);
    let doc = store.export_user(u).await.unwrap().to_json().unwrap();
    assert_eq!(doc["profile"], serde_json::Value::Null);
    for key in [
        "projects",
        "tasks",
        "calendar_events",
        "subscriptions",
        "oauth_tokens",
    ] {
        assert_eq!(doc[key], serde_json::json!([]), "{key}");
    }
    assert_eq!(
        doc["events"],
        serde_json::json!([serde_json::to_value(&erased.tombstone).unwrap()])
    );
    // The other user is untouched.
    assert_eq!(
        store.export_user(v).await.unwrap().to_json().unwrap(),
        v_before
    );
    assert_eq!(v_before["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(v_before["events"].as_array().unwrap().len(), 7);
    assert!(
        !v_before.to_string().contains("ya29"),
        "no token in clear in the export"
    );
    // Erasing again keeps the first tombstone and adds a second with zero counts.
    let again = store.erase_user(u).await.unwrap();
    assert_eq!(again.counts.values().sum::<u64>(), 0);
    assert_eq!(
        store.export_user(u).await.unwrap().to_json().unwrap()["events"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

pub async fn recorded_events_and_slow_subscribers<S: Store>(make: &impl Make<S>) {
    use lifeos_core::EventSource;
    use lifeos_core::event::{CalendarSynced, PlanGenerated};
    let store = make(options(16).event_buffer(4)).await;
    let u = user(1);
    let mut slow = store.subscribe(u);
    let plan = EventPayload::PlanGenerated(PlanGenerated {
        plan_date: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
        tasks_scheduled: 5,
        tasks_unscheduled: 1,
        tokens_used: 0,
        latency_ms: 3,
        ..PlanGenerated::default()
    });
    let e = store.record_event(u, EventSource::Ai, plan).await.unwrap();
    assert_eq!(e.event.kind(), "ai.plan_generated");
    let synced = EventPayload::CalendarSynced(CalendarSynced {
        provider: Provider::Google,
        events_added: 1,
        events_updated: 0,
        events_deleted: 0,
    });
    store
        .record_event(u, EventSource::Sync, synced)
        .await
        .unwrap();
    let forged = EventPayload::TaskDeleted(lifeos_core::event::TaskRef {
        task_id: TaskId::from_uuid(Uuid::from_u128(5)),
    });
    let err = store
        .record_event(u, EventSource::Api, forged)
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("type"));
    for i in 0..8 {
        store
            .create_task(u, NewTask::titled(format!("t{i}")))
            .await
            .unwrap();
    }
    // The slow subscriber missed events: it is told, then goes on with newer ones.
    let err = slow.try_recv().unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Lagged);
    let next = slow.try_recv().unwrap().unwrap();
    let log = store.read_all_events(u, &EventQuery::new()).await.unwrap();
    assert!(log.contains(&next));
    assert_eq!(log.len(), 10);
}

/// `change_tasks_recording`: the changes and the recorded event land in one transaction;
/// a failing change, or a record of a kind that may not be recorded, writes neither.
pub async fn changes_and_record_commit_together<S: Store>(make: &impl Make<S>) {
    use lifeos_core::EventSource;
    use lifeos_core::event::PlanGenerated;
    let store = make(options(17)).await;
    let u = user(1);
    let a = store.create_task(u, NewTask::titled("a")).await.unwrap();
    let b = store.create_task(u, NewTask::titled("b")).await.unwrap();
    let plan = EventPayload::PlanGenerated(PlanGenerated {
        plan_date: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
        tasks_scheduled: 2,
        tasks_unscheduled: 0,
        tokens_used: 0,
        latency_ms: 0,
        ..PlanGenerated::default()
    });
    let slot = |id, h: i64| {
        TaskChange::new(
            id,
            None,
            TaskOp::Schedule {
                start: t0() + Duration::hours(h),
                end: t0() + Duration::hours(h) + Duration::minutes(30),
                by: ScheduledBy::Planner,
                rationale: None,
            },
        )
    };
    let before = event_count(&store, u).await;

    // A stale version on the second change: nothing is written, not even the record.
    let stale = TaskChange::new(
        b.id,
        Some(b.version + 7),
        TaskOp::Update(TaskPatch::default()),
    );
    let err = store
        .change_tasks_recording(
            u,
            vec![slot(a.id, 1), stale],
            Some((EventSource::Ai, plan.clone())),
        )
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert_eq!(event_count(&store, u).await, before);
    assert_eq!(store.get_task(u, a.id).await.unwrap(), a);

    // A record of a kind that comes only with its change: refused, nothing written.
    let forged = EventPayload::TaskDeleted(lifeos_core::event::TaskRef { task_id: a.id });
    let err = store
        .change_tasks_recording(u, vec![slot(a.id, 1)], Some((EventSource::Ai, forged)))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("type"));
    assert_eq!(event_count(&store, u).await, before);
    assert_eq!(store.get_task(u, a.id).await.unwrap(), a);

    // Both changes and the record: three events, the record last, one after the other.
    let (tasks, record) = store
        .change_tasks_recording(
            u,
            vec![slot(a.id, 1), slot(b.id, 2)],
            Some((EventSource::Ai, plan)),
        )
        .await
        .unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0].scheduled_start, Some(t0() + Duration::hours(1)));
    let record = record.unwrap();
    assert_eq!(record.event.kind(), "ai.plan_generated");
    let log = store.read_all_events(u, &EventQuery::new()).await.unwrap();
    assert_eq!(log.len(), before + 3);
    assert_eq!(log.last(), Some(&record));
    let tail: Vec<_> = log[before..].iter().map(|e| e.event.kind()).collect();
    assert_eq!(
        tail,
        ["task.scheduled", "task.scheduled", "ai.plan_generated"]
    );

    // Without a record it is `change_tasks`.
    let (_, none) = store
        .change_tasks_recording(u, vec![slot(a.id, 3)], None)
        .await
        .unwrap();
    assert!(none.is_none());
}

pub async fn usable_as_a_trait_object<S: Store + 'static>(make: &impl Make<S>) {
    let store: Arc<dyn Store> = Arc::new(make(options(17)).await);
    let u = user(1);
    let t = store.create_task(u, NewTask::titled("dyn")).await.unwrap();
    assert_eq!(store.get_task(u, t.id).await.unwrap(), t);
    assert_eq!(
        store.export_user(u).await.unwrap().to_json().unwrap()["tasks"][0]["title"],
        "dyn"
    );
}

// ---- tenant isolation (property) ---------------------------------------------------------

#[derive(Debug, Clone)]
pub enum Op {
    Create(u8, String),
    CreateInProject(u8, usize),
    CreateProject(u8),
    Update(u8, usize, String),
    Complete(u8, usize),
    Delete(u8, usize),
    Restore(u8, usize),
    Get(u8, usize),
    GetProject(u8, usize),
    Search(u8, String),
    List(u8),
    Events(u8),
    Export(u8),
    Profile(u8),
    Calendar(u8, u8, u8),
    CalendarPeek(u8, usize),
    Token(u8, u8),
    Subscription(u8, bool),
}

pub fn ops() -> impl Strategy<Value = Vec<Op>> {
    let who = 0u8..2;
    let idx = 0usize..32;
    let title = "[a-cA-C%_ ]{1,6}";
    let op = prop_oneof![
        3 => (who.clone(), title).prop_map(|(u, t)| Op::Create(u, t)),
        1 => (who.clone(), idx.clone()).prop_map(|(u, i)| Op::CreateInProject(u, i)),
        1 => who.clone().prop_map(Op::CreateProject),
        2 => (who.clone(), idx.clone(), "[a-c]{1,4}").prop_map(|(u, i, t)| Op::Update(u, i, t)),
        1 => (who.clone(), idx.clone()).prop_map(|(u, i)| Op::Complete(u, i)),
        1 => (who.clone(), idx.clone()).prop_map(|(u, i)| Op::Delete(u, i)),
        1 => (who.clone(), idx.clone()).prop_map(|(u, i)| Op::Restore(u, i)),
        1 => (who.clone(), idx.clone()).prop_map(|(u, i)| Op::Get(u, i)),
        1 => (who.clone(), idx.clone()).prop_map(|(u, i)| Op::GetProject(u, i)),
        1 => (who.clone(), "[a-c%_]{0,2}").prop_map(|(u, q)| Op::Search(u, q)),
        1 => who.clone().prop_map(Op::List),
        1 => who.clone().prop_map(Op::Events),
        1 => who.clone().prop_map(Op::Export),
        1 => who.clone().prop_map(Op::Profile),
        2 => (who.clone(), 0u8..3, 0u8..2).prop_map(|(u, x, e)| Op::Calendar(u, x, e)),
        1 => (who.clone(), idx).prop_map(|(u, i)| Op::CalendarPeek(u, i)),
        1 => (who.clone(), 0u8..2).prop_map(|(u, p)| Op::Token(u, p)),
        1 => (who, proptest::bool::ANY).prop_map(|(u, pro)| Op::Subscription(u, pro)),
    ];
    proptest::collection::vec(op, 1..40)
}

pub async fn tenant_isolation<S: Store>(make: &impl Make<S>, ops: Vec<Op>) {
    let store = make(options(99)).await;
    let users = [user(0xA), user(0xB)];
    let mut streams = [store.subscribe(users[0]), store.subscribe(users[1])];
    let mut tasks: Vec<(TaskId, usize)> = Vec::new();
    let mut projects: Vec<(lifeos_core::ProjectId, usize)> = Vec::new();
    let mut calendar: Vec<(lifeos_core::CalendarEventId, usize)> = Vec::new();
    let mut tokens: BTreeMap<(usize, &str), u32> = BTreeMap::new();
    let mut token_n = 0u32;
    let owned = |tasks: &Vec<(TaskId, usize)>, who: usize| -> BTreeSet<TaskId> {
        tasks
            .iter()
            .filter(|(_, o)| *o == who)
            .map(|(t, _)| *t)
            .collect()
    };
    for op in ops {
        match op {
            Op::Create(w, title) => {
                if let Ok(t) = store
                    .create_task(users[w as usize], NewTask::titled(title))
                    .await
                {
                    assert_eq!(t.user_id, users[w as usize]);
                    tasks.push((t.id, w as usize));
                }
            }
            Op::CreateProject(w) => {
                let p = store
                    .create_project(
                        users[w as usize],
                        NewProject {
                            name: "p".into(),
                            ..NewProject::default()
                        },
                    )
                    .await
                    .unwrap();
                projects.push((p.id, w as usize));
            }
            Op::CreateInProject(w, i) if !projects.is_empty() => {
                let (pid, owner) = projects[i % projects.len()];
                let r = store
                    .create_task(
                        users[w as usize],
                        NewTask {
                            project_id: Some(pid),
                            ..NewTask::titled("x")
                        },
                    )
                    .await;
                match r {
                    Ok(t) => {
                        assert_eq!(owner, w as usize, "task linked to another user's project");
                        tasks.push((t.id, w as usize));
                    }
                    Err(e) => {
                        assert_ne!(owner, w as usize, "{e}");
                        assert_eq!(e.field(), Some("project_id"));
                    }
                }
            }
            Op::GetProject(w, i) if !projects.is_empty() => {
                let (pid, owner) = projects[i % projects.len()];
                let r = store.get_project(users[w as usize], pid).await;
                assert_eq!(r.is_ok(), owner == w as usize);
                let r = store.delete_project(users[w as usize], pid).await;
                if owner != w as usize {
                    assert!(r.unwrap_err().is_not_found());
                }
            }
            Op::Update(w, i, _)
            | Op::Complete(w, i)
            | Op::Delete(w, i)
            | Op::Restore(w, i)
            | Op::Get(w, i)
                if !tasks.is_empty() =>
            {
                let (tid, owner) = tasks[i % tasks.len()];
                let me = users[w as usize];
                let before = store.get_task(users[owner], tid).await.unwrap();
                let r = match &op {
                    Op::Update(_, _, title) => {
                        store
                            .update_task(
                                me,
                                tid,
                                before.version,
                                TaskPatch {
                                    title: Some(title.clone()),
                                    ..TaskPatch::default()
                                },
                            )
                            .await
                    }
                    Op::Complete(..) => store.complete_task(me, tid).await,
                    Op::Delete(..) => store.delete_task(me, tid).await,
                    Op::Restore(..) => store.restore_task(me, tid).await,
                    _ => store.get_task(me, tid).await,
                };
                if owner != w as usize {
                    assert!(
                        r.unwrap_err().is_not_found(),
                        "cross-user access must look absent"
                    );
                    assert_eq!(store.get_task(users[owner], tid).await.unwrap(), before);
                } else if let Ok(t) = r {
                    assert_eq!(t.user_id, me);
                }
            }
            Op::Search(w, q) => {
                let mine = owned(&tasks, w as usize);
                let page = store
                    .search_tasks(users[w as usize], &q, None, 1000)
                    .await
                    .unwrap();
                assert!(
                    page.items
                        .iter()
                        .all(|t| mine.contains(&t.id) && t.user_id == users[w as usize])
                );
            }
            Op::List(w) => {
                let mine = owned(&tasks, w as usize);
                let all = store
                    .list_all_tasks(
                        users[w as usize],
                        &TaskQuery::new().include_deleted(true).limit(3),
                    )
                    .await
                    .unwrap();
                assert_eq!(all.iter().map(|t| t.id).collect::<BTreeSet<_>>(), mine);
            }
            Op::Events(w) => {
                let theirs = owned(&tasks, 1 - w as usize);
                let events = store
                    .read_all_events(users[w as usize], &EventQuery::new())
                    .await
                    .unwrap();
                assert!(events.iter().all(|e| e.event.user_id == users[w as usize]));
                assert!(
                    events
                        .iter()
                        .all(|e| !theirs.contains(&TaskId::from_uuid(e.event.entity_id())))
                );
            }
            Op::Export(w) => {
                let doc = store
                    .export_user(users[w as usize])
                    .await
                    .unwrap()
                    .to_json()
                    .unwrap()
                    .to_string();
                let other = 1 - w as usize;
                assert!(!doc.contains(&users[other].to_string()));
                for t in owned(&tasks, other) {
                    assert!(!doc.contains(&t.to_string()));
                }
                for (p, _) in projects.iter().filter(|(_, o)| *o == other) {
                    assert!(!doc.contains(&p.to_string()));
                }
            }
            Op::Calendar(w, x, etag) => {
                let me = users[w as usize];
                let mut input = CalendarEventInput::new(Provider::Google, "e", utc(1), utc(2));
                input.external_id = Some(format!("x{x}"));
                input.etag = Some(format!("e{etag}"));
                let row = store
                    .upsert_calendar_event(me, input)
                    .await
                    .unwrap()
                    .into_inner();
                assert_eq!(row.user_id, me);
                if !calendar.contains(&(row.id, w as usize)) {
                    assert!(
                        calendar.iter().all(|(id, _)| *id != row.id),
                        "another user's row was upserted"
                    );
                    calendar.push((row.id, w as usize));
                }
                let window = store
                    .list_events_for_window(me, t0(), t0() + Duration::hours(3))
                    .await
                    .unwrap();
                assert!(
                    window
                        .iter()
                        .all(|e| e.user_id == me && calendar.contains(&(e.id, w as usize)))
                );
            }
            Op::CalendarPeek(w, i) if !calendar.is_empty() => {
                let (id, owner) = calendar[i % calendar.len()];
                let me = users[w as usize];
                if owner != w as usize {
                    let before = store.get_calendar_event(users[owner], id).await.unwrap();
                    assert!(
                        store
                            .get_calendar_event(me, id)
                            .await
                            .unwrap_err()
                            .is_not_found()
                    );
                    assert!(
                        store
                            .delete_calendar_event(me, id)
                            .await
                            .unwrap_err()
                            .is_not_found()
                    );
                    assert_eq!(
                        store.get_calendar_event(users[owner], id).await.unwrap(),
                        before
                    );
                } else {
                    assert_eq!(store.get_calendar_event(me, id).await.unwrap().user_id, me);
                }
            }
            Op::Token(w, p) => {
                let me = users[w as usize];
                let provider = ["google", "outlook"][p as usize];
                token_n += 1;
                store
                    .put_oauth_token(me, provider, secret(token_n))
                    .await
                    .unwrap();
                tokens.insert((w as usize, provider), token_n);
                for (who, &u) in users.iter().enumerate() {
                    match (
                        store.open_oauth_token(u, provider).await,
                        tokens.get(&(who, provider)),
                    ) {
                        (Ok(s), Some(n)) => assert_eq!(s, secret(*n)),
                        (Err(e), None) => assert!(e.is_not_found()),
                        (got, want) => panic!("token of user {who}: {got:?} vs {want:?}"),
                    }
                }
            }
            Op::Subscription(w, pro) => {
                let me = users[w as usize];
                let tier = if pro { Tier::Pro } else { Tier::Starter };
                store
                    .upsert_subscription(me, sub_input(tier, SubscriptionStatus::Active))
                    .await
                    .unwrap();
                for u in users {
                    let subs = store.list_subscriptions(u).await.unwrap();
                    assert!(subs.len() <= 1 && subs.iter().all(|s| s.user_id == u));
                }
                assert_eq!(store.effective_tier(me).await.unwrap(), tier);
            }
            Op::Profile(w) => {
                let me = users[w as usize];
                let _ = store
                    .create_profile(
                        me,
                        NewProfile {
                            email: "a@b.c".into(),
                            ..NewProfile::default()
                        },
                    )
                    .await;
                assert_eq!(store.get_profile(me).await.unwrap().id, me);
            }
            _ => {}
        }
    }
    for (i, stream) in streams.iter_mut().enumerate() {
        let log = store
            .read_all_events(users[i], &EventQuery::new())
            .await
            .unwrap();
        let mut got = Vec::new();
        while let Some(e) = stream.try_recv() {
            got.push(e.unwrap());
        }
        assert_eq!(got, log, "a subscriber sees exactly its own user's events");
    }
}
