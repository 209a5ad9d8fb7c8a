//! Criterion benches of `plan_week`: 7-day weeks of 60 and 300 tasks (a third chunked).
#![allow(clippy::panic)] // a bench whose input does not parse must stop

use criterion::{Criterion, criterion_group, criterion_main};
use lifeos_benches::bench_week;
use lifeos_scheduler::{plan_week, validate_week};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("planner/plan_week");
    group.sample_size(20);
    for n in [60, 300] {
        let request = match bench_week(n) {
            Ok(r) => r,
            Err(e) => panic!("bench week does not parse: {e}"),
        };
        let response = plan_week(&request).unwrap_or_default();
        assert!(
            validate_week(&request, &response).is_ok(),
            "bench plan must be valid"
        );
        assert!(!response.scheduled_tasks.is_empty());
        group.bench_function(format!("week_{n}_tasks"), |b| {
            b.iter(|| plan_week(black_box(&request)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
