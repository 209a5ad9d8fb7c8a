//! `POST /api/v1/ai/plan-day`: the plan through `LifeOs::plan_day`, saved unless
//! `dry_run`; with `refine`, refined by the application's model (its plan cache first, then
//! one AI unit of the caller's tier: none left is 429 with `Retry-After`, nothing saved).
//! Without a model, the deterministic plan with PLANNER.md's `refinement` object (status
//! `unavailable`) and a warning.

use axum::Extension;
use axum::extract::{Request, State};
use axum::response::Response;
use chrono::NaiveDate;
use lifeos::core::plan::RefinementStatus;
use lifeos::store::idempotency::StoredResponse;
use lifeos::{DayPlan, PlanDayOptions};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::idempotency;
use crate::problem::ApiError;
use crate::routes::keyed_plan::{check_date, keyed_plan, user_today, with_saved};
use crate::state::AppState;

/// The warning added when refinement is asked for and no model is configured.
pub const REFINE_UNAVAILABLE: &str = "refinement is not configured on this server (no language model): the deterministic plan is returned";

/// The optional body of `POST /ai/plan-day`.
#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub(crate) struct PlanDayBody {
    /// The day to plan (default: the user's local today).
    date: Option<NaiveDate>,
    /// Ask the model to refine the plan (PLANNER.md, "Refinement by a language model").
    refine: bool,
    /// Free text for the model, at most 1,000 characters.
    #[schema(max_length = 1000)]
    instructions: Option<String>,
    /// Plan without saving.
    dry_run: bool,
}

/// `POST /ai/plan-day`.
#[utoipa::path(post, path = "/ai/plan-day", tag = "ai",
    params(crate::openapi::IdempotencyKey),
    request_body(content = Option<PlanDayBody>, content_type = "application/json", description = "Optional."),
    responses(
        (status = 200, description = "PLANNER.md's response (camelCase) plus `saved`: the tasks whose times were written.", body = Object),
        (status = 400, description = "bad-request: the body is not JSON."),
        (status = 409, description = "dependency-cycle: the tasks' dependencies form a cycle; conflict: a task changed meanwhile."),
        (status = 415, description = "unsupported-media-type"),
        (status = 429, description = "rate-limited: the tier's AI calls are used up (`Retry-After`); nothing saved."),
        (status = 422, description = "validation: date outside the user's yesterday..today + 365, instructions over 1,000 characters."),
        (status = 503, description = "unavailable: the AI quota store failed (with `refine`); nothing saved. A model that fails or times out is not an error: the deterministic plan is answered with `refinement.status` `failed`."),
    ))]
pub(crate) async fn plan_day(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Response, ApiError> {
    keyed_plan(&state, &caller, request, |body| plan(&state, &caller, body)).await
}

async fn plan(state: &AppState, caller: &Caller, body: PlanDayBody) -> Result<Response, ApiError> {
    if body
        .instructions
        .as_ref()
        .is_some_and(|i| i.chars().count() > 1000)
    {
        return Err(ApiError::invalid(
            "instructions",
            "at most 1,000 characters",
        ));
    }
    let now = state.now();
    check_date("date", body.date, user_today(state, caller, now).await?)?;
    let mut options = PlanDayOptions::new()
        .dry_run(body.dry_run)
        .tier(caller.tier)
        .refine(body.refine)
        .respond(answer);
    if let Some(text) = &body.instructions {
        options = options.instructions(text.clone());
    }
    // A cycle (409), the AI budget (429): mapped by type in `problem.rs`.
    let plan = state
        .app()
        .plan_day(caller.user, body.date, now, options)
        .await?;
    let answer = answer(&plan).ok_or(ApiError::Internal)?;
    Ok(idempotency::respond(&answer, false))
}

/// The answer to a plan: PLANNER.md's response plus `saved`, 200. The one rendering, for
/// the response and for the idempotency record stored in the plan's save.
fn answer(plan: &DayPlan) -> Option<StoredResponse> {
    let saved = if plan.saved { plan.changes.len() } else { 0 };
    let mut response = plan.response.clone();
    let unavailable = response
        .refinement
        .as_ref()
        .is_some_and(|r| r.status == RefinementStatus::Unavailable);
    if unavailable {
        // The planner's warning for this case is last; the server says it in its words.
        response.warnings.pop();
        response.warnings.push(REFINE_UNAVAILABLE.to_owned());
    }
    with_saved(&response, saved)
}
