//! Inputs and outputs of the store traits: queries, pages, cursors, task operations,
//! stored events, calendar and subscription inputs.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use lifeos_core::calendar::{
    Attendee, CalendarEvent, EventStatus, EventTime, NominalDuration, Provider, RecurrenceRange,
    Transparency,
};
use lifeos_core::event::ScheduledBy;
use lifeos_core::{
    CalendarEventId, DomainEvent, ProjectId, SubscriptionStatus, Task, TaskId, TaskPatch,
    TaskStatus, Tier,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size.
pub const MAX_LIMIT: u32 = 1000;

/// A half-open time range `[from, to)`; an absent bound is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    /// Inclusive lower bound.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub to: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// `[from, to)`.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        TimeRange {
            from: Some(from),
            to: Some(to),
        }
    }

    /// Whether `t` lies in the range.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t < to)
    }
}

/// A position in a task listing: the `(created_at, id)` of the last row seen.
/// Written as text by `Display` and read back by `FromStr`, so it can travel in a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) id: Uuid,
}

impl Cursor {
    /// The cursor just after `task`.
    pub fn after(task: &Task) -> Self {
        Cursor {
            created_at: task.created_at,
            id: *task.id.as_uuid(),
        }
    }

    /// Whether a row at `(created_at, id)` comes after this cursor.
    pub(crate) fn precedes(&self, created_at: DateTime<Utc>, id: Uuid) -> bool {
        (created_at, id) > (self.created_at, self.id)
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}_{}",
            self.created_at.timestamp(),
            self.created_at.timestamp_subsec_nanos(),
            self.id.simple()
        )
    }
}

impl FromStr for Cursor {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let bad = || Error::invalid("cursor", text, "a cursor returned by a previous page");
        let (time, id) = text.split_once('_').ok_or_else(bad)?;
        let (secs, nanos) = time.split_once('.').ok_or_else(bad)?;
        let secs: i64 = secs.parse().map_err(|_| bad())?;
        let nanos: u32 = nanos.parse().map_err(|_| bad())?;
        let created_at = DateTime::from_timestamp(secs, nanos).ok_or_else(bad)?;
        let id = Uuid::parse_str(id).map_err(|_| bad())?;
        Ok(Cursor { created_at, id })
    }
}

/// One page of a listing, and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows, in `(created_at, id)` order.
    pub items: Vec<T>,
    /// Pass as `after` to read the next page.
    pub next: Option<Cursor>,
}

/// Which tasks to list. Built with [`TaskQuery::new`] and its setters.
///
/// Defaults: every status, no label/project/date filters, soft-deleted tasks excluded,
/// from the start, 50 per page. Rows come in `(created_at, id)` order (keyset pagination).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskQuery {
    /// Only these statuses (empty: all).
    pub statuses: Vec<TaskStatus>,
    /// Only tasks carrying this label (exact, after trimming).
    pub label: Option<String>,
    /// Only tasks of this project.
    pub project_id: Option<ProjectId>,
    /// Only tasks with a due date in this range.
    pub due: Option<TimeRange>,
    /// Only tasks with a scheduled start in this range.
    pub scheduled: Option<TimeRange>,
    /// Only tasks whose title contains this text, compared after `str::to_lowercase` of both.
    pub title_contains: Option<String>,
    /// Whether soft-deleted tasks are listed too (never for a title search).
    pub include_deleted: bool,
    /// Start after this cursor.
    pub after: Option<Cursor>,
    /// Page size, 1 to 1000.
    pub limit: u32,
}

impl Default for TaskQuery {
    fn default() -> Self {
        Self::new()
    }
}

impl TaskQuery {
    /// Every non-deleted task, 50 per page.
    pub fn new() -> Self {
        TaskQuery {
            statuses: Vec::new(),
            label: None,
            project_id: None,
            due: None,
            scheduled: None,
            title_contains: None,
            include_deleted: false,
            after: None,
            limit: DEFAULT_LIMIT,
        }
    }

    /// Pending and in-progress tasks (what a planner places).
    pub fn actionable() -> Self {
        Self::new().statuses([TaskStatus::Pending, TaskStatus::InProgress])
    }

    /// Only these statuses.
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = TaskStatus>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Only tasks with this label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Only tasks of this project.
    pub fn project(mut self, project: ProjectId) -> Self {
        self.project_id = Some(project);
        self
    }

    /// Only tasks due in `range`.
    pub fn due(mut self, range: TimeRange) -> Self {
        self.due = Some(range);
        self
    }

    /// Only tasks scheduled to start in `range`.
    pub fn scheduled(mut self, range: TimeRange) -> Self {
        self.scheduled = Some(range);
        self
    }

    /// Only tasks whose title contains `text`, case-insensitively.
    pub fn title_contains(mut self, text: impl Into<String>) -> Self {
        self.title_contains = Some(text.into());
        self
    }

    /// Also list soft-deleted tasks.
    pub fn include_deleted(mut self, yes: bool) -> Self {
        self.include_deleted = yes;
        self
    }

    /// Start after `cursor`.
    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.after = cursor;
        self
    }

    /// `limit` rows per page.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    /// Checks the page size.
    pub(crate) fn check(&self) -> Result<()> {
        if !(1..=MAX_LIMIT).contains(&self.limit) {
            return Err(Error::invalid(
                "limit",
                self.limit,
                "an integer in 1..=1000",
            ));
        }
        Ok(())
    }

    /// Whether `task` passes every filter except the cursor (the reference semantics every
    /// backend matches).
    pub fn matches(&self, task: &Task) -> bool {
        let deleted_ok =
            !task.is_deleted() || (self.include_deleted && self.title_contains.is_none());
        deleted_ok
            && (self.statuses.is_empty() || self.statuses.contains(&task.status))
            && self
                .label
                .as_ref()
                .is_none_or(|l| task.labels.iter().any(|t| t == l.trim()))
            && self.project_id.is_none_or(|p| task.project_id == Some(p))
            && self
                .due
                .is_none_or(|r| task.due_date.is_some_and(|d| r.contains(d)))
            && self
                .scheduled
                .is_none_or(|r| task.scheduled_start.is_some_and(|d| r.contains(d)))
            && self
                .title_contains
                .as_ref()
                .is_none_or(|q| fold(&task.title).contains(&fold(q)))
    }
}

