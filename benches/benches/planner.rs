//! Criterion benches of `plan_day`: days of 10, 60 and 300 tasks with 8 meetings.
#![allow(clippy::panic)] // a bench whose input does not parse must stop

use criterion::{Criterion, criterion_group, criterion_main};
use lifeos_benches::bench_day;
use lifeos_core::plan::PlanDayRequest;
use lifeos_scheduler::{plan_day, validate};
use std::hint::black_box;

fn day(n: usize) -> PlanDayRequest {
    match bench_day(n) {
        Ok(r) => r,
        Err(e) => panic!("bench day does not parse: {e}"),
    }
}

fn bench(c: &mut Criterion) {
    for n in [10, 60, 300] {
        let request = day(n);
        let response = plan_day(&request).unwrap_or_default();
        assert!(
            validate(&request, &response).is_ok(),
            "bench plan must be valid"
        );
        assert!(!response.scheduled_tasks.is_empty());
        c.bench_function(&format!("planner/plan/day_{n}_tasks"), |b| {
            b.iter(|| plan_day(black_box(&request)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
