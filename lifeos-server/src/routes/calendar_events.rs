//! `/api/v1/calendar/events`: list (paged), create or upsert, read and delete.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use lifeos::core::wire::List;
use lifeos::core::{
    Attendee, CalendarEvent, CalendarEventId, CalendarEventInput, CalendarEventPatch, EventStatus,
    EventTime, NominalDuration, Provider, RecurrenceRange, RecurrenceRule, Transparency,
};
use lifeos::store::Upserted;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::cursor;
use crate::idempotency::{self, render};
use crate::input::{self, check_content_type, parse_json, read_body};
use crate::problem::ApiError;
use crate::routes::{with_etag, with_location};
use crate::state::AppState;

const ROUTE: &str = "GET /api/v1/calendar/events";

/// The body of `POST /calendar/events`: core's `CalendarEventInput` with `start` and
/// `end` required and the rest defaulting as `CalendarEventInput::new(manual, "", start,
/// end)`.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub(crate) struct NewCalendarEvent {
    /// Source calendar (default `manual`).
    #[serde(default)]
    provider: Option<Provider>,
    /// The provider's id: with it, the event is upserted by (provider, external_id,
    /// recurrence_id).
    #[serde(default)]
    external_id: Option<String>,
    /// Summary, at most 1,000 characters (default empty).
    #[serde(default)]
    title: Option<String>,
    /// Longer text.
    #[serde(default)]
    description: Option<String>,
    /// Where.
    #[serde(default)]
    location: Option<String>,
    /// Start (the series' first start for a master). Required.
    #[serde(default)]
    #[schema(required = true)]
    start: Option<EventTime>,
    /// End of the first instance, of `start`'s kind (zoned and utc mix), not before it.
    /// Required.
    #[serde(default)]
    #[schema(required = true)]
    end: Option<EventTime>,
    /// Nominal length (iCalendar `DURATION`).
    #[serde(default)]
    duration: Option<NominalDuration>,
    /// Recurrence rule for a series master, valid for `start`.
    #[serde(default)]
    rrule: Option<RecurrenceRule>,
    /// Extra instances.
    #[serde(default)]
    rdates: Option<Vec<EventTime>>,
    /// Removed instances.
    #[serde(default)]
    exdates: Option<Vec<EventTime>>,
    /// The master (one of the user's events) this overrides an instance of.
    #[serde(default)]
    series_id: Option<CalendarEventId>,
    /// The original start of the instance this overrides.
    #[serde(default)]
    recurrence_id: Option<EventTime>,
    /// Which instances an override replaces (default `this_instance`).
    #[serde(default)]
    recurrence_range: Option<RecurrenceRange>,
    /// Default `confirmed`.
    #[serde(default)]
    status: Option<EventStatus>,
    /// Default `busy`.
    #[serde(default)]
    transparency: Option<Transparency>,
    /// Invitees.
    #[serde(default)]
    attendees: Option<Vec<Attendee>>,
    /// Video call link.
    #[serde(default)]
    conference_url: Option<String>,
    /// The provider's version tag: an upsert with the stored etag changes nothing.
    #[serde(default)]
    etag: Option<String>,
}

impl NewCalendarEvent {
    /// The input it describes.
    ///
    /// # Errors
    /// 422 naming `start` and `end` when absent.
    fn into_input(self) -> Result<CalendarEventInput, ApiError> {
        let b = self;
        let (start, end) = match (b.start, b.end) {
            (Some(start), Some(end)) => (start, end),
            (start, end) => {
                let errors = [("start", start.is_none()), ("end", end.is_none())]
                    .into_iter()
                    .filter(|(_, missing)| *missing)
                    .map(|(field, _)| lifeos::core::wire::ProblemField {
                        field: field.to_owned(),
                        message: "required: an EventTime".to_owned(),
                    })
                    .collect::<Vec<_>>();
                return Err(ApiError::Validation {
                    detail: format!("{} required field(s) missing", errors.len()),
                    errors,
                });
            }
        };
        let mut input = CalendarEventInput::new(
            b.provider.unwrap_or(Provider::Manual),
            b.title.unwrap_or_default(),
            start,
            end,
        );
        input.external_id = b.external_id;
        input.description = b.description;
        input.location = b.location;
        input.duration = b.duration;
        input.rrule = b.rrule;
        input.rdates = b.rdates.unwrap_or_default();
        input.exdates = b.exdates.unwrap_or_default();
        input.series_id = b.series_id;
        input.recurrence_id = b.recurrence_id;
        input.recurrence_range = b.recurrence_range.unwrap_or(input.recurrence_range);
        input.status = b.status.unwrap_or(input.status);
        input.transparency = b.transparency.unwrap_or(input.transparency);
        input.attendees = b.attendees.unwrap_or_default();
        input.conference_url = b.conference_url;
        input.etag = b.etag;
        Ok(input)
    }
}

