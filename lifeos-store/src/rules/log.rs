//! Events that come without a row change: recorded facts and the erasure tombstone.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lifeos_core::event::UserErased;
use lifeos_core::{DomainEvent, EventPayload, EventSource, UserId};

use super::event;
use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// The `user.erased` tombstone.
pub(crate) fn tombstone(
    ctx: &Ctx,
    user: UserId,
    counts: BTreeMap<String, u64>,
    now: DateTime<Utc>,
) -> DomainEvent {
    let payload = EventPayload::UserErased(UserErased {
        erased_user_id: user,
        counts,
    });
    event(ctx, user, now, EventSource::Api, payload)
}

/// Whether an event is a `user.erased` tombstone (kept by later erasures).
pub(crate) fn is_tombstone(e: &DomainEvent) -> bool {
    matches!(e.payload, EventPayload::UserErased(_))
}

/// An event recording a fact outside the store's rows; other kinds are refused.
pub(crate) fn recorded_event(
    ctx: &Ctx,
    user: UserId,
    source: EventSource,
    payload: EventPayload,
    now: DateTime<Utc>,
) -> Result<DomainEvent> {
    match payload {
        EventPayload::CalendarSynced(_) | EventPayload::PlanGenerated(_) => {
            Ok(event(ctx, user, now, source, payload))
        }
        other => Err(Error::invalid(
            "type",
            other.kind(),
            "calendar.synced or ai.plan_generated (other events come with their change)",
        )),
    }
}
