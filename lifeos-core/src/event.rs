//! Domain events: what happened, appended to the log in the same transaction as the change.
//!
//! On the wire an event is an envelope plus a typed `data` payload, all keys snake_case:
//!
//! ```json
//! {"id": "…", "type": "task.completed", "occurred_at": "2026-03-08T14:02:00Z", "user_id": "…",
//!  "source": "api", "entity_type": "task", "entity_id": "…", "action": "completed",
//!  "data": {"task_id": "…", "actual_minutes": null, "completed_via_ai": false}}
//! ```
//!
//! `entity_type` and `action` are the two halves of `type`. Decoding a `type` this version
//! does not know gives [`EventPayload::Unknown`], not an error, so old readers survive new
//! writers. Payloads never carry a secret (OAuth events name the provider, not the token).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::billing::{SubscriptionStatus, Tier};
use crate::calendar::Provider;
use crate::chunk::PlannedBlock;
use crate::id::{
    CalendarEventId, EventId, OAuthTokenId, ProjectId, SubscriptionId, TaskId, UserId,
};
use crate::task::Priority;

/// Where a change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventSource {
    /// A user action through the API or SDK.
    #[default]
    Api,
    /// A provider's webhook (Stripe, Google).
    Webhook,
    /// A scheduled job.
    Cron,
    /// The planner or an AI model.
    Ai,
    /// A calendar synchronisation.
    Sync,
}

/// Who placed a task in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduledBy {
    /// The user, by hand.
    User,
    /// The deterministic planner.
    Planner,
    /// An AI refinement of the plan.
    Ai,
}

/// `task.created`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCreated {
    /// The task.
    pub task_id: TaskId,
    /// Its title.
    pub title: String,
    /// Its priority.
    pub priority: Priority,
    /// Its due date.
    pub due_date: Option<DateTime<Utc>>,
}

/// `task.updated`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskUpdated {
    /// The task.
    pub task_id: TaskId,
    /// Its version after the change.
    pub version: u64,
    /// The fields that changed.
    pub changed: Vec<String>,
}

/// `task.completed`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCompleted {
    /// The task.
    pub task_id: TaskId,
    /// Minutes actually spent, if known.
    pub actual_minutes: Option<u32>,
    /// Whether it was completed through an AI suggestion.
    pub completed_via_ai: bool,
}

/// `task.deleted` and `task.restored`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRef {
    /// The task.
    pub task_id: TaskId,
}

/// `task.scheduled`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskScheduled {
    /// The task.
    pub task_id: TaskId,
    /// Planned start.
    pub scheduled_start: DateTime<Utc>,
    /// Planned end.
    pub scheduled_end: DateTime<Utc>,
    /// Who placed it.
    pub scheduled_by: ScheduledBy,
    /// Why it was placed there.
    pub rationale: Option<String>,
    /// Every planned block, sorted; `scheduled_start`/`scheduled_end` are the first one's.
    /// Empty in events written before blocks existed (they held one slot).
    #[serde(default)]
    pub blocks: Vec<PlannedBlock>,
}

/// `project.created`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectCreated {
    /// The project.
    pub project_id: ProjectId,
    /// Its name.
    pub name: String,
}

/// `project.updated`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectUpdated {
    /// The project.
    pub project_id: ProjectId,
    /// Its version after the change.
    pub version: u64,
    /// The fields that changed.
    pub changed: Vec<String>,
}

/// `project.deleted`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRef {
    /// The project.
    pub project_id: ProjectId,
}

/// `calendar_event.created` and `calendar_event.updated`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEventChanged {
    /// The event.
    pub calendar_event_id: CalendarEventId,
    /// Its source.
    pub provider: Provider,
    /// The provider's id (iCalendar UID).
    pub external_id: Option<String>,
    /// The provider's version tag.
    pub etag: Option<String>,
}

/// `calendar_event.deleted`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEventRef {
    /// The event.
    pub calendar_event_id: CalendarEventId,
}

/// `calendar.synced`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSynced {
    /// Which calendar.
    pub provider: Provider,
    /// Events new in LifeOS.
    pub events_added: u32,
    /// Events changed.
    pub events_updated: u32,
    /// Events removed.
    pub events_deleted: u32,
}

