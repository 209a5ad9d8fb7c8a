//! The PostgreSQL backend (feature `postgres`): Row Level Security in the database, an
//! append-only event log, `subscribe` through LISTEN/NOTIFY. Runtime queries only.
//!
//! The store connects as the schema owner (the role in the URL: a superuser, or a role
//! with CREATEROLE that may create the schema, and pg_trgm unless it exists), creates the
//! cluster-wide roles `lifeos_app` and `lifeos_relay` if missing (neither a superuser nor
//! allowed to bypass RLS; it refuses to start if either is), and migrates its schema. Every transaction then runs as `lifeos_app` with
//! the user id in the transaction-local setting `lifeos.user_id`
//! (`set_config('role', 'lifeos_app', true)`, the same as `SET LOCAL ROLE`), so the RLS
//! policies, not only the `WHERE user_id = ...` of each query, keep users apart. The
//! application role owns nothing, has no UPDATE or DELETE on `events` (a trigger refuses
//! them too), and erases a user's log only through the SECURITY DEFINER function
//! `erase_user_events`.
//!
//! Writes of one user are serialized by a transaction-scoped advisory lock, so one user's
//! events commit in `seq` order; writers of different users run in parallel.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::oneshot;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::options::StoreOptions;
use crate::sql::{Statements, Style, db};

mod config;
mod dialect;
mod listener;

pub use config::PostgresConfig;
pub(crate) use config::prepare;
pub(crate) use dialect::{Mode, begin_sql};

/// The role every application transaction runs as.
pub const APP_ROLE: &str = "lifeos_app";
/// The role the NATS relay reads the whole log as.
pub const RELAY_ROLE: &str = "lifeos_relay";

/// The advisory-lock namespace that serializes one user's writers.
const USER_LOCK_NAMESPACE: i32 = 0x4c69_6665; // "Life"

/// How long a writer waits for its own events to reach in-process subscribers.
const DELIVERY_WAIT: Duration = Duration::from_secs(5);

/// The PostgreSQL store.
///
/// ```no_run
/// # async fn demo() -> lifeos_store::Result<()> {
/// use lifeos_store::prelude::*;
/// use lifeos_store::{PostgresConfig, PostgresStore, StoreOptions};
/// # let me = lifeos_core::UserId::from_uuid(uuid::Uuid::from_u128(1));
/// let config = PostgresConfig::new("postgres://postgres@127.0.0.1:5432/lifeos").schema("lifeos");
/// let store = PostgresStore::connect(config, StoreOptions::new()).await?;
/// let task = store.create_task(me, lifeos_core::NewTask::titled("Ship it")).await?;
/// # let _ = task; Ok(())
/// # }
/// ```
///
/// In-process subscribers see every committed event of the schema, whichever process
/// wrote it (LISTEN/NOTIFY); this store's own writes are delivered before the write
/// returns when someone subscribes.
///
/// `connect` spawns the listener on the current tokio runtime: use the store on that
/// runtime (as with any sqlx pool). Should the listening connection drop, it reconnects;
/// notifications sent meanwhile are lost, so every subscriber then gets
/// [`crate::Error::Lagged`] naming the last `seq` it saw (read the log from there), and a
/// write waits at most 5 s for its own delivery.
#[derive(Debug)]
pub struct PostgresStore {
    shared: Arc<Shared>,
    sql: Statements,
    pool: PgPool,
    listener: tokio::task::JoinHandle<()>,
}

/// What the store and its listener task share.
#[derive(Debug)]
struct Shared {
    ctx: Ctx,
    /// This store's own events whose notification the listener has not handled yet.
    pending: Mutex<HashMap<i64, Pending>>,
}

/// Where one of this store's own events is between its commit and its delivery.
#[derive(Debug)]
enum Pending {
    /// The listener has not picked it up; it will wake the writer (if one waits) once
    /// delivered to whoever subscribes by then.
    Queued(Option<oneshot::Sender<()>>),
    /// Nobody subscribed when the write returned: later subscribers must not see it.
    Skip,
    /// The listener is delivering it; it wakes the writer (if one waits) when done.
    InFlight(Option<oneshot::Sender<()>>),
}

impl Shared {
    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Pending>> {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl PostgresStore {
    /// Connects, creates what is missing (roles, pg_trgm, the schema and its tables) and
    /// starts listening for committed events.
    ///
    /// # Errors
    /// [`crate::Error::Invalid`] (`schema`, or a `role` that is a superuser or bypasses RLS);
    /// [`crate::Error::Backend`] when the server cannot be reached or migrated.
    pub async fn connect(config: impl Into<PostgresConfig>, options: StoreOptions) -> Result<Self> {
        let config = config.into();
        let pool = prepare(&config).await?;
        let shared = Arc::new(Shared {
            ctx: Ctx::new(options),
            pending: Mutex::default(),
        });
        let mut listener = PgListener::connect_with(&pool)
            .await
            .map_err(db("listening for events"))?;
        listener
            .listen(&format!("{}.events", config.schema))
            .await
            .map_err(db("listening for events"))?;
        let task = tokio::spawn(listener::listen(
            Arc::clone(&shared),
            pool.clone(),
            listener,
        ));
        Ok(PostgresStore {
            shared,
            sql: Statements::new(Style::Dollar),
            pool,
            listener: task,
        })
    }

    /// Closes the connections (waits for running queries) and stops listening.
    pub async fn close(&self) {
        self.listener.abort();
        self.pool.close().await;
    }
}

crate::sql::impl_store!(PostgresStore);
