//! `LifeOs::plan_week`: chunks over the days, a plan that stays put, guarded saves.

use chrono::{Duration, NaiveDate};
use lifeos::core::{NewTask, PlannedBlock, Task};
use lifeos::{ErrorKind, PlanDayOptions, PlanWeekOptions};

use super::*;

fn task(title: &str, minutes: i64, priority: i64) -> NewTask {
    NewTask {
        estimated_minutes: Some(minutes),
        priority,
        ..NewTask::titled(title)
    }
}

fn chunked(title: &str, minutes: i64, max: i64) -> NewTask {
    NewTask {
        max_chunk_minutes: Some(max),
        min_chunk_minutes: Some(60),
        ..task(title, minutes, 2)
    }
}

/// A varied week: a 10-hour task in 2-hour sittings, a 5-hour one, and short tasks.
async fn seed_week(app: &LifeOs, me: UserId) -> Vec<Task> {
    let mut out = vec![
        app.add_task(me, chunked("Write the thesis chapter", 600, 120))
            .await
            .unwrap(),
        app.add_task(me, chunked("Prepare the workshop", 300, 90))
            .await
            .unwrap(),
    ];
    for (i, (minutes, priority)) in [(90, 3), (45, 1), (30, 2), (60, 0), (120, 2), (25, 1)]
        .into_iter()
        .enumerate()
    {
        let t = app
            .add_task(me, task(&format!("Task {i}"), minutes, priority))
            .await
            .unwrap();
        out.push(t);
    }
    out
}

#[tokio::test]
async fn a_chunked_task_is_spread_over_the_week_and_saved_as_blocks() {
    let (app, _, me) = memory_app().await;
    let tasks = seed_week(&app, me).await;
    let week = app
        .plan_week(me, None, monday_morning(), PlanWeekOptions::new())
        .await
        .unwrap();
    assert!(week.saved);
    assert_eq!(
        week.start_date,
        NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()
    );
    assert!(week.recorded.is_some());
    let thesis = app.task(me, tasks[0].id).await.unwrap();
    // 600 minutes in sittings of 60..=120, at most one a local date.
    assert!(
        thesis.planned_blocks.len() >= 5,
        "{:?}",
        thesis.planned_blocks
    );
    let total: i64 = thesis
        .planned_blocks
        .iter()
        .map(PlannedBlock::minutes)
        .sum();
    assert_eq!(total, 600);
    let tz = week.timezone;
    let mut dates: Vec<_> = thesis
        .planned_blocks
        .iter()
        .map(|b| b.start.with_timezone(&tz).date_naive())
        .collect();
    dates.dedup();
    assert_eq!(dates.len(), thesis.planned_blocks.len());
    assert_eq!(thesis.scheduled_start, Some(thesis.planned_blocks[0].start));
    // Every block of the response is stored on its task, and the count agrees.
    let mut stored = 0;
    for t in &tasks {
        let t = app.task(me, t.id).await.unwrap();
        for b in &t.planned_blocks {
            assert!(
                week.response
                    .scheduled_tasks
                    .iter()
                    .any(|s| s.task_id == *t.id.as_uuid()
                        && s.start_time == b.start
                        && s.end_time == b.end)
            );
        }
        stored += t.planned_blocks.len();
    }
    assert_eq!(stored, week.response.scheduled_tasks.len());
    assert_eq!(week.changed_blocks(), stored);
    let parts: Vec<&str> = week
        .response
        .scheduled_tasks
        .iter()
        .filter(|s| s.task_id == *tasks[0].id.as_uuid())
        .map(|s| s.rationale.as_str())
        .collect();
    let n = parts.len();
    assert!(parts[0].contains(&format!("part 1 of {n}")), "{}", parts[0]);
}

