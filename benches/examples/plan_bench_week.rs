//! Plans the `planner_week` bench's week many times and prints the time per plan, for
//! profilers (`valgrind --tool=callgrind`, `perf record`) and quick before/after checks.
//!
//! `cargo run --release -p lifeos-benches --example plan_bench_week -- [TASKS] [RUNS]`
//! (defaults: 60 tasks, 20 runs). Prints the plan's score so a change that alters the
//! plan shows up at once; the time is wall time and varies with the machine's load, so
//! compare instruction counts (callgrind) or criterion medians for figures.
#![allow(clippy::panic)] // a profiling run whose input does not parse must stop

use lifeos_benches::bench_week;
use lifeos_scheduler::{plan_week, validate_week};
use std::hint::black_box;

#[allow(clippy::disallowed_methods)] // wall-clock timing is the point of this binary
fn clock() -> std::time::Instant {
    std::time::Instant::now()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let tasks: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let runs: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(20)
        .max(1);
    let request = bench_week(tasks).unwrap_or_else(|e| panic!("bench week does not parse: {e}"));
    let mut last = None;
    let started = clock();
    for _ in 0..runs {
        last = plan_week(black_box(&request)).ok();
    }
    let per_plan = started.elapsed() / runs as u32;
    let Some(response) = last else {
        panic!("no plan");
    };
    match validate_week(&request, &response) {
        Ok(score) => println!(
            "{tasks} tasks: score {}, {} blocks, {per_plan:?} per plan over {runs} runs",
            score.quarter_points,
            response.scheduled_tasks.len()
        ),
        Err(v) => panic!("invalid plan: {v:?}"),
    }
}