/// `ai.plan_generated`
///
/// The usage fields of a refinement by a language model (`model` to `refinement`) are
/// absent from the wire when they hold their defaults, so the event of a plan without a
/// model is written as before them, and events written before them still decode.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PlanGenerated {
    /// The local date planned.
    pub plan_date: NaiveDate,
    /// Tasks placed.
    pub tasks_scheduled: u32,
    /// Tasks left out.
    pub tasks_unscheduled: u32,
    /// LLM tokens spent, in and out (0 for the deterministic planner alone).
    pub tokens_used: u64,
    /// Time taken, as measured by the caller.
    pub latency_ms: u64,
    /// The model asked (or whose cached proposal was used), if refinement was asked for
    /// and a model is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Prompt tokens of the model call (the API's `usage`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tokens_in: u64,
    /// Completion tokens of the model call.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tokens_out: u64,
    /// Whether the proposal came from the plan cache (no model call, no tokens).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cache_hit: bool,
    /// What became of the refinement, if one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refinement: Option<crate::plan::RefinementStatus>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `subscription.changed`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionChanged {
    /// The subscription.
    pub subscription_id: SubscriptionId,
    /// The tier before, if there was one.
    pub previous_tier: Option<Tier>,
    /// The tier now.
    pub new_tier: Tier,
    /// The state now.
    pub status: SubscriptionStatus,
    /// Monthly recurring revenue in cents.
    pub mrr_cents: u64,
}

/// `profile.updated`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUpdated {
    /// The fields that changed.
    pub changed: Vec<String>,
}

/// `oauth_token.stored`, `oauth_token.rotated` and `oauth_token.deleted`: never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthTokenChanged {
    /// The token record.
    pub token_id: OAuthTokenId,
    /// Its provider.
    pub provider: String,
    /// The key now sealing it (0 on deletion).
    pub key_id: u32,
}

/// `user.erased`: the tombstone left after GDPR erasure; the user id and counts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserErased {
    /// The erased user.
    pub erased_user_id: UserId,
    /// Rows deleted, per table.
    pub counts: BTreeMap<String, u64>,
}

