//! `/api/v1/tasks`: list, create, read, patch, delete, restore and the transitions.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use lifeos::core::wire::List;
use lifeos::core::{NewTask, Task, TaskId, TaskPatch, TaskStatus};
use lifeos::store::{TaskOp, TaskQuery, TimeRange};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::cursor;
use crate::idempotency::{self, render};
use crate::input::{self, check_content_type, parse_json, read_body, read_optional_body};
use crate::problem::ApiError;
use crate::routes::{with_etag, with_location};
use crate::state::AppState;

const ROUTE: &str = "GET /api/v1/tasks";

/// The filters of `GET /tasks`, which a cursor is bound to.
const FILTERS: [&str; 9] = [
    "status",
    "label",
    "project_id",
    "due_after",
    "due_before",
    "scheduled_from",
    "scheduled_to",
    "q",
    "include_deleted",
];

/// `GET /tasks`.
#[utoipa::path(get, path = "/tasks", tag = "tasks",
    params(
        crate::openapi::StatusFilter,
        ("label" = Option<String>, Query, min_length = 1, pattern = r"\S", description = "Tasks carrying this label (exact, trimmed)."),
        ("project_id" = Option<uuid::Uuid>, Query, description = "Tasks of this project."),
        ("due_after" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "due_after <= due_date."),
        ("due_before" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "due_date < due_before."),
        ("scheduled_from" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "scheduled_from <= scheduled_start."),
        ("scheduled_to" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "scheduled_start < scheduled_to."),
        ("q" = Option<String>, Query, min_length = 1, max_length = 200, description = "In the title, case-insensitively (1..=200 characters); deleted tasks never match."),
        ("include_deleted" = Option<bool>, Query, description = "List soft-deleted tasks too (default false)."),
        crate::openapi::Paging,
    ),
    responses(
        (status = 200, description = "A page of tasks in (created_at, id) order.", body = List<Task>),
        (status = 400, description = "bad-request: a parameter or the cursor is invalid."),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Json<List<Task>>, ApiError> {
    let params = input::query_params(request.uri().query())?;
    let limit = input::limit(&params)?;
    let mut query = TaskQuery::new().limit(limit);
    if let Some(statuses) = params.get("status") {
        let parsed: Result<Vec<TaskStatus>, _> =
            statuses.split(',').map(|s| s.trim().parse()).collect();
        query = query.statuses(parsed.map_err(|_| {
            ApiError::bad_param(
                "status",
                "comma-separated pending, in_progress, completed, cancelled",
            )
        })?);
    }
    if let Some(label) = params.get("label") {
        // Empty once trimmed is an empty parameter (400), not a label nothing carries.
        let label = label.trim();
        if label.is_empty() {
            return Err(ApiError::bad_param("label", "must not be blank"));
        }
        query = query.label(label);
    }
    if let Some(project) = params.get("project_id") {
        let id = uuid::Uuid::parse_str(project)
            .map_err(|_| ApiError::bad_param("project_id", "a UUID"))?;
        query = query.project(id.into());
    }
    let due = range(
        input::instant(&params, "due_after")?,
        input::instant(&params, "due_before")?,
    );
    if let Some(due) = due {
        query = query.due(due);
    }
    let scheduled = range(
        input::instant(&params, "scheduled_from")?,
        input::instant(&params, "scheduled_to")?,
    );
    if let Some(scheduled) = scheduled {
        query = query.scheduled(scheduled);
    }
    if let Some(q) = params.get("q") {
        if !(1..=200).contains(&q.chars().count()) {
            return Err(ApiError::bad_param("q", "1..=200 characters"));
        }
        query = query.title_contains(q.clone());
    }
    query = query.include_deleted(input::boolean(&params, "include_deleted")?.unwrap_or(false));
    // Every filter (not `limit`, `cursor` or unknown parameters), canonically: the map
    // is ordered.
    let filters: String = params
        .iter()
        .filter(|(k, _)| FILTERS.contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={v}&"))
        .collect();
    if let Some(c) = params.get("cursor") {
        query = query.after(Some(cursor::decode(caller.user, ROUTE, &filters, c)?));
    }
    let page = state.app().tasks(caller.user, &query).await?;
    Ok(Json(List {
        results: page.items,
        next_cursor: page
            .next
            .map(|c| cursor::encode(caller.user, ROUTE, &filters, &c)),
    }))
}

fn range(
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<TimeRange> {
    (from.is_some() || to.is_some()).then_some(TimeRange { from, to })
}

/// `POST /tasks`.
#[utoipa::path(post, path = "/tasks", tag = "tasks",
    params(crate::openapi::IdempotencyKey),
    request_body(content = NewTask, content_type = "application/json"),
    responses(
        (status = 201, description = "The new pending task.", body = Task,
            headers(("ETag" = String, description = "\"1\""), ("Location" = String, description = "/api/v1/tasks/{id}"))),
        (status = 400, description = "bad-request: the body is not JSON."),
        (status = 415, description = "unsupported-media-type: the body is not application/json."),
        (status = 422, description = "validation: every field at fault."),
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
        let new: NewTask = parse_json(&bytes)?;
        input::instants_in_range(&[
            ("due_date", new.due_date),
            ("pinned_start", new.pinned_start),
        ])?;
        let task = state.app().add_task(caller.user, new).await?;
        Ok(with_location(
            with_etag(StatusCode::CREATED, &task, task.version),
            &format!("/api/v1/tasks/{}", task.id),
        ))
    };
    let render = render::task_created;
    idempotency::run(
        &state,
        caller.user,
        key,
        &parts.method,
        &parts.uri,
        &bytes,
        render,
        handler,
    )
    .await
}

/// `GET /tasks/{id}`.
#[utoipa::path(get, path = "/tasks/{id}", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "The task.")),
    responses(
        (status = 200, description = "The task, deleted or not.", body = Task, headers(("ETag" = String))),
        (status = 404, description = "not-found: no such task of this user."),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: TaskId = input::path_id(&id)?;
    let task = state.app().task(caller.user, id).await?;
    Ok(with_etag(StatusCode::OK, &task, task.version))
}

/// `PATCH /tasks/{id}`.
#[utoipa::path(patch, path = "/tasks/{id}", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "The task."), crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    request_body(content = TaskPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The task after the patch (lists replace; a patch that sets nothing is a no-op).", body = Task, headers(("ETag" = String))),
        (status = 400, description = "bad-request: the body is not JSON, or If-Match is malformed."),
        (status = 404, description = "not-found: no such live task of this user."),
        (status = 409, description = "invalid-transition: a status the lifecycle refuses."),
        (status = 412, description = "precondition-failed: If-Match names another version."),
        (status = 415, description = "unsupported-media-type"),
        (status = 422, description = "validation: every field at fault."),
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
        let patch: TaskPatch = parse_json(&bytes)?;
        let set = |t: Option<Option<chrono::DateTime<chrono::Utc>>>| t.flatten();
        input::instants_in_range(&[
            ("due_date", set(patch.due_date)),
            ("scheduled_start", set(patch.scheduled_start)),
            ("scheduled_end", set(patch.scheduled_end)),
            ("pinned_start", set(patch.pinned_start)),
            ("ai_suggested_time", set(patch.ai_suggested_time)),
        ])?;
        input::rules(patch.validate())?;
        let id: TaskId = input::path_id(&id)?;
        change(&state, &caller, id, expected, TaskOp::Update(patch)).await
    };
    let render = render::task;
    idempotency::run(
        &state,
        caller.user,
        key,
        &parts.method,
        &parts.uri,
        &bytes,
        render,
        handler,
    )
    .await
}

