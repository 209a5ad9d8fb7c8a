//! Replanning stability (issue 15): a committed week planned, then planned again with that
//! plan as `previousPlan` and one new urgent task (priority 3, 60 minutes, due a day after
//! `currentTime`), as `tools/planner/stability_week.py` does. At least 90% of the blocks
//! the change does not touch keep their exact times (counted over the weeks, as the script
//! does). Not timed: the planner's work is counted in units, so this is deterministic.

use chrono::{DateTime, Duration, Utc};
use lifeos_core::plan::PlanWeekRequest;
use lifeos_scheduler::{plan_week, validate_week};
use serde_json::{Value, json};

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The week with the urgent task added and `previous` sent back; the new task's id.
fn with_urgent_task(request: &PlanWeekRequest, previous: Value) -> (PlanWeekRequest, String) {
    let mut v: Value = serde_json::from_str(&request.to_json()).unwrap();
    let n = request.tasks.len() as u128 + 12345;
    let id = uuid::Uuid::from_u128(n).to_string();
    let due = iso(request.current_time + Duration::days(1));
    v["tasks"].as_array_mut().unwrap().push(json!({
        "id": id, "title": "Urgent", "priority": 3, "estimatedMinutes": 60, "dueDate": due
    }));
    v["previousPlan"] = previous;
    (PlanWeekRequest::from_value(&v).unwrap(), id)
}

#[test]
fn a_new_urgent_task_leaves_nine_in_ten_untouched_blocks_where_they_were() {
    let weeks = crate::week::load(&format!(
        "{}/tests/data/weeks.jsonl",
        env!("CARGO_MANIFEST_DIR")
    ));
    assert!(weeks.len() >= 30, "committed weeks missing");
    let (mut kept, mut untouched, mut replans) = (0usize, 0usize, 0usize);
    for w in weeks.iter().step_by(3) {
        let first = plan_week(&w.request).unwrap();
        if first.scheduled_tasks.is_empty() {
            continue;
        }
        let previous: Vec<Value> = first
            .scheduled_tasks
            .iter()
            .map(|b| json!({"taskId": b.task_id, "startTime": iso(b.start_time), "endTime": iso(b.end_time)}))
            .collect();
        let (request, new_id) = with_urgent_task(&w.request, Value::Array(previous));
        let second = plan_week(&request).unwrap();
        validate_week(&request, &second)
            .unwrap_or_else(|v| panic!("invalid replan {v:?}\n{}", request.to_json()));
        assert!(
            second
                .scheduled_tasks
                .iter()
                .any(|b| b.task_id.to_string() == new_id)
                || second
                    .unscheduled_tasks
                    .iter()
                    .any(|u| u.task_id.to_string() == new_id),
            "the new task is answered"
        );
        let again: Vec<_> = second
            .scheduled_tasks
            .iter()
            .map(|b| (b.task_id, b.start_time, b.end_time))
            .collect();
        for b in &first.scheduled_tasks {
            // Touched: the changed task's blocks, or a start before currentTime.
            if b.task_id.to_string() == new_id || b.start_time < request.current_time {
                continue;
            }
            untouched += 1;
            kept += usize::from(again.contains(&(b.task_id, b.start_time, b.end_time)));
        }
        replans += 1;
    }
    assert!(replans >= 10, "only {replans} weeks replanned");
    let share = kept as f64 / untouched.max(1) as f64;
    assert!(
        share >= 0.9,
        "{kept} of {untouched} untouched blocks kept ({:.1}%), under 90%",
        share * 100.0
    );
}
