//! `/api/v1/me`: the profile, preferences, export and erasure.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use lifeos::core::PreferencesPatch;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::auth::Caller;
use crate::input::{self, check_content_type, parse_json, read_body};
use crate::problem::ApiError;
use crate::routes::with_etag;
use crate::state::AppState;

/// `GET /me`: the profile with its `ETag`.
pub(crate) async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let profile = state
        .app()
        .ensure_profile_with_email(caller.user, caller.email.as_deref())
        .await?;
    Ok(with_etag(StatusCode::OK, &profile, profile.version))
}

/// `PATCH /me/preferences`: core's rules, error fields without the `preferences.` prefix.
pub(crate) async fn patch_preferences(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    check_content_type(&parts.headers, "application/json", true)?;
    let expected = input::if_match(&parts.headers)?;
    let bytes = read_body(body, state.config().max_body_bytes).await?;
    let patch: PreferencesPatch = parse_json(&bytes)?;
    let result = state
        .app()
        .patch_preferences(caller.user, expected, patch)
        .await;
    match result {
        Ok(profile) => Ok(with_etag(StatusCode::OK, &profile, profile.version)),
        Err(e) if expected.is_some() && e.kind() == lifeos::ErrorKind::Conflict => {
            Err(ApiError::PreconditionFailed)
        }
        Err(e) => Err(ApiError::from_app_renamed(e, |f| {
            f.strip_prefix("preferences.").unwrap_or(f).to_owned()
        })),
    }
}

/// `GET /me/export`: the `lifeos-export/1` document.
pub(crate) async fn export(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let export = state.app().store().export_user(caller.user).await?;
    Ok(Json(export.to_json()?))
}

/// The answer of `DELETE /me`.
#[derive(Debug, Serialize)]
pub(crate) struct Erased {
    erased_user_id: String,
    counts: BTreeMap<String, u64>,
}

/// `DELETE /me?confirm=<user id>`: erases the user's rows and events but the tombstone.
pub(crate) async fn erase(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Json<Erased>, ApiError> {
    let params = input::query_params(request.uri().query())?;
    let confirmed = params
        .get("confirm")
        .is_some_and(|c| c.eq_ignore_ascii_case(&caller.user.to_string()));
    if !confirmed {
        return Err(ApiError::bad_param("confirm", "the user id being erased"));
    }
    let erasure = state.app().store().erase_user(caller.user).await?;
    Ok(Json(Erased {
        erased_user_id: caller.user.to_string(),
        counts: erasure.counts,
    }))
}
