//! Shared helpers for the LifeOS examples (none yet); the examples live in `examples/`.
