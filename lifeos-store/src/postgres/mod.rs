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

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lifeos_core::{
    CalendarEvent, CalendarEventId, DomainEvent, EventPayload, EventSource, NewProfile, NewProject,
    NewTask, OAuthToken, Profile, ProfilePatch, Project, ProjectId, ProjectPatch, Subscription,
    Task, TaskId, TaskStatus, UserId,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::clock::{Ctx, StoreOptions};
use crate::crypto::OAuthSecret;
use crate::error::{Error, Result};
use crate::hub::EventStream;
use crate::logic::{self, CalIndex, nanos};
use crate::model::{
    CalendarEventInput, EventPage, EventQuery, Page, StoredEvent, SubscriptionInput, TaskChange,
    TaskQuery, Upserted, fold,
};
use crate::traits::{
    CalendarStore, Erasure, EventLog, OAuthTokenStore, ProfileStore, ProjectStore, Store,
    SubscriptionStore, TaskStore,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The role every application transaction runs as.
pub const APP_ROLE: &str = "lifeos_app";
/// The role the NATS relay reads the whole log as.
pub const RELAY_ROLE: &str = "lifeos_relay";

/// The advisory-lock namespace that serializes one user's writers.
const USER_LOCK_NAMESPACE: i32 = 0x4c69_6665; // "Life"

/// How long a writer waits for its own events to reach in-process subscribers.
const DELIVERY_WAIT: Duration = Duration::from_secs(5);

/// Creates the roles if missing (idempotent, safe when several processes race), makes the
/// connecting owner a member of `lifeos_app` (so it may `SET ROLE`), and creates pg_trgm.
const ROLES_SQL: &str = "DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lifeos_app') THEN
        CREATE ROLE lifeos_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lifeos_relay') THEN
        CREATE ROLE lifeos_relay LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$ BEGIN
    IF NOT pg_has_role(current_user, 'lifeos_app', 'MEMBER') THEN
        EXECUTE format('GRANT lifeos_app TO %I', current_user);
    END IF;
END $$;
DO $$ BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;";

/// Where and how a [`PostgresStore`] connects. Built with [`PostgresConfig::new`].
///
/// Defaults: schema `public`, at most 8 connections.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostgresConfig {
    /// The connection URL (`postgres://owner@host:5432/db`): the schema owner's role.
    pub url: String,
    /// The schema the tables live in (created if missing): lowercase ASCII letters,
    /// digits and `_`, starting with a letter or `_`, at most 48 characters.
    pub schema: String,
    /// The pool size (one more connection listens for notifications).
    pub max_connections: u32,
}

impl PostgresConfig {
    /// `url` with the defaults.
    pub fn new(url: impl Into<String>) -> Self {
        PostgresConfig {
            url: url.into(),
            schema: "public".into(),
            max_connections: 8,
        }
    }

    /// Keeps the tables in `schema`.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// At most `n` pooled connections (at least 1).
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// The connect options, with `search_path` set to the schema.
    pub(crate) fn connect_options(&self) -> Result<PgConnectOptions> {
        check_schema(&self.schema)?;
        let options = PgConnectOptions::from_str(&self.url)
            .map_err(|e| Error::backend("parsing the database URL", e))?;
        Ok(options.options([("search_path", self.schema.as_str())]))
    }
}

impl From<&str> for PostgresConfig {
    fn from(url: &str) -> Self {
        PostgresConfig::new(url)
    }
}

impl From<String> for PostgresConfig {
    fn from(url: String) -> Self {
        PostgresConfig::new(url)
    }
}

pub(crate) fn check_schema(schema: &str) -> Result<()> {
    let ok = !schema.is_empty()
        && schema.len() <= 48
        && schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !schema.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "schema",
            schema,
            "lowercase ASCII letters, digits and _, not starting with a digit, at most 48",
        ))
    }
}

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
/// runtime (as with any sqlx pool). Should the listening connection drop, sqlx reconnects
/// it; notifications sent meanwhile are lost to subscribers (read the log from the last
/// `seq` seen), and a write waits at most 5 s for its own delivery.
#[derive(Debug)]
pub struct PostgresStore {
    shared: Arc<Shared>,
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

fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| {
        if let Some(d) = e.as_database_error() {
            match d.kind() {
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return Error::invalid("project_id", "(not found)", "a project of this user");
                }
                sqlx::error::ErrorKind::UniqueViolation => {
                    return Error::Duplicate {
                        entity: "row",
                        key: format!("(unique key, while {context})"),
                    };
                }
                _ => {}
            }
        }
        Error::backend(context, e)
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::backend("encoding a row", e))
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::backend("decoding a stored row", e))
}

/// The serde name of a unit enum value (`pending`, `google`, ...).
fn name<T: Serialize>(value: &T) -> Result<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Ok(other.to_string()),
        Err(e) => Err(Error::backend("encoding a row", e)),
    }
}

fn version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn opt_nanos(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(nanos)
}

/// The statement that opens a transaction scoped to `user` as the application role, in
/// one round trip (a UUID's text form needs no quoting).
fn begin_sql(user: UserId, mode: Mode) -> String {
    let (begin, lock) = match mode {
        Mode::Write => ("BEGIN", true),
        Mode::Read => ("BEGIN READ ONLY", false),
        Mode::Snapshot => ("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", false),
    };
    let u = user.as_uuid();
    let mut sql = format!(
        "{begin}; SELECT set_config('role', '{APP_ROLE}', true), \
         set_config('lifeos.user_id', '{u}', true)"
    );
    if lock {
        sql.push_str(&format!(
            ", pg_advisory_xact_lock({USER_LOCK_NAMESPACE}, hashtext('{u}'))"
        ));
    }
    sql
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Write,
    Read,
    Snapshot,
}

type Tx = sqlx::Transaction<'static, Postgres>;

