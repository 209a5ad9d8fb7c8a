//! The conformance suite on the in-memory backend.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod conformance;

use lifeos_store::{MemoryStore, StoreOptions};

async fn make(options: StoreOptions) -> MemoryStore {
    MemoryStore::new(options)
}

conformance_suite!(make);
