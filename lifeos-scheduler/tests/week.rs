//! The week planner: committed CP-SAT solutions (`data/weeks.jsonl`, regenerate with
//! `tools/planner/regen_week.sh`), golden cases for its rules, and properties.

use lifeos_core::plan::{PlanWeekRequest, PlanWeekResponse, UnscheduledCode};
use lifeos_scheduler::{plan_week, validate_week};
use serde_json::{Value, json};

pub(crate) struct Solved {
    pub request: PlanWeekRequest,
    pub best: i64,
    pub bound: i64,
    pub status: String,
}

pub(crate) fn load(path: &str) -> Vec<Solved> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Solved {
                request: PlanWeekRequest::from_value(&v["request"]).unwrap(),
                best: v["optimum"].as_i64().unwrap(),
                bound: v["bound"].as_i64().unwrap(),
                status: v["status"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

fn data(name: &str) -> Vec<Solved> {
    load(&format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR")))
}

fn plan(request: &PlanWeekRequest) -> (PlanWeekResponse, i64) {
    let response = plan_week(request).unwrap();
    let score = validate_week(request, &response)
        .unwrap_or_else(|v| panic!("invalid plan {v:?}\n{}", request.to_json()))
        .quarter_points;
    (response, score)
}

#[test]
fn committed_weeks_plan_validly_and_never_beat_a_bound() {
    let weeks = data("weeks.jsonl");
    assert!(weeks.len() >= 40, "{} weeks", weeks.len());
    for (i, w) in weeks.iter().enumerate() {
        let (_, score) = plan(&w.request);
        assert!(score <= w.bound, "week {i}: {score} > bound {}", w.bound);
        if w.status == "OPTIMAL" {
            assert!(score <= w.best, "week {i}: {score} > optimum {}", w.best);
        }
    }
}

#[test]
fn weeks_do_not_depend_on_input_order() {
    for w in data("weeks.jsonl").iter().step_by(3) {
        let mut reordered = w.request.clone();
        reordered.tasks.reverse();
        let third = reordered.tasks.len() / 3;
        reordered.tasks.rotate_left(third);
        reordered.blocked_time.reverse();
        reordered.previous_plan.reverse();
        let a = serde_json::to_string(&plan_week(&w.request).unwrap()).unwrap();
        let b = serde_json::to_string(&plan_week(&reordered).unwrap()).unwrap();
        assert_eq!(a, b);
    }
}

const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";
const C: &str = "00000000-0000-4000-8000-00000000000c";

/// Monday 2026-03-09 in Berlin (UTC+1), before the workday; 5 days; 09:00-17:00.
fn week(tasks: Value, extra: Value) -> PlanWeekRequest {
    let mut v = json!({"timezone": "Europe/Berlin", "today": "2026-03-09",
        "currentTime": "2026-03-09T06:00:00Z", "horizonDays": 5, "tasks": tasks});
    if let (Some(obj), Some(more)) = (v.as_object_mut(), extra.as_object()) {
        for (k, x) in more {
            obj.insert(k.clone(), x.clone());
        }
    }
    PlanWeekRequest::from_value(&v).unwrap()
}

#[test]
fn a_long_task_is_chunked_one_chunk_a_day_earliest_days_first() {
    let r = week(
        json!([{"id": A, "priority": 3, "estimatedMinutes": 360, "maxChunkMinutes": 120,
                "dueDate": "2026-03-13T16:00:00Z"}]),
        json!({}),
    );
    let (resp, _) = plan(&r);
    let days: Vec<String> = resp
        .scheduled_tasks
        .iter()
        .map(|s| s.start_time.format("%d").to_string())
        .collect();
    assert_eq!(days, ["09", "10", "11"]);
    assert!(resp.scheduled_tasks.iter().all(|s| s.chunk_count == 3
        && s.remaining_minutes == 0
        && (s.end_time - s.start_time).num_minutes() == 120));
    // In peak hours (09:00-11:00 local is 08:00-10:00 UTC).
    assert_eq!(
        resp.scheduled_tasks[0]
            .start_time
            .format("%H:%M")
            .to_string(),
        "08:00"
    );
    assert!(resp.scheduled_tasks[1].rationale.contains("part 2 of 3"));
}

#[test]
fn the_focus_cap_holds_per_date_and_a_progress_task_takes_what_fits() {
    let r = week(
        json!([{"id": A, "priority": 1, "estimatedMinutes": 1200, "maxChunkMinutes": 180,
                "minChunkMinutes": 60}]),
        json!({"preferences": {"maxFocusHours": 2}, "horizonDays": 3}),
    );
    let (resp, _) = plan(&r);
    assert_eq!(resp.scheduled_tasks.len(), 3);
    assert!(
        resp.scheduled_tasks
            .iter()
            .all(|s| (s.end_time - s.start_time).num_minutes() == 120
                && s.remaining_minutes == 1200 - 360)
    );
}

#[test]
fn non_working_days_and_out_of_office_take_no_work() {
    // Saturday 2026-03-14 start; Monday is out of office.
    let mut r = week(
        json!([{"id": A, "estimatedMinutes": 60}]),
        json!({"today": "2026-03-14", "currentTime": "2026-03-14T06:00:00Z",
               "blockedTime": [{"title": "Offsite", "start": "2026-03-15T23:00:00Z",
                                "end": "2026-03-16T23:00:00Z", "isAllDay": true, "busy": true}]}),
    );
    let (resp, _) = plan(&r);
    assert_eq!(
        resp.scheduled_tasks[0].start_time.format("%d").to_string(),
        "17"
    );
    assert!(resp.warnings.iter().any(|w| w.contains("Out of office")));
    r.preferences.working_days = lifeos_core::plan::WorkingDays::from_iso(&[6]).unwrap();
    let (resp, _) = plan(&r);
    assert_eq!(
        resp.scheduled_tasks[0].start_time.format("%d").to_string(),
        "14"
    );
}

#[test]
fn a_dependent_waits_for_every_chunk() {
    let r = week(
        json!([{"id": A, "priority": 0, "estimatedMinutes": 240, "maxChunkMinutes": 120,
                "dueDate": "2026-03-13T16:00:00Z"},
               {"id": B, "priority": 3, "estimatedMinutes": 30, "dependsOn": [A]}]),
        json!({}),
    );
    let (resp, _) = plan(&r);
    let last_a = resp
        .scheduled_tasks
        .iter()
        .filter(|s| s.task_id.to_string() == A)
        .map(|s| s.end_time)
        .max()
        .unwrap();
    let b = resp
        .scheduled_tasks
        .iter()
        .find(|s| s.task_id.to_string() == B)
        .unwrap();
    assert!(b.start_time >= last_a);
}

#[test]
fn codes_name_what_is_missing() {
    let r = week(
        json!([{"id": A, "estimatedMinutes": 600, "maxChunkMinutes": 600,
                "dueDate": "2026-03-13T16:00:00Z"},
               {"id": B, "estimatedMinutes": 30, "dependsOn": [A]},
               {"id": C, "estimatedMinutes": 30, "pinnedStart": "2026-03-20T09:00:00Z"}]),
        json!({}),
    );
    let (resp, _) = plan(&r);
    let codes: Vec<UnscheduledCode> = resp.unscheduled_tasks.iter().map(|u| u.code).collect();
    assert_eq!(
        codes,
        [
            UnscheduledCode::TooLong,
            UnscheduledCode::Blocked,
            UnscheduledCode::NotActionable
        ]
    );
}

#[test]
fn replanning_keeps_the_previous_plan() {
    let tasks = json!([{"id": A, "priority": 1, "estimatedMinutes": 60},
                       {"id": B, "priority": 1, "estimatedMinutes": 60}]);
    let r = week(tasks.clone(), json!({}));
    let (first, _) = plan(&r);
    // Move every block to Wednesday afternoon: the keep bonus holds them there.
    let previous: Vec<Value> = first
        .scheduled_tasks
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let h = 13 + i;
            json!({"taskId": s.task_id, "startTime": format!("2026-03-11T{h}:00:00Z"),
                   "endTime": format!("2026-03-11T{}:00:00Z", h + 1)})
        })
        .collect();
    let r = week(tasks, json!({"previousPlan": previous}));
    let (second, _) = plan(&r);
    assert!(
        second
            .scheduled_tasks
            .iter()
            .all(|s| s.start_time.format("%d").to_string() == "11")
    );
    assert!(
        second.scheduled_tasks[0]
            .rationale
            .contains("kept from your last plan")
    );
}

#[test]
fn a_pinned_task_on_a_weekend_is_kept_and_warned_about() {
    let r = week(
        json!([{"id": A, "estimatedMinutes": 90, "pinnedStart": "2026-03-14T10:00:00Z"}]),
        json!({"horizonDays": 7}),
    );
    let (resp, _) = plan(&r);
    assert_eq!(resp.scheduled_tasks.len(), 1);
    assert!(resp.warnings.iter().any(|w| w.contains("non-working day")));
}

#[test]
fn pinned_conflicts_get_one_warning_per_task_and_at_most_a_hundred() {
    // PLANNER.md rule 7 holds for a week too: 103 pinned tasks over one meeting on
    // Tuesday, each also overlapping the 102 others.
    let tasks: Vec<Value> = (0..103)
        .map(|i| {
            json!({"id": format!("00000000-0000-4000-8000-{i:012}"), "title": format!("P{i}"),
                   "estimatedMinutes": 1, "pinnedStart": "2026-03-10T10:00:00Z"})
        })
        .collect();
    let r = week(
        json!(tasks),
        json!({"preferences": {"maxFocusHours": 24}, "blockedTime": [
            {"title": "Call", "start": "2026-03-10T09:30:00Z", "end": "2026-03-10T10:30:00Z"}]}),
    );
    let (resp, _) = plan(&r);
    assert_eq!(resp.warnings.len(), 101, "{:?}", resp.warnings);
    assert_eq!(
        resp.warnings[0],
        "Pinned \"P0\" at Tue 11:00 overlaps Call, pinned \"P1\", pinned \"P2\" and 100 more."
    );
    assert_eq!(
        resp.warnings[100],
        "3 more pinned tasks overlap events or other pinned tasks (not listed)."
    );
}

#[test]
fn a_pinned_block_under_way_is_not_warned_about_but_one_already_over_is() {
    // Now Mon 11:30 in Berlin: A (11:00-12:00) is under way, B (08:00-09:00) is over.
    let r = week(
        json!([{"id": A, "title": "A", "estimatedMinutes": 60, "pinnedStart": "2026-03-09T10:00:00Z"},
               {"id": B, "title": "B", "estimatedMinutes": 60, "pinnedStart": "2026-03-09T07:00:00Z"}]),
        json!({"currentTime": "2026-03-09T10:30:00Z"}),
    );
    let (resp, _) = plan(&r);
    assert_eq!(resp.scheduled_tasks.len(), 2);
    assert_eq!(
        crate::before_now(&resp.warnings),
        ["Pinned \"B\" ended before now (Mon 08:00–Mon 09:00)."],
        "{:?}",
        resp.warnings
    );
}
