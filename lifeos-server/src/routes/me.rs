//! `/api/v1/me`: the profile, preferences, export and erasure.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use lifeos::core::PreferencesPatch;
use lifeos::core::wire::Erased;
use lifeos::store::idempotency::Written;

use crate::auth::Caller;
use crate::idempotency::{self, render};
use crate::input::{self, check_content_type, parse_json, read_body};
use crate::problem::ApiError;
use crate::routes::with_etag;
use crate::state::AppState;

/// `GET /me`: the profile with its `ETag`.
#[utoipa::path(get, path = "/me", tag = "me",
    responses((status = 200, description = "The caller's profile (created on first sight).", body = lifeos::core::Profile, headers(("ETag" = String)))))]
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
#[utoipa::path(patch, path = "/me/preferences", tag = "me",
    params(crate::openapi::IfMatch, crate::openapi::IdempotencyKey),
    request_body(content = PreferencesPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The profile with the new preferences.", body = lifeos::core::Profile, headers(("ETag" = String))),
        (status = 400, description = "bad-request: the body is not JSON, or If-Match is malformed."),
        (status = 412, description = "precondition-failed: If-Match names another version."),
        (status = 415, description = "unsupported-media-type"),
        (status = 422, description = "validation: each field at fault (`timezone`, `working_days[1]`)."),
    ))]
pub(crate) async fn patch_preferences(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    check_content_type(&parts.headers, "application/json", true)?;
    let expected = input::if_match(&parts.headers)?;
    let key = idempotency::key(&parts.headers)?;
    let bytes = read_body(body, state.config().max_body_bytes).await?;
    let handler = async {
        let patch: PreferencesPatch = parse_json(&bytes)?;
        // The patch's own rules before the stored profile's version (API.md's order).
        patch.validate().map_err(|e| unprefixed(e.into()))?;
        let result = state
            .app()
            .patch_preferences(caller.user, expected, patch)
            .await;
        match result {
            Ok(profile) => Ok(with_etag(StatusCode::OK, &profile, profile.version)),
            Err(e) if expected.is_some() && e.kind() == lifeos::ErrorKind::Conflict => {
                Err(ApiError::PreconditionFailed)
            }
            Err(e) => Err(unprefixed(e)),
        }
    };
    let (method, uri, render) = (&parts.method, &parts.uri, render::profile);
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

/// `e` with its fields named as the body names them: without core's `preferences.`.
fn unprefixed(e: lifeos::Error) -> ApiError {
    ApiError::from_app_renamed(e, |f| {
        f.strip_prefix("preferences.").unwrap_or(f).to_owned()
    })
}

/// `GET /me/export`: the `lifeos-export/1` document.
#[utoipa::path(get, path = "/me/export", tag = "me",
    responses((status = 200, description = "The `lifeos-export/1` document of every row and event of the caller.", body = Object)))]
pub(crate) async fn export(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let export = state.app().store().export_user(caller.user).await?;
    Ok(Json(export.to_json().map_err(|_| ApiError::Internal)?))
}

/// `DELETE /me?confirm=<user id>`: erases the user's rows and events but the tombstone.
#[utoipa::path(delete, path = "/me", tag = "me",
    params(("confirm" = uuid::Uuid, Query, description = "The caller's own user id (anything else: 400)."), crate::openapi::IdempotencyKey),
    responses(
        (status = 200, description = "Every row and event of the caller erased but the `user.erased` tombstone.", body = Erased),
        (status = 400, description = "bad-request: `confirm` is not the caller's id."),
    ))]
pub(crate) async fn erase(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, _) = request.into_parts();
    let params = input::query_params(parts.uri.query())?;
    let confirmed = params
        .get("confirm")
        .is_some_and(|c| c.eq_ignore_ascii_case(&caller.user.to_string()));
    if !confirmed {
        return Err(ApiError::bad_param("confirm", "the user id being erased"));
    }
    let key = idempotency::key(&parts.headers)?;
    let user = caller.user;
    let handler = async {
        let erasure = state.app().store().erase_user(user).await?;
        Ok(Json(Erased {
            erased_user_id: user,
            counts: erasure.counts,
        })
        .into_response())
    };
    // The record survives the erasure: written after it, in its transaction.
    let render = move |w: Written<'_>| match w {
        Written::Erased(counts) => {
            let erased = Erased {
                erased_user_id: user,
                counts: counts.clone(),
            };
            idempotency::resource(StatusCode::OK, &erased, None, None)
        }
        _ => None,
    };
    idempotency::run(
        &state,
        user,
        key,
        &parts.method,
        &parts.uri,
        b"",
        render,
        handler,
    )
    .await
}
