//! `/api/v1/events`: the user's event log as pages and as a Server-Sent Events stream.

use std::convert::Infallible;

use axum::extract::{Request, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::{Extension, Json};
use futures_util::Stream;
use lifeos::core::wire::List;
use lifeos::store::{EventQuery, StoredEvent};
use tokio::sync::mpsc;

use crate::auth::Caller;
use crate::input;
use crate::problem::ApiError;
use crate::state::AppState;

fn after_seq(text: &str, field: &str) -> Result<u64, ApiError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_param(field, "a decimal event seq"));
    }
    text.parse()
        .map_err(|_| ApiError::bad_param(field, "a decimal event seq"))
}

/// `GET /events?after=<seq>&limit=`: events with `seq` > `after`, in order.
#[utoipa::path(get, path = "/events", tag = "events",
    params(
        crate::openapi::AfterSeq,
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, 1..=200 (default 50)."),
    ),
    responses(
        (status = 200, description = "A page of the caller's event log in seq order.", body = List<StoredEvent>),
        (status = 400, description = "bad-request: after or limit invalid."),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Json<List<StoredEvent>>, ApiError> {
    let params = input::query_params(request.uri().query())?;
    let limit = input::limit(&params)?;
    let after = params
        .get("after")
        .map(|a| after_seq(a, "after"))
        .transpose()?;
    let query = EventQuery::new().after_seq(after).limit(limit);
    let page = state.app().store().read_events(caller.user, &query).await?;
    Ok(Json(List {
        next_cursor: page.next.map(|n| n.to_string()),
        results: page.events,
    }))
}

/// `GET /events/stream`: `id: <seq>`, `event: <type>`, `data: <StoredEvent>`;
/// `Last-Event-ID` (or `?after=`; the header wins) replays later events from the log,
/// then live ones, none lost or repeated. A comment every 15 s; closed at the token's
/// expiry, at shutdown and when the user is erased. The comment interval is
/// [`crate::ServerConfig::keep_alive`].
#[utoipa::path(get, path = "/events/stream", tag = "events",
    params(
        ("after" = Option<u64>, Query, description = "Replay events after this seq first (Last-Event-ID wins)."),
        ("Last-Event-ID" = Option<u64>, Header, description = "Replay events after this seq, then live ones."),
    ),
    responses(
        (status = 200, description = "Server-Sent Events: `id: <seq>`, `event: <type>`, `data: <StoredEvent JSON>`; a comment every 15 s; closed at the token's exp, at shutdown and on erasure.", body = String, content_type = "text/event-stream"),
        (status = 400, description = "bad-request: after or Last-Event-ID is not a decimal seq."),
    ))]
pub(crate) async fn stream(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let params = input::query_params(request.uri().query())?;
    let after = match request.headers().get("last-event-id") {
        Some(v) => Some(after_seq(
            v.to_str()
                .map_err(|_| ApiError::bad_param("Last-Event-ID", "a decimal event seq"))?,
            "Last-Event-ID",
        )?),
        None => params
            .get("after")
            .map(|a| after_seq(a, "after"))
            .transpose()?,
    };
    // Subscribe before reading the log, so nothing committed in between is lost.
    let live = state.app().store().subscribe(caller.user);
    let (tx, rx) = mpsc::channel::<Event>(64);
    let until_exp = caller.expires_at - state.now().timestamp();
    let until_exp = std::time::Duration::from_secs(u64::try_from(until_exp).unwrap_or(0));
    let shutdown = state.inner.shutdown.subscribe();
    let state_keep_alive = state.config().keep_alive;
    tokio::spawn(pump(state, caller, after, live, tx, until_exp, shutdown));
    let events =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) },
        );
    let keep_alive = KeepAlive::new().interval(state_keep_alive);
    Ok(Sse::new(events).keep_alive(keep_alive))
}

fn sse_event(e: &StoredEvent) -> Option<Event> {
    let data = serde_json::to_string(e).ok()?;
    Some(
        Event::default()
            .id(e.seq.to_string())
            .event(e.event.kind())
            .data(data),
    )
}

/// Replays from the log after `after`, then forwards live events with a higher `seq`;
/// re-reads the log when the live subscription lagged.
async fn pump(
    state: AppState,
    caller: Caller,
    after: Option<u64>,
    mut live: lifeos::store::EventStream,
    tx: mpsc::Sender<Event>,
    until_exp: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut last = after;
    let deadline = tokio::time::sleep(until_exp);
    tokio::pin!(deadline);
    if last.is_some() && !replay(&state, &caller, &mut last, &tx).await {
        return;
    }
    loop {
        tokio::select! {
            () = &mut deadline => return,
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
            }
            next = live.recv() => match next {
                None => return,
                Some(Ok(e)) => {
                    if last.is_some_and(|l| e.seq <= l) {
                        continue;
                    }
                    let erased = e.event.kind() == "user.erased";
                    last = Some(e.seq);
                    let Some(event) = sse_event(&e) else { continue };
                    if tx.send(event).await.is_err() || erased {
                        return;
                    }
                }
                Some(Err(_lagged)) => {
                    if last.is_none() {
                        last = Some(0);
                    }
                    if !replay(&state, &caller, &mut last, &tx).await {
                        return;
                    }
                }
            }
        }
    }
}

/// Sends the log's events after `last`; false when the client is gone or the log failed.
async fn replay(
    state: &AppState,
    caller: &Caller,
    last: &mut Option<u64>,
    tx: &mpsc::Sender<Event>,
) -> bool {
    loop {
        let query = EventQuery::new().after_seq(*last).limit(500);
        let page = match state.app().store().read_events(caller.user, &query).await {
            Ok(page) => page,
            Err(e) => {
                tracing::error!(error = %e, "reading the event log for a stream");
                return false;
            }
        };
        for e in &page.events {
            *last = Some(e.seq);
            let Some(event) = sse_event(e) else { continue };
            if tx.send(event).await.is_err() {
                return false;
            }
        }
        if page.next.is_none() {
            return true;
        }
    }
}
