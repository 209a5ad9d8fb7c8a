//! `/api/v1/calendar`: occurrences in a window, iCalendar import and export.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono_tz::Tz;
use lifeos::IcsImportOptions;
use lifeos::core::Provider;
use lifeos::core::wire::{ImportLineError, ImportReport, OccurrenceEntry, Occurrences};
use lifeos::store::idempotency::StoredResponse;

use crate::auth::Caller;
use crate::idempotency::{self, render};
use crate::input::{self, check_content_type, read_body};
use crate::problem::ApiError;
use crate::state::AppState;

/// `GET /calendar/occurrences?from=&to=[&tz=]`.
#[utoipa::path(get, path = "/calendar/occurrences", tag = "calendar",
    params(
        ("from" = chrono::DateTime<chrono::Utc>, Query, description = "Start of the window (RFC 3339)."),
        ("to" = chrono::DateTime<chrono::Utc>, Query, description = "End of the window, exclusive: from <= to, at most 366 days later."),
        crate::openapi::TimeZoneParam,
    ),
    responses(
        (status = 200, description = "The occurrences touching [from, to), series expanded, in core's order; unpaged.", body = Occurrences),
        (status = 400, description = "bad-request: from, to or tz missing or invalid."),
    ))]
pub(crate) async fn occurrences(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Json<Occurrences>, ApiError> {
    let params = input::query_params(request.uri().query())?;
    let from = input::instant(&params, "from")?
        .ok_or_else(|| ApiError::bad_param("from", "an RFC 3339 instant is required"))?;
    let to = input::instant(&params, "to")?
        .ok_or_else(|| ApiError::bad_param("to", "an RFC 3339 instant is required"))?;
    if to < from {
        return Err(ApiError::bad_param("to", "at or after from"));
    }
    if to - from > chrono::Duration::days(366) {
        return Err(ApiError::bad_param("to", "at most 366 days after from"));
    }
    let tz: Tz = match params.get("tz") {
        Some(name) => name
            .parse()
            .map_err(|_| ApiError::bad_param("tz", "an IANA time zone"))?,
        None => {
            state
                .app()
                .ensure_profile_with_email(caller.user, caller.email.as_deref())
                .await?
                .preferences
                .timezone
        }
    };
    let found = state
        .app()
        .store()
        .list_occurrences(caller.user, from, to, tz)
        .await?;
    let results: Vec<OccurrenceEntry> = found
        .entries
        .into_iter()
        .map(|o| OccurrenceEntry {
            event_id: o.event_id,
            title: o.title,
            start: o.start,
            end: o.end,
            is_all_day: o.is_all_day,
            busy: o.busy,
            recurrence_id: o.recurrence_id,
        })
        .collect();
    Ok(Json(Occurrences {
        results,
        truncated: found.truncated,
    }))
}

/// `POST /calendar/import[?provider=ics]`: a `text/calendar` body up to 50 MiB.
#[utoipa::path(post, path = "/calendar/import", tag = "calendar",
    params(crate::openapi::ImportProvider, crate::openapi::IdempotencyKey),
    request_body(content = String, content_type = "text/calendar", description = "An iCalendar document, up to 50 MiB."),
    responses(
        (status = 200, description = "What was imported; a failing VEVENT is skipped and listed with its line.", body = ImportReport),
        (status = 400, description = "bad-request: an unknown provider."),
        (status = 413, description = "payload-too-large: over 50 MiB."),
        (status = 415, description = "unsupported-media-type: the body is not text/calendar."),
        (status = 422, description = "ical: the text has no VCALENDAR (adds `line`)."),
    ))]
pub(crate) async fn import(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    check_content_type(&parts.headers, "text/calendar", true)?;
    let params = input::query_params(parts.uri.query())?;
    let provider = match params.get("provider").map(String::as_str) {
        None | Some("ics") => Provider::Ics,
        Some(_) => return Err(ApiError::bad_param("provider", "ics")),
    };
    let key = idempotency::key(&parts.headers)?;
    let bytes = read_body(body, state.config().max_import_bytes).await?;
    // The answer is a report, not a stored row: `LifeOs::import_ics` renders it inside
    // the import's transaction (`IcsImportOptions::respond`).
    let handler = import_text(&state, &caller, provider, &bytes);
    let (method, uri) = (&parts.method, &parts.uri);
    idempotency::run(
        &state,
        caller.user,
        key,
        method,
        uri,
        &bytes,
        render::after,
        handler,
    )
    .await
}

async fn import_text(
    state: &AppState,
    caller: &Caller,
    provider: Provider,
    bytes: &[u8],
) -> Result<Response, ApiError> {
    // U+0000 cannot be stored (PostgreSQL): refused on every backend alike, at its line.
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
        return Err(ApiError::Ical {
            line,
            message: "a NUL character (U+0000)".into(),
        });
    }
    let text = String::from_utf8_lossy(bytes);
    if !text.to_ascii_uppercase().contains("BEGIN:VCALENDAR") {
        return Err(ApiError::Ical {
            line: 1,
            message: "no VCALENDAR in the document".into(),
        });
    }
    let options = IcsImportOptions::new().provider(provider).respond(answer);
    let report = state.app().import_ics(caller.user, bytes, options).await?;
    let answer = answer(&report).ok_or(ApiError::Internal)?;
    Ok(idempotency::respond(&answer, false))
}

/// The answer to an import: its report, 200. The one rendering, for the response and for
/// the idempotency record stored in the import's transaction.
fn answer(report: &lifeos::ImportReport) -> Option<StoredResponse> {
    let errors = report
        .errors
        .iter()
        .map(|e| ImportLineError {
            line: e.line,
            message: e.message.clone(),
        })
        .collect();
    let wire = ImportReport {
        imported: report.imported,
        updated: report.updated,
        skipped: report.skipped + report.unchanged,
        cancelled: report.cancelled,
        errors,
    };
    idempotency::resource(StatusCode::OK, &wire, None, None)
}

/// `GET /calendar/export`: the non-deleted events as `text/calendar; charset=utf-8`.
#[utoipa::path(get, path = "/calendar/export", tag = "calendar",
    responses((status = 200, description = "The non-deleted events as one iCalendar document.", body = String, content_type = "text/calendar; charset=utf-8")))]
pub(crate) async fn export(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let events = state
        .app()
        .store()
        .list_calendar_events(caller.user, false)
        .await?;
    let text = lifeos::core::ical::export(&events);
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    Ok(response)
}
