//! Integration tests of lifeos-core, one binary with a module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure report

mod calendar;
mod domain;
