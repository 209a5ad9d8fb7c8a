//! `LifeOs::plan_day`: what is saved, in one transaction, and what is not.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{NaiveDate, TimeZone, Utc};
use lifeos::core::{EventTime, NewTask, Provider, TaskPatch, UserId};
use lifeos::store::{CalendarEventInput, MemoryStore, Store, TaskStore};
use lifeos::{ErrorKind, LifeOs, Monotonic, PlanDayOptions, ScheduleChange};

use super::*;

fn task(title: &str, minutes: i64, priority: i64) -> NewTask {
    NewTask {
        estimated_minutes: Some(minutes),
        priority,
        ..NewTask::titled(title)
    }
}

#[tokio::test]
async fn saves_new_slots_with_the_plan_event_in_one_go() {
    let (app, _, me) = memory_app().await;
    let a = app.add_task(me, task("Write report", 90, 3)).await.unwrap();
    let b = app
        .add_task(me, task("Call the bank", 20, 1))
        .await
        .unwrap();

    let day = app
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    assert_eq!(day.date, NaiveDate::from_ymd_opt(2026, 3, 9).unwrap());
    assert!(day.saved && day.working_day && !day.truncated);
    assert_eq!(day.attempts, 1);
    let counts = day.counts();
    assert_eq!(
        (
            counts.scheduled,
            counts.moved,
            counts.unchanged,
            counts.cleared
        ),
        (2, 2, 0, 0)
    );

    // Each slot as the planner placed it, stored with its event, the plan event last.
    for s in &day.response.scheduled_tasks {
        let id = lifeos::core::TaskId::from_uuid(s.task_id);
        let stored = app.task(me, id).await.unwrap();
        assert_eq!(stored.scheduled_start, Some(s.start_time));
        assert_eq!(stored.scheduled_end, Some(s.end_time));
        assert!([a.id, b.id].contains(&id));
    }
    assert_eq!(
        kinds(&app, me).await,
        [
            "profile.updated",
            "task.created",
            "task.created",
            "task.scheduled",
            "task.scheduled",
            "ai.plan_generated"
        ]
    );
    let recorded = day.recorded.unwrap();
    match &recorded.event.payload {
        lifeos::core::EventPayload::PlanGenerated(p) => {
            assert_eq!((p.tasks_scheduled, p.tasks_unscheduled), (2, 0));
            assert_eq!(p.plan_date, day.date);
            // The fake monotonic clock steps 3 ms per read: one read before, one after.
            assert_eq!(p.latency_ms, 3);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn planning_again_rewrites_nothing_and_records_the_plan() {
    let (app, _, me) = memory_app().await;
    app.add_task(me, task("Write report", 90, 3)).await.unwrap();
    app.add_task(me, task("Call the bank", 20, 1))
        .await
        .unwrap();
    let first = app
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    let versions: Vec<u64> = first.tasks.iter().map(|t| t.version).collect();

    let again = app
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    assert!(again.changes.is_empty());
    assert_eq!(again.counts().unchanged, 2);
    // The same blocks, now kept from the stored plan (sent as `previousPlan`).
    let blocks = |r: &lifeos::core::plan::PlanDayResponse| -> Vec<_> {
        let s = &r.scheduled_tasks;
        s.iter()
            .map(|s| (s.task_id, s.start_time, s.end_time))
            .collect()
    };
    assert_eq!(blocks(&again.response), blocks(&first.response));
    assert_eq!(
        again.response.unscheduled_tasks,
        first.response.unscheduled_tasks
    );
    for s in &again.response.scheduled_tasks {
        assert!(
            s.rationale.ends_with("kept from your last plan"),
            "{}",
            s.rationale
        );
    }
    let log = kinds(&app, me).await;
    assert_eq!(
        &log[log.len() - 2..],
        ["ai.plan_generated", "ai.plan_generated"]
    );
    for t in &again.tasks {
        // Read after the first save: one version more than at creation, and no more since.
        assert_eq!(app.task(me, t.id).await.unwrap().version, t.version);
    }
    assert!(
        versions
            .iter()
            .zip(&again.tasks)
            .all(|(v, t)| t.version == v + 1)
    );
}

#[tokio::test]
async fn dry_run_saves_nothing() {
    let (app, _, me) = memory_app().await;
    let a = app.add_task(me, task("Write report", 90, 3)).await.unwrap();
    let before = kinds(&app, me).await;
    let day = app
        .plan_day(
            me,
            None,
            monday_morning(),
            PlanDayOptions::new().dry_run(true),
        )
        .await
        .unwrap();
    assert!(!day.saved && day.recorded.is_none());
    assert_eq!(
        day.changes.len(),
        1,
        "what would be saved is still reported"
    );
    assert_eq!(kinds(&app, me).await, before);
    assert_eq!(app.task(me, a.id).await.unwrap(), a);
}

#[tokio::test]
async fn a_slot_that_no_longer_fits_is_cleared() {
    let (app, _, me) = memory_app().await;
    let a = app.add_task(me, task("Write report", 90, 3)).await.unwrap();
    let first = app
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    let slot = match &first.changes[0] {
        ScheduleChange::Scheduled { slot, .. } => *slot,
        other => panic!("{other:?}"),
    };
    // An offsite now fills the whole day.
    let berlin = chrono_tz::Europe::Berlin;
    let day = |h| EventTime::Zoned {
        local: NaiveDate::from_ymd_opt(2026, 3, 9)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap(),
        tz: berlin,
    };
    app.store()
        .upsert_calendar_event(
            me,
            CalendarEventInput::new(Provider::Manual, "Offsite", day(7), day(20)),
        )
        .await
        .unwrap();

    let second = app
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    assert!(second.response.scheduled_tasks.is_empty());
    assert_eq!(
        second.changes,
        [ScheduleChange::Cleared {
            task_id: a.id,
            previous: slot
        }]
    );
    let stored = app.task(me, a.id).await.unwrap();
    assert_eq!((stored.scheduled_start, stored.scheduled_end), (None, None));
    let log = kinds(&app, me).await;
    assert_eq!(&log[log.len() - 2..], ["task.updated", "ai.plan_generated"]);
}

/// A monotonic clock whose reads after planning let another writer change a task:
/// `edits` times, one per plan, as a concurrent client would.
#[derive(Debug)]
struct Interferer {
    store: Arc<MemoryStore>,
    user: UserId,
    task: lifeos::core::TaskId,
    reads: Mutex<u32>,
    edits: u32,
}

impl Monotonic for Interferer {
    fn elapsed(&self) -> StdDuration {
        let mut reads = self.reads.lock().unwrap();
        *reads += 1;
        // Reads come in pairs: before planning, then after it (before saving).
        let plan = *reads / 2;
        if (*reads).is_multiple_of(2) && plan <= self.edits {
            let current = run_now(self.store.get_task(self.user, self.task)).unwrap();
            let patch = TaskPatch {
                description: Some(Some(format!("edited {plan}"))),
                ..TaskPatch::default()
            };
            run_now(
                self.store
                    .update_task(self.user, self.task, current.version, patch),
            )
            .unwrap();
        }
        StdDuration::ZERO
    }
}

async fn interfered_app(edits: u32) -> (LifeOs, UserId, lifeos::core::Task) {
    let store = Arc::new(MemoryStore::new(store_options(1)));
    let me = user(1);
    let plain = app_over(
        store.clone(),
        Arc::new(lifeos::ManualMonotonic::with_step(StdDuration::ZERO)),
    );
    with_profile(&plain, me).await;
    let a = plain
        .add_task(me, task("Write report", 90, 3))
        .await
        .unwrap();
    let app = LifeOs::builder(store.clone())
        .monotonic(Arc::new(Interferer {
            store,
            user: me,
            task: a.id,
            reads: Mutex::new(0),
            edits,
        }))
        .build();
    (app, me, a)
}

#[tokio::test]
async fn a_task_changed_while_planning_is_planned_again() {
    let (app, me, a) = interfered_app(1).await;
    let day = app
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    assert_eq!(day.attempts, 2);
    // The second plan read the edited task, and its save kept the edit.
    let stored = app.task(me, a.id).await.unwrap();
    assert_eq!(stored.description.as_deref(), Some("edited 1"));
    assert_eq!(
        stored.scheduled_start,
        Some(day.response.scheduled_tasks[0].start_time)
    );
    let log = kinds(&app, me).await;
    assert_eq!(
        log.iter().filter(|k| *k == "ai.plan_generated").count(),
        1,
        "the refused save wrote nothing"
    );
}

#[tokio::test]
async fn tasks_that_keep_changing_are_a_plan_conflict_and_nothing_is_saved() {
    let (app, me, a) = interfered_app(u32::MAX).await;
    let err = app
        .plan_day(
            me,
            None,
            monday_morning(),
            PlanDayOptions::new().max_attempts(3),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        matches!(err, lifeos::Error::PlanConflict { attempts: 3, .. }),
        "{err}"
    );
    let stored = app.task(me, a.id).await.unwrap();
    assert_eq!(stored.scheduled_start, None);
    assert!(
        !kinds(&app, me)
            .await
            .contains(&"ai.plan_generated".to_owned())
    );
}

#[tokio::test]
async fn a_user_without_a_profile_is_not_found() {
    let (app, _, _) = memory_app().await;
    let err = app
        .plan_day(user(2), None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.to_string(), format!("profile {} not found", user(2)));
}

#[tokio::test]
async fn a_given_date_is_planned_in_the_users_zone() {
    let (app, _, me) = memory_app().await;
    app.add_task(me, task("Write report", 90, 3)).await.unwrap();
    let tuesday = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let day = app
        .plan_day(me, Some(tuesday), monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    assert_eq!(day.date, tuesday);
    let start = day.response.scheduled_tasks[0].start_time;
    assert_eq!(
        start,
        Utc.with_ymd_and_hms(2026, 3, 10, 8, 0, 0).unwrap(),
        "09:00 in Berlin"
    );
}

/// The same day on a SQLite file and in memory: the same plan, the same changes.
#[tokio::test]
async fn sqlite_file_plans_as_memory_does() {
    let dir = tempfile::tempdir().unwrap();
    let (on_file, _, me) = sqlite_app(dir.path()).await;
    let (in_memory, _, _) = memory_app().await;
    for app in [&on_file, &in_memory] {
        app.add_task(me, task("Write report", 90, 3)).await.unwrap();
        app.add_task(me, task("Call the bank", 20, 1))
            .await
            .unwrap();
        app.add_task(me, task("Read the WAL docs", 30, 0))
            .await
            .unwrap();
    }
    let a = on_file
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    let b = in_memory
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_string(&a.response).unwrap(),
        serde_json::to_string(&b.response).unwrap()
    );
    assert_eq!(a.changes, b.changes);
    assert_eq!(kinds(&on_file, me).await, kinds(&in_memory, me).await);
}

/// Several applications over one SQLite file planning at once (as separate processes
/// would): each succeeds and the stored slots never overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_plans_on_one_file_never_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let (seed, _, me) = sqlite_app(dir.path()).await;
    for i in 0..6 {
        seed.add_task(me, task(&format!("task {i}"), 45, i % 4))
            .await
            .unwrap();
    }
    let mut runs = Vec::new();
    for n in 0..4u64 {
        let path = dir.path().join("lifeos.db");
        runs.push(tokio::spawn(async move {
            let store: Arc<dyn Store> = Arc::new(
                lifeos::store::SqliteStore::open(path, store_options(10 + n))
                    .await
                    .unwrap(),
            );
            let app = app_over(
                store,
                Arc::new(lifeos::ManualMonotonic::with_step(StdDuration::ZERO)),
            );
            let now = monday_morning() + chrono::Duration::minutes(i64::try_from(n).unwrap() * 5);
            app.plan_day(me, None, now, PlanDayOptions::new()).await
        }));
    }
    for run in runs {
        run.await.unwrap().unwrap();
    }
    let tasks = seed
        .store()
        .list_all_tasks(me, &lifeos::store::TaskQuery::actionable())
        .await
        .unwrap();
    let mut slots: Vec<_> = tasks
        .iter()
        .filter_map(|t| Some((t.scheduled_start?, t.scheduled_end?)))
        .collect();
    slots.sort();
    assert!(!slots.is_empty());
    for pair in slots.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "overlap: {pair:?}");
    }
}