macro_rules! payloads {
    ($( $(#[$meta:meta])* $variant:ident($data:ty) = $kind:literal, |$d:ident, $u:ident| $entity:expr; )*) => {
        /// What happened: one variant per event type.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum EventPayload {
            $( $(#[$meta])* #[doc = concat!("`", $kind, "`")] $variant($data), )*
            /// A type this version does not know, kept as read.
            Unknown {
                /// The `type` string.
                kind: String,
                /// The envelope's `entity_type`.
                entity_type: String,
                /// The envelope's `entity_id`.
                entity_id: Uuid,
                /// The envelope's `action`.
                action: String,
                /// The `data` object as read.
                raw: serde_json::Value,
            },
        }

        /// Every event type this version knows, as written in `type`.
        pub const EVENT_TYPES: &[&str] = &[$($kind),*];

        impl EventPayload {
            /// The `type` string, such as `task.completed`.
            pub fn kind(&self) -> &str {
                match self {
                    $( EventPayload::$variant(_) => $kind, )*
                    EventPayload::Unknown { kind, .. } => kind,
                }
            }

            /// The id of the entity the event is about; `user_id` for user-level events.
            pub fn entity_id(&self, user_id: UserId) -> Uuid {
                match self {
                    $( EventPayload::$variant($d) => { let $u = user_id; let _ = &$u; let _ = &$d; $entity } )*
                    EventPayload::Unknown { entity_id, .. } => *entity_id,
                }
            }

            fn data(&self) -> Result<serde_json::Value, serde_json::Error> {
                match self {
                    $( EventPayload::$variant(data) => serde_json::to_value(data), )*
                    EventPayload::Unknown { raw, .. } => Ok(raw.clone()),
                }
            }

            fn from_wire(wire: &Wire) -> Result<Self, serde_json::Error> {
                Ok(match wire.kind.as_str() {
                    $( $kind => EventPayload::$variant(<$data>::deserialize(&wire.data)?), )*
                    _ => EventPayload::Unknown {
                        kind: wire.kind.clone(),
                        entity_type: wire.entity_type.clone(),
                        entity_id: wire.entity_id,
                        action: wire.action.clone(),
                        raw: wire.data.clone(),
                    },
                })
            }
        }
    };
}

payloads! {
    TaskCreated(TaskCreated) = "task.created", |d, u| *d.task_id.as_uuid();
    TaskUpdated(TaskUpdated) = "task.updated", |d, u| *d.task_id.as_uuid();
    TaskCompleted(TaskCompleted) = "task.completed", |d, u| *d.task_id.as_uuid();
    TaskDeleted(TaskRef) = "task.deleted", |d, u| *d.task_id.as_uuid();
    TaskRestored(TaskRef) = "task.restored", |d, u| *d.task_id.as_uuid();
    TaskScheduled(TaskScheduled) = "task.scheduled", |d, u| *d.task_id.as_uuid();
    ProjectCreated(ProjectCreated) = "project.created", |d, u| *d.project_id.as_uuid();
    ProjectUpdated(ProjectUpdated) = "project.updated", |d, u| *d.project_id.as_uuid();
    ProjectDeleted(ProjectRef) = "project.deleted", |d, u| *d.project_id.as_uuid();
    CalendarEventCreated(CalendarEventChanged) = "calendar_event.created", |d, u| *d.calendar_event_id.as_uuid();
    CalendarEventUpdated(CalendarEventChanged) = "calendar_event.updated", |d, u| *d.calendar_event_id.as_uuid();
    CalendarEventDeleted(CalendarEventRef) = "calendar_event.deleted", |d, u| *d.calendar_event_id.as_uuid();
    CalendarSynced(CalendarSynced) = "calendar.synced", |d, u| *u.as_uuid();
    PlanGenerated(PlanGenerated) = "ai.plan_generated", |d, u| *u.as_uuid();
    SubscriptionChanged(SubscriptionChanged) = "subscription.changed", |d, u| *d.subscription_id.as_uuid();
    ProfileUpdated(ProfileUpdated) = "profile.updated", |d, u| *u.as_uuid();
    OAuthTokenStored(OAuthTokenChanged) = "oauth_token.stored", |d, u| *d.token_id.as_uuid();
    OAuthTokenRotated(OAuthTokenChanged) = "oauth_token.rotated", |d, u| *d.token_id.as_uuid();
    OAuthTokenDeleted(OAuthTokenChanged) = "oauth_token.deleted", |d, u| *d.token_id.as_uuid();
    UserErased(UserErased) = "user.erased", |d, u| *d.erased_user_id.as_uuid();
}

impl EventPayload {
    /// The entity kind: the part of `type` before the dot (`task`, `calendar_event`, `ai`).
    pub fn entity_type(&self) -> &str {
        match self {
            EventPayload::Unknown { entity_type, .. } => entity_type,
            known => known
                .kind()
                .split_once('.')
                .map_or("", |(entity, _)| entity),
        }
    }

    /// The action: the part of `type` after the dot (`created`, `completed`, `plan_generated`).
    pub fn action(&self) -> &str {
        match self {
            EventPayload::Unknown { action, .. } => action,
            known => known
                .kind()
                .split_once('.')
                .map_or("", |(_, action)| action),
        }
    }
}

/// One entry of the event log.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainEvent {
    /// Identity (UUID v7 from the time of the change).
    pub id: EventId,
    /// When the change happened.
    pub occurred_at: DateTime<Utc>,
    /// Whose data changed.
    pub user_id: UserId,
    /// Where the change came from.
    pub source: EventSource,
    /// What happened.
    pub payload: EventPayload,
}

impl DomainEvent {
    /// The `type` string.
    pub fn kind(&self) -> &str {
        self.payload.kind()
    }

    /// The entity the event is about.
    pub fn entity_id(&self) -> Uuid {
        self.payload.entity_id(self.user_id)
    }
}

/// The envelope exactly as written.
#[derive(Serialize, Deserialize)]
struct Wire {
    id: EventId,
    #[serde(rename = "type")]
    kind: String,
    occurred_at: DateTime<Utc>,
    user_id: UserId,
    source: EventSource,
    entity_type: String,
    entity_id: Uuid,
    action: String,
    data: serde_json::Value,
}

impl Serialize for DomainEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let wire = Wire {
            id: self.id,
            kind: self.kind().to_owned(),
            occurred_at: self.occurred_at,
            user_id: self.user_id,
            source: self.source,
            entity_type: self.payload.entity_type().to_owned(),
            entity_id: self.entity_id(),
            action: self.payload.action().to_owned(),
            data: self.payload.data().map_err(serde::ser::Error::custom)?,
        };
        wire.serialize(s)
    }
}

impl<'de> Deserialize<'de> for DomainEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(d)?;
        let payload = EventPayload::from_wire(&wire).map_err(serde::de::Error::custom)?;
        Ok(DomainEvent {
            id: wire.id,
            occurred_at: wire.occurred_at,
            user_id: wire.user_id,
            source: wire.source,
            payload,
        })
    }
}