/// Connects to `config.url` as the schema owner and creates the roles, the extension, the
/// schema and its tables (idempotent).
///
/// Boxed so that callers' futures are provably `Send` (sqlx executors on `&mut` borrows
/// otherwise trip the compiler's higher-ranked lifetime check).
pub(crate) fn prepare(
    config: &PostgresConfig,
) -> std::pin::Pin<Box<dyn Future<Output = Result<PgPool>> + Send + '_>> {
    Box::pin(prepare_inner(config))
}

async fn prepare_inner(config: &PostgresConfig) -> Result<PgPool> {
    let connect = config.connect_options()?;
    let pool = PgPoolOptions::new()
        .max_connections(config.max_connections)
        .connect_with(connect)
        .await
        .map_err(db("connecting to the database"))?;
    sqlx::raw_sql(ROLES_SQL)
        .execute(&pool)
        .await
        .map_err(db("creating the roles"))?;
    let unsafe_role: Option<String> = sqlx::query_scalar(
        "SELECT rolname::text FROM pg_roles WHERE rolname IN ($1, $2) \
         AND (rolsuper OR rolbypassrls) LIMIT 1",
    )
    .bind(APP_ROLE)
    .bind(RELAY_ROLE)
    .fetch_optional(&pool)
    .await
    .map_err(db("checking the roles"))?;
    if let Some(role) = unsafe_role {
        return Err(Error::invalid(
            "role",
            role,
            "a role that is neither a superuser nor BYPASSRLS (RLS would not apply)",
        ));
    }
    // The schema name was checked to be a plain identifier.
    sqlx::raw_sql(&format!("CREATE SCHEMA IF NOT EXISTS {}", config.schema))
        .execute(&pool)
        .await
        .map_err(db("creating the schema"))?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|e| Error::backend("migrating the database", e))?;
    Ok(pool)
}

impl PostgresStore {
    /// Connects, creates what is missing (roles, pg_trgm, the schema and its tables) and
    /// starts listening for committed events.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`schema`, or a `role` that is a superuser or bypasses RLS);
    /// [`Error::Backend`] when the server cannot be reached or migrated.
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
        let task = tokio::spawn(listen(Arc::clone(&shared), pool.clone(), listener));
        Ok(PostgresStore {
            shared,
            pool,
            listener: task,
        })
    }

    /// Closes the connections (waits for running queries) and stops listening.
    pub async fn close(&self) {
        self.listener.abort();
        self.pool.close().await;
    }

    fn ctx(&self) -> &Ctx {
        &self.shared.ctx
    }

    async fn open(&self, user: UserId, mode: Mode) -> Result<Tx> {
        self.pool
            .begin_with(begin_sql(user, mode))
            .await
            .map_err(db("starting a transaction"))
    }

    /// A write transaction scoped to `user`, holding the user's writer lock.
    async fn begin(&self, user: UserId) -> Result<Tx> {
        self.open(user, Mode::Write).await
    }

    /// A read-only transaction scoped to `user` (dropped, it rolls back).
    async fn read(&self, user: UserId) -> Result<Tx> {
        self.open(user, Mode::Read).await
    }

    /// A read-only REPEATABLE READ transaction: several queries, one snapshot.
    async fn snapshot(&self, user: UserId) -> Result<Tx> {
        self.open(user, Mode::Snapshot).await
    }

    /// Commits. Subscribers in process then see exactly the events committed after they
    /// subscribed: when someone subscribes as the write returns, it waits (bounded) until
    /// the listener has delivered the transaction's events; when nobody does, the
    /// listener is told to skip them, so a later subscriber does not get them.
    async fn commit(&self, tx: Tx, stored: Vec<StoredEvent>) -> Result<()> {
        let seqs: Vec<i64> = stored
            .iter()
            .map(|e| i64::try_from(e.seq).unwrap_or(i64::MAX))
            .collect();
        {
            let mut pending = self.shared.pending();
            for s in &seqs {
                pending.insert(*s, Pending::Queued(None));
            }
        }
        let done = tx.commit().await.map_err(db("committing"));
        let wait = {
            let mut pending = self.shared.pending();
            if done.is_err() {
                for s in &seqs {
                    pending.remove(s);
                }
                None
            } else {
                let subscribed = self.shared.ctx.hub.has_subscribers();
                let mut wait = None;
                for (i, s) in seqs.iter().enumerate() {
                    let last = i + 1 == seqs.len();
                    // Absent: the listener has delivered it already.
                    match pending.get_mut(s) {
                        Some(entry @ Pending::Queued(_)) if !subscribed => *entry = Pending::Skip,
                        Some(Pending::Queued(waiter) | Pending::InFlight(waiter)) if last => {
                            let (send, recv) = oneshot::channel();
                            *waiter = Some(send);
                            wait = Some((*s, recv));
                        }
                        _ => {}
                    }
                }
                wait
            }
        };
        if let Some((seq, recv)) = wait
            && tokio::time::timeout(DELIVERY_WAIT, recv).await.is_err()
        {
            self.shared.pending().remove(&seq);
        }
        done
    }
}

