//! `GET /api/v1/me/usage`: the caller's tier and budgets.

use axum::extract::{Request, State};
use axum::{Extension, Json};
use lifeos::core::Tier;
use serde::Serialize;

use crate::auth::Caller;
use crate::middleware::GeneralBudget;
use crate::problem::ApiError;
use crate::rate_limit::scaled;
use crate::state::AppState;

/// The `ai` budget of `GET /me/usage`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AiUsage {
    /// Model calls allowed per hour (`Tier::ai_calls_per_hour` times the multiplier;
    /// `null` when limits are off).
    per_hour: Option<u32>,
    /// Calls left this hour.
    remaining: Option<u32>,
    /// Seconds until the hourly budget is full again.
    reset_seconds: u64,
}

/// The monthly allowance of `GET /me/usage`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct MonthUsage {
    /// AI requests allowed per billing month (`Tier::ai_requests_per_month`).
    allowance: u32,
    /// AI requests used this month.
    used: u32,
}

/// The `general` budget of `GET /me/usage`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct GeneralUsage {
    /// Requests allowed per minute (`null` when limits are off).
    per_minute: Option<u32>,
    /// Requests left in the burst after this one (`null` when limits are off).
    remaining: Option<u32>,
}

/// The answer of `GET /me/usage`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Usage {
    /// The caller's tier (the token's `app_metadata.tier`, else free).
    tier: Tier,
    /// The hourly AI budget.
    ai: AiUsage,
    /// The monthly AI allowance.
    month: MonthUsage,
    /// The general request budget.
    general: GeneralUsage,
}

/// `GET /me/usage`. No language model is configured on this server, so no AI unit is
/// ever taken: the AI budgets are full.
#[utoipa::path(get, path = "/me/usage", tag = "me",
    responses((status = 200, description = "The caller's tier and budgets. This server has no language model configured, so no AI unit is ever taken (remaining = per_hour, used = 0).", body = Usage)))]
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
