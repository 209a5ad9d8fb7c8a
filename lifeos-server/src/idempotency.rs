//! `Idempotency-Key` (API.md "Lists, versions, idempotency, limits"): a keyed POST, PATCH
//! or DELETE runs once; its 2xx answer is stored in the change's own transaction (the
//! store's [`with_pending`]) and replayed for 24 h with `Idempotent-Replayed: true`.
//!
//! Scope: user, method, path. Fingerprint: SHA-256 of the query and the body bytes.
//! Another fingerprint under a stored or in-flight key: 422 `idempotency-key-reuse`; the
//! same one while the first runs: 409 `idempotency-in-flight` with `Retry-After: 1`.
//! In-flight marks live in Redis (one Lua script each way) when it is configured, shared
//! by every process, else in this process; they expire after the request timeout.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use lifeos::core::UserId;
use lifeos::store::idempotency::{PendingRecord, StoredResponse, Written, with_pending};
use lifeos::store::{IdempotencyRecord, IdempotencyScope};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::problem::ApiError;
use crate::state::AppState;

/// The header a replay carries.
pub const REPLAYED: &str = "idempotent-replayed";

/// How many in-process in-flight marks are kept at most (expired ones are dropped first).
const LOCAL_CAPACITY: usize = 100_000;

/// The request's `Idempotency-Key`: absent, or 1..=255 characters 0x21-0x7E.
///
/// # Errors
/// 400 naming `Idempotency-Key` for a malformed or repeated one.
pub fn key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let mut values = headers.get_all("idempotency-key").iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let bad = || {
        ApiError::bad_param(
            "Idempotency-Key",
            "1..=255 visible ASCII characters (0x21-0x7E)",
        )
    };
    if values.next().is_some() {
        return Err(bad());
    }
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(bad());
    }
    std::str::from_utf8(bytes)
        .map(|k| Some(k.to_owned()))
        .map_err(|_| bad())
}

/// The fingerprint of a request: SHA-256 (hex) of its query and body bytes.
pub fn fingerprint(uri: &Uri, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    let query = uri.query().unwrap_or("");
    hash.update((query.len() as u64).to_be_bytes());
    hash.update(query.as_bytes());
    hash.update(body);
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The JSON response of one resource: `status`, its serde JSON, `ETag: "<version>"`,
/// `Location` if given; the one rendering of a stored answer.
pub(crate) fn resource<T: Serialize>(
    status: StatusCode,
    value: &T,
    version: Option<u64>,
    location: Option<String>,
) -> Option<StoredResponse> {
    Some(StoredResponse {
        status: status.as_u16(),
        body: serde_json::to_string(value).ok()?,
        etag: version.map(|v| format!("\"{v}\"")),
        location,
    })
}

/// A stored answer as a response (`replayed`: with `Idempotent-Replayed: true`).
pub(crate) fn respond(stored: &StoredResponse, replayed: bool) -> Response {
    let mut response = Response::new(Body::from(stored.body.clone()));
    *response.status_mut() = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let mut set = |name, value: &Option<String>| {
        if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(name, v);
        }
    };
    set(header::ETAG, &stored.etag);
    set(header::LOCATION, &stored.location);
    if replayed {
        headers.insert(REPLAYED, HeaderValue::from_static("true"));
    }
    response
}

/// Runs `handler` for a request with `key` (none: just runs it), answering a stored
/// response, 422 or 409 instead when the key says so. `render` turns the handler's store
/// write into its answer, stored in that write's transaction; an answer no store write
/// rendered is stored after the handler.
///
/// Call it after the checks of headers, query and the body read, before parsing the body
/// (API.md's order).
///
/// # Errors
/// 422 `idempotency-key-reuse`, 409 `idempotency-in-flight`, or the handler's.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run<Fut>(
    state: &AppState,
    user: UserId,
    key: Option<String>,
    method: &Method,
    uri: &Uri,
    body: &[u8],
    render: impl Fn(Written<'_>) -> Option<StoredResponse> + Send + Sync + 'static,
    handler: Fut,
) -> Result<Response, ApiError>
where
    Fut: Future<Output = Result<Response, ApiError>>,
{
    let Some(key) = key else {
        return handler.await;
    };
    let scope = IdempotencyScope::new(method.as_str(), uri.path(), key);
    let fingerprint = fingerprint(uri, body);
    if let Some(answer) = stored(state, user, &scope, &fingerprint).await? {
        return Ok(answer);
    }
    let mark = InFlight::acquire(state, user, &scope, &fingerprint).await?;
    // The first may have finished between the lookup and the mark.
    if let Some(answer) = stored(state, user, &scope, &fingerprint).await? {
        mark.release().await;
        return Ok(answer);
    }
    let pending = PendingRecord::new(scope.clone(), fingerprint.clone(), render);
    let (result, written) = with_pending(pending, handler).await;
    let result = match result {
        Ok(response) if response.status().is_success() && !written => {
            store_after(state, user, scope, fingerprint, response).await
        }
        // A duplicate of a record another process wrote first: answer that record.
        Err(e) if matches!(e, ApiError::Conflict(_) | ApiError::PreconditionFailed) => {
            match stored(state, user, &scope, &fingerprint).await {
                Ok(Some(answer)) => Ok(answer),
                Ok(None) => Err(e),
                Err(other) => Err(other),
            }
        }
        other => other,
    };
    mark.release().await;
    result
}