/// The listener task: turns notifications (`<user> <seq>`) into published events, read
/// through RLS as the notified user.
async fn listen(shared: Arc<Shared>, pool: PgPool, mut listener: PgListener) {
    loop {
        let note = match listener.recv().await {
            Ok(note) => note,
            Err(_) => {
                // PgListener reconnects on the next recv; back off a little meanwhile.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Some((user, seq)) = note.payload().split_once(' ') else {
            continue;
        };
        let (Ok(user), Ok(seq)) = (Uuid::parse_str(user), seq.parse::<i64>()) else {
            continue;
        };
        // This store's own event: skip it, or mark it in flight so its writer waits for
        // the delivery rather than returning before it.
        let own = {
            let mut pending = shared.pending();
            match pending.get_mut(&seq) {
                Some(Pending::Skip) => {
                    pending.remove(&seq);
                    continue;
                }
                Some(entry) => {
                    if let Pending::Queued(waiter) = entry {
                        *entry = Pending::InFlight(waiter.take());
                    }
                    true
                }
                None => false,
            }
        };
        if shared.ctx.hub.has_subscribers()
            && let Ok(Some(e)) = fetch_event(&pool, UserId::from_uuid(user), seq).await
        {
            shared.ctx.hub.publish([e]);
        }
        if own && let Some(Pending::InFlight(Some(waiter))) = shared.pending().remove(&seq) {
            let _ = waiter.send(());
        }
    }
}

async fn fetch_event(pool: &PgPool, user: UserId, seq: i64) -> Result<Option<StoredEvent>> {
    let mut tx = pool
        .begin_with(begin_sql(user, Mode::Read))
        .await
        .map_err(db("reading an event"))?;
    let row: Option<String> = sqlx::query_scalar("SELECT envelope FROM events WHERE seq = $1")
        .bind(seq)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading an event"))?;
    row.map(|envelope| {
        Ok(StoredEvent {
            seq: u64::try_from(seq).unwrap_or(0),
            event: from_json(&envelope)?,
        })
    })
    .transpose()
}

/// Appends events in order, returning them with their `seq`.
async fn append(conn: &mut PgConnection, events: Vec<DomainEvent>) -> Result<Vec<StoredEvent>> {
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let envelope = to_json(&event)?;
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO events (id, user_id, event_type, entity_id, occurred_at, envelope) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
        )
        .bind(*event.id.as_uuid())
        .bind(*event.user_id.as_uuid())
        .bind(event.kind())
        .bind(event.entity_id())
        .bind(nanos(event.occurred_at))
        .bind(envelope)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("appending an event"))?;
        out.push(StoredEvent {
            seq: u64::try_from(seq).unwrap_or(0),
            event,
        });
    }
    Ok(out)
}

async fn fetch_data<T: DeserializeOwned>(
    conn: &mut PgConnection,
    sql: &str,
    id: Uuid,
    user: UserId,
) -> Result<Option<T>> {
    let row: Option<String> = sqlx::query_scalar(sql)
        .bind(id)
        .bind(*user.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("reading a row"))?;
    row.as_deref().map(from_json).transpose()
}

async fn insert_task(conn: &mut PgConnection, t: &Task) -> Result<()> {
    sqlx::query(
        "INSERT INTO tasks (id, user_id, title_folded, status, labels, project_id, due_date, \
         scheduled_start, created_at, deleted_at, version, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(*t.id.as_uuid())
    .bind(*t.user_id.as_uuid())
    .bind(fold(&t.title))
    .bind(t.status.as_str())
    .bind(&t.labels)
    .bind(t.project_id.map(|p| *p.as_uuid()))
    .bind(opt_nanos(t.due_date))
    .bind(opt_nanos(t.scheduled_start))
    .bind(nanos(t.created_at))
    .bind(opt_nanos(t.deleted_at))
    .bind(version(t.version))
    .bind(to_json(t)?)
    .execute(&mut *conn)
    .await
    .map_err(db("inserting a task"))?;
    Ok(())
}

async fn update_task_row(conn: &mut PgConnection, t: &Task, previous: u64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE tasks SET title_folded = $1, status = $2, labels = $3, project_id = $4, due_date = $5, \
         scheduled_start = $6, deleted_at = $7, version = $8, data = $9 \
         WHERE id = $10 AND user_id = $11 AND version = $12",
    )
    .bind(fold(&t.title))
    .bind(t.status.as_str())
    .bind(&t.labels)
    .bind(t.project_id.map(|p| *p.as_uuid()))
    .bind(opt_nanos(t.due_date))
    .bind(opt_nanos(t.scheduled_start))
    .bind(opt_nanos(t.deleted_at))
    .bind(version(t.version))
    .bind(to_json(t)?)
    .bind(*t.id.as_uuid())
    .bind(*t.user_id.as_uuid())
    .bind(version(previous))
    .execute(&mut *conn)
    .await
    .map_err(db("updating a task"))?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(Error::Conflict {
            entity: "task",
            id: t.id.to_string(),
            expected: previous,
            actual: previous.saturating_add(1),
        })
    }
}

/// `%`, `_` and `\` escaped for `LIKE ... ESCAPE '\'`.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn push_range(
    q: &mut QueryBuilder<'static, Postgres>,
    column: &str,
    range: crate::model::TimeRange,
) {
    q.push(format_args!(" AND {column} IS NOT NULL"));
    if let Some(from) = range.from {
        q.push(format_args!(" AND {column} >= "))
            .push_bind(nanos(from));
    }
    if let Some(to) = range.to {
        q.push(format_args!(" AND {column} < "))
            .push_bind(nanos(to));
    }
}

#[async_trait]
impl TaskStore for PostgresStore {
    async fn create_tasks(&self, user: UserId, new: Vec<NewTask>) -> Result<Vec<Task>> {
        let now = self.ctx().now();
        let mut built = Vec::with_capacity(new.len());
        let mut events = Vec::with_capacity(new.len());
        for n in new {
            let (task, e) = logic::create_task(self.ctx(), user, n, now)?;
            built.push(task);
            events.push(e);
        }
        let mut tx = self.begin(user).await?;
        for t in &built {
            insert_task(&mut tx, t).await?;
        }
        let stored = append(&mut tx, events).await?;
        self.commit(tx, stored).await?;
        Ok(built)
    }

