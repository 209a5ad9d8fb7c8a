//! Planner quality over the committed CP-SAT optima: mean and minimum of score / optimum,
//! invalid plans, and the slowest day.
//!
//! `cargo bench -p lifeos-benches --bench planner_quality [-- PATH]`
//! (default `lifeos-scheduler/tests/data/days.jsonl`).

use std::error::Error;

use lifeos_core::plan::PlanDayRequest;
use lifeos_scheduler::{plan_day, validate};
use serde_json::Value;

#[allow(clippy::disallowed_methods)] // wall-clock timing is the point of a bench
fn now() -> std::time::Instant {
    std::time::Instant::now()
}

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../lifeos-scheduler/tests/data/days.jsonl"
            )
            .to_owned()
        });
    // Relative paths are read from the workspace root (cargo runs benches in `benches/`).
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let text = std::fs::read_to_string(&path)
        .or_else(|_| std::fs::read_to_string(format!("{root}/{path}")))?;
    let (mut n, mut sum, mut min, mut invalid, mut max_ms) =
        (0usize, 0.0f64, f64::MAX, 0usize, 0.0f64);
    let (mut optimal, mut below_greedy) = (0usize, 0usize);
    let mut worst = String::new();
    let (mut proven, mut proven_min, mut hard_days, mut hard_sum) =
        (0usize, f64::MAX, 0usize, 0.0f64);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)?;
        let request = match PlanDayRequest::from_value(&v["request"]) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("day {i}: skipped, request does not parse: {e}");
                continue;
            }
        };
        let optimum = v["optimum"].as_i64().unwrap_or(0);
        let greedy = v["greedy"].as_i64().unwrap_or(0);
        let t0 = now();
        let response = plan_day(&request)?;
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        max_ms = max_ms.max(ms);
        let score = match validate(&request, &response) {
            Ok(s) => s.quarter_points,
            Err(violations) => {
                invalid += 1;
                eprintln!("day {i}: invalid: {violations:?}");
                0
            }
        };
        let ratio = if optimum == 0 {
            1.0
        } else {
            score as f64 / optimum as f64
        };
        if ratio >= 1.0 - 1e-12 {
            optimal += 1;
        }
        if score < greedy {
            below_greedy += 1;
        }
        if ratio < 0.999 || ms > 25.0 {
            eprintln!(
                "day {i} ({} tasks): ratio {ratio:.4}, {ms:.1} ms",
                v["tasks"]
            );
        }
        if ratio < min {
            min = ratio;
            worst = format!("day {i} ({} tasks): {score} / {optimum}", v["tasks"]);
        }
        sum += ratio;
        n += 1;
        if v["status"] == "OPTIMAL" {
            proven += 1;
            proven_min = proven_min.min(ratio);
        }
        if (greedy as f64) < 0.9 * optimum as f64 {
            hard_days += 1;
            hard_sum += ratio;
        }
    }
    println!(
        "planner quality over {n} days: mean {:.4}, min {:.4} ({worst}), optimal {optimal}, below greedy {below_greedy}, invalid {invalid}, max {max_ms:.1} ms",
        sum / n.max(1) as f64,
        min
    );
    println!(
        "  {proven} days with a proven optimum (min ratio {proven_min:.4}); {hard_days} days where the baseline greedy scores < 0.9 (mean ratio {:.4})",
        hard_sum / hard_days.max(1) as f64
    );
    Ok(())
}
