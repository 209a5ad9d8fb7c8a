//! `POST /api/v1/tasks/{id}/breakdown`: needs a language model, which this server does
//! not configure yet, so a live task of the caller is answered 503 `unavailable`.

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;
use lifeos::core::TaskId;

use crate::auth::Caller;
use crate::input;
use crate::problem::ApiError;
use crate::state::AppState;

/// `POST /tasks/{id}/breakdown`.
#[utoipa::path(post, path = "/tasks/{id}/breakdown", tag = "tasks",
    params(("id" = uuid::Uuid, Path, description = "The task.")),
    responses(
        (status = 404, description = "not-found: no such live task of this user."),
        (status = 503, description = "unavailable: no language model is configured on this server."),
    ))]
pub(crate) async fn breakdown(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: TaskId = input::path_id(&id)?;
    // The lookup comes before the AI budget (API.md "first failure wins").
    let task = state.app().task(caller.user, id).await?;
    if task.deleted_at.is_some() {
        return Err(ApiError::NotFound);
    }
    Err(ApiError::Unavailable(
        "task breakdown needs a language model, and none is configured on this server".into(),
    ))
}