/// The stored answer of `scope`: a replay for the same fingerprint, 422 for another.
async fn stored(
    state: &AppState,
    user: UserId,
    scope: &IdempotencyScope,
    fingerprint: &str,
) -> Result<Option<Response>, ApiError> {
    let record = state.app().store().idempotency_record(user, scope).await?;
    match record {
        None => Ok(None),
        Some(r) if r.fingerprint == fingerprint => Ok(Some(respond(&r.response, true))),
        Some(_) => Err(ApiError::IdempotencyKeyReuse),
    }
}

/// Stores a 2xx no store write rendered (the route's answer is not a stored resource),
/// after the handler; the response is rebuilt from its buffered body.
async fn store_after(
    state: &AppState,
    user: UserId,
    scope: IdempotencyScope,
    fingerprint: String,
    response: Response,
) -> Result<Response, ApiError> {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|_| ApiError::Internal)?;
    let header_text = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) => {
            let record = IdempotencyRecord {
                scope,
                fingerprint,
                response: StoredResponse {
                    status: parts.status.as_u16(),
                    body: text.to_owned(),
                    etag: header_text(header::ETAG),
                    location: header_text(header::LOCATION),
                },
                created_at: state.now(),
            };
            if let Err(e) = state
                .app()
                .store()
                .put_idempotency_record(user, record)
                .await
            {
                tracing::warn!(error = %e, "storing an idempotency record failed");
            }
        }
        Err(_) => tracing::warn!("a keyed response is not UTF-8: not stored"),
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// An in-flight mark, released when the request ends (or expiring after the timeout).
struct InFlight {
    state: AppState,
    slot: String,
    fingerprint: String,
    released: bool,
}

impl InFlight {
    async fn acquire(
        state: &AppState,
        user: UserId,
        scope: &IdempotencyScope,
        fingerprint: &str,
    ) -> Result<InFlight, ApiError> {
        let slot = format!("{user} {}", scope_text(scope));
        let ttl = state.config().request_timeout;
        let holder = mark(state, &slot, fingerprint, ttl).await;
        match holder {
            None => Ok(InFlight {
                state: state.clone(),
                slot,
                fingerprint: fingerprint.to_owned(),
                released: false,
            }),
            Some(held) if held == fingerprint => Err(ApiError::IdempotencyInFlight),
            Some(_) => Err(ApiError::IdempotencyKeyReuse),
        }
    }

    async fn release(mut self) {
        self.released = true;
        unmark(&self.state, &self.slot, &self.fingerprint).await;
    }
}

impl Drop for InFlight {
    /// A request dropped midway (a timeout) frees its mark too.
    fn drop(&mut self) {
        if self.released {
            return;
        }
        let (state, slot, fingerprint) = (
            self.state.clone(),
            std::mem::take(&mut self.slot),
            std::mem::take(&mut self.fingerprint),
        );
        local_unmark(&state, &slot, &fingerprint);
        #[cfg(feature = "redis")]
        if state.inner.redis.is_some()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(async move { unmark(&state, &slot, &fingerprint).await });
        }
    }
}

fn scope_text(scope: &IdempotencyScope) -> String {
    format!("{} {} {}", scope.method, scope.path, scope.key)
}

/// Marks `slot` in flight with `fingerprint` for `ttl`; the holder's fingerprint when
/// already marked.
async fn mark(state: &AppState, slot: &str, fingerprint: &str, ttl: Duration) -> Option<String> {
    #[cfg(feature = "redis")]
    if let Some(redis) = &state.inner.redis {
        match redis.mark_in_flight(slot, fingerprint, ttl).await {
            Ok(holder) => return holder,
            Err(e) => tracing::warn!(error = %e, "Redis in-flight mark failed; marking locally"),
        }
    }
    let now = state.now();
    let until = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::seconds(30));
    let mut marks = local(state);
    if let Some((held, until)) = marks.get(slot)
        && *until > now
    {
        return Some(held.clone());
    }
    if marks.len() >= LOCAL_CAPACITY {
        marks.retain(|_, (_, until)| *until > now);
    }
    marks.insert(slot.to_owned(), (fingerprint.to_owned(), until));
    None
}

async fn unmark(state: &AppState, slot: &str, fingerprint: &str) {
    #[cfg(feature = "redis")]
    if let Some(redis) = &state.inner.redis
        && let Err(e) = redis.clear_in_flight(slot, fingerprint).await
    {
        tracing::warn!(error = %e, "Redis in-flight mark not cleared; it expires");
    }
    local_unmark(state, slot, fingerprint);
}

