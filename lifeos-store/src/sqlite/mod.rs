//! The SQLite backend (feature `sqlite`, on by default): one file or in memory, WAL,
//! migrations embedded, runtime queries only.
//!
//! Writes go through one connection with `BEGIN IMMEDIATE`, so concurrent writers queue
//! instead of failing with `SQLITE_BUSY` midway; reads use a separate pool (WAL lets them
//! run beside the writer). Each row stores its domain value as JSON plus the columns that
//! filters, ordering and keys need; titles are searched through an FTS5 trigram index
//! kept by triggers in the same transactions. Every operation is the shared SQL layer's;
//! this module holds what is SQLite's own (see `dialect`).

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::options::StoreOptions;
use crate::sql::{Statements, Style, db};

mod checkpoint;
mod dialect;

use checkpoint::Checkpointer;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQLite store.
///
/// Opening the embedded default, as Plan My Day does:
///
/// ```no_run
/// # async fn demo() -> lifeos_store::Result<()> {
/// use lifeos_store::prelude::*;
/// use lifeos_store::{SqliteStore, StoreOptions, TaskQuery};
/// # let me = lifeos_core::UserId::from_uuid(uuid::Uuid::from_u128(1));
/// # let (day_start, day_end) = (chrono::Utc::now(), chrono::Utc::now());
/// let store = SqliteStore::open("lifeos.db", StoreOptions::new()).await?;
/// let tasks = store.list_all_tasks(me, &TaskQuery::actionable()).await?;
/// let events = store.list_events_for_window(me, day_start, day_end).await?;
/// // ... plan, then save every placement with its `task.scheduled` event, atomically:
/// // store.save_schedule(me, slots, ScheduledBy::Planner).await?;
/// # let _ = (tasks, events); Ok(())
/// # }
/// ```
///
/// A file opened by another process too works (WAL, a busy timeout), but in-process
/// subscribers see only this store's writes.
#[derive(Debug)]
pub struct SqliteStore {
    ctx: Ctx,
    sql: Statements,
    write: SqlitePool,
    read: SqlitePool,
    order: Arc<tokio::sync::Mutex<()>>,
    /// Background WAL checkpoints (a file only: an in-memory database has no WAL).
    checkpointer: Option<Checkpointer>,
}

impl SqliteStore {
    fn with_pools(
        options: StoreOptions,
        write: SqlitePool,
        read: SqlitePool,
        checkpointer: Option<Checkpointer>,
    ) -> Self {
        SqliteStore {
            ctx: Ctx::new(options),
            sql: Statements::new(Style::Question),
            write,
            read,
            order: Arc::default(),
            checkpointer,
        }
    }

    /// Opens (creating if missing) the database file at `path`, in WAL mode, and brings its
    /// schema up to date.
    ///
    /// # Errors
    /// [`Error::Backend`] when the file cannot be opened or migrated.
    pub async fn open(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Checkpoints run beside the writer (see `checkpoint`), not in its commits.
            .pragma("wal_autocheckpoint", checkpoint::SAFETY_NET_PAGES)
            .busy_timeout(BUSY_TIMEOUT);
        let write = connect_file(SqlitePoolOptions::new().max_connections(1), &connect).await?;
        migrate(&write).await?;
        let read = connect_file(SqlitePoolOptions::new().max_connections(4), &connect).await?;
        let checkpointer = Checkpointer::new(read.clone());
        Ok(Self::with_pools(options, write, read, Some(checkpointer)))
    }

    /// A private in-memory database (one connection, gone when the store is dropped).
    ///
    /// # Errors
    /// [`Error::Backend`] when SQLite cannot start.
    pub async fn open_in_memory(options: StoreOptions) -> Result<Self> {
        let connect = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(db("opening the database"))?
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(connect)
            .await
            .map_err(db("opening the database"))?;
        migrate(&write).await?;
        Ok(Self::with_pools(options, write.clone(), write, None))
    }

    /// Closes the connections (waits for running queries).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// Connects a pool to a database file, trying again while another opener holds a lock.
///
/// The busy timeout covers statements, but not every step of a new connection: switching a
/// new file to WAL needs an exclusive lock, and SQLite answers `SQLITE_BUSY` at once (no
/// busy handler) when another connection is switching it or recovering its WAL at that
/// moment. Ten processes opening one new file at once saw this. So a busy answer while
/// connecting is tried again, with growing pauses, for about the busy timeout in all.
async fn connect_file(
    pool: SqlitePoolOptions,
    connect: &SqliteConnectOptions,
) -> Result<SqlitePool> {
    use backon::{ExponentialBuilder, Retryable};
    let backoff = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(5))
        .with_max_delay(Duration::from_millis(250))
        .with_max_times(CONNECT_RETRIES)
        .with_jitter();
    (|| pool.clone().connect_with(connect.clone()))
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(is_busy)
        .await
        .map_err(db("opening the database"))
}

/// How many times a busy connect is tried again: with pauses of at most 250 ms, about the
/// busy timeout in all.
const CONNECT_RETRIES: usize = 45;

/// `SQLITE_BUSY` or one of its extended codes (`SQLITE_BUSY_RECOVERY`, `_SNAPSHOT`, `_TIMEOUT`).
fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| code & 0xff == 5)
}

/// Brings the schema up to date in one `BEGIN IMMEDIATE` transaction (each migration a
/// savepoint in it): processes opening a new file at once take turns (each waits up to
/// the busy timeout), and the later ones find the schema done. Without it, every opener
/// saw no migration applied and all but one failed with "table already exists".
async fn migrate(pool: &SqlitePool) -> Result<()> {
    use sqlx::Connection;
    let mut conn = pool.acquire().await.map_err(db("opening the database"))?;
    let mut tx = conn
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(db("locking the database to migrate it"))?;
    MIGRATOR
        .run_direct(&mut *tx)
        .await
        .map_err(|e| Error::backend("migrating the database", e))?;
    tx.commit().await.map_err(db("committing the migrations"))
}

crate::sql::impl_store!(SqliteStore);