/// `DELETE /tasks/{id}`.
#[utoipa::path(delete, path = "/tasks/{id}", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "The task."), crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    responses(
        (status = 200, description = "Soft-deletes the task (already deleted: unchanged).", body = Task, headers(("ETag" = String))),
        (status = 400, description = "bad-request: If-Match is malformed."),
        (status = 404, description = "not-found: no such task of this user."),
        (status = 412, description = "precondition-failed: If-Match names another version."),
    ))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    keyed_change(&state, &caller, request, &id, TaskOp::Delete).await
}

/// `POST /tasks/{id}/restore`.
#[utoipa::path(post, path = "/tasks/{id}/restore", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "The task."), crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    responses(
        (status = 200, description = "Restores a deleted task (live: unchanged).", body = Task, headers(("ETag" = String))),
        (status = 400, description = "bad-request: If-Match is malformed."),
        (status = 404, description = "not-found: no such task of this user."),
        (status = 412, description = "precondition-failed: If-Match names another version."),
    ))]
pub(crate) async fn restore(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    keyed_change(&state, &caller, request, &id, TaskOp::Restore).await
}

/// `POST /tasks/{id}/start`.
#[utoipa::path(post, path = "/tasks/{id}/start", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "The task."), crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    responses(
        (status = 200, description = "pending -> in_progress", body = Task, headers(("ETag" = String))),
        (status = 400, description = "bad-request: If-Match is malformed."),
        (status = 404, description = "not-found: no such live task of this user."),
        (status = 409, description = "invalid-transition: not allowed from the task's status."),
        (status = 412, description = "precondition-failed: If-Match names another version."),
    ))]
pub(crate) async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    status_change(&state, &caller, &id, request, TaskStatus::InProgress).await
}

