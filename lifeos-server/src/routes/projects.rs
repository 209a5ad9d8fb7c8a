//! `/api/v1/projects`: list (paged), create, read, patch and delete.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use lifeos::core::wire::List;
use lifeos::core::{NewProject, Project, ProjectId, ProjectPatch};

use crate::auth::Caller;
use crate::cursor;
use crate::idempotency::{self, render};
use crate::input::{self, check_content_type, parse_json, read_body};
use crate::problem::ApiError;
use crate::routes::{with_etag, with_location};
use crate::state::AppState;

const ROUTE: &str = "GET /api/v1/projects";

/// `GET /projects`: the non-deleted projects, archived ones too.
#[utoipa::path(get, path = "/projects", tag = "projects",
    params(crate::openapi::Paging),
    responses(
        (status = 200, description = "A page of projects (not deleted ones; archived ones too) in (created_at, id) order.", body = List<Project>),
        (status = 400, description = "bad-request: limit or cursor invalid."),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Json<List<Project>>, ApiError> {
    let params = input::query_params(request.uri().query())?;
    let limit = input::limit(&params)?;
    // No filters: the cursor is bound to the user and the route.
    let after = params
        .get("cursor")
        .map(|c| cursor::decode(caller.user, ROUTE, "", c))
        .transpose()?;
    let page = state.app().projects_page(caller.user, after, limit).await?;
    Ok(Json(List {
        results: page.items,
        next_cursor: page
            .next
            .map(|c| cursor::encode(caller.user, ROUTE, "", &c)),
    }))
}

/// `POST /projects`.
#[utoipa::path(post, path = "/projects", tag = "projects",
    params(crate::openapi::IdempotencyKey),
    request_body(content = NewProject, content_type = "application/json"),
    responses(
        (status = 201, description = "The new project (colour stored lowercase).", body = Project,
            headers(("ETag" = String, description = "\"1\""), ("Location" = String, description = "/api/v1/projects/{id}"))),
        (status = 400, description = "bad-request: the body is not JSON."),
        (status = 415, description = "unsupported-media-type: the body is not application/json."),
        (status = 422, description = "validation: every field at fault (name, description, color)."),
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
        let new: NewProject = parse_json(&bytes)?;
        let project = state.app().add_project(caller.user, new).await?;
        Ok(with_location(
            with_etag(StatusCode::CREATED, &project, project.version),
            &format!("/api/v1/projects/{}", project.id),
        ))
    };
    let (method, uri, render) = (&parts.method, &parts.uri, render::project_created);
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

/// `GET /projects/{id}`: deleted ones too.
#[utoipa::path(get, path = "/projects/{id}", tag = "projects",
    params(("id" = uuid::Uuid, Path, description = "The project.")),
    responses(
        (status = 200, description = "The project, deleted or not.", body = Project, headers(("ETag" = String))),
        (status = 404, description = "not-found: no such project of this user."),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: ProjectId = input::path_id(&id)?;
    let project = state.app().project(caller.user, id).await?;
    Ok(with_etag(StatusCode::OK, &project, project.version))
}

/// `PATCH /projects/{id}`.
#[utoipa::path(patch, path = "/projects/{id}", tag = "projects",
    params(("id" = uuid::Uuid, Path, description = "The project."), crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    request_body(content = ProjectPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The project after the patch.", body = Project, headers(("ETag" = String))),
        (status = 400, description = "bad-request: the body is not JSON, or If-Match is malformed."),
        (status = 404, description = "not-found: no such live project of this user."),
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
        let patch: ProjectPatch = parse_json(&bytes)?;
        input::rules(patch.validate())?;
        let id: ProjectId = input::path_id(&id)?;
        let result = state
            .app()
            .update_project(caller.user, id, expected, patch)
            .await;
        answer(result, expected)
    };
    let (method, uri, render) = (&parts.method, &parts.uri, render::project);
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

/// `DELETE /projects/{id}`: soft; the tasks keep their `project_id`.
#[utoipa::path(delete, path = "/projects/{id}", tag = "projects",
    params(("id" = uuid::Uuid, Path, description = "The project."), crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    responses(
        (status = 200, description = "The deleted project; its tasks keep their project_id.", body = Project, headers(("ETag" = String))),
        (status = 400, description = "bad-request: If-Match is malformed."),
        (status = 404, description = "not-found: no such live project of this user."),
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
        let id: ProjectId = input::path_id(&id)?;
        let result = state
            .app()
            .delete_project_at(caller.user, id, expected)
            .await;
        answer(result, expected)
    };
    let (method, uri, render) = (&parts.method, &parts.uri, render::project);
    idempotency::run(&state, caller.user, key, method, uri, b"", render, handler).await
}

/// The changed project with its `ETag`; a stale `If-Match` is 412.
fn answer(result: lifeos::Result<Project>, expected: Option<u64>) -> Result<Response, ApiError> {
    match result {
        Ok(project) => Ok(with_etag(StatusCode::OK, &project, project.version)),
        Err(e) if expected.is_some() && e.kind() == lifeos::ErrorKind::Conflict => {
            Err(ApiError::PreconditionFailed)
        }
        Err(e) => Err(e.into()),
    }
}
