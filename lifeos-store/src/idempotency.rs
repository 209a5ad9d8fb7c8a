//! Idempotency records: the stored answer of a keyed write, written in the change's own
//! transaction, so a retry after a crash finds either the change and its answer, or
//! neither.
//!
//! A caller (the REST server) wraps a write in [`with_pending`] with a [`PendingRecord`]:
//! the first committing write inside that scope whose result the record's renderer
//! accepts ([`Written`]) stores the rendered response in the same transaction; a workflow
//! whose answer is a report of its write (an import) renders it with [`with_render`]. Records are
//! kept [`IDEMPOTENCY_TTL`] (24 hours) and purged lazily when a user's next record is
//! written.
//!
//! ```
//! use lifeos_core::{NewTask, UserId};
//! use lifeos_store::prelude::*;
//! use lifeos_store::idempotency::{IdempotencyScope, PendingRecord, StoredResponse, Written, with_pending};
//! use lifeos_store::{IdempotencyStore, MemoryStore};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let store = MemoryStore::default();
//! let me = UserId::from_uuid(uuid::Uuid::from_u128(1));
//! let scope = IdempotencyScope::new("POST", "/api/v1/tasks", "k-1");
//! let pending = PendingRecord::new(scope.clone(), "f1", |w| match w {
//!     Written::Tasks([t]) => Some(StoredResponse::json(201, t.title.clone())),
//!     _ => None,
//! });
//! let (task, written) = with_pending(pending, store.create_task(me, NewTask::titled("Once"))).await;
//! assert!(written && task.is_ok());
//! let record = store.idempotency_record(me, &scope).await?.unwrap();
//! assert_eq!((record.response.status, record.response.body.as_str()), (201, "Once"));
//! # Ok::<(), lifeos_store::Error>(())
//! # })?;
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use lifeos_core::{CalendarEvent, Profile, Project, Task, UserId};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::upserted::Upserted;

/// How long a record is replayed.
pub const IDEMPOTENCY_TTL: Duration = Duration::hours(24);

/// What a key is scoped to (besides the user): the method, the path and the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IdempotencyScope {
    /// `POST`, `PATCH`, `DELETE`.
    pub method: String,
    /// The request path (`/api/v1/tasks`).
    pub path: String,
    /// The client's `Idempotency-Key`.
    pub key: String,
}

impl IdempotencyScope {
    /// The scope of `key` on `method` `path`.
    pub fn new(method: impl Into<String>, path: impl Into<String>, key: impl Into<String>) -> Self {
        IdempotencyScope {
            method: method.into(),
            path: path.into(),
            key: key.into(),
        }
    }

    /// The one text the scope is stored under (method, path and key never hold a space
    /// in the server's use; the lengths make it unambiguous anyway).
    pub(crate) fn storage_key(&self) -> String {
        format!(
            "{}:{} {}:{} {}",
            self.method.len(),
            self.method,
            self.path.len(),
            self.path,
            self.key
        )
    }
}

/// A stored response: what a replay answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    /// The HTTP status (a 2xx).
    pub status: u16,
    /// The body, exactly as first sent.
    pub body: String,
    /// The `ETag` header, if any.
    pub etag: Option<String>,
    /// The `Location` header, if any.
    pub location: Option<String>,
}

impl StoredResponse {
    /// A response of `status` with `body` and no headers.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        StoredResponse {
            status,
            body: body.into(),
            etag: None,
            location: None,
        }
    }
}

/// A stored idempotency record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// What the key is scoped to.
    pub scope: IdempotencyScope,
    /// The request's fingerprint (the server's SHA-256 of query and body, hex).
    pub fingerprint: String,
    /// The answer to replay.
    pub response: StoredResponse,
    /// When it was stored (the store's clock); replayed until `created_at` + 24 h.
    pub created_at: DateTime<Utc>,
}

impl IdempotencyRecord {
    /// Whether it is still replayed at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.created_at + IDEMPOTENCY_TTL
    }
}

