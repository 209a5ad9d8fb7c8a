//! The NATS JetStream relay (feature `nats`): publishes the PostgreSQL event log to a
//! stream, at least once, on subjects `<prefix>.<type>` (`lifeos.events.task.created`),
//! each message with `Nats-Msg-Id` = the event id so JetStream drops the re-sends of a
//! restart within its duplicate window.
//!
//! ```no_run
//! # async fn demo() -> lifeos_store::Result<()> {
//! use lifeos_store::PostgresConfig;
//! use lifeos_store::relay::{Relay, RelayConfig};
//! let db = PostgresConfig::new("postgres://lifeos_relay@127.0.0.1:5432/lifeos").schema("lifeos");
//! let relay = Relay::connect(db, "nats://127.0.0.1:4222", RelayConfig::new()).await?;
//! relay.run().await?; // polls, publishes, stores its watermark; returns only on error
//! # Ok(())
//! # }
//! ```
//!
//! # Why a transaction-id watermark
//! `seq` is assigned when a row is inserted, not when its transaction commits: a
//! transaction holding `seq` 7 may commit after one holding `seq` 8 was already
//! published, so "everything after the last `seq` published" would skip 7. Each event row
//! therefore stores its transaction id (`xid8`). A pass reads the horizon
//! `pg_snapshot_xmin(pg_current_snapshot())` (every transaction below it has finished, so
//! the set of events below it is fixed) and publishes, in `seq` order, the events with
//! `watermark <= xid < horizon`; once JetStream has acknowledged all of them it stores
//! the horizon as the new watermark in `relay_offsets`. A
//! transaction still running at the horizon has `xid >= horizon` and is published by a
//! later pass. After a crash the relay starts again from the stored watermark and
//! re-sends what it had published since; the stream's duplicate window (default 10
//! minutes) drops those. A transaction left open for long holds the horizon back, and
//! with it the relay.
//!
//! The relay connects as the role `lifeos_relay` (its URL's user): a policy lets it read
//! every user's events and nothing else, and it may write only `relay_offsets`. It needs
//! a schema a [`crate::PostgresStore`] has migrated.
//!
//! On SQLite (`Relay::connect_sqlite`, with feature `sqlite`) there is one writer, so
//! `seq` order is commit order and the watermark is simply the last `seq` published.

use std::time::Duration;

use async_nats::jetstream;
use async_nats::jetstream::context::PublishAckFuture;
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::StoredEvent;
use crate::error::{Error, Result};
use crate::postgres::PostgresConfig;

/// The first delay before a pass repeats after a wake-up (see [`Relay::run`]).
const FIRST_RETRY: Duration = Duration::from_millis(50);