fn local_unmark(state: &AppState, slot: &str, fingerprint: &str) {
    let mut marks = local(state);
    if marks.get(slot).is_some_and(|(held, _)| held == fingerprint) {
        marks.remove(slot);
    }
}

/// The in-process marks: slot -> (fingerprint, expiry by the state's clock).
pub(crate) type LocalMarks = Mutex<HashMap<String, (String, DateTime<Utc>)>>;

fn local(state: &AppState) -> std::sync::MutexGuard<'_, HashMap<String, (String, DateTime<Utc>)>> {
    state
        .inner
        .in_flight
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The in-flight scripts in Redis: set the mark unless held (answering the holder), and
/// clear it only if still ours.
#[cfg(feature = "redis")]
pub(crate) const MARK_LUA: &str = r#"
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
"#;

#[cfg(feature = "redis")]
pub(crate) const CLEAR_LUA: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

/// The renderings of the routes whose answer is one stored resource.
pub(crate) mod render {
    use super::*;

    /// `POST /tasks`: 201 with `ETag` and `Location`.
    pub(crate) fn task_created(w: Written<'_>) -> Option<StoredResponse> {
        match w {
            Written::Tasks([t]) => resource(
                StatusCode::CREATED,
                t,
                Some(t.version),
                Some(format!("/api/v1/tasks/{}", t.id)),
            ),
            _ => None,
        }
    }

    /// A task change: 200 with `ETag`.
    pub(crate) fn task(w: Written<'_>) -> Option<StoredResponse> {
        match w {
            Written::Tasks([t]) => resource(StatusCode::OK, t, Some(t.version), None),
            _ => None,
        }
    }

    /// `POST /projects`: 201 with `ETag` and `Location`.
    pub(crate) fn project_created(w: Written<'_>) -> Option<StoredResponse> {
        match w {
            Written::Project(p) => resource(
                StatusCode::CREATED,
                p,
                Some(p.version),
                Some(format!("/api/v1/projects/{}", p.id)),
            ),
            _ => None,
        }
    }

    /// A project change: 200 with `ETag`.
    pub(crate) fn project(w: Written<'_>) -> Option<StoredResponse> {
        match w {
            Written::Project(p) => resource(StatusCode::OK, p, Some(p.version), None),
            _ => None,
        }
    }

    /// `POST /calendar/events`: 201 with `Location` when created, else 200; `ETag`.
    pub(crate) fn calendar_upsert(w: Written<'_>) -> Option<StoredResponse> {
        match w {
            Written::CalendarUpsert(up) => {
                let e = up.get();
                match up {
                    lifeos::store::Upserted::Created(_) => resource(
                        StatusCode::CREATED,
                        e,
                        Some(e.version),
                        Some(format!("/api/v1/calendar/events/{}", e.id)),
                    ),
                    _ => resource(StatusCode::OK, e, Some(e.version), None),
                }
            }
            _ => None,
        }
    }

    /// A calendar event patched or deleted: 200 with `ETag`.
    pub(crate) fn calendar_event(w: Written<'_>) -> Option<StoredResponse> {
        match w {
            Written::CalendarEvent(e) => resource(StatusCode::OK, e, Some(e.version), None),
            _ => None,
        }
    }

    /// `PATCH /me/preferences`: the profile, 200 with `ETag`.
    pub(crate) fn profile(w: Written<'_>) -> Option<StoredResponse> {
        match w {
            Written::Profile(p) => resource(StatusCode::OK, p, Some(p.version), None),
            _ => None,
        }
    }

    /// A route whose answer no store write renders: stored after the handler.
    pub(crate) fn after(_: Written<'_>) -> Option<StoredResponse> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        let mut h = HeaderMap::new();
        assert_eq!(key(&h).unwrap(), None);
        h.insert("idempotency-key", HeaderValue::from_static("abc-123_~!"));
        assert_eq!(key(&h).unwrap().as_deref(), Some("abc-123_~!"));
        for bad in ["a b", "", &"x".repeat(256)] {
            h.insert("idempotency-key", HeaderValue::from_str(bad).unwrap());
            let p = key(&h).unwrap_err().problem("r");
            assert_eq!(p.status, 400);
            assert_eq!(p.errors.unwrap()[0].field, "Idempotency-Key");
        }
        h.insert(
            "idempotency-key",
            HeaderValue::from_str(&"x".repeat(255)).unwrap(),
        );
        assert!(key(&h).unwrap().is_some());
    }

    #[test]
    fn the_fingerprint_covers_query_and_body() {
        let a: Uri = "/api/v1/tasks?x=1".parse().unwrap();
        let b: Uri = "/api/v1/tasks".parse().unwrap();
        assert_ne!(fingerprint(&a, b"{}"), fingerprint(&b, b"{}"));
        assert_ne!(fingerprint(&b, b"{}"), fingerprint(&b, b"{ }"));
        assert_eq!(fingerprint(&b, b"{}"), fingerprint(&b, b"{}"));
        assert_eq!(fingerprint(&b, b"").len(), 64);
    }
}
