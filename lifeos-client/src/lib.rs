//! The typed client of the LifeOS REST API v1 (`API.md`), over `lifeos-core`'s types.
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use lifeos_client::{Client, StaticToken};
//! use lifeos_core::{NewTask, TaskStatus};
//! # async fn demo() -> Result<(), lifeos_client::Error> {
//! let client = Client::builder("http://127.0.0.1:8080")
//!     .token_provider(StaticToken::new("eyJ..."))
//!     .build()?;
//! let mut new = NewTask::default();
//! new.title = "Write the report".into();
//! let task = client.tasks().create(&new).send().await?;
//! let task = client.tasks().start(task.id).if_match(task.version).send().await?;
//! let open: Vec<_> = client.tasks().list().status([TaskStatus::InProgress]).stream().try_collect().await?;
//! let feed = client.events().feed().after(0).stream(); // resumes with Last-Event-ID
//! # let _ = (task, open, feed); Ok(()) }
//! ```
//!
//! # Overview
//! - [`Client::builder`]: base URL, a [`TokenProvider`] (refreshed once on a 401, then the
//!   request is retried), timeouts, a [`RetryPolicy`] ([`Backoff`]: exponential with
//!   jitter from an injected RNG, honouring `Retry-After` in seconds or as an HTTP-date,
//!   bounded in attempts and total time), the user agent.
//! - Resource handles, one typed call per route: [`Client::tasks`], [`Client::projects`],
//!   [`Client::calendar`], [`Client::events`], [`Client::me`], [`Client::ai`],
//!   [`Client::service`]. Writes ([`Write`]) carry an automatic `Idempotency-Key`, reused
//!   by every retry of the call, so a retry never applies twice; `if_match(version)`.
//! - Lists ([`ListRequest`]) as one page or a `Stream` following cursors; the event feed
//!   ([`Feed`]) as a `Stream` over Server-Sent Events, resumed after a dropped connection.
//!
//! # Retries
//! 429, 503 and other 5xx, 409 `idempotency-in-flight` and transport failures are
//! retried as the policy says; every other answer is returned at once.
//!
//! # Errors
//! One [`Error`]: the server's problem document ([`Error::problem`], `request_id`, field
//! errors), [`Error::Conflict`] (412 or 409 `conflict`), [`Error::RateLimited`] with the
//! server's `retry_after`, [`Error::Transport`], [`Error::Decode`].
//!
//! # Crate features
//! - `rustls` (off by default): `https://` through rustls with the ring provider, given
//!   to reqwest preconfigured (never aws-lc). Without it the client speaks `http://` only
//!   (loopback, or behind a TLS-terminating proxy).

mod api;
mod auth;
mod client;
mod error;
mod exec;
mod request;
mod retry;
mod sse;

pub use api::{
    Ai, Calendar, Events, Me, OccurrencesRequest, PlanDay, PlanWeek, Projects, Service, TaskList,
    Tasks,
};
pub use auth::{StaticToken, TokenProvider};
pub use client::{Client, ClientBuilder, DEFAULT_USER_AGENT};
pub use error::{BoxError, Error, Result};
pub use request::{Get, GetText, ListRequest, Sent, Write};
pub use retry::{Backoff, NoRetry, RetryContext, RetryPolicy, retry_after};
pub use sse::Feed;
