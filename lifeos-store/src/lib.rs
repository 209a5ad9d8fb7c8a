//! LifeOS storage. Not implemented yet: issue "lifeos-store: storage traits, the embedded
//! SQLite default, the event log, and the main job" brings it. This crate currently exports
//! nothing.
