//! Subscriptions: upsert from a Stripe webhook's state.

use chrono::{DateTime, Utc};
use lifeos_core::event::SubscriptionChanged;
use lifeos_core::{
    DomainEvent, EventPayload, EventSource, Subscription, SubscriptionId, SubscriptionInput, Tier,
    UserId,
};

use super::{check_instant, event};
use crate::ctx::Ctx;
use crate::error::Result;

/// A subscription an upsert writes and its event; `None` when nothing changed.
pub(crate) fn upsert_subscription(
    ctx: &Ctx,
    user: UserId,
    input: &SubscriptionInput,
    existing: Option<&Subscription>,
    now: DateTime<Utc>,
) -> Result<Option<(Subscription, DomainEvent)>> {
    let mut v = lifeos_core::Validator::new();
    for (field, value, prefix) in [
        ("stripe_customer_id", &input.stripe_customer_id, "cus_"),
        (
            "stripe_subscription_id",
            &input.stripe_subscription_id,
            "sub_",
        ),
        ("stripe_price_id", &input.stripe_price_id, "price_"),
    ] {
        let ok = value.starts_with(prefix) && value.len() > prefix.len() && value.len() <= 255;
        v.check(
            ok,
            field,
            value,
            &format!("a Stripe id starting with {prefix}"),
        );
    }
    v.check(input.tier != Tier::Free, "tier", input.tier, "a paid tier");
    v.finish(())?;
    for (field, t) in [
        ("current_period_start", input.current_period_start),
        ("current_period_end", input.current_period_end),
        ("cancel_at", input.cancel_at),
        ("canceled_at", input.canceled_at),
    ] {
        check_instant(field, t)?;
    }
    let sub = Subscription {
        id: match existing {
            Some(old) => old.id,
            None => ctx.with_rng(|rng| SubscriptionId::generate(now, rng)),
        },
        user_id: user,
        stripe_customer_id: input.stripe_customer_id.clone(),
        stripe_subscription_id: input.stripe_subscription_id.clone(),
        stripe_price_id: input.stripe_price_id.clone(),
        status: input.status,
        tier: input.tier,
        current_period_start: input.current_period_start,
        current_period_end: input.current_period_end,
        cancel_at: input.cancel_at,
        canceled_at: input.canceled_at,
        ai_requests_this_period: input.ai_requests_this_period,
        created_at: existing.map_or(now, |o| o.created_at),
        updated_at: existing.map_or(now, |o| o.updated_at),
    };
    if existing == Some(&sub) {
        return Ok(None);
    }
    let sub = Subscription {
        updated_at: now,
        ..sub
    };
    let payload = EventPayload::SubscriptionChanged(SubscriptionChanged {
        subscription_id: sub.id,
        previous_tier: existing.map(|o| o.tier),
        new_tier: sub.tier,
        status: sub.status,
        mrr_cents: input.mrr_cents,
    });
    let e = event(ctx, user, now, EventSource::Webhook, payload);
    Ok(Some((sub, e)))
}