    async fn get_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        let mut conn = self.read(user).await?;
        fetch_data(
            &mut conn,
            "SELECT data FROM tasks WHERE id = $1 AND user_id = $2",
            *id.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("task", id))
    }

    async fn change_tasks_recording(
        &self,
        user: UserId,
        changes: Vec<TaskChange>,
        record: Option<(EventSource, EventPayload)>,
    ) -> Result<(Vec<Task>, Option<StoredEvent>)> {
        let now = self.ctx().now();
        let recorded = record
            .map(|(source, payload)| logic::recorded_event(self.ctx(), user, source, payload, now))
            .transpose()?;
        let mut tx = self.begin(user).await?;
        let mut out = Vec::with_capacity(changes.len());
        let mut events = Vec::new();
        for change in &changes {
            let current: Task = fetch_data(
                &mut tx,
                "SELECT data FROM tasks WHERE id = $1 AND user_id = $2",
                *change.task_id.as_uuid(),
                user,
            )
            .await?
            .ok_or_else(|| Error::not_found("task", change.task_id))?;
            match logic::change_task(self.ctx(), &current, change, now)? {
                Some((task, e)) => {
                    update_task_row(&mut tx, &task, current.version).await?;
                    events.push(e);
                    out.push(task);
                }
                None => out.push(current),
            }
        }
        let with_record = recorded.is_some();
        events.extend(recorded);
        let stored = append(&mut tx, events).await?;
        let record = if with_record {
            stored.last().cloned()
        } else {
            None
        };
        self.commit(tx, stored).await?;
        Ok((out, record))
    }

    async fn list_tasks(&self, user: UserId, query: &TaskQuery) -> Result<Page<Task>> {
        query.check()?;
        // One query per status, each served in order by `tasks_user_status`, merged here:
        // a status filter then costs what it matches, whatever the planner's statistics.
        // All parts read one snapshot (one read transaction).
        let mut statuses = query.statuses.clone();
        statuses.sort_unstable();
        statuses.dedup();
        let parts: Vec<Option<TaskStatus>> = if statuses.is_empty() {
            vec![None]
        } else {
            statuses.into_iter().map(Some).collect()
        };
        let mut tx = self.snapshot(user).await?;
        let mut rows: Vec<(i64, Uuid, String)> = Vec::new();
        for status in parts {
            let part = task_select(user, query, status)
                .build()
                .fetch_all(&mut *tx)
                .await
                .map_err(db("listing tasks"))?;
            for row in part {
                rows.push((
                    row.try_get(0).map_err(db("listing tasks"))?,
                    row.try_get(1).map_err(db("listing tasks"))?,
                    row.try_get(2).map_err(db("listing tasks"))?,
                ));
            }
        }
        tx.commit().await.map_err(db("listing tasks"))?;
        rows.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        rows.truncate(query.limit as usize + 1);
        let tasks = rows
            .iter()
            .map(|r| from_json(&r.2))
            .collect::<Result<Vec<Task>>>()?;
        Ok(crate::memory::page(tasks, query.limit))
    }
}

/// The task listing query for one status (or all), in `(created_at, id)` order.
fn task_select(
    user: UserId,
    query: &TaskQuery,
    status: Option<TaskStatus>,
) -> QueryBuilder<'static, Postgres> {
    let mut q =
        QueryBuilder::<Postgres>::new("SELECT created_at, id, data FROM tasks WHERE user_id = ");
    q.push_bind(*user.as_uuid());
    if let Some(s) = status {
        q.push(" AND status = ").push_bind(s.as_str());
    }
    if !query.include_deleted || query.title_contains.is_some() {
        q.push(" AND deleted_at IS NULL");
    }
    if let Some(label) = &query.label {
        q.push(" AND labels @> ARRAY[")
            .push_bind(label.trim().to_owned())
            .push("]::text[]");
    }
    if let Some(p) = query.project_id {
        q.push(" AND project_id = ").push_bind(*p.as_uuid());
    }
    if let Some(r) = query.due {
        push_range(&mut q, "due_date", r);
    }
    if let Some(r) = query.scheduled {
        push_range(&mut q, "scheduled_start", r);
    }
    if let Some(text) = &query.title_contains {
        // The trigram-indexed `LIKE` runs in `search_task_ids` (see migration 0002: RLS
        // keeps a non-leakproof operator from using the index here); the same condition
        // is repeated so the result never depends on the function alone.
        let pattern = like_escape(&fold(text));
        q.push(" AND id IN (SELECT search_task_ids(")
            .push_bind(pattern.clone())
            .push(")) AND title_folded LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\'");
    }
    if let Some(c) = query.after {
        q.push(" AND (created_at, id) > (")
            .push_bind(nanos(c.created_at))
            .push(", ")
            .push_bind(c.id)
            .push(")");
    }
    q.push(" ORDER BY created_at, id LIMIT ")
        .push_bind(i64::from(query.limit) + 1);
    q
}

