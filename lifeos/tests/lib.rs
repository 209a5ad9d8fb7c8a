//! The application layer's tests: the workflows over real stores (memory, a SQLite file).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod app;
