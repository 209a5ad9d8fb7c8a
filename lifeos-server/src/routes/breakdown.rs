//! `POST /api/v1/tasks/{id}/breakdown`: the application's model breaks one live task of
//! the caller into steps (`LifeOs::breakdown`), charged one AI unit of the caller's tier;
//! accepted steps are stored in the task's `ai_breakdown` and the task is answered.

use axum::Extension;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use lifeos::core::TaskId;

use crate::auth::Caller;
use crate::idempotency::{self, render};
use crate::input;
use crate::problem::ApiError;
use crate::routes::with_etag;
use crate::state::AppState;

/// `POST /tasks/{id}/breakdown`.
#[utoipa::path(post, path = "/tasks/{id}/breakdown", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "The task.")),
    responses(
        (status = 200, description = "The task with the model's steps in `ai_breakdown` (a `task.updated` event); one AI unit taken.", body = lifeos::core::Task, headers(("ETag" = String))),
        (status = 404, description = "not-found: no such live task of this user."),
        (status = 409, description = "conflict: the task changed while the model was asked."),
        (status = 429, description = "rate-limited: the tier's AI calls are used up (`Retry-After`, whole seconds); nothing changed, the model not asked."),
        (status = 502, description = "bad-model-output: the model's steps broke a rule (2..=12 steps, titles, 5..=480 minutes each, at most 125% of the task's estimate) or it refused; the task is unchanged."),
        (status = 503, description = "unavailable: no language model is configured on this server, or its server failed or could not be reached; timeout: it did not answer within the AI timeout. The task is unchanged."),
    ))]
pub(crate) async fn breakdown(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let id: TaskId = input::path_id(&id)?;
    let (parts, _) = request.into_parts();
    let key = idempotency::key(&parts.headers)?;
    // A replay answers the stored task and takes no AI unit (API.md).
    let handler = async {
        // The lookup comes before the AI budget (API.md "first failure wins").
        let task = state.app().task(caller.user, id).await?;
        if task.deleted_at.is_some() {
            return Err(ApiError::NotFound);
        }
        let task = state
            .app()
            .breakdown(caller.user, id, caller.tier, state.now())
            .await?;
        Ok(with_etag(axum::http::StatusCode::OK, &task, task.version))
    };
    let (method, uri) = (&parts.method, &parts.uri);
    idempotency::run(
        &state,
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