/// A legacy row whose rule cannot be read (written by raw SQL, as an older version could
/// have) never fails the day: it is left out with a warning naming it.
#[tokio::test]
async fn a_day_with_an_unreadable_legacy_rule_still_plans_with_a_warning() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let (app, _, me) = sqlite_app(dir.path()).await;
    let a = app.add_task(me, task("Write report", 90, 3)).await.unwrap();
    let berlin = chrono_tz::Europe::Berlin;
    let at = |d, h| EventTime::Zoned {
        local: NaiveDate::from_ymd_opt(2026, 3, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap(),
        tz: berlin,
    };
    let mut series = CalendarEventInput::new(Provider::Manual, "Gym", at(2, 9), at(2, 10));
    series.rrule = Some("FREQ=DAILY".parse().unwrap());
    let series = app
        .store()
        .upsert_calendar_event(me, series)
        .await
        .unwrap()
        .into_inner();
    let meeting = CalendarEventInput::new(Provider::Manual, "Review", at(9, 11), at(9, 12));
    app.store()
        .upsert_calendar_event(me, meeting)
        .await
        .unwrap();

    let mut conn = sqlx::SqliteConnection::connect(&format!(
        "sqlite://{}",
        dir.path().join("lifeos.db").display()
    ))
    .await
    .unwrap();
    sqlx::query(
        "UPDATE calendar_events SET data = json_set(data, '$.rrule', 'FREQ=SOMETIMES') WHERE id = ?",
    )
    .bind(*series.id.as_uuid())
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let day = app
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    assert!(day.saved);
    assert_eq!(day.unreadable_events.len(), 1);
    assert_eq!(day.unreadable_events[0].event_id, series.id);
    let warning = day.unreadable_events[0].warning();
    assert!(warning.contains(&series.id.to_string()), "{warning}");
    let titles: Vec<_> = day
        .request
        .blocked_time
        .iter()
        .map(|b| b.title.as_str())
        .collect();
    assert_eq!(
        titles,
        ["Review"],
        "the readable event still blocks the day"
    );
    assert_eq!(
        day.response.scheduled_tasks[0].task_id,
        *a.id.as_uuid(),
        "the task is planned"
    );
    let json = serde_json::to_value(&day).unwrap();
    assert_eq!(json["unreadable_events"][0], warning.as_str());
}

