//! `/health` and `/ready`.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::AppState;

/// `GET /health`: the process answers; no store access.
#[utoipa::path(get, path = "/health", tag = "service",
    responses((status = 200, description = "The process answers (`{\"status\":\"ok\"}`); no store access.", body = Object)))]
pub(crate) async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /ready`: the store (and Redis) answer within 2 s and the server is not draining.
#[utoipa::path(get, path = "/ready", tag = "service",
    responses(
        (status = 200, description = "`{\"status\":\"ready\"}`: the store (and Redis) answer within 2 s.", body = Object),
        (status = 503, description = "`{\"status\":\"unavailable\"}`: draining, or the store or Redis did not answer.", body = Object, content_type = "application/json"),
    ))]
pub(crate) async fn ready(State(state): State<AppState>) -> Response {
    let not_ready = || {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable"})),
        )
            .into_response()
    };
    if state.is_draining() {
        return not_ready();
    }
    let probe = async {
        // Any answer from the store but a backend failure means it is up.
        let nobody = lifeos::core::UserId::from_uuid(uuid::Uuid::nil());
        let store_ok = match state.app().store().get_profile(nobody).await {
            Ok(_) => true,
            Err(e) => !e.is_backend(),
        };
        #[cfg(feature = "redis")]
        let redis_ok = match &state.inner.redis {
            Some(r) => r.ping().await,
            None => true,
        };
        #[cfg(not(feature = "redis"))]
        let redis_ok = true;
        store_ok && redis_ok
    };
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(true) => Json(json!({"status": "ready"})).into_response(),
        _ => not_ready(),
    }
}
