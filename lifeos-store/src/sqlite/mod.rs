//! The SQLite backend (feature `sqlite`, on by default): one file or in memory, WAL,
//! migrations embedded, runtime queries only.
//!
//! Writes go through one connection with `BEGIN IMMEDIATE`, so concurrent writers queue
//! instead of failing with `SQLITE_BUSY` midway; reads use a separate pool (WAL lets them
//! run beside the writer). Each row stores its domain value as JSON plus the columns that
//! filters, ordering and keys need.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
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
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
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
    write: SqlitePool,
    read: SqlitePool,
    order: Arc<tokio::sync::Mutex<()>>,
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

impl SqliteStore {
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
            .busy_timeout(BUSY_TIMEOUT);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect.clone())
            .await
            .map_err(db("opening the database"))?;
        MIGRATOR
            .run(&write)
            .await
            .map_err(|e| Error::backend("migrating the database", e))?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(connect)
            .await
            .map_err(db("opening the database"))?;
        Ok(SqliteStore {
            ctx: Ctx::new(options),
            write,
            read,
            order: Arc::default(),
        })
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
        MIGRATOR
            .run(&write)
            .await
            .map_err(|e| Error::backend("migrating the database", e))?;
        Ok(SqliteStore {
            ctx: Ctx::new(options),
            read: write.clone(),
            write,
            order: Arc::default(),
        })
    }

    /// Closes the connections (waits for running queries).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// A write transaction. The order lock is held from `BEGIN IMMEDIATE` until the events
    /// are published, so subscribers see events in `seq` order.
    async fn begin(&self) -> Result<WriteTx> {
        let order = Arc::clone(&self.order).lock_owned().await;
        let tx = self
            .write
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("starting a transaction"))?;
        Ok(WriteTx { tx, _order: order })
    }

    async fn commit(&self, tx: WriteTx, stored: Vec<StoredEvent>) -> Result<()> {
        let WriteTx { tx, _order } = tx;
        tx.commit().await.map_err(db("committing"))?;
        self.ctx.hub.publish(stored);
        Ok(())
    }
}

/// A write transaction holding the publication order lock.
struct WriteTx {
    tx: sqlx::Transaction<'static, Sqlite>,
    _order: tokio::sync::OwnedMutexGuard<()>,
}

