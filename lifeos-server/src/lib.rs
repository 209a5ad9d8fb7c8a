//! The LifeOS REST API v1 (`API.md`): an axum [`Router`] an application mounts, over the
//! `lifeos` application layer, and the `lifeos-server` binary.
//!
//! ```
//! use std::sync::Arc;
//! use lifeos_server::{AppState, AuthKeys, ServerConfig, router};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let store = lifeos::open("memory:", lifeos::store::StoreOptions::new()).await?;
//! let app = lifeos::LifeOs::new(store);
//! let keys = AuthKeys::new(Some("a long random secret"), None, "authenticated")?;
//! let state = AppState::new(app, Arc::new(lifeos::store::SystemClock), keys, ServerConfig::new());
//! let api: axum::Router = router(state);
//! // axum::serve(listener, api).await?;
//! # let _ = api;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok(())
//! # }
//! ```
//!
//! # Overview
//! - [`router`]: `/health`, `/ready` and `/api/v1/...`; every response carries
//!   `X-Request-Id`; errors are RFC 9457 problem documents ([`ApiError`]).
//! - [`auth`]: bearer JWTs (HS256 secret; RS256 and ES256 public keys), and
//!   [`auth::dev_token`] for `--dev-token`.
//! - [`rate_limit`]: GCRA per user in process or in Redis (feature `redis`).
//! - Time comes from the [`lifeos::store::Clock`] given to [`AppState::new`]: the library
//!   never reads the wall clock.
//!
//! # Crate features
//! - `sqlite` (default): SQLite databases (`--database-url sqlite://…`).
//! - `postgres` (default): PostgreSQL (`--database-url postgres://…`).
//! - `redis` (default): rate limits shared through Redis (`--redis-url`).
//!
//! # Errors
//! Every handler returns [`ApiError`]; its `IntoResponse` is the one place errors become
//! HTTP statuses, slugs and headers. Store and database text never reaches a response.

pub mod auth;
pub mod cursor;
pub mod input;
mod middleware;
pub mod problem;
pub mod rate_limit;
pub mod request_id;
mod routes;
pub mod state;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, patch, post};
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use auth::{AuthKeys, Caller, KeyError};
pub use problem::ApiError;
pub use state::{AppState, ServerConfig};

use routes::{calendar, events, me, plan, service, tasks};

/// The API's router over `state`: mount it, or serve it with `axum::serve`.
pub fn router(state: AppState) -> Router {
    // Authentication wraps each method's handler only, so an unknown route (404) or
    // method (405) is answered before it (API.md "first failure wins").
    let auth = |route: MethodRouter<AppState>| {
        route.route_layer(from_fn_with_state(state.clone(), middleware::authenticated))
    };
    let api = Router::new()
        .route("/tasks", auth(get(tasks::list).post(tasks::create)))
        .route(
            "/tasks/{id}",
            auth(get(tasks::get).patch(tasks::patch).delete(tasks::delete)),
        )
        .route("/tasks/{id}/restore", auth(post(tasks::restore)))
        .route("/tasks/{id}/start", auth(post(tasks::start)))
        .route("/tasks/{id}/complete", auth(post(tasks::complete)))
        .route("/tasks/{id}/cancel", auth(post(tasks::cancel)))
        .route("/me", auth(get(me::get).delete(me::erase)))
        .route("/me/preferences", auth(patch(me::patch_preferences)))
        .route("/me/export", auth(get(me::export)))
        .route("/ai/plan-day", auth(post(plan::plan_day)))
        .route("/calendar/occurrences", auth(get(calendar::occurrences)))
        .route("/calendar/import", auth(post(calendar::import)))
        .route("/calendar/export", auth(get(calendar::export)))
        .route("/events", auth(get(events::list)))
        .route("/events/stream", auth(get(events::stream)));
    let mut router = Router::new()
        .route("/health", get(service::health))
        .route("/ready", get(service::ready))
        .nest("/api/v1", api)
        .fallback(|| async { ApiError::NotFound });
    if let Some(cors) = cors(&state.config().cors_origins) {
        router = router.layer(cors);
    }
    router
        .layer(from_fn_with_state(
            state.clone(),
            request_id::request_id_layer,
        ))
        .with_state(state)
}

/// CORS for the listed origins only; `None` when none is listed.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim()).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    let named = |names: &[&'static str]| -> Vec<HeaderName> {
        names.iter().map(|n| HeaderName::from_static(n)).collect()
    };
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static("last-event-id"),
                HeaderName::from_static("x-request-id"),
            ])
            .expose_headers(named(&[
                "etag",
                "location",
                "x-request-id",
                "ratelimit",
                "ratelimit-policy",
                "retry-after",
                "idempotent-replayed",
                "allow",
                "www-authenticate",
            ]))
            .max_age(std::time::Duration::from_secs(600)),
    )
}