/// What a committing write produced, offered to a [`PendingRecord`]'s renderer.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Written<'a> {
    /// Tasks created or changed, in order (a no-op change answers the stored task).
    Tasks(&'a [Task]),
    /// A project created, patched or deleted.
    Project(&'a Project),
    /// A calendar event upserted (created, updated or unchanged).
    CalendarUpsert(&'a Upserted<CalendarEvent>),
    /// A calendar event patched or deleted.
    CalendarEvent(&'a CalendarEvent),
    /// A profile created or patched.
    Profile(&'a Profile),
    /// A user erased: rows deleted per table.
    Erased(&'a BTreeMap<String, u64>),
    /// A batch of calendar events upserted in one transaction (an import): each input's
    /// answer, in order.
    CalendarBatch(&'a [Result<Upserted<CalendarEvent>>]),
    /// Anything else (a recorded event, tokens, subscriptions, an import batch).
    Other,
}

/// The rendering of a pending record: its response for what the write produced, or
/// `None` to leave the record for a later write in the same scope.
pub type Render = dyn Fn(Written<'_>) -> Option<StoredResponse> + Send + Sync;

/// A record waiting for its write (see [`with_pending`]).
pub struct PendingRecord {
    scope: IdempotencyScope,
    fingerprint: String,
    render: Box<Render>,
}

impl std::fmt::Debug for PendingRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingRecord")
            .field("scope", &self.scope)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl PendingRecord {
    /// A record of `scope` with `fingerprint`, its response rendered by `render`.
    pub fn new(
        scope: IdempotencyScope,
        fingerprint: impl Into<String>,
        render: impl Fn(Written<'_>) -> Option<StoredResponse> + Send + Sync + 'static,
    ) -> Self {
        PendingRecord {
            scope,
            fingerprint: fingerprint.into(),
            render: Box::new(render),
        }
    }
}

struct Slot {
    record: PendingRecord,
    written: AtomicBool,
}

tokio::task_local! {
    static PENDING: Arc<Slot>;
    static RENDER: Arc<Render>;
}

/// Runs `fut` with `record` pending: the first write inside it (on this task) whose result
/// the renderer accepts stores the record in its own transaction. Answers `fut`'s output
/// and whether the record was written.
pub async fn with_pending<F: Future>(record: PendingRecord, fut: F) -> (F::Output, bool) {
    let slot = Arc::new(Slot {
        record,
        written: AtomicBool::new(false),
    });
    let out = PENDING.scope(Arc::clone(&slot), fut).await;
    (out, slot.written.load(Ordering::SeqCst))
}

/// Runs `fut` with `render` in place of the pending record's renderer: the first write
/// inside it (on this task) that `render` accepts stores the record in its transaction.
/// Without a pending record it just runs `fut`.
///
/// This is for a workflow whose answer is not the rows it writes but a report of them
/// (an import's counts, a plan): the workflow, which knows what it read and decided,
/// renders its caller's answer from what its save wrote, inside that save, so a retry
/// after a crash finds the change and its answer, or neither.
pub async fn with_render<F: Future>(
    render: impl Fn(Written<'_>) -> Option<StoredResponse> + Send + Sync + 'static,
    fut: F,
) -> F::Output {
    RENDER.scope(Arc::new(render), fut).await
}

/// The scope of the record pending on this task and not yet written.
pub(crate) fn pending_scope() -> Option<IdempotencyScope> {
    PENDING
        .try_with(|slot| (!slot.written.load(Ordering::SeqCst)).then(|| slot.record.scope.clone()))
        .ok()
        .flatten()
}

/// The pending record rendered for `written` at `now()`, if one is pending and accepts it
/// (the clock is read only then: a store without a pending record reads it as before).
pub(crate) fn render(
    written: Written<'_>,
    now: impl FnOnce() -> DateTime<Utc>,
) -> Option<IdempotencyRecord> {
    PENDING
        .try_with(|slot| {
            if slot.written.load(Ordering::SeqCst) {
                return None;
            }
            let response = match RENDER.try_with(Arc::clone) {
                Ok(render) => render(written)?,
                Err(_) => (slot.record.render)(written)?,
            };
            Some(IdempotencyRecord {
                scope: slot.record.scope.clone(),
                fingerprint: slot.record.fingerprint.clone(),
                response,
                created_at: now(),
            })
        })
        .ok()
        .flatten()
}

/// Marks the pending record written (after its transaction committed).
pub(crate) fn mark_written() {
    let _ = PENDING.try_with(|slot| slot.written.store(true, Ordering::SeqCst));
}

/// What a mutation's result offers a pending record.
pub(crate) trait Outcome {
    fn written(&self) -> Written<'_>;
}

impl Outcome for Vec<Task> {
    fn written(&self) -> Written<'_> {
        Written::Tasks(self)
    }
}

impl Outcome for Project {
    fn written(&self) -> Written<'_> {
        Written::Project(self)
    }
}

impl Outcome for Upserted<CalendarEvent> {
    fn written(&self) -> Written<'_> {
        Written::CalendarUpsert(self)
    }
}

impl Outcome for CalendarEvent {
    fn written(&self) -> Written<'_> {
        Written::CalendarEvent(self)
    }
}

impl Outcome for Profile {
    fn written(&self) -> Written<'_> {
        Written::Profile(self)
    }
}

impl Outcome for BTreeMap<String, u64> {
    fn written(&self) -> Written<'_> {
        Written::Erased(self)
    }
}

/// Results that no record renders.
macro_rules! other_outcome {
    ($($t:ty),*) => {
        $(impl Outcome for $t {
            fn written(&self) -> Written<'_> {
                Written::Other
            }
        })*
    };
}

impl Outcome for Vec<Result<Upserted<CalendarEvent>>> {
    fn written(&self) -> Written<'_> {
        Written::CalendarBatch(self)
    }
}

other_outcome!(
    (),
    u32,
    lifeos_core::OAuthToken,
    Upserted<lifeos_core::Subscription>
);

/// Idempotency records outside a change (a write whose response no store write
/// renders).
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// The user's live record of `scope` (one stored less than 24 h ago by the store's
    /// clock), if any.
    ///
    /// # Errors
    /// [`crate::Error::Backend`]; [`crate::Error::Corrupt`] for a damaged row.
    async fn idempotency_record(
        &self,
        user: UserId,
        scope: &IdempotencyScope,
    ) -> Result<Option<IdempotencyRecord>>;

    /// Stores a record at the store's time (its `created_at` is replaced), purging the
    /// user's expired ones.
    ///
    /// # Errors
    /// [`crate::Error::Duplicate`] (entity `idempotency_record`) when a live record of
    /// the scope exists; [`crate::Error::Backend`].
    async fn put_idempotency_record(&self, user: UserId, record: IdempotencyRecord) -> Result<()>;
}

/// The duplicate-key error of a scope.
pub(crate) fn duplicate(scope: &IdempotencyScope) -> crate::Error {
    crate::Error::Duplicate {
        entity: "idempotency_record",
        key: scope.key.clone(),
    }
}
