//! What the planning routes (`/ai/plan-day`, `/ai/plan-week`) share: the optional JSON
//! body read in API.md's order under an `Idempotency-Key`, the date window a plan may
//! start in, and the answer (the planner's response plus `saved`).

use std::future::Future;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Days, NaiveDate, Utc};
use lifeos::store::idempotency::StoredResponse;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::auth::Caller;
use crate::idempotency::{self, render};
use crate::input::{check_content_type, parse_json, read_optional_body};
use crate::problem::ApiError;
use crate::state::AppState;

/// Runs `plan` over the request's optional body (`B::default()` when absent) under its
/// `Idempotency-Key`. The answer is the plan, not a stored row: the application renders
/// it inside its save (the options' `respond`); a dry run's is stored after the handler.
pub(crate) async fn keyed_plan<B, F, Fut>(
    state: &AppState,
    caller: &Caller,
    request: Request,
    plan: F,
) -> Result<Response, ApiError>
where
    B: DeserializeOwned + Serialize + Default,
    F: FnOnce(B) -> Fut,
    Fut: Future<Output = Result<Response, ApiError>>,
{
    let (parts, body) = request.into_parts();
    let has_body = check_content_type(&parts.headers, "application/json", false)?;
    let key = idempotency::key(&parts.headers)?;
    let bytes = read_optional_body(body, has_body, state.config().max_body_bytes).await?;
    let handler = async {
        let body: B = if has_body {
            parse_json(&bytes)?
        } else {
            B::default()
        };
        plan(body).await
    };
    let (method, uri) = (&parts.method, &parts.uri);
    idempotency::run(
        state,
        caller.user,
        key,
        method,
        uri,
        &bytes,
        render::after,
        handler,
    )
    .await
}

/// The caller's local date at `now` (their profile's zone).
pub(crate) async fn user_today(
    state: &AppState,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<NaiveDate, ApiError> {
    let profile = state
        .app()
        .ensure_profile_with_email(caller.user, caller.email.as_deref())
        .await?;
    Ok(now
        .with_timezone(&profile.preferences.timezone)
        .date_naive())
}

/// Checks that a requested first day lies from the user's yesterday to today + 365.
///
/// # Errors
/// 422 naming `field`.
pub(crate) fn check_date(
    field: &str,
    date: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let Some(date) = date else {
        return Ok(());
    };
    let first = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    let last = today.checked_add_days(Days::new(365)).unwrap_or(today);
    if date < first || date > last {
        return Err(ApiError::invalid(
            field,
            format!("a date from {first} to {last} (the user's yesterday to today + 365)"),
        ));
    }
    Ok(())
}

/// The planner's `response` plus `"saved": saved`, 200: the one rendering of a plan, for
/// the response and for the idempotency record stored in the plan's save.
pub(crate) fn with_saved(response: &impl Serialize, saved: usize) -> Option<StoredResponse> {
    let mut out = serde_json::to_value(response).ok()?;
    if let Some(map) = out.as_object_mut() {
        map.insert("saved".into(), json!(saved));
    }
    idempotency::resource(StatusCode::OK, &out, None, None)
}
