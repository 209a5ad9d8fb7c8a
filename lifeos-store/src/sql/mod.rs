//! The SQL layer under the SQLite and PostgreSQL backends: the row types and their
//! conversions ([`rows`]), the statements built once per placeholder style
//! ([`statements`]), and every store operation written once over a [`Dialect`], the
//! small trait that holds what really differs between the two databases: how a
//! transaction starts (PostgreSQL scopes it to the user for RLS) and commits (with the
//! notifications to subscribers), how labels are stored, how titles are searched, how a
//! user's rows are erased.
//!
//! Each mutation follows one flow ([`mutate`]): begin, fetch the current row, apply
//! `rules` (core's rule and the event), write, append the event, commit.

use std::collections::BTreeMap;
use std::future::Future;
use std::ops::DerefMut;

use async_trait::async_trait;
use lifeos_core::{DomainEvent, UserId};
use serde::Serialize;
use uuid::Uuid;

use crate::StoredEvent;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::idempotency::{self as pending, Outcome};

pub(crate) mod calendar;
mod fetch;
pub(crate) mod idempotency;
pub(crate) mod log;
pub(crate) mod profiles;
pub(crate) mod projects;
pub(crate) mod rows;
pub(crate) mod statements;
mod store_impl;
pub(crate) mod subscriptions;
pub(crate) mod tasks;
pub(crate) mod tokens;
pub(crate) mod user;

pub(crate) use fetch::{Fetch, impl_fetch};
pub(crate) use rows::{DataRow, EventRow, KeyedRow};
pub(crate) use statements::{Statements, Style};
pub(crate) use store_impl::impl_store;

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Uuid(Uuid),
    OptUuid(Option<Uuid>),
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    /// A task's labels: JSON text on SQLite, `text[]` on PostgreSQL.
    Labels(Vec<String>),
}

/// One statement with its arguments, and what the store was doing (for errors).
#[derive(Debug)]
pub(crate) struct Stmt<'a> {
    pub(crate) sql: &'a str,
    pub(crate) args: Vec<Arg>,
    pub(crate) context: &'static str,
}

impl<'a> Stmt<'a> {
    pub(crate) fn new(sql: &'a str, args: Vec<Arg>, context: &'static str) -> Self {
        Stmt { sql, args, context }
    }
}

/// A statement assembled at run time (filters, paging), with the dialect's placeholders.
#[derive(Debug)]
pub(crate) struct SqlBuf {
    style: Style,
    sql: String,
    args: Vec<Arg>,
}

impl SqlBuf {
    pub(crate) fn new(style: Style, head: &str) -> Self {
        SqlBuf {
            style,
            sql: head.to_owned(),
            args: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.sql.push_str(text);
        self
    }

    /// Appends the next placeholder and binds `arg` to it.
    pub(crate) fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.style.push_placeholder(&mut self.sql, self.args.len());
        self
    }

    pub(crate) fn stmt(&mut self, context: &'static str) -> Stmt<'_> {
        Stmt {
            sql: &self.sql,
            args: std::mem::take(&mut self.args),
            context,
        }
    }
}

/// How a title search runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TitleSearch {
    /// Candidates from the dialect's title index, then re-checked.
    Index,
    /// The user's rows scanned in listing order (the query is short, or too common for
    /// the index to narrow it down).
    Scan,
}

/// What differs between the SQL backends; everything else is written once in this module.
#[async_trait]
pub(crate) trait Dialect: Fetch {
    /// A write transaction (holding what orders the log's commits).
    type Write: DerefMut<Target = Self::Conn> + Send;
    /// A read (a pooled connection or a read-only transaction).
    type Read: DerefMut<Target = Self::Conn> + Send;

    /// The clock, id RNG, keyring and event hub.
    fn ctx(&self) -> &Ctx;
    /// The statements, in this dialect's placeholder style.
    fn sql(&self) -> &Statements;

    /// A write transaction scoped to `user`.
    async fn begin(&self, user: UserId) -> Result<Self::Write>;
    /// Commits and delivers `stored` to in-process subscribers.
    async fn commit(&self, tx: Self::Write, stored: Vec<StoredEvent>) -> Result<()>;
    /// Rolls back.
    async fn rollback(&self, tx: Self::Write) -> Result<()>;
    /// A read scoped to `user`, for one statement.
    async fn read(&self, user: UserId) -> Result<Self::Read>;
    /// A read scoped to `user` where several statements see one snapshot.
    async fn snapshot(&self, user: UserId) -> Result<Self::Read>;
    /// Ends a snapshot.
    async fn finish(&self, read: Self::Read) -> Result<()>;

