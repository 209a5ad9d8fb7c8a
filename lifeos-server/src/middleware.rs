//! The layers of an authenticated request, in API.md's "first failure wins" order:
//! authentication, the general budget (with the `RateLimit` headers), the declared size,
//! the profile created on first sight, and the request timeout.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::rate_limit::{Decision, general_per_minute, scaled};
use crate::state::AppState;

/// Authenticates, takes one unit of the general budget, checks the declared size,
/// ensures the profile, and bounds the handler's time.
pub(crate) async fn authenticated(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match authenticate(&state, request.headers()) {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    let multiplier = state.config().rate_limit_multiplier;
    let decision = match scaled(general_per_minute(caller.tier), multiplier) {
        Some(quota) => Some((quota, general_decision(&state, &caller, quota).await)),
        None => None,
    };
    if let Some((per_minute, d)) = decision {
        request.extensions_mut().insert(GeneralBudget {
            per_minute,
            remaining: d.remaining,
        });
    }
    let mut response = run(&state, caller.clone(), decision, request, next).await;
    if let Some((quota, d)) = decision {
        rate_headers(response.headers_mut(), &caller, quota, multiplier, &d);
    }
    response
}

/// The caller's general budget after this request (a request extension; absent when
/// limits are off).
#[derive(Debug, Clone, Copy)]
pub(crate) struct GeneralBudget {
    /// The quota per minute.
    pub(crate) per_minute: u32,
    /// Requests left in the burst.
    pub(crate) remaining: u32,
}

async fn run(
    state: &AppState,
    caller: Caller,
    decision: Option<(u32, Decision)>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some((_, d)) = decision.filter(|(_, d)| !d.allowed) {
        return ApiError::RateLimited {
            retry_after: d.retry_after_secs,
        }
        .into_response();
    }
    if let Err(e) = guarded(state, caller, &mut request).await {
        return e.into_response();
    }
    // The event stream has no request timeout (API.md "Events").
    if request.uri().path().ends_with("/events/stream") {
        return next.run(request).await;
    }
    match tokio::time::timeout(state.config().request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout.into_response(),
    }
}

/// The checks after the budget: declared size, then the profile.
async fn guarded(state: &AppState, caller: Caller, request: &mut Request) -> Result<(), ApiError> {
    let limit = body_limit(state, request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let erasing = request.method() == Method::DELETE && request.uri().path().ends_with("/me");
    if !erasing {
        state
            .app()
            .ensure_profile_with_email(caller.user, caller.email.as_deref())
            .await?;
    }
    request.extensions_mut().insert(caller);
    Ok(())
}

/// The body limit of the route at `path`.
pub(crate) fn body_limit(state: &AppState, path: &str) -> usize {
    if path.ends_with("/calendar/import") {
        state.config().max_import_bytes
    } else {
        state.config().max_body_bytes
    }
}

fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::Unauthorized { credentials: false });
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .ok_or(ApiError::Unauthorized { credentials: true })?;
    state
        .inner
        .keys
        .verify(token, state.now())
        .ok_or(ApiError::Unauthorized { credentials: true })
}

async fn general_decision(state: &AppState, caller: &Caller, quota: u32) -> Decision {
    #[cfg(feature = "redis")]
    if let Some(redis) = &state.inner.redis {
        match redis.check(caller.user, quota).await {
            Ok(d) => return d,
            Err(e) => {
                tracing::warn!(error = %e, "Redis rate limit failed; using the local limiter")
            }
        }
    }
    state
        .inner
        .local_limiter
        .check(caller.user, quota, state.now())
}

fn rate_headers(
    headers: &mut HeaderMap,
    caller: &Caller,
    quota: u32,
    multiplier: f64,
    d: &Decision,
) {
    let ai = scaled(caller.tier.ai_calls_per_hour(), multiplier).unwrap_or(0);
    let policy = format!("\"general\";q={quota};w=60, \"ai\";q={ai};w=3600");
    let left = format!("\"general\";r={};t={}", d.remaining, d.reset_secs);
    if let (Ok(p), Ok(l)) = (HeaderValue::from_str(&policy), HeaderValue::from_str(&left)) {
        headers.insert("ratelimit-policy", p);
        headers.insert("ratelimit", l);
    }
}
