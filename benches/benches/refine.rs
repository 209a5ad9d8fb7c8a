//! Criterion benches of refinement's own overhead on top of the deterministic plan (no
//! model time): building the prompt, and judging a reply (parse, repair, acceptance) on
//! days of 10, 60 and 300 tasks. The reply echoes the plan with two blocks swapped, one
//! task left out and one unknown id, as a model's would.
#![allow(clippy::panic)] // a bench whose input does not parse must stop

use criterion::{Criterion, criterion_group, criterion_main};
use lifeos_benches::bench_day;
use lifeos_core::plan::{PlanDayRequest, PlanDayResponse, RefinementStatus};
use lifeos_scheduler::refine::{
    Outcome, Proposal, RefineOptions, Usage, apply, build_prompt, parse_reply, repair,
};
use lifeos_scheduler::{plan_day, validate};
use serde_json::{Value, json};
use std::hint::black_box;

fn day(n: usize) -> PlanDayRequest {
    match bench_day(n) {
        Ok(r) => r,
        Err(e) => panic!("bench day does not parse: {e}"),
    }
}

/// The plan echoed as a model would: two blocks of the same length swapped (moved), the
/// last left out (the planner fills it), and a stranger's id (dropped).
fn reply(plan: &PlanDayResponse) -> String {
    let mut entries: Vec<Value> = plan
        .scheduled_tasks
        .iter()
        .map(|s| json!({"taskId": s.task_id, "startTime": s.start_time, "endTime": s.end_time}))
        .collect();
    entries.pop();
    // Two blocks of the same length trade places.
    let len = |i: usize| plan.scheduled_tasks[i].end_time - plan.scheduled_tasks[i].start_time;
    let pair = (0..entries.len())
        .flat_map(|i| (i + 1..entries.len()).map(move |j| (i, j)))
        .find(|&(i, j)| len(i) == len(j));
    if let Some((i, j)) = pair {
        let (a, b) = (entries[i]["taskId"].clone(), entries[j]["taskId"].clone());
        entries[i]["taskId"] = b;
        entries[j]["taskId"] = a;
    }
    entries.push(json!({"taskId": "00000000-0000-4000-9000-000000000000",
        "startTime": "2026-03-10T09:00:00Z", "endTime": "2026-03-10T09:30:00Z"}));
    json!({"scheduledTasks": entries, "insights": ["Similar work is grouped."]}).to_string()
}

fn bench(c: &mut Criterion) {
    let options = RefineOptions::new().instructions("keep the afternoon light");
    for n in [10, 60, 300] {
        let request = day(n);
        let plan = plan_day(&request).unwrap_or_default();
        let text = reply(&plan);
        let usage = Usage::default();
        let judge = || {
            let outcome =
                Outcome::new(Some("bench".into()), Ok(Proposal::new(text.clone(), usage)));
            apply(&request, &plan, outcome, &options)
        };
        let answer = match judge() {
            Ok(a) => a,
            Err(e) => panic!("bench day does not refine: {e}"),
        };
        assert!(
            validate(&request, &answer).is_ok(),
            "refined plan must be valid"
        );
        let refinement = answer.refinement.unwrap_or_else(|| panic!("no refinement"));
        assert_ne!(refinement.status, RefinementStatus::Failed);
        assert_eq!(refinement.dropped_total(), 1);
        let prompt = match build_prompt(&request, &plan, &options) {
            Ok(p) => p,
            Err(e) => panic!("no prompt: {e}"),
        };
        println!(
            "day_{n}_tasks: prompt {} bytes (system {}, user {}), reply {} bytes, status {}, moved {}",
            prompt.len(),
            prompt.system.len(),
            prompt.user.len(),
            text.len(),
            refinement.status,
            refinement.moved
        );
        c.bench_function(&format!("refine/prompt/day_{n}_tasks"), |b| {
            b.iter(|| build_prompt(black_box(&request), &plan, &options))
        });
        c.bench_function(&format!("refine/parse_repair/day_{n}_tasks"), |b| {
            b.iter(|| parse_reply(black_box(&text)).map(|r| repair(&request, &r)))
        });
        c.bench_function(&format!("refine/apply/day_{n}_tasks"), |b| {
            b.iter(|| black_box(judge()))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