#[tokio::test]
async fn a_series_cut_short_blocks_the_rest_of_the_day_with_a_warning() {
    let (app, _, me) = memory_app().await;
    app.add_task(me, task("Write report", 90, 3)).await.unwrap();
    app.add_task(me, task("Call the bank", 20, 1))
        .await
        .unwrap();
    // Every second from 11:00 Berlin, without end: far more instances than expanded.
    let berlin = chrono_tz::Europe::Berlin;
    let at = |h, s| EventTime::Zoned {
        local: NaiveDate::from_ymd_opt(2026, 3, 9)
            .unwrap()
            .and_hms_opt(h, 0, s)
            .unwrap(),
        tz: berlin,
    };
    let mut ticks = CalendarEventInput::new(Provider::Manual, "Ticker", at(11, 0), at(11, 1));
    ticks.rrule = Some("FREQ=SECONDLY".parse().unwrap());
    app.store().upsert_calendar_event(me, ticks).await.unwrap();

    let day = app
        .plan_day(
            me,
            None,
            monday_morning(),
            PlanDayOptions::new().dry_run(true),
        )
        .await
        .unwrap();
    assert!(day.truncated);
    assert_eq!(day.truncated_events.len(), 1);
    let warning = day.truncated_events[0].warning();
    assert!(warning.contains("Ticker"), "{warning}");
    // Nothing is planned from the first instance on: the instances after the cut are
    // unknown, so the rest of the day counts as busy.
    let eleven = Utc.with_ymd_and_hms(2026, 3, 9, 10, 0, 0).unwrap();
    assert!(!day.response.scheduled_tasks.is_empty());
    for s in &day.response.scheduled_tasks {
        assert!(s.end_time <= eleven, "{s:?}");
    }
    let json = serde_json::to_value(&day).unwrap();
    assert_eq!(json["truncated_events"][0], warning.as_str());
}
