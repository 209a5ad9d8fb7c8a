//! Plans the `planner` bench's day many times, for profilers that count instructions
//! (`valgrind --tool=callgrind`), whose figures stay repeatable on a loaded machine.
//!
//! `cargo run --release -p lifeos-benches --example plan_bench_day -- [TASKS] [RUNS]`
//! (defaults: 60 tasks, 20 runs). Prints the plan's score so a change that alters the
//! plan shows up at once.
#![allow(clippy::panic)] // a profiling run whose input does not parse must stop

use lifeos_benches::bench_day;
use lifeos_scheduler::{plan_day, validate};
use std::hint::black_box;

fn main() {
    let mut args = std::env::args().skip(1);
    let tasks: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let request = bench_day(tasks).unwrap_or_else(|e| panic!("bench day does not parse: {e}"));
    let mut last = None;
    for _ in 0..runs {
        last = plan_day(black_box(&request)).ok();
    }
    let Some(response) = last else {
        panic!("no plan");
    };
    match validate(&request, &response) {
        Ok(score) => println!(
            "{tasks} tasks: score {}, {} scheduled",
            score.quarter_points,
            response.scheduled_tasks.len()
        ),
        Err(v) => panic!("invalid plan: {v:?}"),
    }
}
