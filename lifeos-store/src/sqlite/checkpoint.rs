//! WAL checkpoints off the write path.
//!
//! SQLite's automatic checkpoint runs inside the `COMMIT` that crosses its threshold
//! (1000 pages by default): that commit copies the WAL into the database file and syncs
//! it, holding the one write connection for milliseconds while every other writer
//! queues. Here the write connection's automatic checkpoint is raised to a safety net
//! ([`SAFETY_NET_PAGES`]) and a `PASSIVE` checkpoint runs every [`EVERY_COMMITS`] commits
//! on a read connection, beside the writer: WAL lets a checkpoint and a writer run at the
//! same time, and `PASSIVE` never waits for either (what it cannot copy yet, the next one
//! will). Counting commits, not reading a clock, keeps the store deterministic.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sqlx::SqlitePool;

/// Commits between two background checkpoints. A task write adds a few pages to the WAL,
/// so the WAL stays near a few hundred pages.
pub(crate) const EVERY_COMMITS: u64 = 128;

/// The write connection's own automatic checkpoint (`wal_autocheckpoint`, in pages):
/// reached only when the background ones cannot keep up (one very large transaction,
/// such as an import, or readers that never let a checkpoint finish).
pub(crate) const SAFETY_NET_PAGES: &str = "16000";

/// Starts a background checkpoint every [`EVERY_COMMITS`] commits, one at a time.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    pool: SqlitePool,
    commits: AtomicU64,
    running: Arc<AtomicBool>,
}

impl Checkpointer {
    /// Checkpoints through connections of `pool` (the read pool of a WAL file).
    pub(crate) fn new(pool: SqlitePool) -> Self {
        Checkpointer {
            pool,
            commits: AtomicU64::new(0),
            running: Arc::default(),
        }
    }

    /// Counts a commit; every [`EVERY_COMMITS`]th starts a checkpoint unless one runs.
    /// Outside a Tokio runtime nothing starts (the safety net still bounds the WAL).
    pub(crate) fn committed(&self) {
        let n = self.commits.fetch_add(1, Ordering::Relaxed) + 1;
        if !n.is_multiple_of(EVERY_COMMITS) || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.running.store(false, Ordering::Release);
            return;
        };
        let pool = self.pool.clone();
        let running = Arc::clone(&self.running);
        runtime.spawn(async move {
            // A failure (the pool closing, a busy lock) only defers the copy to the next
            // checkpoint or the safety net; the data is safe in the WAL either way.
            if let Ok(mut conn) = pool.acquire().await {
                let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&mut *conn)
                    .await;
            }
            running.store(false, Ordering::Release);
        });
    }
}
