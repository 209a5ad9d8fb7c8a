//! The domain model: ids, tasks, projects, profiles, billing, events.

mod events;
mod plan_conversion;
mod serde_roundtrip;
pub(crate) mod strategies;
mod transitions;
mod validation;