/// How the relay publishes. Built with [`RelayConfig::new`] and its setters.
///
/// Defaults: stream `LIFEOS_EVENTS`, subject prefix `lifeos.events`, duplicate window
/// 10 minutes, a pass every 200 ms, 500 events per read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RelayConfig {
    /// The JetStream stream (created if missing, capturing `<prefix>.>`).
    pub stream: String,
    /// The subject prefix: an event of type `task.created` goes to `<prefix>.task.created`.
    pub prefix: String,
    /// The stream's duplicate window: must cover the time from a publish to the next
    /// stored watermark, so a restart's re-sends are dropped.
    pub duplicate_window: Duration,
    /// The pause between passes in [`Relay::run`].
    pub poll_interval: Duration,
    /// Events read per query within a pass.
    pub batch: u32,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl RelayConfig {
    /// The defaults.
    pub fn new() -> Self {
        RelayConfig {
            stream: "LIFEOS_EVENTS".into(),
            prefix: "lifeos.events".into(),
            duplicate_window: Duration::from_secs(600),
            poll_interval: Duration::from_millis(200),
            batch: 500,
        }
    }

    /// Publishes to `stream`.
    pub fn stream(mut self, stream: impl Into<String>) -> Self {
        self.stream = stream.into();
        self
    }

    /// Publishes on `<prefix>.<type>`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Sets the stream's duplicate window.
    pub fn duplicate_window(mut self, window: Duration) -> Self {
        self.duplicate_window = window;
        self
    }

    /// Pauses `interval` between passes.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Reads `n` events per query (at least 1).
    pub fn batch(mut self, n: u32) -> Self {
        self.batch = n.max(1);
        self
    }

    fn check(&self) -> Result<()> {
        let token_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !token_ok(&self.stream) {
            return Err(Error::invalid(
                "stream",
                &self.stream,
                "ASCII letters, digits, _ and -",
            ));
        }
        if !self.prefix.split('.').all(token_ok) {
            return Err(Error::invalid(
                "prefix",
                &self.prefix,
                "dot-separated tokens of ASCII letters, digits, _ and -",
            ));
        }
        Ok(())
    }

    /// The key of this relay's watermark in `relay_offsets`.
    fn key(&self) -> String {
        format!("{}/{}", self.stream, self.prefix)
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Pass {
    /// Events sent to JetStream.
    pub published: u64,
    /// Of those, how many JetStream reported as duplicates (re-sends after a crash).
    pub duplicates: u64,
}

/// Publishes a store's event log to a JetStream stream.
#[derive(Debug)]
pub struct Relay {
    source: Source,
    js: jetstream::Context,
    config: RelayConfig,
    /// PostgreSQL: the store's notification channel, to wake up on commits.
    channel: Option<String>,
}

/// Where the log is read and the watermark kept.
#[derive(Debug)]
enum Source {
    /// PostgreSQL: an xid8 watermark.
    Postgres(PgPool),
    /// SQLite (one writer, so `seq` order is commit order): the last `seq` published.
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
}

/// What one pass publishes: PostgreSQL, transactions in `[low, high)` (xid8 as text);
/// SQLite, `seq > low`.
struct Bounds {
    low: String,
    high: String,
}

fn sql(context: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| Error::backend(context, e)
}

impl Source {
    async fn bounds(&self, key: &str) -> Result<Bounds> {
        match self {
            Source::Postgres(pool) => {
                let (high, low): (String, String) = sqlx::query_as(
                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text, \
                     COALESCE((SELECT watermark FROM relay_offsets WHERE relay = $1), '0'::xid8)::text",
                )
                .bind(key)
                .fetch_one(pool)
                .await
                .map_err(sql("reading the relay watermark"))?;
                Ok(Bounds { low, high })
            }
            #[cfg(feature = "sqlite")]
            Source::Sqlite(pool) => {
                let low: Option<i64> =
                    sqlx::query_scalar("SELECT last_seq FROM relay_offsets WHERE relay = ?")
                        .bind(key)
                        .fetch_optional(pool)
                        .await
                        .map_err(sql("reading the relay watermark"))?;
                Ok(Bounds {
                    low: low.unwrap_or(0).to_string(),
                    high: String::new(),
                })
            }
        }
    }

    /// Up to `limit` events within `bounds` after `after`, in `seq` order. Every
    /// transaction within the bounds has finished, so separate reads see one fixed set.
    async fn events(&self, bounds: &Bounds, after: i64, limit: u32) -> Result<Vec<(i64, String)>> {
        match self {
            Source::Postgres(pool) => sqlx::query_as(
                "SELECT seq, envelope FROM events \
                 WHERE xid >= $1::xid8 AND xid < $2::xid8 AND seq > $3 \
                 ORDER BY seq LIMIT $4",
            )
            .bind(&bounds.low)
            .bind(&bounds.high)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(sql("reading events to relay")),
            #[cfg(feature = "sqlite")]
            Source::Sqlite(pool) => {
                let low: i64 = bounds.low.parse().unwrap_or(0);
                sqlx::query_as(
                    "SELECT seq, envelope FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                )
                .bind(low.max(after))
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await
                .map_err(sql("reading events to relay"))
            }
        }
    }

    /// Stores the watermark after everything within `bounds` was acknowledged.
    async fn store(&self, key: &str, bounds: &Bounds, last: Option<i64>) -> Result<()> {
        match self {
            Source::Postgres(pool) => {
                sqlx::query(
                    "INSERT INTO relay_offsets (relay, watermark) VALUES ($1, $2::xid8) \
                     ON CONFLICT (relay) DO UPDATE SET watermark = EXCLUDED.watermark",
                )
                .bind(key)
                .bind(&bounds.high)
                .execute(pool)
                .await
                .map_err(sql("storing the relay watermark"))?;
            }
            #[cfg(feature = "sqlite")]
            Source::Sqlite(pool) => {
                if let Some(last) = last {
                    sqlx::query(
                        "INSERT INTO relay_offsets (relay, last_seq) VALUES (?, ?) \
                         ON CONFLICT (relay) DO UPDATE SET last_seq = excluded.last_seq",
                    )
                    .bind(key)
                    .bind(last)
                    .execute(pool)
                    .await
                    .map_err(sql("storing the relay watermark"))?;
                }
            }
        }
        #[cfg(not(feature = "sqlite"))]
        let _ = last;
        Ok(())
    }
}

impl Relay {
    /// Relays a PostgreSQL store's log: connects to the database (as `database`'s user,
    /// normally `lifeos_relay`) and to NATS, and creates the stream if missing.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`stream`, `prefix`, `schema`); [`Error::Backend`] when a server
    /// cannot be reached or the stream cannot be created.
    pub async fn connect(
        database: impl Into<PostgresConfig>,
        nats_url: &str,
        config: RelayConfig,
    ) -> Result<Self> {
        config.check()?;
        let database = database.into();
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(database.connect_options()?)
            .await
            .map_err(sql("connecting the relay to the database"))?;
        let mut relay = Self::start(Source::Postgres(pool), nats_url, config).await?;
        relay.channel = Some(format!("{}.events", database.schema));
        Ok(relay)
    }

    /// Relays the log of the SQLite store in the file at `path` (feature `sqlite`). The
    /// watermark is the last `seq` published, kept in a table `relay_offsets` the relay
    /// creates in that file.
    ///
    /// # Errors
    /// As [`Relay::connect`].
    #[cfg(feature = "sqlite")]
    pub async fn connect_sqlite(
        path: impl AsRef<std::path::Path>,
        nats_url: &str,
        config: RelayConfig,
    ) -> Result<Self> {
        config.check()?;
        let connect = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(10));
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect)
            .await
            .map_err(sql("opening the SQLite file"))?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS relay_offsets \
             (relay TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) STRICT",
        )
        .execute(&pool)
        .await
        .map_err(sql("creating relay_offsets"))?;
        Self::start(Source::Sqlite(pool), nats_url, config).await
    }

    async fn start(source: Source, nats_url: &str, config: RelayConfig) -> Result<Self> {
        let client = async_nats::connect(nats_url)
            .await
            .map_err(|e| Error::backend("connecting to NATS", e))?;
        let js = jetstream::new(client);
        js.get_or_create_stream(jetstream::stream::Config {
            name: config.stream.clone(),
            subjects: vec![format!("{}.>", config.prefix)],
            duplicate_window: config.duplicate_window,
            ..Default::default()
        })
        .await
        .map_err(|e| Error::backend("creating the JetStream stream", e))?;
        Ok(Relay {
            source,
            js,
            config,
            channel: None,
        })
    }

    /// Runs passes for ever: on PostgreSQL after each commit notification and at least
    /// every `poll_interval`; on SQLite every `poll_interval`.
    ///
    /// # Errors
    /// The first failing pass's error (the watermark stays where it was: run again).
    pub async fn run(&self) -> Result<()> {
        let mut listener = self.listener().await;
        // After a wake-up (the start, or a commit's notification) passes repeat with a
        // doubling delay up to the poll interval: a commit whose transaction was still
        // behind the horizon in one pass (another transaction was running) is published
        // by a later one, not after a whole interval.
        let mut delay = FIRST_RETRY;
        loop {
            self.pass().await?;
            let wait = delay.min(self.config.poll_interval);
            let woken = match listener.as_mut() {
                Some(l) => tokio::time::timeout(wait, l.recv()).await.is_ok(),
                None => {
                    tokio::time::sleep(wait).await;
                    false
                }
            };
            delay = if woken {
                FIRST_RETRY
            } else {
                delay.saturating_mul(2)
            };
        }
    }

    /// On PostgreSQL, a listener on the store's channel (`None`: poll only).
    async fn listener(&self) -> Option<sqlx::postgres::PgListener> {
        let (Source::Postgres(pool), Some(channel)) = (&self.source, &self.channel) else {
            return None;
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await.ok()?;
        listener.listen(channel).await.ok()?;
        Some(listener)
    }

    /// One pass: publishes the events past the stored watermark (on PostgreSQL, those of
    /// every transaction finished since), in `seq` order, waits for JetStream's
    /// acknowledgements, then stores the new watermark.
    ///
    /// # Errors
    /// [`Error::Backend`]; nothing is stored then, and the next pass re-sends.
    pub async fn pass(&self) -> Result<Pass> {
        let key = self.config.key();
        let bounds = self.source.bounds(&key).await?;
        let mut done = Pass::default();
        let mut after: i64 = 0;
        let mut last = None;
        loop {
            let rows = self
                .source
                .events(&bounds, after, self.config.batch)
                .await?;
            let Some(tail) = rows.last() else { break };
            after = tail.0;
            let full = rows.len() == self.config.batch as usize;
            let mut acks: Vec<PublishAckFuture> = Vec::with_capacity(rows.len());
            for (seq, envelope) in rows {
                let stored = StoredEvent::try_from(crate::sql::EventRow { seq, envelope })?;
                acks.push(self.publish(&stored).await?);
            }
            for ack in acks {
                let ack = ack
                    .await
                    .map_err(|e| Error::backend("waiting for JetStream", e))?;
                done.published += 1;
                if ack.duplicate {
                    done.duplicates += 1;
                }
            }
            last = Some(after);
            if !full {
                break;
            }
        }
        self.source.store(&key, &bounds, last).await?;
        Ok(done)
    }

    async fn publish(&self, e: &StoredEvent) -> Result<PublishAckFuture> {
        let subject = format!("{}.{}", self.config.prefix, e.event.kind());
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, e.event.id.to_string());
        let payload = serde_json::to_vec(e).map_err(|e| Error::backend("encoding an event", e))?;
        self.js
            .publish_with_headers(subject, headers, payload.into())
            .await
            .map_err(|e| Error::backend("publishing to JetStream", e))
    }
}
