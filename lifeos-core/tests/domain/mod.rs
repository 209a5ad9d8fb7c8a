//! The domain model: ids, tasks, projects, profiles, billing, events.

mod events;
mod serde_roundtrip;
pub(crate) mod strategies;
mod transitions;
mod validation;
