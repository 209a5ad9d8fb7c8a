//! What is PostgreSQL's own under the shared SQL layer: transactions scoped to the user
//! for RLS (role, `lifeos.user_id`, the writer lock), commits that hand their events to
//! the listener, labels as `text[]`, title search through `search_task_ids` (pg_trgm),
//! erasure of the log through `erase_user_events`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use lifeos_core::UserId;
use sqlx::{PgConnection, Postgres};
use tokio::sync::oneshot;

use super::{APP_ROLE, DELIVERY_WAIT, Pending, PostgresStore, USER_LOCK_NAMESPACE};
use crate::StoredEvent;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::sql::{Arg, Dialect, SqlBuf, Statements, TitleSearch, db, impl_fetch, like_pattern};

impl_fetch!(PostgresStore, Postgres, PgConnection, |labels: Vec<
    String,
>| Ok::<
    _,
    crate::Error,
>(labels));

type Tx = sqlx::Transaction<'static, Postgres>;

/// The statement that opens a transaction scoped to `user` as the application role, in
/// one round trip (a UUID's text form needs no quoting).
pub(crate) fn begin_sql(user: UserId, mode: Mode) -> String {
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

/// What a transaction is for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode {
    Write,
    Read,
    Snapshot,
}

/// The tables erased, in order (the log through `erase_user_events`: the application
/// role has no DELETE on `events`).
const ERASE: [(&str, &str); 6] = [
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
];

impl PostgresStore {
    async fn open(&self, user: UserId, mode: Mode) -> Result<Tx> {
        self.pool
            .begin_with(begin_sql(user, mode))
            .await
            .map_err(db("starting a transaction"))
    }
}

#[async_trait]
impl Dialect for PostgresStore {
    type Write = Tx;
    type Read = Tx;

    fn ctx(&self) -> &Ctx {
        &self.shared.ctx
    }

    fn sql(&self) -> &Statements {
        &self.sql
    }

    /// A write transaction scoped to `user`, holding the user's writer lock.
    async fn begin(&self, user: UserId) -> Result<Tx> {
        self.open(user, Mode::Write).await
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

    async fn rollback(&self, tx: Tx) -> Result<()> {
        tx.rollback().await.map_err(db("rolling back"))
    }

    /// A read-only transaction scoped to `user` (dropped, it rolls back).
    async fn read(&self, user: UserId) -> Result<Tx> {
        self.open(user, Mode::Read).await
    }

    /// A read-only REPEATABLE READ transaction: several queries, one snapshot.
    async fn snapshot(&self, user: UserId) -> Result<Tx> {
        self.open(user, Mode::Snapshot).await
    }

    async fn finish(&self, read: Tx) -> Result<()> {
        read.commit().await.map_err(db("ending a read transaction"))
    }

    fn push_label(&self, q: &mut SqlBuf, label: String) {
        q.push(" AND labels @> ARRAY[")
            .bind(Arg::Text(label))
            .push("]::text[]");
    }

    async fn title_search(&self, _conn: &mut PgConnection, _folded: &str) -> Result<TitleSearch> {
        Ok(TitleSearch::Index)
    }

    fn tasks_table(&self, _search: Option<TitleSearch>) -> &'static str {
        "tasks"
    }

    fn push_title_search(&self, q: &mut SqlBuf, folded: &str, _how: TitleSearch) {
        // The trigram-indexed `LIKE` runs in `search_task_ids` (see migration 0002: RLS
        // keeps a non-leakproof operator from using the index here); the same condition
        // is repeated so the result never depends on the function alone.
        let pattern = like_pattern(folded);
        q.push(" AND id IN (SELECT search_task_ids(")
            .bind(Arg::Text(pattern.clone()))
            .push(")) AND title_folded LIKE ")
            .bind(Arg::Text(pattern))
            .push(" ESCAPE '\\'");
    }

    async fn erase(&self, conn: &mut PgConnection, user: UserId) -> Result<BTreeMap<String, u64>> {
        let uid = *user.as_uuid();
        let mut counts = BTreeMap::new();
        for (table, sql) in ERASE {
            let done = sqlx::query(sql)
                .bind(uid)
                .execute(&mut *conn)
                .await
                .map_err(db("erasing a user"))?;
            counts.insert(table.to_owned(), done.rows_affected());
        }
        let events: i64 = sqlx::query_scalar("SELECT erase_user_events($1)")
            .bind(uid)
            .fetch_one(&mut *conn)
            .await
            .map_err(db("erasing a user"))?;
        let events = u64::try_from(events).map_err(|e| crate::Error::corrupt("events", uid, e))?;
        counts.insert("events".to_owned(), events);
        Ok(counts)
    }
}
