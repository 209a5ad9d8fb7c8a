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
//! therefore stores its transaction id (`xid8`). A pass reads, in one snapshot, the
//! horizon `pg_snapshot_xmin(pg_current_snapshot())` (every transaction below it has
//! finished) and publishes, in `seq` order, the events with
//! `watermark <= xid < horizon`; once JetStream has acknowledged all of them it stores
//! the horizon as the new watermark in `relay_offsets`, in the same transaction. A
//! transaction still running at the horizon has `xid >= horizon` and is published by a
//! later pass. After a crash the relay starts again from the stored watermark and
//! re-sends what it had published since; the stream's duplicate window (default 10
//! minutes) drops those. A transaction left open for long holds the horizon back, and
//! with it the relay.
//!
//! The relay connects as the role `lifeos_relay` (its URL's user): a policy lets it read
//! every user's events and nothing else, and it may write only `relay_offsets`. It needs
//! a schema a [`crate::PostgresStore`] has migrated.

use std::time::Duration;

use async_nats::jetstream;
use async_nats::jetstream::context::PublishAckFuture;
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::error::{Error, Result};
use crate::model::StoredEvent;
use crate::postgres::PostgresConfig;

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

/// Publishes the event log of one schema to a JetStream stream.
#[derive(Debug)]
pub struct Relay {
    pool: PgPool,
    js: jetstream::Context,
    config: RelayConfig,
}

fn pg(context: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| Error::backend(context, e)
}

impl Relay {
    /// Connects to the database (as `database`'s user, normally `lifeos_relay`) and to
    /// NATS, and creates the stream if missing.
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
            .max_connections(1)
            .connect_with(database.connect_options()?)
            .await
            .map_err(pg("connecting the relay to the database"))?;
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
        Ok(Relay { pool, js, config })
    }

    /// Runs passes every `poll_interval`, for ever.
    ///
    /// # Errors
    /// The first failing pass's error (the watermark stays where it was: run again).
    pub async fn run(&self) -> Result<()> {
        loop {
            self.pass().await?;
            tokio::time::sleep(self.config.poll_interval).await;
        }
    }

    /// One pass: publishes the events of every transaction finished since the stored
    /// watermark, in `seq` order, waits for JetStream's acknowledgements, then stores the
    /// new watermark.
    ///
    /// # Errors
    /// [`Error::Backend`]; nothing is stored then, and the next pass re-sends.
    pub async fn pass(&self) -> Result<Pass> {
        let key = self.config.key();
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ")
            .await
            .map_err(pg("starting a relay pass"))?;
        // The first statement takes the snapshot every later read of the pass sees.
        let (horizon, watermark): (String, String) = sqlx::query_as(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text, \
             COALESCE((SELECT watermark FROM relay_offsets WHERE relay = $1), '0'::xid8)::text",
        )
        .bind(&key)
        .fetch_one(&mut *tx)
        .await
        .map_err(pg("reading the relay watermark"))?;
        let mut done = Pass::default();
        let mut after: i64 = 0;
        loop {
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "SELECT seq, envelope FROM events \
                 WHERE xid >= $1::xid8 AND xid < $2::xid8 AND seq > $3 \
                 ORDER BY seq LIMIT $4",
            )
            .bind(&watermark)
            .bind(&horizon)
            .bind(after)
            .bind(i64::from(self.config.batch))
            .fetch_all(&mut *tx)
            .await
            .map_err(pg("reading events to relay"))?;
            let Some(last) = rows.last() else { break };
            after = last.0;
            let full = rows.len() == self.config.batch as usize;
            let mut acks: Vec<PublishAckFuture> = Vec::with_capacity(rows.len());
            for (seq, envelope) in rows {
                let event = serde_json::from_str(&envelope)
                    .map_err(|e| Error::backend("decoding an event to relay", e))?;
                let stored = StoredEvent {
                    seq: u64::try_from(seq).unwrap_or(0),
                    event,
                };
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
            if !full {
                break;
            }
        }
        sqlx::query(
            "INSERT INTO relay_offsets (relay, watermark) VALUES ($1, $2::xid8) \
             ON CONFLICT (relay) DO UPDATE SET watermark = EXCLUDED.watermark",
        )
        .bind(&key)
        .bind(&horizon)
        .execute(&mut *tx)
        .await
        .map_err(pg("storing the relay watermark"))?;
        tx.commit()
            .await
            .map_err(pg("storing the relay watermark"))?;
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
