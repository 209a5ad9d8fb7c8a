//! The LifeOS day planner. Not implemented yet: issue "lifeos-scheduler: a deterministic,
//! near-optimal Plan My Day" brings it. This crate currently exports nothing.