/// The folded form titles are searched in: Rust's `str::to_lowercase`.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// A change to an existing task.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // short-lived values; boxing would burden every caller
pub enum TaskOp {
    /// Apply a patch (`task.updated`, naming the fields set; a status set by a patch is
    /// recorded there too; use [`TaskOp::Complete`] for a `task.completed` event).
    Update(TaskPatch),
    /// Complete it (`task.completed`), recording the minutes spent if known.
    Complete {
        /// Minutes actually spent.
        actual_minutes: Option<u32>,
        /// Whether it was completed through an AI suggestion.
        via_ai: bool,
    },
    /// Soft-delete it (`task.deleted`); a no-op on a deleted task.
    Delete,
    /// Undo a soft delete (`task.restored`); a no-op on a live task.
    Restore,
    /// Place it in time (`task.scheduled`).
    Schedule {
        /// Planned start.
        start: DateTime<Utc>,
        /// Planned end (at or after start).
        end: DateTime<Utc>,
        /// Who placed it.
        by: ScheduledBy,
        /// Why there.
        rationale: Option<String>,
    },
}

/// One operation on one task, guarded by the version the caller read (`None`: apply to
/// whatever version is stored, atomically).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskChange {
    /// The task.
    pub task_id: TaskId,
    /// The version the caller read; a different stored version is a [`Error::Conflict`].
    pub expected_version: Option<u64>,
    /// What to do.
    pub op: TaskOp,
}

impl TaskChange {
    /// `op` on `task_id`, guarded by `expected_version`.
    pub fn new(task_id: TaskId, expected_version: Option<u64>, op: TaskOp) -> Self {
        TaskChange {
            task_id,
            expected_version,
            op,
        }
    }
}

/// An event as stored: the domain event and its store-assigned position in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Position in the log: increasing, assigned at commit order, never reused.
    pub seq: u64,
    /// The event.
    pub event: DomainEvent,
}

impl Serialize for StoredEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            seq: u64,
            #[serde(flatten)]
            event: &'a DomainEvent,
        }
        Out {
            seq: self.seq,
            event: &self.event,
        }
        .serialize(s)
    }
}

/// Which events to read. Defaults: every type, all time, from the start, 100 per page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EventQuery {
    /// Only these `type`s (empty: all).
    pub types: Vec<String>,
    /// Only events about this entity.
    pub entity_id: Option<Uuid>,
    /// Only events that occurred in this range.
    pub occurred: Option<TimeRange>,
    /// Only events after this `seq`.
    pub after_seq: Option<u64>,
    /// Page size, 1 to 1000.
    pub limit: u32,
}

impl Default for EventQuery {
    fn default() -> Self {
        Self::new()
    }
}

impl EventQuery {
    /// Every event of the user, 100 per page.
    pub fn new() -> Self {
        EventQuery {
            types: Vec::new(),
            entity_id: None,
            occurred: None,
            after_seq: None,
            limit: 100,
        }
    }

    /// Only events of `kind` (may be called again to add types).
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.types.push(kind.into());
        self
    }

    /// Only events about `entity`.
    pub fn entity(mut self, entity: impl Into<Uuid>) -> Self {
        self.entity_id = Some(entity.into());
        self
    }

    /// Only events that occurred in `range`.
    pub fn occurred(mut self, range: TimeRange) -> Self {
        self.occurred = Some(range);
        self
    }

    /// Only events after `seq`.
    pub fn after_seq(mut self, seq: Option<u64>) -> Self {
        self.after_seq = seq;
        self
    }

    /// `limit` events per page.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
        if !(1..=MAX_LIMIT).contains(&self.limit) {
            return Err(Error::invalid(
                "limit",
                self.limit,
                "an integer in 1..=1000",
            ));
        }
        Ok(())
    }

    /// Whether `e` passes every filter except the seq cursor.
    pub fn matches(&self, e: &DomainEvent) -> bool {
        (self.types.is_empty() || self.types.iter().any(|t| t == e.kind()))
            && self.entity_id.is_none_or(|id| e.entity_id() == id)
            && self.occurred.is_none_or(|r| r.contains(e.occurred_at))
    }
}

/// A page of events in `seq` order; `next` is the `after_seq` of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage {
    /// The events.
    pub events: Vec<StoredEvent>,
    /// Pass as `after_seq` to read on; `None` when this was the last page.
    pub next: Option<u64>,
}

/// A calendar event to create or update, as a sync or the user supplies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub rrule: Option<lifeos_core::RecurrenceRule>,
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

/// What an upsert did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Upserted<T> {
    /// A new row (`*.created` event).
    Created(T),
    /// The row changed (`*.updated` event).
    Updated(T),
    /// Same etag: nothing changed, no event.
    Unchanged(T),
}

impl<T> Upserted<T> {
    /// The row as stored now.
    pub fn into_inner(self) -> T {
        match self {
            Upserted::Created(t) | Upserted::Updated(t) | Upserted::Unchanged(t) => t,
        }
    }

    /// The row as stored now.
    pub fn get(&self) -> &T {
        match self {
            Upserted::Created(t) | Upserted::Updated(t) | Upserted::Unchanged(t) => t,
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
