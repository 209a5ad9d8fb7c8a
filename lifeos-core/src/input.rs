//! Inputs that mirror domain types field by field, as a sync or a webhook supplies them:
//! the store assigns ids, owners and timestamps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::billing::{SubscriptionStatus, Tier};
use crate::calendar::{
    Attendee, CalendarEvent, EventStatus, EventTime, NominalDuration, Provider, RecurrenceRange,
    Transparency,
};
use crate::id::CalendarEventId;

/// A calendar event to create or update, as a sync or the user supplies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarEventInput {
    /// Source calendar.
    pub provider: Provider,
    /// The provider's id (iCalendar UID). With it, the event is upserted by
    /// `(provider, external_id, recurrence_id)`; without it, a new event is created.
    pub external_id: Option<String>,
    /// Summary.
    pub title: String,
    /// Longer text.
    pub description: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// Start (the series' first start for a master).
    pub start: EventTime,
    /// End of the first instance.
    pub end: EventTime,
    /// Nominal length (iCalendar `DURATION`), when the calendar gave one instead of an end.
    pub duration: Option<NominalDuration>,
    /// Recurrence rule for a series master (parsed: an invalid rule never gets this far).
    pub rrule: Option<crate::RecurrenceRule>,
    /// Extra instances.
    pub rdates: Vec<EventTime>,
    /// Removed instances.
    pub exdates: Vec<EventTime>,
    /// The master this overrides an instance of. When absent but `recurrence_id` is set,
    /// the store links the master with the same provider and external id.
    pub series_id: Option<CalendarEventId>,
    /// The original start of the instance this overrides.
    pub recurrence_id: Option<EventTime>,
    /// Which instances an override replaces.
    pub recurrence_range: RecurrenceRange,
    /// Confirmed, tentative or cancelled.
    pub status: EventStatus,
    /// Busy or free.
    pub transparency: Transparency,
    /// Invitees.
    pub attendees: Vec<Attendee>,
    /// Video call link.
    pub conference_url: Option<String>,
    /// The provider's version tag: an upsert with the stored etag changes nothing.
    pub etag: Option<String>,
}

impl CalendarEventInput {
    /// A confirmed, busy, single event with this title and times; everything else empty.
    pub fn new(
        provider: Provider,
        title: impl Into<String>,
        start: EventTime,
        end: EventTime,
    ) -> Self {
        CalendarEventInput {
            provider,
            external_id: None,
            title: title.into(),
            description: None,
            location: None,
            start,
            end,
            duration: None,
            rrule: None,
            rdates: Vec::new(),
            exdates: Vec::new(),
            series_id: None,
            recurrence_id: None,
            recurrence_range: RecurrenceRange::ThisInstance,
            status: EventStatus::Confirmed,
            transparency: Transparency::Busy,
            attendees: Vec::new(),
            conference_url: None,
            etag: None,
        }
    }
}

impl From<CalendarEvent> for CalendarEventInput {
    /// The input that upserts `event` (as `ical::import` returns it) under its own key;
    /// the store assigns its own id, owner and timestamps.
    fn from(event: CalendarEvent) -> Self {
        CalendarEventInput {
            provider: event.provider,
            external_id: event.external_id,
            title: event.title,
            description: event.description,
            location: event.location,
            start: event.start,
            end: event.end,
            duration: event.duration,
            rrule: event.rrule,
            rdates: event.rdates,
            exdates: event.exdates,
            series_id: None,
            recurrence_id: event.recurrence_id,
            recurrence_range: event.recurrence_range,
            status: event.status,
            transparency: event.transparency,
            attendees: event.attendees,
            conference_url: event.conference_url,
            etag: event.etag,
        }
    }
}

/// A Stripe subscription's state, as a webhook reports it; upserted by
/// `stripe_subscription_id` within the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionInput {
    /// `cus_...`
    pub stripe_customer_id: String,
    /// `sub_...`
    pub stripe_subscription_id: String,
    /// `price_...`
    pub stripe_price_id: String,
    /// State.
    pub status: SubscriptionStatus,
    /// The tier paid for.
    pub tier: Tier,
    /// Start of the billing period.
    pub current_period_start: Option<DateTime<Utc>>,
    /// End of the billing period.
    pub current_period_end: Option<DateTime<Utc>>,
    /// When it is set to cancel.
    pub cancel_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub canceled_at: Option<DateTime<Utc>>,
    /// AI requests used this period.
    pub ai_requests_this_period: u32,
    /// Monthly recurring revenue in cents (for the `subscription.changed` event).
    pub mrr_cents: u64,
}
