//! What is SQLite's own under the shared SQL layer: `BEGIN IMMEDIATE` on the one write
//! connection with the publication order lock, labels as JSON text, title search through
//! the FTS5 trigram index, erasure through `erasure_in_progress`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use lifeos_core::UserId;
use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::SqliteStore;
use crate::StoredEvent;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::sql::{
    Arg, Dialect, SqlBuf, Statements, TitleSearch, db, impl_fetch, like_pattern, to_json,
};

impl_fetch!(SqliteStore, Sqlite, SqliteConnection, |labels: Vec<
    String,
>| to_json(&labels));

/// A write transaction holding the publication order lock, so subscribers see events in
/// `seq` order.
pub(crate) struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    _order: tokio::sync::OwnedMutexGuard<()>,
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

/// A read: a pooled connection for one statement, a transaction for a snapshot.
pub(crate) enum Read {
    One(PoolConnection<Sqlite>),
    Snapshot(Transaction<'static, Sqlite>),
}

impl std::ops::Deref for Read {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        match self {
            Read::One(c) => c,
            Read::Snapshot(t) => t,
        }
    }
}

impl std::ops::DerefMut for Read {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            Read::One(c) => c,
            Read::Snapshot(t) => t,
        }
    }
}

/// Titles shorter than this many characters are searched by a scan: the trigram index
/// needs at least one whole trigram.
const TRIGRAM: usize = 3;

/// Up to this many index candidates (of all users), a title search reads them by rowid;
/// beyond, it scans the user's rows in listing order.
const INDEX_CANDIDATES: i64 = 1000;

/// `folded` as an FTS5 phrase: every character literal.
fn phrase(folded: &str) -> String {
    format!("\"{}\"", folded.replace('"', "\"\""))
}

/// The tables erased, in order; the log keeps the user's earlier tombstones.
const ERASE: [(&str, &str); 7] = [
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
];

#[async_trait]
impl Dialect for SqliteStore {
    type Write = WriteTx;
    type Read = Read;

    fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    fn sql(&self) -> &Statements {
        &self.sql
    }

    async fn begin(&self, _user: UserId) -> Result<WriteTx> {
        let order = std::sync::Arc::clone(&self.order).lock_owned().await;
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
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.committed();
        }
        self.ctx.hub.publish(stored);
        Ok(())
    }

    async fn rollback(&self, tx: WriteTx) -> Result<()> {
        tx.tx.rollback().await.map_err(db("rolling back"))
    }

    async fn read(&self, _user: UserId) -> Result<Read> {
        let conn = self.read.acquire().await.map_err(db("connecting"))?;
        Ok(Read::One(conn))
    }

    async fn snapshot(&self, _user: UserId) -> Result<Read> {
        let tx = self
            .read
            .begin()
            .await
            .map_err(db("starting a read transaction"))?;
        Ok(Read::Snapshot(tx))
    }

    async fn finish(&self, read: Read) -> Result<()> {
        match read {
            Read::One(_) => Ok(()),
            Read::Snapshot(tx) => tx.commit().await.map_err(db("ending a read transaction")),
        }
    }

    fn push_label(&self, q: &mut SqlBuf, label: String) {
        q.push(" AND EXISTS (SELECT 1 FROM json_each(tasks.labels) WHERE value = ")
            .bind(Arg::Text(label))
            .push(")");
    }

    async fn title_search(&self, conn: &mut SqliteConnection, folded: &str) -> Result<TitleSearch> {
        if folded.chars().count() < TRIGRAM {
            return Ok(TitleSearch::Scan);
        }
        // The index holds every user's titles: when the text is common, scanning this
        // user's rows in listing order (which stops after a page) is cheaper.
        let candidates: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT 1 FROM tasks_fts WHERE tasks_fts MATCH ? LIMIT ?)",
        )
        .bind(phrase(folded))
        .bind(INDEX_CANDIDATES + 1)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("searching tasks"))?;
        Ok(if candidates <= INDEX_CANDIDATES {
            TitleSearch::Index
        } else {
            TitleSearch::Scan
        })
    }

    fn tasks_table(&self, search: Option<TitleSearch>) -> &'static str {
        match search {
            // Rows are fetched by rowid from the index's candidates, not in index order.
            Some(TitleSearch::Index) => "tasks NOT INDEXED",
            _ => "tasks",
        }
    }

    fn push_title_search(&self, q: &mut SqlBuf, folded: &str, how: TitleSearch) {
        if how == TitleSearch::Index {
            // The trigram index finds the candidates (a phrase of the folded text: `%`
            // and `_` are plain characters there); the LIKE below keeps the result exact.
            q.push(" AND rowid IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ")
                .bind(Arg::Text(phrase(folded)))
                .push(")");
        }
        q.push(" AND title_folded LIKE ")
            .bind(Arg::Text(like_pattern(folded)))
            .push(" ESCAPE '\\'");
    }

    async fn erase(
        &self,
        conn: &mut SqliteConnection,
        user: UserId,
    ) -> Result<BTreeMap<String, u64>> {
        let uid = *user.as_uuid();
        let run = |sql: &'static str| sqlx::query(sql).bind(uid);
        run("INSERT INTO erasure_in_progress (user_id) VALUES (?)")
            .execute(&mut *conn)
            .await
            .map_err(db("erasing a user"))?;
        let mut counts = BTreeMap::new();
        for (table, sql) in ERASE {
            let done = run(sql)
                .execute(&mut *conn)
                .await
                .map_err(db("erasing a user"))?;
            counts.insert(table.to_owned(), done.rows_affected());
        }
        run("DELETE FROM erasure_in_progress WHERE user_id = ?")
            .execute(&mut *conn)
            .await
            .map_err(db("erasing a user"))?;
        Ok(counts)
    }
}