#[async_trait]
impl ProjectStore for PostgresStore {
    async fn create_project(&self, user: UserId, new: NewProject) -> Result<Project> {
        let now = self.ctx().now();
        let (p, e) = logic::create_project(self.ctx(), user, new, now)?;
        let mut tx = self.begin(user).await?;
        sqlx::query("INSERT INTO projects (id, user_id, created_at, deleted_at, version, data) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(*p.id.as_uuid())
            .bind(*user.as_uuid())
            .bind(nanos(p.created_at))
            .bind(opt_nanos(p.deleted_at))
            .bind(version(p.version))
            .bind(to_json(&p)?)
            .execute(&mut *tx)
            .await
            .map_err(db("inserting a project"))?;
        let stored = append(&mut tx, vec![e]).await?;
        self.commit(tx, stored).await?;
        Ok(p)
    }

    async fn get_project(&self, user: UserId, id: ProjectId) -> Result<Project> {
        let mut conn = self.read(user).await?;
        fetch_data(
            &mut conn,
            "SELECT data FROM projects WHERE id = $1 AND user_id = $2",
            *id.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("project", id))
    }

    async fn update_project(
        &self,
        user: UserId,
        id: ProjectId,
        expected_version: Option<u64>,
        patch: ProjectPatch,
    ) -> Result<Project> {
        let now = self.ctx().now();
        let mut tx = self.begin(user).await?;
        let current: Project = fetch_data(
            &mut tx,
            "SELECT data FROM projects WHERE id = $1 AND user_id = $2",
            *id.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("project", id))?;
        let (p, e) = logic::update_project(self.ctx(), &current, expected_version, &patch, now)?;
        write_project(&mut tx, &p).await?;
        let stored = append(&mut tx, vec![e]).await?;
        self.commit(tx, stored).await?;
        Ok(p)
    }

    async fn delete_project(&self, user: UserId, id: ProjectId) -> Result<Project> {
        let now = self.ctx().now();
        let mut tx = self.begin(user).await?;
        let current: Project = fetch_data(
            &mut tx,
            "SELECT data FROM projects WHERE id = $1 AND user_id = $2",
            *id.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("project", id))?;
        let (p, e) = logic::delete_project(self.ctx(), &current, now)?;
        write_project(&mut tx, &p).await?;
        let stored = append(&mut tx, vec![e]).await?;
        self.commit(tx, stored).await?;
        Ok(p)
    }

    async fn list_projects(&self, user: UserId, include_deleted: bool) -> Result<Vec<Project>> {
        let sql = if include_deleted {
            "SELECT data FROM projects WHERE user_id = $1 ORDER BY created_at, id"
        } else {
            "SELECT data FROM projects WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id"
        };
        self.fetch_all_data(sql, user).await
    }
}

async fn write_project(conn: &mut PgConnection, p: &Project) -> Result<()> {
    sqlx::query(
        "UPDATE projects SET deleted_at = $1, version = $2, data = $3 WHERE id = $4 AND user_id = $5",
    )
    .bind(opt_nanos(p.deleted_at))
    .bind(version(p.version))
    .bind(to_json(p)?)
    .bind(*p.id.as_uuid())
    .bind(*p.user_id.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(db("updating a project"))?;
    Ok(())
}

impl PostgresStore {
    async fn fetch_all_data<T: DeserializeOwned>(&self, sql: &str, user: UserId) -> Result<Vec<T>> {
        let mut tx = self.read(user).await?;
        let rows: Vec<String> = sqlx::query_scalar(sql)
            .bind(*user.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .map_err(db("reading rows"))?;
        rows.iter().map(|r| from_json(r)).collect()
    }
}

async fn write_calendar_event(
    conn: &mut PgConnection,
    e: &CalendarEvent,
    insert: bool,
) -> Result<()> {
    let index = CalIndex::of(e);
    let sql = if insert {
        "INSERT INTO calendar_events (provider, external_id, recurrence_key, kind, series_id, lo, hi, \
         series_until, etag, deleted_at, data, id, user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    } else {
        "UPDATE calendar_events SET provider = $1, external_id = $2, recurrence_key = $3, kind = $4, \
         series_id = $5, lo = $6, hi = $7, series_until = $8, etag = $9, deleted_at = $10, data = $11 \
         WHERE id = $12 AND user_id = $13"
    };
    sqlx::query(sql)
        .bind(name(&e.provider)?)
        .bind(e.external_id.clone())
        .bind(logic::recurrence_key(e.recurrence_id.as_ref()))
        .bind(index.kind.as_str())
        .bind(e.series_id.map(|s| *s.as_uuid()))
        .bind(nanos(index.lo))
        .bind(nanos(index.hi))
        .bind(opt_nanos(index.series_until))
        .bind(e.etag.clone())
        .bind(opt_nanos(e.deleted_at))
        .bind(to_json(e)?)
        .bind(*e.id.as_uuid())
        .bind(*e.user_id.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(db("writing a calendar event"))?;
    Ok(())
}

#[async_trait]
impl CalendarStore for PostgresStore {
    async fn upsert_calendar_event(
        &self,
        user: UserId,
        input: CalendarEventInput,
    ) -> Result<Upserted<CalendarEvent>> {
        let now = self.ctx().now();
        let provider = name(&input.provider)?;
        let mut tx = self.begin(user).await?;
        let by_key = "SELECT data FROM calendar_events WHERE user_id = $1 AND provider = $2 AND external_id = $3 AND recurrence_key = $4";
        let existing: Option<CalendarEvent> = match &input.external_id {
            Some(x) => {
                let row: Option<String> = sqlx::query_scalar(by_key)
                    .bind(*user.as_uuid())
                    .bind(&provider)
                    .bind(x)
                    .bind(logic::recurrence_key(input.recurrence_id.as_ref()))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db("reading a calendar event"))?;
                row.as_deref().map(from_json).transpose()?
            }
            None => None,
        };
        let series_id = match input.series_id {
            Some(s) => {
                let found: Option<CalendarEvent> = fetch_data(
                    &mut tx,
                    "SELECT data FROM calendar_events WHERE id = $1 AND user_id = $2",
                    *s.as_uuid(),
                    user,
                )
                .await?;
                if found.is_none() {
                    return Err(Error::invalid("series_id", s, "an event of this user"));
                }
                Some(s)
            }
            None => match (&input.recurrence_id, &input.external_id) {
                (Some(_), Some(x)) => {
                    let row: Option<String> = sqlx::query_scalar(by_key)
                        .bind(*user.as_uuid())
                        .bind(&provider)
                        .bind(x)
                        .bind("")
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db("reading a calendar event"))?;
                    row.as_deref()
                        .map(from_json::<CalendarEvent>)
                        .transpose()?
                        .map(|m| m.id)
                }
                _ => None,
            },
        };
        match logic::upsert_calendar_event(
            self.ctx(),
            user,
            input,
            existing.as_ref(),
            series_id,
            now,
        )? {
            None => {
                tx.rollback().await.map_err(db("rolling back"))?;
                Ok(Upserted::Unchanged(
                    existing.ok_or_else(|| Error::not_found("calendar_event", "?"))?,
                ))
            }
            Some((row, e)) => {
                write_calendar_event(&mut tx, &row, existing.is_none()).await?;
                let stored = append(&mut tx, vec![e]).await?;
                self.commit(tx, stored).await?;
                Ok(if existing.is_some() {
                    Upserted::Updated(row)
                } else {
                    Upserted::Created(row)
                })
            }
        }
    }

    async fn get_calendar_event(&self, user: UserId, id: CalendarEventId) -> Result<CalendarEvent> {
        let mut conn = self.read(user).await?;
        fetch_data(
            &mut conn,
            "SELECT data FROM calendar_events WHERE id = $1 AND user_id = $2",
            *id.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("calendar_event", id))
    }

    async fn delete_calendar_event(
        &self,
        user: UserId,
        id: CalendarEventId,
    ) -> Result<CalendarEvent> {
        let now = self.ctx().now();
        let mut tx = self.begin(user).await?;
        let current: CalendarEvent = fetch_data(
            &mut tx,
            "SELECT data FROM calendar_events WHERE id = $1 AND user_id = $2",
            *id.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("calendar_event", id))?;
        let (row, e) = logic::delete_calendar_event(self.ctx(), &current, now)?;
        write_calendar_event(&mut tx, &row, false).await?;
        let stored = append(&mut tx, vec![e]).await?;
        self.commit(tx, stored).await?;
        Ok(row)
    }

    async fn list_calendar_events(
        &self,
        user: UserId,
        include_deleted: bool,
    ) -> Result<Vec<CalendarEvent>> {
        let sql = if include_deleted {
            "SELECT data FROM calendar_events WHERE user_id = $1 ORDER BY id"
        } else {
            "SELECT data FROM calendar_events WHERE user_id = $1 AND deleted_at IS NULL ORDER BY id"
        };
        self.fetch_all_data(sql, user).await
    }

    async fn list_events_for_window(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarEvent>> {
        if to < from {
            return Err(Error::invalid("to", to.to_rfc3339(), "at or after from"));
        }
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT e.data FROM calendar_events e WHERE e.user_id = $1 AND e.deleted_at IS NULL AND ( \
               (e.kind = 'single' AND e.lo <= $3 AND e.hi >= $2) \
               OR (e.kind = 'master' AND e.lo <= $3 AND (e.series_until IS NULL OR e.series_until >= $2)) \
               OR (e.kind = 'override' AND ((e.lo <= $3 AND e.hi >= $2) OR EXISTS ( \
                   SELECT 1 FROM calendar_events m WHERE m.id = e.series_id AND m.user_id = e.user_id \
                   AND m.deleted_at IS NULL AND m.kind = 'master' AND m.lo <= $3 \
                   AND (m.series_until IS NULL OR m.series_until >= $2)))) \
             ) ORDER BY e.id",
        )
        .bind(*user.as_uuid())
        .bind(nanos(from))
        .bind(nanos(to))
        .fetch_all(&mut *self.read(user).await?)
        .await
        .map_err(db("listing calendar events"))?;
        rows.iter().map(|r| from_json(r)).collect()
    }
}

#[async_trait]
impl ProfileStore for PostgresStore {
    async fn create_profile(&self, user: UserId, new: NewProfile) -> Result<Profile> {
        let now = self.ctx().now();
        let (p, e) = logic::create_profile(self.ctx(), user, new, now)?;
        let mut tx = self.begin(user).await?;
        sqlx::query("INSERT INTO profiles (user_id, version, data) VALUES ($1, $2, $3)")
            .bind(*user.as_uuid())
            .bind(version(p.version))
            .bind(to_json(&p)?)
            .execute(&mut *tx)
            .await
            .map_err(|e| match db("inserting a profile")(e) {
                Error::Duplicate { .. } => Error::Duplicate {
                    entity: "profile",
                    key: user.to_string(),
                },
                other => other,
            })?;
        let stored = append(&mut tx, vec![e]).await?;
        self.commit(tx, stored).await?;
        Ok(p)
    }

    async fn get_profile(&self, user: UserId) -> Result<Profile> {
        let mut conn = self.read(user).await?;
        fetch_data(
            &mut conn,
            "SELECT data FROM profiles WHERE user_id = $1 AND user_id = $2",
            *user.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("profile", user))
    }

    async fn update_profile(
        &self,
        user: UserId,
        expected_version: Option<u64>,
        patch: ProfilePatch,
    ) -> Result<Profile> {
        let now = self.ctx().now();
        let mut tx = self.begin(user).await?;
        let current: Profile = fetch_data(
            &mut tx,
            "SELECT data FROM profiles WHERE user_id = $1 AND user_id = $2",
            *user.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("profile", user))?;
        let (p, e) = logic::update_profile(self.ctx(), &current, expected_version, &patch, now)?;
        sqlx::query("UPDATE profiles SET version = $1, data = $2 WHERE user_id = $3")
            .bind(version(p.version))
            .bind(to_json(&p)?)
            .bind(*user.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db("updating a profile"))?;
        let stored = append(&mut tx, vec![e]).await?;
        self.commit(tx, stored).await?;
        Ok(p)
    }
}

#[async_trait]
impl SubscriptionStore for PostgresStore {
    async fn upsert_subscription(
        &self,
        user: UserId,
        input: SubscriptionInput,
    ) -> Result<Upserted<Subscription>> {
        let now = self.ctx().now();
        let mut tx = self.begin(user).await?;
        let row: Option<String> = sqlx::query_scalar(
            "SELECT data FROM subscriptions WHERE user_id = $1 AND stripe_subscription_id = $2",
        )
        .bind(*user.as_uuid())
        .bind(&input.stripe_subscription_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading a subscription"))?;
        let existing: Option<Subscription> = row.as_deref().map(from_json).transpose()?;
        match logic::upsert_subscription(self.ctx(), user, &input, existing.as_ref(), now)? {
            None => {
                tx.rollback().await.map_err(db("rolling back"))?;
                Ok(Upserted::Unchanged(
                    existing.ok_or_else(|| Error::not_found("subscription", "?"))?,
                ))
            }
            Some((s, e)) => {
                sqlx::query(
                    "INSERT INTO subscriptions (id, user_id, stripe_subscription_id, created_at, data) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                )
                .bind(*s.id.as_uuid())
                .bind(*user.as_uuid())
                .bind(&s.stripe_subscription_id)
                .bind(nanos(s.created_at))
                .bind(to_json(&s)?)
                .execute(&mut *tx)
                .await
                .map_err(db("writing a subscription"))?;
                let stored = append(&mut tx, vec![e]).await?;
                self.commit(tx, stored).await?;
                Ok(if existing.is_some() {
                    Upserted::Updated(s)
                } else {
                    Upserted::Created(s)
                })
            }
        }
    }

    async fn list_subscriptions(&self, user: UserId) -> Result<Vec<Subscription>> {
        self.fetch_all_data(
            "SELECT data FROM subscriptions WHERE user_id = $1 ORDER BY created_at, id",
            user,
        )
        .await
    }
}

async fn token_of(
    conn: &mut PgConnection,
    user: UserId,
    provider: &str,
) -> Result<Option<OAuthToken>> {
    let row: Option<String> =
        sqlx::query_scalar("SELECT data FROM oauth_tokens WHERE user_id = $1 AND provider = $2")
            .bind(*user.as_uuid())
            .bind(provider)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("reading a token"))?;
    row.as_deref().map(from_json).transpose()
}

async fn write_token(conn: &mut PgConnection, t: &OAuthToken) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_tokens (id, user_id, provider, key_id, data) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, data = excluded.data",
    )
    .bind(*t.id.as_uuid())
    .bind(*t.user_id.as_uuid())
    .bind(&t.provider)
    .bind(i64::from(t.key_id))
    .bind(to_json(t)?)
    .execute(&mut *conn)
    .await
    .map_err(db("writing a token"))?;
    Ok(())
}

#[async_trait]
impl OAuthTokenStore for PostgresStore {
    async fn put_oauth_token(
        &self,
        user: UserId,
        provider: &str,
        secret: OAuthSecret,
    ) -> Result<OAuthToken> {
        let now = self.ctx().now();
        let provider = logic::provider_key(provider)?;
        let mut tx = self.begin(user).await?;
        let existing = token_of(&mut tx, user, provider).await?;
        let (token, e) =
            logic::seal_token(self.ctx(), user, provider, &secret, existing.as_ref(), now)?;
        write_token(&mut tx, &token).await?;
        let stored = append(&mut tx, vec![e]).await?;
        self.commit(tx, stored).await?;
        Ok(token)
    }

