//! Subscriptions, tiers and their AI quotas.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{SubscriptionId, UserId};

/// A pricing tier. `Free` is the tier of a user with no subscription row.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Tier {
    /// No subscription.
    #[default]
    Free,
    /// Starter plan.
    Starter,
    /// Pro plan.
    Pro,
    /// Team plan.
    Team,
    /// Enterprise plan.
    Enterprise,
}

impl Tier {
    /// Every tier, cheapest first.
    pub const ALL: [Tier; 5] = [
        Tier::Free,
        Tier::Starter,
        Tier::Pro,
        Tier::Team,
        Tier::Enterprise,
    ];

    /// AI planning calls allowed per hour: 3 / 5 / 10 / 30 / 100.
    pub fn ai_calls_per_hour(self) -> u32 {
        match self {
            Tier::Free => 3,
            Tier::Starter => 5,
            Tier::Pro => 10,
            Tier::Team => 30,
            Tier::Enterprise => 100,
        }
    }

    /// AI requests allowed per billing month: 30 / 150 / 500 / 2,000 / 10,000.
    pub fn ai_requests_per_month(self) -> u32 {
        match self {
            Tier::Free => 30,
            Tier::Starter => 150,
            Tier::Pro => 500,
            Tier::Team => 2_000,
            Tier::Enterprise => 10_000,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Starter => "starter",
            Tier::Pro => "pro",
            Tier::Team => "team",
            Tier::Enterprise => "enterprise",
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subscription's state, as Stripe reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SubscriptionStatus {
    /// In a free trial.
    Trialing,
    /// Paid and current.
    Active,
    /// A payment failed; still served while Stripe retries.
    PastDue,
    /// Ended.
    Canceled,
    /// Payment given up on.
    Unpaid,
    /// First payment not completed.
    Incomplete,
}

impl SubscriptionStatus {
    /// Whether the paid tier is served in this state (trialing, active, past due).
    pub fn grants_tier(self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Trialing | SubscriptionStatus::Active | SubscriptionStatus::PastDue
        )
    }
}

/// A Stripe-synced subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Identity.
    pub id: SubscriptionId,
    /// Owner.
    pub user_id: UserId,
    /// Stripe customer (`cus_...`).
    pub stripe_customer_id: String,
    /// Stripe subscription (`sub_...`), unique.
    pub stripe_subscription_id: String,
    /// Stripe price (`price_...`).
    pub stripe_price_id: String,
    /// Current state.
    pub status: SubscriptionStatus,
    /// The tier paid for (never `Free`).
    pub tier: Tier,
    /// Start of the current billing period.
    pub current_period_start: Option<DateTime<Utc>>,
    /// End of the current billing period.
    pub current_period_end: Option<DateTime<Utc>>,
    /// When it is set to cancel.
    pub cancel_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub canceled_at: Option<DateTime<Utc>>,
    /// AI requests used in the current period.
    pub ai_requests_this_period: u32,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Subscription {
    /// The tier actually served: the paid tier while the status grants it, else `Free`.
    pub fn effective_tier(&self) -> Tier {
        if self.status.grants_tier() {
            self.tier
        } else {
            Tier::Free
        }
    }

    /// AI requests left this period for the effective tier.
    pub fn ai_requests_left(&self) -> u32 {
        self.effective_tier()
            .ai_requests_per_month()
            .saturating_sub(self.ai_requests_this_period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_match_the_published_table() {
        let hourly: Vec<u32> = Tier::ALL.iter().map(|t| t.ai_calls_per_hour()).collect();
        let monthly: Vec<u32> = Tier::ALL
            .iter()
            .map(|t| t.ai_requests_per_month())
            .collect();
        assert_eq!(hourly, [3, 5, 10, 30, 100]);
        assert_eq!(monthly, [30, 150, 500, 2_000, 10_000]);
    }

    #[test]
    fn only_live_states_grant_the_paid_tier() {
        use SubscriptionStatus::*;
        let live: Vec<bool> = [Trialing, Active, PastDue, Canceled, Unpaid, Incomplete]
            .into_iter()
            .map(SubscriptionStatus::grants_tier)
            .collect();
        assert_eq!(live, [true, true, true, false, false, false]);
    }
}
