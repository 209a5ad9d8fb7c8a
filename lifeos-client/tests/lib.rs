//! lifeos-client's integration tests: against the real lifeos-server on loopback (SQLite
//! and PostgreSQL), and against small fake servers for retries, Retry-After, token
//! refresh, the feed's resumption and timeouts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod crash;
mod e2e;
mod fake;
