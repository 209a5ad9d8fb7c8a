//! The `/me` routes' answers: the usage document and the erasure receipt.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::billing::Tier;
use crate::id::UserId;

/// The `ai` budget of `GET /me/usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AiUsage {
    /// Model calls allowed per hour (`Tier::ai_calls_per_hour` times the multiplier;
    /// `null` when limits are off).
    pub per_hour: Option<u32>,
    /// Calls left this hour.
    pub remaining: Option<u32>,
    /// Seconds until the hourly budget is full again.
    pub reset_seconds: u64,
}

/// The monthly allowance of `GET /me/usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthUsage {
    /// AI requests allowed per billing month (`Tier::ai_requests_per_month`).
    pub allowance: u32,
    /// AI requests used this month.
    pub used: u32,
}

/// The `general` budget of `GET /me/usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeneralUsage {
    /// Requests allowed per minute (`null` when limits are off).
    pub per_minute: Option<u32>,
    /// Requests left in the burst after this one (`null` when limits are off).
    pub remaining: Option<u32>,
}

/// The answer of `GET /me/usage`: the caller's tier and budgets.
///
/// ```
/// # use lifeos_core::{Tier, wire::Usage};
/// let u: Usage = serde_json::from_str(r#"{"tier":"free",
///   "ai":{"per_hour":3,"remaining":3,"reset_seconds":0},
///   "month":{"allowance":30,"used":0},"general":{"per_minute":60,"remaining":59}}"#).unwrap();
/// assert_eq!((u.tier, u.general.per_minute), (Tier::Free, Some(60)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    /// The caller's tier (the token's `app_metadata.tier`, else free).
    pub tier: Tier,
    /// The hourly AI budget.
    pub ai: AiUsage,
    /// The monthly AI allowance.
    pub month: MonthUsage,
    /// The general request budget.
    pub general: GeneralUsage,
}

/// The answer of `DELETE /me`: who was erased and the rows removed per table.
///
/// ```
/// # use lifeos_core::wire::Erased;
/// let e: Erased = serde_json::from_str(
///     r#"{"erased_user_id":"00000000-0000-0000-0000-000000000001","counts":{"tasks":2}}"#,
/// ).unwrap();
/// assert_eq!(e.counts["tasks"], 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Erased {
    /// The erased user.
    pub erased_user_id: UserId,
    /// Rows removed, per table.
    pub counts: BTreeMap<String, u64>,
}
