//! Integration tests of the planner: golden cases, committed exact optima, properties.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod golden;
mod optimum;
mod props;
mod week;
mod week_props;
