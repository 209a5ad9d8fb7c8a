//! `plan_week_not_before`: an empty map is `plan_week` byte for byte; with bounds, every
//! plan still validates and no block of a bounded task starts before its instant.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use lifeos_core::plan::{PlanWeekRequest, PlanWeekResponse};
use lifeos_scheduler::{plan_week, plan_week_not_before, validate_week};
use proptest::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::week::{Solved, load};

fn weeks() -> Vec<Solved> {
    load(&format!(
        "{}/tests/data/weeks.jsonl",
        env!("CARGO_MANIFEST_DIR")
    ))
}

/// The plan under `bounds`, checked by the validator and against every bound.
fn bounded(request: &PlanWeekRequest, bounds: &BTreeMap<Uuid, DateTime<Utc>>) -> PlanWeekResponse {
    let response = plan_week_not_before(request, bounds).unwrap();
    if let Err(v) = validate_week(request, &response) {
        panic!("invalid plan {v:?}\n{}", request.to_json());
    }
    let pinned = |id: Uuid| {
        request
            .tasks
            .iter()
            .any(|t| t.task.id == id && t.task.pinned_start.is_some())
    };
    for s in &response.scheduled_tasks {
        if let Some(at) = bounds.get(&s.task_id).filter(|_| !pinned(s.task_id)) {
            assert!(
                s.start_time >= *at,
                "{} starts {} before its bound {at}\n{}",
                s.task_id,
                s.start_time,
                request.to_json()
            );
        }
    }
    response
}

#[test]
fn no_bounds_give_plan_week_byte_for_byte_on_every_committed_week() {
    let weeks = weeks();
    assert!(weeks.len() >= 40, "{} weeks", weeks.len());
    for (i, w) in weeks.iter().enumerate() {
        let plain = serde_json::to_string(&plan_week(&w.request).unwrap()).unwrap();
        let none = plan_week_not_before(&w.request, &BTreeMap::new()).unwrap();
        assert_eq!(plain, serde_json::to_string(&none).unwrap(), "week {i}");
    }
}

#[test]
fn the_rest_of_a_chunked_task_waits_for_tomorrow() {
    let id = Uuid::from_u128(0xa);
    let request = PlanWeekRequest::from_value(&json!({
        "timezone": "Europe/Berlin", "today": "2026-03-09",
        "currentTime": "2026-03-09T06:00:00Z", "horizonDays": 5,
        "tasks": [{"id": id, "priority": 3, "estimatedMinutes": 240, "maxChunkMinutes": 120,
                   "dueDate": "2026-03-13T16:00:00Z"}]
    }))
    .unwrap();
    // Unbounded, the first chunk is today (Monday).
    let free = bounded(&request, &BTreeMap::new());
    assert_eq!(
        free.scheduled_tasks[0].start_time.format("%d").to_string(),
        "09"
    );
    // Berlin's next midnight is 23:00 UTC.
    let midnight: DateTime<Utc> = "2026-03-09T23:00:00Z".parse().unwrap();
    let plan = bounded(&request, &BTreeMap::from([(id, midnight)]));
    let days: Vec<String> = plan
        .scheduled_tasks
        .iter()
        .map(|s| s.start_time.format("%d").to_string())
        .collect();
    assert_eq!(days, ["10", "11"]);
}

#[test]
fn unknown_ids_are_ignored() {
    let w = &weeks()[0];
    let plain = serde_json::to_string(&plan_week(&w.request).unwrap()).unwrap();
    let stranger = BTreeMap::from([(
        Uuid::from_u128(7),
        w.request.current_time + Duration::days(3),
    )]);
    let answer = plan_week_not_before(&w.request, &stranger).unwrap();
    assert_eq!(plain, serde_json::to_string(&answer).unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn bounded_weeks_are_valid_and_respect_every_bound(
        week in 0usize..1000,
        picks in proptest::collection::vec((0usize..64, 0i64..(14 * 24 * 12)), 1..6),
    ) {
        let weeks = weeks();
        let w = &weeks[week % weeks.len()];
        let ids: Vec<Uuid> = w.request.tasks.iter().map(|t| t.task.id).collect();
        prop_assume!(!ids.is_empty());
        let start = w.request.current_time;
        let bounds: BTreeMap<Uuid, DateTime<Utc>> = picks
            .iter()
            .map(|&(i, five)| (ids[i % ids.len()], start + Duration::minutes(5 * five)))
            .collect();
        let response = bounded(&w.request, &bounds);
        // Every task is still answered once: scheduled or unscheduled.
        for id in &ids {
            let scheduled = response.scheduled_tasks.iter().any(|s| s.task_id == *id);
            let unscheduled = response.unscheduled_tasks.iter().filter(|u| u.task_id == *id).count();
            prop_assert!(scheduled ^ (unscheduled == 1), "task {} answered wrongly", id);
        }
    }
}
