//! `GET /api/v1/me/usage`: the caller's tier and budgets.

use axum::extract::{Request, State};
use axum::{Extension, Json};
use lifeos::core::wire::{AiUsage, GeneralUsage, MonthUsage, Usage};

use crate::auth::Caller;
use crate::middleware::GeneralBudget;
use crate::problem::ApiError;
use crate::rate_limit::scaled;
use crate::state::AppState;

/// `GET /me/usage`. The AI quota (`lifeos::refinement::AiQuota`) can only take a unit,
/// not report what is left, so the AI budgets are answered full (a known gap).
#[utoipa::path(get, path = "/me/usage", tag = "me",
    responses((status = 200, description = "The caller's tier and budgets. The AI quota is not read yet: the AI budgets are answered full (remaining = per_hour, used = 0) even after model calls.", body = Usage)))]
pub(crate) async fn usage(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Json<Usage>, ApiError> {
    let general = request.extensions().get::<GeneralBudget>().copied();
    let per_hour = scaled(
        caller.tier.ai_calls_per_hour(),
        state.config().rate_limit_multiplier,
    );
    Ok(Json(Usage {
        tier: caller.tier,
        ai: AiUsage {
            per_hour,
            remaining: per_hour,
            reset_seconds: 0,
        },
        month: MonthUsage {
            allowance: caller.tier.ai_requests_per_month(),
            used: 0,
        },
        general: GeneralUsage {
            per_minute: general.map(|g| g.per_minute),
            remaining: general.map(|g| g.remaining),
        },
    }))
}
