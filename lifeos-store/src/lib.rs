//! LifeOS storage: the store traits, the in-memory, SQLite and PostgreSQL backends, the
//! append-only event log and its NATS JetStream relay, GDPR export and erasure.
//!
//! ```
//! use lifeos_core::{NewTask, UserId};
//! use lifeos_store::prelude::*;
//! use lifeos_store::{EventQuery, MemoryStore, StoreOptions, TaskQuery};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! # rt.block_on(async {
//!
//! let store = MemoryStore::new(StoreOptions::new());
//! let me = UserId::from_uuid(uuid::Uuid::from_u128(1));
//!
//! let task = store.create_task(me, NewTask::titled("Write Q3 report")).await?;
//! let task = store.update_task(me, task.id, task.version, Default::default()).await?;
//! let done = store.complete_task(me, task.id).await?;
//!
//! // A stale version is a conflict, never a lost update.
//! assert!(store.update_task(me, task.id, task.version, Default::default()).await.unwrap_err().is_conflict());
//!
//! // Search folds case; every mutation left its event, in the same transaction.
//! assert_eq!(store.search_tasks(me, "q3", None, 50).await?.items, [done]);
//! let log = store.read_all_events(me, &EventQuery::new()).await?;
//! let kinds: Vec<_> = log.iter().map(|e| e.event.kind()).collect();
//! assert_eq!(kinds, ["task.created", "task.updated", "task.completed"]);
//! assert!(store.list_tasks(me, &TaskQuery::actionable()).await?.items.is_empty());
//! # Ok::<(), lifeos_store::Error>(())
//! # })?;
//! # Ok(())
//! # }
//! ```
//!
//! # Overview
//! - [`traits`]: [`TaskStore`], [`ProjectStore`], [`CalendarStore`], [`ProfileStore`],
//!   [`SubscriptionStore`], [`OAuthTokenStore`], [`EventLog`], and [`Store`] (all of them
//!   plus [`Store::export_user`] and [`Store::erase_user`]). Every call takes the
//!   [`lifeos_core::UserId`] it is scoped to; another user's row is reported as not found.
//!   Few required methods; conveniences (`create_task`, `complete_task`, `save_schedule`,
//!   `search_tasks`, `list_all_tasks`, ...) are default methods.
//! - [`MemoryStore`]: the reference backend, always built.
//! - `SqliteStore` (feature `sqlite`): a file (WAL) or in memory; migrations embedded.
//! - `PostgresStore` (feature `postgres`): RLS-enforced tenancy; `relay` (feature `nats`)
//!   feeds the log to NATS JetStream.
//! - [`query`]: [`TaskQuery`], [`EventQuery`]; [`page`]: keyset [`Page`]s with opaque
//!   [`Cursor`]s on `(created_at, id)`; task operations ([`TaskChange`], [`TaskOp`]);
//!   [`StoredEvent`]s; [`Upserted`]. Inputs that mirror domain types
//!   ([`CalendarEventInput`], [`SubscriptionInput`]) live in `lifeos_core` and are
//!   re-exported here.
//! - [`read_guard`]: [`ReadGuard`], what a write was computed from, checked in its
//!   transaction ([`TaskStore::change_tasks_guarded`]).
//! - [`seed`]: [`UserSeed`], a new user's profile, tasks and events written at once.
//! - [`export`]: composing [`UserExport`] (core's typed GDPR export document).
//! - [`crypto`]: AES-256-GCM sealing of OAuth tokens under an app-supplied [`Keyring`].
//! - [`options`]: [`StoreOptions`] with the [`Clock`] ([`clock`]) and the RNG ids are
//!   drawn from.
//!
//! Opening the embedded default (a file, as Plan My Day does) is shown on `SqliteStore`.
//!
//! # The event log
//! Every mutation appends its [`lifeos_core::DomainEvent`] in the same transaction as the
//! change (no change without its event, no event without its change) and gets a
//! store-assigned, increasing `seq`. Entries are never updated or deleted through the
//! store; on SQLite a trigger refuses it, except for a user listed in
//! `erasure_in_progress` within the erasure's own transaction; on PostgreSQL the
//! application role has no UPDATE or DELETE on the log, a trigger refuses them too, and
//! only the SECURITY DEFINER function `erase_user_events` deletes (one user's, for
//! [`Store::erase_user`]). [`EventLog::subscribe`] streams a user's events in process,
//! after commit (on PostgreSQL through LISTEN/NOTIFY, so other processes' writes too).
//!
//! # Crate features
//! - `sqlite` (default): the SQLite backend, through sqlx with a bundled SQLite. Without
//!   it the crate has only the memory backend and needs no C compiler.
//! - `postgres`: `PostgresStore`, the PostgreSQL backend (sqlx): Row Level Security on
//!   every table with the user id set per transaction, an application role that owns
//!   nothing and is never a superuser, the log append-only in the database (privileges and
//!   a trigger), `subscribe` through LISTEN/NOTIFY, title search on a pg_trgm index.
//!   Needs the `pg_trgm` extension (package postgresql-contrib) on the server.
//! - `nats`: the `relay` module, which publishes the PostgreSQL event log to a NATS
//!   JetStream stream at least once (`Nats-Msg-Id` = event id), by transaction-id
//!   watermark so no concurrently committing event is skipped; with `sqlite` also a
//!   SQLite file's log (watermark: the last `seq` published). Implies `postgres`.
//! - `openapi`: `utoipa::ToSchema` for core's wire types (`StoredEvent` included), for the
//!   REST server's OpenAPI document.
//!
//! # Errors
//! Every fallible call returns [`Error`]: [`Error::NotFound`], [`Error::Conflict`] (a stale
//! version), [`Error::Duplicate`], [`Error::Invalid`] (lifeos-core's structured
//! [`lifeos_core::ValidationErrors`], naming every field), [`Error::Backend`] (the sqlx or
//! serde cause only behind `source()`), [`Error::Crypto`] and [`Error::Lagged`]. Branch on
//! [`Error::kind`] or the `is_*` predicates.
//!
//! # Design
//! Backends share one implementation of the rules ([`lifeos_core`] computes new rows,
//! this crate their events); a backend only loads and persists. Rows keep the full domain
//! value as JSON beside the columns filters and keys need, so every backend returns
//! byte-identical values. One conformance suite (`tests/conformance`) runs on every
//! backend. Time comes from the [`Clock`]; ids from the injected RNG; AES-GCM nonces from
//! the OS RNG.