/// `POST /tasks/{id}/cancel`.
#[utoipa::path(post, path = "/tasks/{id}/cancel", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "The task."), crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    responses(
        (status = 200, description = "pending, in_progress -> cancelled", body = Task, headers(("ETag" = String))),
        (status = 400, description = "bad-request: If-Match is malformed."),
        (status = 404, description = "not-found: no such live task of this user."),
        (status = 409, description = "invalid-transition: not allowed from the task's status."),
        (status = 412, description = "precondition-failed: If-Match names another version."),
    ))]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    status_change(&state, &caller, &id, request, TaskStatus::Cancelled).await
}

/// The optional body of `POST /tasks/{id}/complete`.
#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub(crate) struct CompleteBody {
    /// Minutes spent, 0..=43200.
    #[schema(minimum = 0, maximum = 43200)]
    actual_minutes: Option<i64>,
}

/// `POST /tasks/{id}/complete`, optional `{"actual_minutes": 0..=43200}`.
#[utoipa::path(post, path = "/tasks/{id}/complete", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "The task."), crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    request_body(content = Option<CompleteBody>, content_type = "application/json", description = "Optional."),
    responses(
        (status = 200, description = "pending, in_progress -> completed (sets completed_at)", body = Task, headers(("ETag" = String))),
        (status = 400, description = "bad-request: If-Match is malformed."),
        (status = 404, description = "not-found: no such live task of this user."),
        (status = 409, description = "invalid-transition: not allowed from the task's status."),
        (status = 412, description = "precondition-failed: If-Match names another version."),
        (status = 415, description = "unsupported-media-type"),
        (status = 422, description = "validation: actual_minutes outside 0..=43200."),
    ))]
pub(crate) async fn complete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let has_body = check_content_type(&parts.headers, "application/json", false)?;
    let expected = input::if_match(&parts.headers)?;
    let key = idempotency::key(&parts.headers)?;
    let bytes = read_optional_body(body, has_body, state.config().max_body_bytes).await?;
    let handler = async {
        let body: CompleteBody = if has_body {
            parse_json(&bytes)?
        } else {
            CompleteBody::default()
        };
        let actual_minutes =
            match body.actual_minutes {
                None => None,
                Some(m) => Some(u32::try_from(m).ok().filter(|m| *m <= 43_200).ok_or_else(
                    || ApiError::invalid("actual_minutes", "an integer in 0..=43200"),
                )?),
            };
        let id: TaskId = input::path_id(&id)?;
        let op = TaskOp::Complete {
            actual_minutes,
            via_ai: false,
        };
        change(&state, &caller, id, expected, op).await
    };
    let render = render::task;
    idempotency::run(
        &state,
        caller.user,
        key,
        &parts.method,
        &parts.uri,
        &bytes,
        render,
        handler,
    )
    .await
}

async fn status_change(
    state: &AppState,
    caller: &Caller,
    id: &str,
    request: Request,
    to: TaskStatus,
) -> Result<Response, ApiError> {
    let op = TaskOp::Update(TaskPatch {
        status: Some(to),
        ..TaskPatch::default()
    });
    keyed_change(state, caller, request, id, op).await
}

/// A bodiless change (delete, restore, a transition): `If-Match` and `Idempotency-Key`
/// checked, then under the key the id looked up (a non-UUID is 404, after the headers'
/// 400s) and [`change`] applied.
async fn keyed_change(
    state: &AppState,
    caller: &Caller,
    request: Request,
    id: &str,
    op: TaskOp,
) -> Result<Response, ApiError> {
    let (parts, _) = request.into_parts();
    let expected = input::if_match(&parts.headers)?;
    let key = idempotency::key(&parts.headers)?;
    let handler = async {
        let id: TaskId = input::path_id(id)?;
        change(state, caller, id, expected, op).await
    };
    let (method, uri) = (&parts.method, &parts.uri);
    idempotency::run(
        state,
        caller.user,
        key,
        method,
        uri,
        b"",
        render::task,
        handler,
    )
    .await
}

/// Applies `op` guarded by `If-Match`: a stale version is 412; a deleted task's patch or
/// transition 404 (the store's rule).
async fn change(
    state: &AppState,
    caller: &Caller,
    id: TaskId,
    expected: Option<u64>,
    op: TaskOp,
) -> Result<Response, ApiError> {
    let result = state
        .app()
        .change_task_at(caller.user, id, expected, op)
        .await;
    match result {
        Ok(task) => Ok(with_etag(StatusCode::OK, &task, task.version)),
        Err(e) if expected.is_some() && e.kind() == lifeos::ErrorKind::Conflict => {
            Err(ApiError::PreconditionFailed)
        }
        Err(e) => Err(e.into()),
    }
}
