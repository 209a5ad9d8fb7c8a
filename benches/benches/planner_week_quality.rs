//! Week planner quality over committed CP-SAT solutions (PLANNER-WEEK.md): mean and
//! minimum of score / CP-SAT's best, the ratio to its bound, invalid plans, weeks below the
//! greedy baseline, and the slowest week.
//!
//! `cargo bench -p lifeos-benches --bench planner_week_quality [-- PATH]`
//! (default `lifeos-scheduler/tests/data/weeks.jsonl`; the held-out weeks are
//! `lifeos-scheduler/tests/data/weeks_heldout.jsonl`).

use std::error::Error;

use lifeos_core::plan::PlanWeekRequest;
use lifeos_scheduler::{plan_week, validate_week};
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
                "/../lifeos-scheduler/tests/data/weeks.jsonl"
            )
            .to_owned()
        });
    // Relative paths are read from the workspace root (cargo runs benches in `benches/`).
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let text = std::fs::read_to_string(&path)
        .or_else(|_| std::fs::read_to_string(format!("{root}/{path}")))?;
    let (mut n, mut sum, mut min, mut invalid) = (0usize, 0.0f64, f64::MAX, 0usize);
    let (mut bound_sum, mut bound_min) = (0.0f64, f64::MAX);
    let (mut greedy_sum, mut greedy_min) = (0.0f64, f64::MAX);
    let (mut at_best, mut below_greedy, mut proven) = (0usize, 0usize, 0usize);
    let (mut max_ms, mut slowest) = (0.0f64, String::new());
    let mut worst = String::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)?;
        let request = match PlanWeekRequest::from_value(&v["request"]) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("week {i}: skipped, request does not parse: {e}");
                continue;
            }
        };
        let best = v["optimum"].as_i64().unwrap_or(0);
        let bound = v["bound"].as_i64().unwrap_or(best);
        let greedy = v["greedy"].as_i64().unwrap_or(0);
        let t0 = now();
        let response = plan_week(&request)?;
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        if ms > max_ms {
            max_ms = ms;
            slowest = format!(
                "week {i} ({} tasks, {} days)",
                v["tasks"], request.horizon_days
            );
        }
        let score = match validate_week(&request, &response) {
            Ok(s) => s.quarter_points,
            Err(violations) => {
                invalid += 1;
                eprintln!("week {i}: invalid: {violations:?}");
                0
            }
        };
        let ratio = |of: i64| {
            if of <= 0 {
                1.0
            } else {
                score as f64 / of as f64
            }
        };
        let r = ratio(best);
        if score >= best {
            at_best += 1;
        }
        if score < greedy {
            below_greedy += 1;
        }
        if v["status"] == "OPTIMAL" {
            proven += 1;
        }
        if r < 0.995 {
            eprintln!(
                "week {i} ({} tasks, {} days): ratio {r:.4} ({score} / {best}, {})",
                v["tasks"], request.horizon_days, v["status"]
            );
        }
        if r < min {
            min = r;
            worst = format!("week {i} ({} tasks): {score} / {best}", v["tasks"]);
        }
        let g = if best <= 0 {
            1.0
        } else {
            greedy as f64 / best as f64
        };
        greedy_sum += g;
        greedy_min = greedy_min.min(g);
        sum += r;
        bound_sum += ratio(bound);
        bound_min = bound_min.min(ratio(bound));
        n += 1;
    }
    let nf = n.max(1) as f64;
    println!(
        "week planner quality over {n} weeks ({proven} proven optimal): mean {:.4}, min {:.4} ({worst}); at or above CP-SAT {at_best}, below greedy {below_greedy}, invalid {invalid}",
        sum / nf,
        min
    );
    println!(
        "  ratio to CP-SAT's bound: mean {:.4}, min {:.4}; greedy baseline: mean {:.4}, min {:.4}; slowest {max_ms:.1} ms ({slowest})",
        bound_sum / nf,
        bound_min,
        greedy_sum / nf,
        greedy_min
    );
    Ok(())
}
