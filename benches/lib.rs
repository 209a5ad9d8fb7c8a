//! Shared helpers for the LifeOS criterion benchmarks (none yet); benches live in `benches/`.