impl WriteTx {
    async fn rollback(self) -> Result<()> {
        self.tx.rollback().await.map_err(db("rolling back"))
    }
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

/// Appends events in order, returning them with their `seq`.
async fn append(conn: &mut SqliteConnection, events: Vec<DomainEvent>) -> Result<Vec<StoredEvent>> {
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let envelope = to_json(&event)?;
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO events (id, user_id, event_type, entity_id, occurred_at, envelope) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
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
    conn: &mut SqliteConnection,
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

async fn insert_task(conn: &mut SqliteConnection, t: &Task) -> Result<()> {
    sqlx::query(
        "INSERT INTO tasks (id, user_id, title_folded, status, labels, project_id, due_date, \
         scheduled_start, created_at, deleted_at, version, data) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(*t.id.as_uuid())
    .bind(*t.user_id.as_uuid())
    .bind(fold(&t.title))
    .bind(t.status.as_str())
    .bind(to_json(&t.labels)?)
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

async fn update_task_row(conn: &mut SqliteConnection, t: &Task, previous: u64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE tasks SET title_folded = ?, status = ?, labels = ?, project_id = ?, due_date = ?, \
         scheduled_start = ?, deleted_at = ?, version = ?, data = ? \
         WHERE id = ? AND user_id = ? AND version = ?",
    )
    .bind(fold(&t.title))
    .bind(t.status.as_str())
    .bind(to_json(&t.labels)?)
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

fn push_range(q: &mut QueryBuilder<'static, Sqlite>, column: &str, range: crate::model::TimeRange) {
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
impl TaskStore for SqliteStore {
    async fn create_tasks(&self, user: UserId, new: Vec<NewTask>) -> Result<Vec<Task>> {
        let now = self.ctx.now();
        let mut built = Vec::with_capacity(new.len());
        let mut events = Vec::with_capacity(new.len());
        for n in new {
            let (task, e) = logic::create_task(&self.ctx, user, n, now)?;
            built.push(task);
            events.push(e);
        }
        let mut tx = self.begin().await?;
        for t in &built {
            insert_task(&mut tx, t).await?;
        }
        let stored = append(&mut tx, events).await?;
        self.commit(tx, stored).await?;
        Ok(built)
    }

    async fn get_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        let mut conn = self.read.acquire().await.map_err(db("connecting"))?;
        fetch_data(
            &mut conn,
            "SELECT data FROM tasks WHERE id = ? AND user_id = ?",
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
        let now = self.ctx.now();
        let recorded = record
            .map(|(source, payload)| logic::recorded_event(&self.ctx, user, source, payload, now))
            .transpose()?;
        let mut tx = self.begin().await?;
        let mut out = Vec::with_capacity(changes.len());
        let mut events = Vec::new();
        for change in &changes {
            let current: Task = fetch_data(
                &mut tx,
                "SELECT data FROM tasks WHERE id = ? AND user_id = ?",
                *change.task_id.as_uuid(),
                user,
            )
            .await?
            .ok_or_else(|| Error::not_found("task", change.task_id))?;
            match logic::change_task(&self.ctx, &current, change, now)? {
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
        let mut conn = self.read.acquire().await.map_err(db("connecting"))?;
        let mut tx = sqlx::Connection::begin(&mut *conn)
            .await
            .map_err(db("listing tasks"))?;
        let mut rows: Vec<(i64, Vec<u8>, String)> = Vec::new();
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
) -> QueryBuilder<'static, Sqlite> {
    let mut q =
        QueryBuilder::<Sqlite>::new("SELECT created_at, id, data FROM tasks WHERE user_id = ");
    q.push_bind(*user.as_uuid());
    if let Some(s) = status {
        q.push(" AND status = ").push_bind(s.as_str());
    }
    if !query.include_deleted || query.title_contains.is_some() {
        q.push(" AND deleted_at IS NULL");
    }
    if let Some(label) = &query.label {
        q.push(" AND EXISTS (SELECT 1 FROM json_each(tasks.labels) WHERE value = ")
            .push_bind(label.trim().to_owned())
            .push(")");
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
        q.push(" AND title_folded LIKE ")
            .push_bind(like_escape(&fold(text)))
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
impl ProjectStore for SqliteStore {
    async fn create_project(&self, user: UserId, new: NewProject) -> Result<Project> {
        let now = self.ctx.now();
        let (p, e) = logic::create_project(&self.ctx, user, new, now)?;
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO projects (id, user_id, created_at, deleted_at, version, data) VALUES (?, ?, ?, ?, ?, ?)")
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
        let mut conn = self.read.acquire().await.map_err(db("connecting"))?;
        fetch_data(
            &mut conn,
            "SELECT data FROM projects WHERE id = ? AND user_id = ?",
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
        let now = self.ctx.now();
        let mut tx = self.begin().await?;
        let current: Project = fetch_data(
            &mut tx,
            "SELECT data FROM projects WHERE id = ? AND user_id = ?",
            *id.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("project", id))?;
        let (p, e) = logic::update_project(&self.ctx, &current, expected_version, &patch, now)?;
        write_project(&mut tx, &p).await?;
        let stored = append(&mut tx, vec![e]).await?;
        self.commit(tx, stored).await?;
        Ok(p)
    }

    async fn delete_project(&self, user: UserId, id: ProjectId) -> Result<Project> {
        let now = self.ctx.now();
        let mut tx = self.begin().await?;
        let current: Project = fetch_data(
            &mut tx,
            "SELECT data FROM projects WHERE id = ? AND user_id = ?",
            *id.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("project", id))?;
        let (p, e) = logic::delete_project(&self.ctx, &current, now)?;
        write_project(&mut tx, &p).await?;
        let stored = append(&mut tx, vec![e]).await?;
        self.commit(tx, stored).await?;
        Ok(p)
    }

    async fn list_projects(&self, user: UserId, include_deleted: bool) -> Result<Vec<Project>> {
        let sql = if include_deleted {
            "SELECT data FROM projects WHERE user_id = ? ORDER BY created_at, id"
        } else {
            "SELECT data FROM projects WHERE user_id = ? AND deleted_at IS NULL ORDER BY created_at, id"
        };
        fetch_all_data(&self.read, sql, user).await
    }
}

async fn write_project(conn: &mut SqliteConnection, p: &Project) -> Result<()> {
    sqlx::query(
        "UPDATE projects SET deleted_at = ?, version = ?, data = ? WHERE id = ? AND user_id = ?",
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

async fn fetch_all_data<T: DeserializeOwned>(
    pool: &SqlitePool,
    sql: &str,
    user: UserId,
) -> Result<Vec<T>> {
    let rows: Vec<String> = sqlx::query_scalar(sql)
        .bind(*user.as_uuid())
        .fetch_all(pool)
        .await
        .map_err(db("reading rows"))?;
    rows.iter().map(|r| from_json(r)).collect()
}

async fn write_calendar_event(
    conn: &mut SqliteConnection,
    e: &CalendarEvent,
    insert: bool,
) -> Result<()> {
    let index = CalIndex::of(e);
    let sql = if insert {
        "INSERT INTO calendar_events (provider, external_id, recurrence_key, kind, series_id, lo, hi, \
         series_until, etag, deleted_at, data, id, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    } else {
        "UPDATE calendar_events SET provider = ?, external_id = ?, recurrence_key = ?, kind = ?, \
         series_id = ?, lo = ?, hi = ?, series_until = ?, etag = ?, deleted_at = ?, data = ? \
         WHERE id = ? AND user_id = ?"
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
impl CalendarStore for SqliteStore {
    async fn upsert_calendar_event(
        &self,
        user: UserId,
        input: CalendarEventInput,
    ) -> Result<Upserted<CalendarEvent>> {
        let now = self.ctx.now();
        let provider = name(&input.provider)?;
        let mut tx = self.begin().await?;
        let by_key = "SELECT data FROM calendar_events WHERE user_id = ? AND provider = ? AND external_id = ? AND recurrence_key = ?";
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
                    "SELECT data FROM calendar_events WHERE id = ? AND user_id = ?",
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
            &self.ctx,
            user,
            input,
            existing.as_ref(),
            series_id,
            now,
        )? {
            None => {
                tx.rollback().await?;
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
        let mut conn = self.read.acquire().await.map_err(db("connecting"))?;
        fetch_data(
            &mut conn,
            "SELECT data FROM calendar_events WHERE id = ? AND user_id = ?",
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
        let now = self.ctx.now();
        let mut tx = self.begin().await?;
        let current: CalendarEvent = fetch_data(
            &mut tx,
            "SELECT data FROM calendar_events WHERE id = ? AND user_id = ?",
            *id.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("calendar_event", id))?;
        let (row, e) = logic::delete_calendar_event(&self.ctx, &current, now)?;
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
            "SELECT data FROM calendar_events WHERE user_id = ? ORDER BY id"
        } else {
            "SELECT data FROM calendar_events WHERE user_id = ? AND deleted_at IS NULL ORDER BY id"
        };
        fetch_all_data(&self.read, sql, user).await
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
            "SELECT e.data FROM calendar_events e WHERE e.user_id = ?1 AND e.deleted_at IS NULL AND ( \
               (e.kind = 'single' AND e.lo <= ?3 AND e.hi >= ?2) \
               OR (e.kind = 'master' AND e.lo <= ?3 AND (e.series_until IS NULL OR e.series_until >= ?2)) \
               OR (e.kind = 'override' AND ((e.lo <= ?3 AND e.hi >= ?2) OR EXISTS ( \
                   SELECT 1 FROM calendar_events m WHERE m.id = e.series_id AND m.user_id = e.user_id \
                   AND m.deleted_at IS NULL AND m.kind = 'master' AND m.lo <= ?3 \
                   AND (m.series_until IS NULL OR m.series_until >= ?2)))) \
             ) ORDER BY e.id",
        )
        .bind(*user.as_uuid())
        .bind(nanos(from))
        .bind(nanos(to))
        .fetch_all(&self.read)
        .await
        .map_err(db("listing calendar events"))?;
        rows.iter().map(|r| from_json(r)).collect()
    }
}

#[async_trait]
impl ProfileStore for SqliteStore {
    async fn create_profile(&self, user: UserId, new: NewProfile) -> Result<Profile> {
        let now = self.ctx.now();
        let (p, e) = logic::create_profile(&self.ctx, user, new, now)?;
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO profiles (user_id, version, data) VALUES (?, ?, ?)")
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
        let mut conn = self.read.acquire().await.map_err(db("connecting"))?;
        fetch_data(
            &mut conn,
            "SELECT data FROM profiles WHERE user_id = ? AND user_id = ?",
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
        let now = self.ctx.now();
        let mut tx = self.begin().await?;
        let current: Profile = fetch_data(
            &mut tx,
            "SELECT data FROM profiles WHERE user_id = ? AND user_id = ?",
            *user.as_uuid(),
            user,
        )
        .await?
        .ok_or_else(|| Error::not_found("profile", user))?;
        let (p, e) = logic::update_profile(&self.ctx, &current, expected_version, &patch, now)?;
        sqlx::query("UPDATE profiles SET version = ?, data = ? WHERE user_id = ?")
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
impl SubscriptionStore for SqliteStore {
    async fn upsert_subscription(
        &self,
        user: UserId,
        input: SubscriptionInput,
    ) -> Result<Upserted<Subscription>> {
        let now = self.ctx.now();
        let mut tx = self.begin().await?;
        let row: Option<String> = sqlx::query_scalar(
            "SELECT data FROM subscriptions WHERE user_id = ? AND stripe_subscription_id = ?",
        )
        .bind(*user.as_uuid())
        .bind(&input.stripe_subscription_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading a subscription"))?;
        let existing: Option<Subscription> = row.as_deref().map(from_json).transpose()?;
        match logic::upsert_subscription(&self.ctx, user, &input, existing.as_ref(), now)? {
            None => {
                tx.rollback().await?;
                Ok(Upserted::Unchanged(
                    existing.ok_or_else(|| Error::not_found("subscription", "?"))?,
                ))
            }
            Some((s, e)) => {
                sqlx::query(
                    "INSERT INTO subscriptions (id, user_id, stripe_subscription_id, created_at, data) VALUES (?, ?, ?, ?, ?) \
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
        fetch_all_data(
            &self.read,
            "SELECT data FROM subscriptions WHERE user_id = ? ORDER BY created_at, id",
            user,
        )
        .await
    }
}

async fn token_of(
    conn: &mut SqliteConnection,
    user: UserId,
    provider: &str,
) -> Result<Option<OAuthToken>> {
    let row: Option<String> =
        sqlx::query_scalar("SELECT data FROM oauth_tokens WHERE user_id = ? AND provider = ?")
            .bind(*user.as_uuid())
            .bind(provider)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("reading a token"))?;
    row.as_deref().map(from_json).transpose()
}

async fn write_token(conn: &mut SqliteConnection, t: &OAuthToken) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_tokens (id, user_id, provider, key_id, data) VALUES (?, ?, ?, ?, ?) \
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
impl OAuthTokenStore for SqliteStore {
    async fn put_oauth_token(
        &self,
        user: UserId,
        provider: &str,
        secret: OAuthSecret,
    ) -> Result<OAuthToken> {
        let now = self.ctx.now();
        let provider = logic::provider_key(provider)?;
        let mut tx = self.begin().await?;
        let existing = token_of(&mut tx, user, provider).await?;
        let (token, e) =
            logic::seal_token(&self.ctx, user, provider, &secret, existing.as_ref(), now)?;
        write_token(&mut tx, &token).await?;
        let stored = append(&mut tx, vec![e]).await?;
        self.commit(tx, stored).await?;
        Ok(token)
    }

    async fn get_oauth_token(&self, user: UserId, provider: &str) -> Result<OAuthToken> {
        let provider = logic::provider_key(provider)?;
        let mut conn = self.read.acquire().await.map_err(db("connecting"))?;
        token_of(&mut conn, user, provider)
            .await?
            .ok_or_else(|| Error::not_found("oauth_token", provider))
    }

    async fn open_oauth_token(&self, user: UserId, provider: &str) -> Result<OAuthSecret> {
        let token = self.get_oauth_token(user, provider).await?;
        logic::open_token(self.ctx.keyring()?, &token)
    }

    async fn list_oauth_tokens(&self, user: UserId) -> Result<Vec<OAuthToken>> {
        fetch_all_data(
            &self.read,
            "SELECT data FROM oauth_tokens WHERE user_id = ? ORDER BY provider",
            user,
        )
        .await
    }

    async fn delete_oauth_token(&self, user: UserId, provider: &str) -> Result<()> {
        let now = self.ctx.now();
        let provider = logic::provider_key(provider)?;
        let mut tx = self.begin().await?;
        let token = token_of(&mut tx, user, provider)
            .await?
            .ok_or_else(|| Error::not_found("oauth_token", provider))?;
        sqlx::query("DELETE FROM oauth_tokens WHERE id = ? AND user_id = ?")
            .bind(*token.id.as_uuid())
            .bind(*user.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db("deleting a token"))?;
        let stored = append(&mut tx, vec![logic::token_deleted(&self.ctx, &token, now)]).await?;
        self.commit(tx, stored).await
    }

    async fn rotate_oauth_tokens(&self, user: UserId) -> Result<u32> {
        let now = self.ctx.now();
        let mut tx = self.begin().await?;
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM oauth_tokens WHERE user_id = ? ORDER BY provider")
                .bind(*user.as_uuid())
                .fetch_all(&mut *tx)
                .await
                .map_err(db("reading tokens"))?;
        let mut events = Vec::new();
        for row in rows {
            let token: OAuthToken = from_json(&row)?;
            if let Some((sealed, e)) = logic::reseal_token(&self.ctx, &token, now)? {
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
impl EventLog for SqliteStore {
    async fn read_events(&self, user: UserId, query: &EventQuery) -> Result<EventPage> {
        query.check()?;
        let mut q =
            QueryBuilder::<Sqlite>::new("SELECT seq, envelope FROM events WHERE user_id = ");
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
            .fetch_all(&self.read)
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
        self.ctx.hub.subscribe(user)
    }

    async fn record_event(
        &self,
        user: UserId,
        source: EventSource,
        payload: EventPayload,
    ) -> Result<StoredEvent> {
        let now = self.ctx.now();
        let e = logic::recorded_event(&self.ctx, user, source, payload, now)?;
        let mut tx = self.begin().await?;
        let mut stored = append(&mut tx, vec![e]).await?;
        let out = stored
            .pop()
            .ok_or_else(|| Error::not_found("event", "recorded"))?;
        self.commit(tx, vec![out.clone()]).await?;
        Ok(out)
    }
}

async fn all_data<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
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
impl Store for SqliteStore {
    /// The export, read in one transaction: a consistent snapshot (WAL).
    async fn export_user(&self, user: UserId) -> Result<serde_json::Value> {
        let mut conn = self.read.acquire().await.map_err(db("connecting"))?;
        let mut tx = sqlx::Connection::begin(&mut *conn)
            .await
            .map_err(db("starting a read transaction"))?;
        let profile: Option<Profile> =
            all_data(&mut tx, "SELECT data FROM profiles WHERE user_id = ?", user)
                .await?
                .pop();
        let projects: Vec<Project> = all_data(
            &mut tx,
            "SELECT data FROM projects WHERE user_id = ? ORDER BY created_at, id",
            user,
        )
        .await?;
        let tasks: Vec<Task> = all_data(
            &mut tx,
            "SELECT data FROM tasks WHERE user_id = ? ORDER BY created_at, id",
            user,
        )
        .await?;
        let calendar: Vec<CalendarEvent> = all_data(
            &mut tx,
            "SELECT data FROM calendar_events WHERE user_id = ? ORDER BY id",
            user,
        )
        .await?;
        let subscriptions: Vec<Subscription> = all_data(
            &mut tx,
            "SELECT data FROM subscriptions WHERE user_id = ? ORDER BY created_at, id",
            user,
        )
        .await?;
        let tokens: Vec<OAuthToken> = all_data(
            &mut tx,
            "SELECT data FROM oauth_tokens WHERE user_id = ? ORDER BY provider",
            user,
        )
        .await?;
        let rows = sqlx::query("SELECT seq, envelope FROM events WHERE user_id = ? ORDER BY seq")
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
        let now = self.ctx.now();
        let uid = *user.as_uuid();
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO erasure_in_progress (user_id) VALUES (?)")
            .bind(uid)
            .execute(&mut *tx)
            .await
            .map_err(db("erasing a user"))?;
        let mut counts = BTreeMap::new();
        for (table, sql) in [
            ("tasks", "DELETE FROM tasks WHERE user_id = ?"),
            ("projects", "DELETE FROM projects WHERE user_id = ?"),
            (
                "calendar_events",
                "DELETE FROM calendar_events WHERE user_id = ?",
            ),
            (
                "subscriptions",
                "DELETE FROM subscriptions WHERE user_id = ?",
            ),
            ("oauth_tokens", "DELETE FROM oauth_tokens WHERE user_id = ?"),
            ("profiles", "DELETE FROM profiles WHERE user_id = ?"),
            (
                "events",
                "DELETE FROM events WHERE user_id = ? AND event_type <> 'user.erased'",
            ),
            ("", "DELETE FROM erasure_in_progress WHERE user_id = ?"),
        ] {
            let done = sqlx::query(sql)
                .bind(uid)
                .execute(&mut *tx)
                .await
                .map_err(db("erasing a user"))?;
            if !table.is_empty() {
                counts.insert(table.to_owned(), done.rows_affected());
            }
        }
        let e = logic::tombstone(&self.ctx, user, counts.clone(), now);
        let mut stored = append(&mut tx, vec![e]).await?;
        let tombstone = stored
            .pop()
            .ok_or_else(|| Error::not_found("event", "tombstone"))?;
        self.commit(tx, vec![tombstone.clone()]).await?;
        Ok(Erasure { counts, tombstone })
    }
}