    async fn get_oauth_token(&self, user: UserId, provider: &str) -> Result<OAuthToken> {
        let provider = logic::provider_key(provider)?;
        let mut conn = self.read(user).await?;
        token_of(&mut conn, user, provider)
            .await?
            .ok_or_else(|| Error::not_found("oauth_token", provider))
    }

    async fn open_oauth_token(&self, user: UserId, provider: &str) -> Result<OAuthSecret> {
        let token = self.get_oauth_token(user, provider).await?;
        logic::open_token(self.ctx().keyring()?, &token)
    }

    async fn list_oauth_tokens(&self, user: UserId) -> Result<Vec<OAuthToken>> {
        self.fetch_all_data(
            "SELECT data FROM oauth_tokens WHERE user_id = $1 ORDER BY provider",
            user,
        )
        .await
    }

    async fn delete_oauth_token(&self, user: UserId, provider: &str) -> Result<()> {
        let now = self.ctx().now();
        let provider = logic::provider_key(provider)?;
        let mut tx = self.begin(user).await?;
        let token = token_of(&mut tx, user, provider)
            .await?
            .ok_or_else(|| Error::not_found("oauth_token", provider))?;
        sqlx::query("DELETE FROM oauth_tokens WHERE id = $1 AND user_id = $2")
            .bind(*token.id.as_uuid())
            .bind(*user.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db("deleting a token"))?;
        let stored = append(&mut tx, vec![logic::token_deleted(self.ctx(), &token, now)]).await?;
        self.commit(tx, stored).await
    }