pub mod calendar_window;
mod change;
pub mod clock;
pub mod crypto;
mod ctx;
pub mod error;
pub mod export;
mod hub;
pub mod idempotency;
pub mod memory;
pub mod options;
pub mod page;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod query;
pub mod read_guard;
#[cfg(feature = "nats")]
pub mod relay;
mod rules;
pub mod seed;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod traits;
mod upsert_batch;
mod upserted;

pub use calendar_window::{CalendarWindow, UnreadableEvent, WindowOccurrences};
pub use change::{TaskChange, TaskOp};
pub use clock::{Clock, ManualClock, SystemClock};
pub use crypto::{EncryptionKey, Keyring, OAuthSecret};
pub use error::{Error, ErrorKind, Result};
pub use export::{EXPORT_FORMAT, TokenMetadata, UserExport};
pub use hub::EventStream;
pub use idempotency::{IdempotencyRecord, IdempotencyScope, IdempotencyStore};
pub use lifeos_core::wire::StoredEvent;
pub use lifeos_core::{CalendarEventInput, SubscriptionInput};
pub use memory::MemoryStore;
pub use options::StoreOptions;
pub use page::{Cursor, EventPage, Page};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresConfig, PostgresStore};
pub use query::{EventQuery, TaskQuery, TimeRange, fold};
pub use read_guard::ReadGuard;
pub use seed::{SeedTask, UserSeed};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use traits::{
    CalendarStore, Erasure, EventLog, OAuthTokenStore, ProfileStore, ProjectStore, Store,
    SubscriptionStore, TaskStore,
};
pub use upsert_batch::{UpsertBatch, UpsertCounts};
pub use upserted::Upserted;

/// The store traits, to bring their methods into scope: `use lifeos_store::prelude::*;`.
pub mod prelude {
    pub use crate::idempotency::IdempotencyStore;
    pub use crate::traits::{
        CalendarStore, EventLog, OAuthTokenStore, ProfileStore, ProjectStore, Store,
        SubscriptionStore, TaskStore,
    };
}
