//! Integration tests of the planner: golden cases, committed exact optima, properties.

mod golden;
mod optimum;
mod props;