    async fn rotate_oauth_tokens(&self, user: UserId) -> Result<u32> {
        let now = self.ctx().now();
        let mut tx = self.begin(user).await?;
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM oauth_tokens WHERE user_id = $1 ORDER BY provider",
        )
        .bind(*user.as_uuid())
        .fetch_all(&mut *tx)
        .await
        .map_err(db("reading tokens"))?;
        let mut events = Vec::new();
        for row in rows {
            let token: OAuthToken = from_json(&row)?;
            if let Some((sealed, e)) = logic::reseal_token(self.ctx(), &token, now)? {
                write_token(&mut tx, &sealed).await?;
                events.push(e);
            }
        }
        let n = u32::try_from(events.len()).unwrap_or(u32::MAX);
        let stored = append(&mut tx, events).await?;
        self.commit(tx, stored).await?;
        Ok(n)
    }
}

#[async_trait]
impl EventLog for PostgresStore {
    async fn read_events(&self, user: UserId, query: &EventQuery) -> Result<EventPage> {
        query.check()?;
        let mut q =
            QueryBuilder::<Postgres>::new("SELECT seq, envelope FROM events WHERE user_id = ");
        q.push_bind(*user.as_uuid());
        if let Some(after) = query.after_seq {
            q.push(" AND seq > ")
                .push_bind(i64::try_from(after).unwrap_or(i64::MAX));
        }
        if !query.types.is_empty() {
            q.push(" AND event_type IN (");
            let mut sep = q.separated(", ");
            for t in &query.types {
                sep.push_bind(t.clone());
            }
            q.push(")");
        }
        if let Some(entity) = query.entity_id {
            q.push(" AND entity_id = ").push_bind(entity);
        }
        if let Some(r) = query.occurred {
            if let Some(from) = r.from {
                q.push(" AND occurred_at >= ").push_bind(nanos(from));
            }
            if let Some(to) = r.to {
                q.push(" AND occurred_at < ").push_bind(nanos(to));
            }
        }
        q.push(" ORDER BY seq LIMIT ")
            .push_bind(i64::from(query.limit) + 1);
        let rows = q
            .build()
            .fetch_all(&mut *self.read(user).await?)
            .await
            .map_err(db("reading events"))?;
        let mut events = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.try_get(0).map_err(db("reading events"))?;
            let envelope: String = row.try_get(1).map_err(db("reading events"))?;
            events.push(StoredEvent {
                seq: u64::try_from(seq).unwrap_or(0),
                event: from_json(&envelope)?,
            });
        }
        let limit = query.limit as usize;
        let next = if events.len() > limit {
            events.truncate(limit);
            events.last().map(|e| e.seq)
        } else {
            None
        };
        Ok(EventPage { events, next })
    }

    fn subscribe(&self, user: UserId) -> EventStream {
        self.shared.ctx.hub.subscribe(user)
    }

    async fn record_event(
        &self,
        user: UserId,
        source: EventSource,
        payload: EventPayload,
    ) -> Result<StoredEvent> {
        let now = self.ctx().now();
        let e = logic::recorded_event(self.ctx(), user, source, payload, now)?;
        let mut tx = self.begin(user).await?;
        let mut stored = append(&mut tx, vec![e]).await?;
        let out = stored
            .pop()
            .ok_or_else(|| Error::not_found("event", "recorded"))?;
        self.commit(tx, vec![out.clone()]).await?;
        Ok(out)
    }
}

