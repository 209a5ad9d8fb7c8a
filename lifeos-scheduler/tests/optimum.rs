//! The planner against CP-SAT optima committed in `data/days.jsonl`
//! (regenerate with `tools/planner/regen.sh`).

use lifeos_core::plan::PlanDayRequest;
use lifeos_scheduler::{plan_day, validate};
use serde_json::Value;

pub(crate) struct Solved {
    pub request: PlanDayRequest,
    pub tasks: usize,
    pub optimum: i64,
    pub status: String,
    pub greedy: i64,
}

pub(crate) fn load(path: &str) -> Vec<Solved> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Solved {
                request: PlanDayRequest::from_value(&v["request"]).unwrap(),
                tasks: v["tasks"].as_u64().unwrap() as usize,
                optimum: v["optimum"].as_i64().unwrap(),
                status: v["status"].as_str().unwrap().to_owned(),
                greedy: v["greedy"].as_i64().unwrap(),
            }
        })
        .collect()
}

fn data() -> Vec<Solved> {
    load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/days.jsonl"
    ))
}

#[test]
fn committed_data_has_what_the_issue_asks() {
    let days = data();
    let small = days
        .iter()
        .filter(|d| d.tasks <= 8 && d.status == "OPTIMAL")
        .count();
    let hard_for_greedy = days
        .iter()
        .filter(|d| (d.greedy as f64) < 0.9 * d.optimum as f64)
        .count();
    assert!(days.len() >= 200, "{} days", days.len());
    assert!(small >= 200, "{small} small optimal days");
    assert!(
        hard_for_greedy >= 30,
        "{hard_for_greedy} days where greedy < 0.9"
    );
}

#[test]
fn small_days_reach_the_optimum() {
    let mut checked = 0;
    for (i, d) in data().iter().enumerate() {
        if d.tasks > 8 || d.status != "OPTIMAL" {
            continue;
        }
        let response = plan_day(&d.request).unwrap();
        let score = validate(&d.request, &response)
            .unwrap_or_else(|v| panic!("day {i}: invalid plan {v:?}"))
            .quarter_points;
        assert_eq!(score, d.optimum, "day {i}: {}", d.request.to_json());
        checked += 1;
    }
    assert!(checked >= 200, "only {checked} small days");
}

#[test]
fn larger_days_are_valid_and_never_beat_a_proven_optimum() {
    // Every fourth day of 9 to 60 tasks (the quality bench runs them all, in release).
    for (i, d) in data().iter().enumerate().step_by(4) {
        if d.tasks <= 8 || d.tasks > 60 {
            continue;
        }
        let response = plan_day(&d.request).unwrap();
        let score = validate(&d.request, &response)
            .unwrap_or_else(|v| panic!("day {i}: invalid plan {v:?}"))
            .quarter_points;
        if d.status == "OPTIMAL" {
            assert!(
                score <= d.optimum,
                "day {i}: {score} > optimum {}",
                d.optimum
            );
        }
    }
}

#[test]
fn medium_days_do_not_depend_on_input_order() {
    let days = data();
    for d in days
        .iter()
        .filter(|d| d.tasks > 8 && d.tasks <= 60)
        .take(12)
    {
        let mut reordered = d.request.clone();
        reordered.tasks.reverse();
        reordered.tasks.rotate_left(d.tasks / 3);
        reordered.blocked_time.reverse();
        let a = serde_json::to_string(&plan_day(&d.request).unwrap()).unwrap();
        let b = serde_json::to_string(&plan_day(&reordered).unwrap()).unwrap();
        assert_eq!(a, b);
    }
}