#[tokio::test]
async fn planning_again_a_minute_later_changes_nothing() {
    let (app, _, me) = memory_app().await;
    seed_week(&app, me).await;
    let first = app
        .plan_week(me, None, monday_morning(), PlanWeekOptions::new())
        .await
        .unwrap();
    assert!(first.changed_blocks() > 0);
    let again = app
        .plan_week(
            me,
            None,
            monday_morning() + Duration::minutes(1),
            PlanWeekOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(again.changed_blocks(), 0);
    assert!(again.changes.is_empty());
    assert_eq!(
        again.response.scheduled_tasks.len(),
        first.response.scheduled_tasks.len()
    );
    assert!(
        again
            .response
            .scheduled_tasks
            .iter()
            .all(|s| s.rationale.contains("kept from your last plan"))
    );
}

#[tokio::test]
async fn adding_a_task_moves_few_blocks() {
    let (app, _, me) = memory_app().await;
    seed_week(&app, me).await;
    let first = app
        .plan_week(me, None, monday_morning(), PlanWeekOptions::new())
        .await
        .unwrap();
    let new = app.add_task(me, task("Quick call", 20, 1)).await.unwrap();
    let again = app
        .plan_week(
            me,
            None,
            monday_morning() + Duration::minutes(1),
            PlanWeekOptions::new(),
        )
        .await
        .unwrap();
    let placed = |id| {
        again
            .response
            .scheduled_tasks
            .iter()
            .any(|s| s.task_id == id)
    };
    assert!(placed(*new.id.as_uuid()));
    // The new block, and at most a couple moved for it.
    let changed = again.changed_blocks();
    assert!(changed >= 1, "{changed}");
    assert!(
        changed <= 3,
        "{changed} of {} blocks changed",
        first.response.scheduled_tasks.len()
    );
}

#[tokio::test]
async fn a_dry_run_saves_nothing_and_the_horizon_is_checked() {
    let (app, _, me) = memory_app().await;
    let tasks = seed_week(&app, me).await;
    let events = kinds(&app, me).await.len();
    let dry = app
        .plan_week(
            me,
            None,
            monday_morning(),
            PlanWeekOptions::new().dry_run(true),
        )
        .await
        .unwrap();
    assert!(!dry.saved && dry.changed_blocks() > 0);
    assert_eq!(kinds(&app, me).await.len(), events);
    assert!(
        app.task(me, tasks[0].id)
            .await
            .unwrap()
            .planned_blocks
            .is_empty()
    );
    for days in [0, 15] {
        let err = app
            .plan_week(
                me,
                None,
                monday_morning(),
                PlanWeekOptions::new().horizon_days(days),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert_eq!(err.field(), Some("horizon_days"));
    }
}

#[tokio::test]
async fn a_chunk_under_way_is_kept_with_the_later_chunks() {
    let (app, _, me) = memory_app().await;
    let tasks = seed_week(&app, me).await;
    app.plan_week(me, None, monday_morning(), PlanWeekOptions::new())
        .await
        .unwrap();
    let thesis = app.task(me, tasks[0].id).await.unwrap();
    let first = thesis.planned_blocks[0];
    // Halfway through the first sitting.
    let now = first.start + Duration::minutes(first.minutes() / 2);
    let again = app
        .plan_week(me, None, now, PlanWeekOptions::new())
        .await
        .unwrap();
    let after = app.task(me, tasks[0].id).await.unwrap();
    assert_eq!(after.planned_blocks[0], first);
    let total: i64 = after.planned_blocks.iter().map(PlannedBlock::minutes).sum();
    assert_eq!(total, 600, "{:?}", after.planned_blocks);
    assert!(after.planned_blocks.len() > 1);
    // One task in the response, numbered as one.
    let own: Vec<_> = again
        .response
        .scheduled_tasks
        .iter()
        .filter(|s| s.task_id == *tasks[0].id.as_uuid())
        .collect();
    assert_eq!(own.len(), after.planned_blocks.len());
    assert!(own.iter().enumerate().all(|(i, s)| s.chunk as usize == i));
}

#[tokio::test]
async fn the_day_plans_a_chunk_and_keeps_the_other_days() {
    let (app, _, me) = memory_app().await;
    let tasks = seed_week(&app, me).await;
    app.plan_week(me, None, monday_morning(), PlanWeekOptions::new())
        .await
        .unwrap();
    let before = app.task(me, tasks[0].id).await.unwrap();
    let day = app
        .plan_day(
            me,
            None,
            monday_morning() + Duration::minutes(1),
            PlanDayOptions::new(),
        )
        .await
        .unwrap();
    assert!(day.changes.is_empty(), "{:?}", day.changes);
    assert_eq!(app.task(me, tasks[0].id).await.unwrap(), before);
    // A day with the thesis alone and nothing stored: one chunk, never an oversized block.
    let (app, _, me) = memory_app().await;
    let thesis = app
        .add_task(me, chunked("Write the thesis chapter", 600, 120))
        .await
        .unwrap();
    let day = app
        .plan_day(me, None, monday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    let blocks = app.task(me, thesis.id).await.unwrap().planned_blocks;
    assert_eq!(blocks.len(), 1);
    assert!((60..=120).contains(&blocks[0].minutes()));
    assert!(
        day.response.scheduled_tasks[0]
            .rationale
            .contains("part 1 of 1")
    );
}
