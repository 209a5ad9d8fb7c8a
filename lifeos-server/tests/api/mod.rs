//! The routes and API.md's conformance items, each as its own test.

mod ai;
mod auth;
mod calendar;
mod calendar_events;
mod calendar_patch;
mod error_order;
mod events;
mod idempotency;
mod input;
mod me;
mod openapi;
mod plan;
mod plan_week;
mod projects;
mod rate_limit;
mod service;
mod tasks;
mod usage;