/// `GET /calendar/events`: the non-deleted events.
#[utoipa::path(get, path = "/calendar/events", tag = "calendar",
    params(crate::openapi::Paging),
    responses(
        (status = 200, description = "A page of the non-deleted events in (created_at, id) order.", body = List<CalendarEvent>),
        (status = 400, description = "bad-request: limit or cursor invalid."),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Json<List<CalendarEvent>>, ApiError> {
    let params = input::query_params(request.uri().query())?;
    let limit = input::limit(&params)?;
    let after = params
        .get("cursor")
        .map(|c| cursor::decode(caller.user, ROUTE, "", c))
        .transpose()?;
    let page = state.app().events_page(caller.user, after, limit).await?;
    Ok(Json(List {
        results: page.items,
        next_cursor: page
            .next
            .map(|c| cursor::encode(caller.user, ROUTE, "", &c)),
    }))
}

/// `POST /calendar/events`: creates, or with `external_id` upserts.
#[utoipa::path(post, path = "/calendar/events", tag = "calendar",
    params(crate::openapi::IdempotencyKey),
    request_body(content = NewCalendarEvent, content_type = "application/json"),
    responses(
        (status = 201, description = "Created.", body = CalendarEvent,
            headers(("Location" = String, description = "/api/v1/calendar/events/{id}"), ("ETag" = String, description = "\"1\""))),
        (status = 200, description = "Upserted by external_id: updated, or unchanged (same etag).", body = CalendarEvent, headers(("ETag" = String))),
        (status = 400, description = "bad-request: the body is not JSON."),
        (status = 415, description = "unsupported-media-type: the body is not application/json."),
        (status = 422, description = "validation: each field at fault (end of another kind or before start, rrule, series_id, title)."),
    ))]
pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    check_content_type(&parts.headers, "application/json", true)?;
    let key = idempotency::key(&parts.headers)?;
    let bytes = read_body(body, state.config().max_body_bytes).await?;
    let handler = async {
        let new: NewCalendarEvent = parse_json(&bytes)?;
        let saved = state
            .app()
            .save_event(caller.user, new.into_input()?)
            .await?;
        Ok(match saved {
            Upserted::Created(event) => with_location(
                with_etag(StatusCode::CREATED, &event, event.version),
                &format!("/api/v1/calendar/events/{}", event.id),
            ),
            other => {
                let event = other.into_inner();
                with_etag(StatusCode::OK, &event, event.version)
            }
        })
    };
    let (method, uri, render) = (&parts.method, &parts.uri, render::calendar_upsert);
    idempotency::run(
        &state,
        caller.user,
        key,
        method,
        uri,
        &bytes,
        render,
        handler,
    )
    .await
}

/// `GET /calendar/events/{id}`.
#[utoipa::path(get, path = "/calendar/events/{id}", tag = "calendar",
    params(("id" = uuid::Uuid, Path, description = "The event.")),
    responses(
        (status = 200, description = "The event.", body = CalendarEvent, headers(("ETag" = String))),
        (status = 404, description = "not-found: no such event of this user."),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: CalendarEventId = input::path_id(&id)?;
    let event = state.app().event(caller.user, id).await?;
    Ok(with_etag(StatusCode::OK, &event, event.version))
}

/// `PATCH /calendar/events/{id}`: core's `CalendarEventPatch` (the upsert key and
/// `series_id` are not patched), the rules of a create.
#[utoipa::path(patch, path = "/calendar/events/{id}", tag = "calendar",
    params(("id" = uuid::Uuid, Path, description = "The event."), crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    request_body(content = CalendarEventPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The event after the patch (a patch that changes nothing is a no-op).", body = CalendarEvent, headers(("ETag" = String))),
        (status = 400, description = "bad-request: the body is not JSON, or If-Match is malformed."),
        (status = 404, description = "not-found: no such live event of this user."),
        (status = 412, description = "precondition-failed: If-Match names another version."),
        (status = 415, description = "unsupported-media-type"),
        (status = 422, description = "validation: each field at fault (end of another kind or before start, rrule, title)."),
    ))]
pub(crate) async fn patch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    check_content_type(&parts.headers, "application/json", true)?;
    let expected = input::if_match(&parts.headers)?;
    let key = idempotency::key(&parts.headers)?;
    let bytes = read_body(body, state.config().max_body_bytes).await?;
    let handler = async {
        let patch: CalendarEventPatch = parse_json(&bytes)?;
        input::rules(patch.validate())?;
        let id: CalendarEventId = input::path_id(&id)?;
        let result = state
            .app()
            .update_event(caller.user, id, expected, patch)
            .await;
        answer(result, expected)
    };
    let (method, uri, render) = (&parts.method, &parts.uri, render::calendar_event);
    idempotency::run(
        &state,
        caller.user,
        key,
        method,
        uri,
        &bytes,
        render,
        handler,
    )
    .await
}

/// The changed event with its `ETag`; a stale `If-Match` is 412.
fn answer(
    result: lifeos::Result<CalendarEvent>,
    expected: Option<u64>,
) -> Result<Response, ApiError> {
    match result {
        Ok(event) => Ok(with_etag(StatusCode::OK, &event, event.version)),
        Err(e) if expected.is_some() && e.kind() == lifeos::ErrorKind::Conflict => {
            Err(ApiError::PreconditionFailed)
        }
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /calendar/events/{id}`: soft; already deleted: 404.
#[utoipa::path(delete, path = "/calendar/events/{id}", tag = "calendar",
    params(("id" = uuid::Uuid, Path, description = "The event."), crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    responses(
        (status = 200, description = "The deleted event.", body = CalendarEvent, headers(("ETag" = String))),
        (status = 400, description = "bad-request: If-Match is malformed."),
        (status = 404, description = "not-found: no such live event of this user."),
        (status = 412, description = "precondition-failed: If-Match names another version."),
    ))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, _) = request.into_parts();
    let expected = input::if_match(&parts.headers)?;
    let key = idempotency::key(&parts.headers)?;
    let handler = async {
        let id: CalendarEventId = input::path_id(&id)?;
        let result = state.app().delete_event_at(caller.user, id, expected).await;
        answer(result, expected)
    };
    let (method, uri, render) = (&parts.method, &parts.uri, render::calendar_event);
    idempotency::run(&state, caller.user, key, method, uri, b"", render, handler).await
}