    /// Appends the condition "the task carries `label`".
    fn push_label(&self, q: &mut SqlBuf, label: String);
    /// How a title search for `folded` runs (a dialect may consult its index first).
    async fn title_search(&self, conn: &mut Self::Conn, folded: &str) -> Result<TitleSearch>;
    /// The table expression a task listing reads, given how its title search runs.
    fn tasks_table(&self, search: Option<TitleSearch>) -> &'static str;
    /// Appends the condition "the folded title contains `folded`" (`%` and `_` literal).
    fn push_title_search(&self, q: &mut SqlBuf, folded: &str, how: TitleSearch);
    /// Deletes every row of `user` but the log's tombstones; the counts per table.
    async fn erase(&self, conn: &mut Self::Conn, user: UserId) -> Result<BTreeMap<String, u64>>;
}

/// How a mutation's work ended: with rows written and their events to append, or with
/// nothing to change (an upsert with the stored etag, ...).
pub(crate) enum Step<W, T> {
    /// Rows written; append these events and commit.
    Write(W, T, Vec<DomainEvent>),
    /// Nothing changed: roll back, no event.
    Unchanged(W, T),
}

/// The read-modify-write flow of every mutation: begin a write transaction scoped to
/// `user`, run `work` on it (fetch the current rows, apply the rule, write the new rows),
/// append the events it returns, commit (delivering them to subscribers). Returns the
/// work's value and the stored events. An error anywhere rolls everything back.
pub(crate) async fn mutate<D, T, F, Fut>(
    d: &D,
    user: UserId,
    work: F,
) -> Result<(T, Vec<StoredEvent>)>
where
    D: Dialect,
    T: Send + Outcome,
    F: FnOnce(D::Write) -> Fut + Send,
    Fut: Future<Output = Result<Step<D::Write, T>>> + Send,
{
    let tx = d.begin(user).await?;
    match work(tx).await? {
        Step::Write(mut tx, out, events) => {
            let stored = append(d, &mut tx, events).await?;
            let recorded = record_pending(d, &mut tx, user, &out).await?;
            d.commit(tx, stored.clone()).await?;
            if recorded {
                pending::mark_written();
            }
            Ok((out, stored))
        }
        Step::Unchanged(mut tx, out) => {
            // A keyed no-op still stores its answer: a retry replays it.
            if record_pending(d, &mut tx, user, &out).await? {
                d.commit(tx, Vec::new()).await?;
                pending::mark_written();
            } else {
                d.rollback(tx).await?;
            }
            Ok((out, Vec::new()))
        }
    }
}

/// Writes the idempotency record pending on this task (see
/// [`crate::idempotency::with_pending`]) on `tx` when it accepts `out`; whether it did.
async fn record_pending<D: Dialect, T: Outcome>(
    d: &D,
    tx: &mut D::Conn,
    user: UserId,
    out: &T,
) -> Result<bool> {
    match pending::render(out.written(), || d.ctx().now()) {
        Some(record) => {
            self::idempotency::write(d, tx, user, &record).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Appends events in order, returning them with their `seq`.
pub(crate) async fn append<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    events: Vec<DomainEvent>,
) -> Result<Vec<StoredEvent>> {
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let args = vec![
            Arg::Uuid(*event.id.as_uuid()),
            Arg::Uuid(*event.user_id.as_uuid()),
            Arg::Text(event.kind().to_owned()),
            Arg::Uuid(event.entity_id()),
            Arg::Int(crate::rules::nanos(event.occurred_at)),
            Arg::Text(to_json(&event)?),
        ];
        let seq = d
            .int(
                conn,
                Stmt::new(&d.sql().append_event, args, "appending an event"),
            )
            .await?
            .ok_or_else(|| Error::corrupt("events", "(new)", "no seq returned"))?;
        out.push(StoredEvent {
            seq: rows::seq("events", seq)?,
            event,
        });
    }
    Ok(out)
}

/// The store error for an sqlx error while doing `context`.
pub(crate) fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
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

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::backend("encoding a row", e))
}

/// The serde name of a unit enum value (`google`, ...).
pub(crate) fn name<T: Serialize>(value: &T) -> Result<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Err(Error::backend(
            "encoding a row",
            std::io::Error::other(format!("{other} is not a name")),
        )),
        Err(e) => Err(Error::backend("encoding a row", e)),
    }
}

/// A version as stored (an `i64` column).
pub(crate) fn version(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::invalid("version", v, "a version below 2^63"))
}

pub(crate) fn opt_nanos(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<i64> {
    t.map(crate::rules::nanos)
}

/// `%`, `_` and `\` escaped for `LIKE ... ESCAPE '\'`, wrapped in `%`.
pub(crate) fn like_pattern(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len() + 2);
    out.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}
