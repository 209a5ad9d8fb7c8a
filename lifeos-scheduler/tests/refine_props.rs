//! Properties of refinement: whatever a model proposes (random ids, times and lengths,
//! echoes of the plan, broken text), on generated days, the answer passes `validate`,
//! never scores below the tolerance, and its `refinement` object adds up.

use lifeos_core::plan::{PlanDayRequest, RefinementStatus};
use lifeos_scheduler::refine::{
    FinishReason, Outcome, Proposal, RefineOptions, Usage, apply, parse_reply, repair,
};
use lifeos_scheduler::{plan_day, validate};
use proptest::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde_json::{Value, json};

use crate::props::request;

struct R(ChaCha8Rng);

impl R {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn z(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A proposal for `request`: some echoed plan entries, some of its tasks at random
/// times and lengths, some strangers and some junk, in a random order.
fn proposal(r: &mut R, request: &PlanDayRequest) -> Value {
    let base = plan_day(request).unwrap();
    let day_start = request
        .today
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    let mut list = Vec::new();
    for s in &base.scheduled_tasks {
        if r.chance(60) {
            list.push(json!({"taskId": s.task_id, "startTime": z(s.start_time),
                             "endTime": z(s.end_time)}));
        }
    }
    for _ in 0..r.below(request.tasks.len() as u64 + 4) {
        let id = if !request.tasks.is_empty() && r.chance(80) {
            json!(request.tasks[r.below(request.tasks.len() as u64) as usize].id)
        } else if r.chance(50) {
            json!(format!("00000000-0000-4000-9000-{:012}", r.below(1000)))
        } else {
            [json!("junk"), json!(7), Value::Null][r.below(3) as usize].clone()
        };
        // Starts across the local day (zones reach UTC-10 to +14) and around it, mostly on
        // whole 5 minutes.
        let mut start = if r.chance(50) {
            day_start - 14 * 3600 + r.below(52 * 60) as i64 * 60
        } else {
            day_start + r.below(24 * 60) as i64 * 60
        };
        if r.chance(70) {
            start -= start.rem_euclid(300);
        }
        let task_len = request
            .tasks
            .iter()
            .find(|t| json!(t.id) == id)
            .map_or(30, |t| i64::from(t.estimated_minutes));
        let minutes = if r.chance(70) {
            task_len
        } else {
            1 + r.below(240) as i64
        };
        let at = |s: i64| z(chrono::DateTime::from_timestamp(s, 0).unwrap());
        let mut entry = json!({"taskId": id, "startTime": at(start),
                               "endTime": at(start + minutes * 60)});
        if r.chance(5) {
            entry["endTime"] = json!("later");
        }
        list.push(entry);
    }
    // A random order: the planner must not depend on the model's.
    for i in (1..list.len()).rev() {
        let j = r.below(i as u64 + 1) as usize;
        list.swap(i, j);
    }
    json!({"scheduledTasks": list, "insights": ["A generated insight."]})
}

fn outcome(r: &mut R, text: String) -> Outcome {
    let usage = Usage {
        tokens_in: r.below(10_000),
        tokens_out: r.below(2_000),
    };
    let proposal = match r.below(20) {
        0 => Proposal::new(&text[..text.len() / 2], usage),
        1 => Proposal::new(text, usage).with_finish_reason(FinishReason::Length),
        2 => Proposal::refused("no", usage),
        _ => Proposal::new(text, usage),
    };
    Outcome::new(Some("m".to_owned()), Ok(proposal))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_proposal_gives_a_valid_plan_within_tolerance(seed in any::<u64>(), tol in 0usize..5) {
        let Ok(request) = PlanDayRequest::from_value(&request(seed, 14)) else { return Ok(()) };
        let mut r = R(ChaCha8Rng::seed_from_u64(seed ^ 0x5eed));
        let tolerance = [0.0, 0.02, 0.1, 0.5, 1.0][tol];
        let options = RefineOptions::new().tolerance(tolerance).unwrap();
        let base = plan_day(&request).unwrap();
        let base_score = validate(&request, &base).unwrap().quarter_points;
        let reply = proposal(&mut r, &request);
        let entries = reply["scheduledTasks"].as_array().unwrap().len();
        // Repair alone already gives a valid plan (acceptance is only a second net), and
        // accounts for every entry.
        let repaired = repair(&request, &parse_reply(&reply.to_string()).unwrap()).unwrap();
        if let Err(v) = validate(&request, &repaired.response) {
            panic!("repair broke a rule: {v:?}\nrequest: {}\nreply: {reply}", request.to_json());
        }
        prop_assert_eq!(repaired.kept + repaired.dropped.len(), entries);
        let answer = apply(&request, &base, outcome(&mut r, reply.to_string()), &options)
            .unwrap();
        let score = match validate(&request, &answer) {
            Ok(s) => s.quarter_points,
            Err(v) => panic!("invalid answer: {v:?}\nrequest: {}\nreply: {reply}",
                request.to_json()),
        };
        let f = answer.refinement.clone().unwrap();
        prop_assert_eq!(f.score_final, score);
        prop_assert_eq!(f.score_deterministic, base_score);
        prop_assert!(score as f64 >= (1.0 - tolerance) * base_score as f64,
            "{} below {} at tolerance {}", score, base_score, tolerance);
        prop_assert!(f.dropped_total() <= entries);
        if f.status == RefinementStatus::Accepted {
            prop_assert!(answer.insights.len() <= base.insights.len() + 5 + 4);
        } else {
            prop_assert_eq!(&answer.scheduled_tasks, &base.scheduled_tasks);
            prop_assert_eq!(f.moved, 0);
            prop_assert_eq!(answer.warnings.len(), base.warnings.len() + 1);
        }
    }
}