async fn all_data<T: DeserializeOwned>(
    conn: &mut PgConnection,
    sql: &str,
    user: UserId,
) -> Result<Vec<T>> {
    let rows: Vec<String> = sqlx::query_scalar(sql)
        .bind(*user.as_uuid())
        .fetch_all(&mut *conn)
        .await
        .map_err(db("exporting"))?;
    rows.iter().map(|r| from_json(r)).collect()
}

#[async_trait]
impl Store for PostgresStore {
    /// The export, read in one transaction: a consistent snapshot (REPEATABLE READ).
    async fn export_user(&self, user: UserId) -> Result<serde_json::Value> {
        let mut tx = self.snapshot(user).await?;
        let profile: Option<Profile> = all_data(
            &mut tx,
            "SELECT data FROM profiles WHERE user_id = $1",
            user,
        )
        .await?
        .pop();
        let projects: Vec<Project> = all_data(
            &mut tx,
            "SELECT data FROM projects WHERE user_id = $1 ORDER BY created_at, id",
            user,
        )
        .await?;
        let tasks: Vec<Task> = all_data(
            &mut tx,
            "SELECT data FROM tasks WHERE user_id = $1 ORDER BY created_at, id",
            user,
        )
        .await?;
        let calendar: Vec<CalendarEvent> = all_data(
            &mut tx,
            "SELECT data FROM calendar_events WHERE user_id = $1 ORDER BY id",
            user,
        )
        .await?;
        let subscriptions: Vec<Subscription> = all_data(
            &mut tx,
            "SELECT data FROM subscriptions WHERE user_id = $1 ORDER BY created_at, id",
            user,
        )
        .await?;
        let tokens: Vec<OAuthToken> = all_data(
            &mut tx,
            "SELECT data FROM oauth_tokens WHERE user_id = $1 ORDER BY provider",
            user,
        )
        .await?;
        let rows = sqlx::query("SELECT seq, envelope FROM events WHERE user_id = $1 ORDER BY seq")
            .bind(*user.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .map_err(db("exporting"))?;
        tx.commit().await.map_err(db("exporting"))?;
        let mut events = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.try_get(0).map_err(db("exporting"))?;
            let envelope: String = row.try_get(1).map_err(db("exporting"))?;
            events.push(StoredEvent {
                seq: u64::try_from(seq).unwrap_or(0),
                event: from_json(&envelope)?,
            });
        }
        crate::export::document(
            user,
            profile.as_ref(),
            &projects,
            &tasks,
            &calendar,
            &subscriptions,
            &tokens,
            &events,
        )
    }

    async fn erase_user(&self, user: UserId) -> Result<Erasure> {
        let now = self.ctx().now();
        let uid = *user.as_uuid();
        let mut tx = self.begin(user).await?;
        let mut counts = BTreeMap::new();
        for (table, sql) in [
            ("tasks", "DELETE FROM tasks WHERE user_id = $1"),
            ("projects", "DELETE FROM projects WHERE user_id = $1"),
            (
                "calendar_events",
                "DELETE FROM calendar_events WHERE user_id = $1",
            ),
            (
                "subscriptions",
                "DELETE FROM subscriptions WHERE user_id = $1",
            ),
            (
                "oauth_tokens",
                "DELETE FROM oauth_tokens WHERE user_id = $1",
            ),
            ("profiles", "DELETE FROM profiles WHERE user_id = $1"),
        ] {
            let done = sqlx::query(sql)
                .bind(uid)
                .execute(&mut *tx)
                .await
                .map_err(db("erasing a user"))?;
            counts.insert(table.to_owned(), done.rows_affected());
        }
        // The log goes through the SECURITY DEFINER function: the application role has no
        // DELETE on `events`.
        let events: i64 = sqlx::query_scalar("SELECT erase_user_events($1)")
            .bind(uid)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("erasing a user"))?;
        counts.insert("events".to_owned(), u64::try_from(events).unwrap_or(0));
        let e = logic::tombstone(self.ctx(), user, counts.clone(), now);
        let mut stored = append(&mut tx, vec![e]).await?;
        let tombstone = stored
            .pop()
            .ok_or_else(|| Error::not_found("event", "tombstone"))?;
        self.commit(tx, vec![tombstone.clone()]).await?;
        Ok(Erasure { counts, tombstone })
    }
}
