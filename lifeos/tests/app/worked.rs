//! Work already done, in the day and week workflows: one sitting a task a date, blocks
//! that ended taken off the estimate (or the logged `actual_minutes` instead), and a task
//! whose estimate is used up reported rather than planned. Each rule on the memory store
//! and on a SQLite file.

use chrono::{DateTime, Duration, TimeZone, Utc};
use lifeos::core::plan::{UnscheduledCode, UnscheduledTask};
use lifeos::core::{NewTask, PlannedBlock, Task, TaskId, TaskPatch};
use lifeos::{PlanDayOptions, PlanWeekOptions};

use super::*;

/// Runs one rule on a fresh memory store and on a fresh SQLite file.
macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $name() {
                    let (app, _, me) = super::memory_app().await;
                    super::$name(&app, me).await;
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let (app, _, me) = super::sqlite_app(dir.path()).await;
                    super::$name(&app, me).await;
                }
            )*
        }
    };
}

on_every_store!(
    a_chunk_under_way_today_gets_no_second_sitting_today,
    a_sitting_that_ended_today_is_the_days_one,
    ended_blocks_are_taken_off_the_estimate,
    logged_actual_minutes_count_instead_of_ended_blocks,
    a_used_up_estimate_is_reported_not_planned,
);

/// Tuesday 10 March 2026, 08:00 in Berlin: Monday's blocks have all ended.
fn tuesday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 7, 0, 0).unwrap()
}

/// The next local midnight after Monday in Berlin (UTC+1).
fn monday_midnight() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 23, 0, 0).unwrap()
}

/// Eight hours in sittings of 60..=120 minutes, due on Wednesday evening: urgent, so each
/// sitting on time is worth more than a later one, and a second one on Monday would pay.
fn report() -> NewTask {
    NewTask {
        priority: 3,
        estimated_minutes: Some(480),
        min_chunk_minutes: Some(60),
        max_chunk_minutes: Some(120),
        due_date: Some(Utc.with_ymd_and_hms(2026, 3, 11, 16, 0, 0).unwrap()),
        ..NewTask::titled("Write the report")
    }
}

async fn week_at(app: &LifeOs, me: UserId, now: DateTime<Utc>) -> lifeos::WeekPlan {
    app.plan_week(me, None, now, PlanWeekOptions::new())
        .await
        .unwrap()
}

fn on_monday(blocks: &[PlannedBlock]) -> Vec<PlannedBlock> {
    blocks
        .iter()
        .copied()
        .filter(|b| b.start >= monday_morning() && b.start < monday_midnight())
        .collect()
}

/// The unscheduled entry of `id`.
fn left_out(unscheduled: &[UnscheduledTask], id: TaskId) -> &UnscheduledTask {
    unscheduled
        .iter()
        .find(|u| u.task_id == *id.as_uuid())
        .unwrap_or_else(|| panic!("{id} is not among {unscheduled:?}"))
}

/// Logs `minutes` as the task's `actual_minutes`.
async fn log_minutes(app: &LifeOs, me: UserId, id: TaskId, minutes: i64) {
    let stored = app.task(me, id).await.unwrap();
    let patch = TaskPatch {
        actual_minutes: Some(Some(minutes)),
        ..TaskPatch::default()
    };
    app.update_task(me, id, stored.version, patch)
        .await
        .unwrap();
}

fn sent_minutes(week: &lifeos::WeekPlan, task: &Task) -> u32 {
    week.request
        .tasks
        .iter()
        .find(|t| t.task.id == *task.id.as_uuid())
        .unwrap()
        .task
        .estimated_minutes
}

async fn a_chunk_under_way_today_gets_no_second_sitting_today(app: &LifeOs, me: UserId) {
    let task = app.add_task(me, report()).await.unwrap();
    week_at(app, me, monday_morning()).await;
    let first = app.task(me, task.id).await.unwrap().planned_blocks[0];
    assert!(first.start < monday_midnight(), "{first:?}");
    let now = first.start + Duration::minutes(first.minutes() / 2);
    let week = week_at(app, me, now).await;
    assert_eq!(
        week.not_before.get(task.id.as_uuid()),
        Some(&monday_midnight())
    );
    let stored = app.task(me, task.id).await.unwrap().planned_blocks;
    assert_eq!(on_monday(&stored), [first], "{stored:?}");
    let planned: Vec<_> = week
        .response
        .scheduled_tasks
        .iter()
        .filter(|s| s.task_id == *task.id.as_uuid() && s.start_time < monday_midnight())
        .collect();
    assert_eq!(planned.len(), 1, "{planned:?}");
    assert_eq!(planned[0].start_time, first.start);
    let total: i64 = stored.iter().map(PlannedBlock::minutes).sum();
    assert_eq!(total, 480, "{stored:?}");
}

