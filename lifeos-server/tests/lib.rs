//! `lifeos-server` over HTTP: a real server on loopback per test, reqwest as the client;
//! each test on SQLite, and on PostgreSQL (and Redis) when `LIFEOS_TEST_DATABASE_URL`
//! (and `LIFEOS_TEST_REDIS_URL`) are set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod api;
mod cli;
