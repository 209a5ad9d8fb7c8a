//! Criterion benches of `plan_day`: days of 10, 60 and 300 tasks with 8 meetings, and days
//! of long dependency chains and dense dependency graphs (issue 13: each under 200 ms).
#![allow(clippy::panic)] // a bench whose input does not parse must stop

use criterion::{Criterion, criterion_group, criterion_main};
use lifeos_benches::{bench_chain, bench_day, bench_deps};
use lifeos_core::plan::{PlanDayRequest, PlanError};
use lifeos_scheduler::{plan_day, validate};
use std::hint::black_box;

fn parsed(request: Result<PlanDayRequest, PlanError>) -> PlanDayRequest {
    match request {
        Ok(r) => r,
        Err(e) => panic!("bench day does not parse: {e}"),
    }
}

/// Benches `plan_day` on `request` under `id`, after checking that its plan is valid and
/// schedules something.
fn bench_plan(c: &mut Criterion, id: &str, request: &PlanDayRequest) {
    let response = plan_day(request).unwrap_or_default();
    assert!(
        validate(request, &response).is_ok(),
        "bench plan must be valid"
    );
    assert!(!response.scheduled_tasks.is_empty());
    c.bench_function(id, |b| b.iter(|| plan_day(black_box(request))));
}

fn bench(c: &mut Criterion) {
    for n in [10, 60, 300] {
        let request = parsed(bench_day(n));
        bench_plan(c, &format!("planner/plan/day_{n}_tasks"), &request);
    }
    bench_plan(c, "planner/plan/chain_5000", &parsed(bench_chain(5000)));
    bench_plan(
        c,
        "planner/plan/deps_3000x100",
        &parsed(bench_deps(3000, 100)),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
