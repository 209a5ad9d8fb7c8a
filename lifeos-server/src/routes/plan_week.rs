//! `POST /api/v1/ai/plan-week`: Plan My Week (`PLANNER-WEEK.md`) through
//! `LifeOs::plan_week`, keeping the stored blocks that still fit, saved unless `dry_run`.
//! The deterministic planner only: no language model, so no AI unit is spent.

use axum::Extension;
use axum::extract::{Request, State};
use axum::response::Response;
use chrono::NaiveDate;
use lifeos::store::idempotency::StoredResponse;
use lifeos::{PlanWeekOptions, WeekPlan};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::idempotency;
use crate::problem::ApiError;
use crate::routes::keyed_plan::{check_date, keyed_plan, user_today, with_saved};
use crate::state::AppState;

/// The optional body of `POST /ai/plan-week`.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub(crate) struct PlanWeekBody {
    /// The first day to plan (default: the user's local today).
    start_date: Option<NaiveDate>,
    /// Days planned, 1..=14 (default 7).
    #[schema(minimum = 1, maximum = 14)]
    horizon_days: i64,
    /// Plan without saving.
    dry_run: bool,
}

impl Default for PlanWeekBody {
    fn default() -> Self {
        PlanWeekBody {
            start_date: None,
            horizon_days: 7,
            dry_run: false,
        }
    }
}

/// `POST /ai/plan-week`.
#[utoipa::path(post, path = "/ai/plan-week", tag = "ai",
    params(crate::openapi::IdempotencyKey),
    request_body(content = Option<PlanWeekBody>, content_type = "application/json", description = "Optional."),
    responses(
        (status = 200, description = "PLANNER-WEEK.md's response (camelCase) plus `saved`: the blocks added, moved or removed.", body = Object),
        (status = 400, description = "bad-request: the body is not JSON."),
        (status = 409, description = "dependency-cycle: the tasks' dependencies form a cycle; conflict: a task changed meanwhile."),
        (status = 415, description = "unsupported-media-type"),
        (status = 422, description = "validation: start_date outside the user's yesterday..today + 365, horizon_days outside 1..=14."),
    ))]
pub(crate) async fn plan_week(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Response, ApiError> {
    keyed_plan(&state, &caller, request, |body| plan(&state, &caller, body)).await
}

async fn plan(state: &AppState, caller: &Caller, body: PlanWeekBody) -> Result<Response, ApiError> {
    let horizon = u8::try_from(body.horizon_days)
        .ok()
        .filter(|d| (1..=14).contains(d))
        .ok_or_else(|| ApiError::invalid("horizon_days", "an integer in 1..=14"))?;
    let now = state.now();
    check_date(
        "start_date",
        body.start_date,
        user_today(state, caller, now).await?,
    )?;
    let options = PlanWeekOptions::new()
        .horizon_days(horizon)
        .dry_run(body.dry_run)
        .respond(answer);
    // A cycle is 409 `dependency-cycle`, mapped by type in `problem.rs`.
    let plan = state
        .app()
        .plan_week(caller.user, body.start_date, now, options)
        .await?;
    let answer = answer(&plan).ok_or(ApiError::Internal)?;
    Ok(idempotency::respond(&answer, false))
}

/// The answer to a week: PLANNER-WEEK.md's response plus `saved`, 200. The one rendering,
/// for the response and for the idempotency record stored in the week's save.
fn answer(plan: &WeekPlan) -> Option<StoredResponse> {
    let saved = if plan.saved { plan.changed_blocks() } else { 0 };
    with_saved(&plan.response, saved)
}
