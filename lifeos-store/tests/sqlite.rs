//! The conformance suite on the SQLite backend (in memory and on a file), the event-log
//! trigger tests by raw SQL, and a differential test against the memory backend.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod conformance;

use lifeos_store::{SqliteStore, StoreOptions};

async fn make(options: StoreOptions) -> SqliteStore {
    SqliteStore::open_in_memory(options).await.unwrap()
}

conformance_suite!(make);

/// The same suite against a WAL file with separate read and write pools.
mod on_file {
    use super::*;

    async fn make(options: StoreOptions) -> SqliteStore {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("lifeos-store-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!("db-{n}.sqlite"));
        let _ = std::fs::remove_file(&path);
        SqliteStore::open(&path, options).await.unwrap()
    }

    conformance_suite!(make);
}

mod differential;
mod sqlite_only;
