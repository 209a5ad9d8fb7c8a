//! Integration tests of the planner: golden cases, committed exact optima, properties, and
//! the errors of its one gate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod errors;
mod golden;
mod optimum;
mod props;
mod refine;
mod refine_props;
mod scale;
mod week;
mod week_not_before;
mod week_props;
mod week_stability;

/// The warnings about pinned blocks before now (day and week planners word them alike).
fn before_now(warnings: &[String]) -> Vec<&str> {
    warnings
        .iter()
        .map(String::as_str)
        .filter(|w| w.contains("before now"))
        .collect()
}