async fn a_sitting_that_ended_today_is_the_days_one(app: &LifeOs, me: UserId) {
    let task = app.add_task(me, report()).await.unwrap();
    week_at(app, me, monday_morning()).await;
    let first = app.task(me, task.id).await.unwrap().planned_blocks[0];
    let after = first.end + Duration::minutes(5);
    // The day: nothing more of it today, and the reason says so.
    let day = app
        .plan_day(me, None, after, PlanDayOptions::new().dry_run(true))
        .await
        .unwrap();
    let left = left_out(&day.response.unscheduled_tasks, task.id);
    assert_eq!(left.code, UnscheduledCode::NoSlot);
    assert_eq!(
        left.reason,
        "Already worked on today, and a task gets one sitting a day: its other 360 minutes wait for a later day."
    );
    // The week: the rest from tomorrow, the ended sitting kept as work done.
    let week = week_at(app, me, after).await;
    assert_eq!(sent_minutes(&week, &task), 360);
    let stored = app.task(me, task.id).await.unwrap().planned_blocks;
    assert_eq!(on_monday(&stored), [first], "{stored:?}");
    let total: i64 = stored.iter().map(PlannedBlock::minutes).sum();
    assert_eq!(total, 480, "{stored:?}");
}

async fn ended_blocks_are_taken_off_the_estimate(app: &LifeOs, me: UserId) {
    let task = app.add_task(me, report()).await.unwrap();
    week_at(app, me, monday_morning()).await;
    let monday = on_monday(&app.task(me, task.id).await.unwrap().planned_blocks);
    let worked: i64 = monday.iter().map(PlannedBlock::minutes).sum();
    assert!(worked > 0, "a sitting on Monday");
    let week = week_at(app, me, tuesday_morning()).await;
    assert_eq!(
        week.worked_minutes.get(task.id.as_uuid()),
        Some(&u32::try_from(worked).unwrap())
    );
    assert_eq!(i64::from(sent_minutes(&week, &task)), 480 - worked);
    // Monday's sitting stays stored, and the new ones make up the rest, not all of it.
    let stored = app.task(me, task.id).await.unwrap().planned_blocks;
    assert_eq!(on_monday(&stored), monday);
    let planned: i64 = week
        .response
        .scheduled_tasks
        .iter()
        .filter(|s| s.task_id == *task.id.as_uuid())
        .map(|s| (s.end_time - s.start_time).num_minutes())
        .sum();
    assert_eq!(planned, 480 - worked);
    // Planning again changes nothing: the kept record is still subtracted.
    let again = week_at(app, me, tuesday_morning() + Duration::minutes(1)).await;
    assert_eq!(again.changed_blocks(), 0, "{:?}", again.changes);
}

async fn logged_actual_minutes_count_instead_of_ended_blocks(app: &LifeOs, me: UserId) {
    let task = app.add_task(me, report()).await.unwrap();
    week_at(app, me, monday_morning()).await;
    log_minutes(app, me, task.id, 30).await;
    let week = week_at(app, me, tuesday_morning()).await;
    // 30 logged, not the ended sitting's minutes, and not both.
    assert_eq!(week.worked_minutes.get(task.id.as_uuid()), Some(&30));
    assert_eq!(sent_minutes(&week, &task), 450);
}

async fn a_used_up_estimate_is_reported_not_planned(app: &LifeOs, me: UserId) {
    let call = app
        .add_task(
            me,
            NewTask {
                priority: 2,
                estimated_minutes: Some(60),
                ..NewTask::titled("Call the bank")
            },
        )
        .await
        .unwrap();
    week_at(app, me, monday_morning()).await;
    let block = app.task(me, call.id).await.unwrap().planned_blocks[0];
    assert!(block.end <= tuesday_morning(), "{block:?}");
    let expected = "Estimate used up: 60 of 60 minutes already worked (in planned blocks that have ended); mark it done, or raise its estimate to plan more.";
    let week = week_at(app, me, tuesday_morning()).await;
    assert!(
        week.request
            .tasks
            .iter()
            .all(|t| t.task.id != *call.id.as_uuid())
    );
    let left = left_out(&week.response.unscheduled_tasks, call.id);
    assert_eq!(left.code, UnscheduledCode::NotActionable);
    assert_eq!(left.reason, expected);
    assert!(
        !week
            .response
            .scheduled_tasks
            .iter()
            .any(|s| s.task_id == *call.id.as_uuid())
    );
    assert_eq!(app.task(me, call.id).await.unwrap().planned_blocks, [block]);
    // The day says the same, and logged minutes say it their way.
    let day = app
        .plan_day(me, None, tuesday_morning(), PlanDayOptions::new())
        .await
        .unwrap();
    assert!(
        day.response
            .unscheduled_tasks
            .iter()
            .any(|u| u.reason == expected)
    );
    assert_eq!(app.task(me, call.id).await.unwrap().planned_blocks, [block]);
    log_minutes(app, me, call.id, 75).await;
    let week = week_at(app, me, tuesday_morning()).await;
    let left = left_out(&week.response.unscheduled_tasks, call.id);
    assert_eq!(
        left.reason,
        "Estimate used up: 75 of 60 minutes already worked (as logged); mark it done, or raise its estimate to plan more."
    );
}
