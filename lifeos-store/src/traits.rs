//! The store traits. Every call is scoped to one [`UserId`]: no call reads or changes
//! another user's rows (another user's row is reported as [`Error::NotFound`]).
//!
//! Each trait has few required methods; the conveniences are default methods built on
//! them, so a new backend implements the required ones and passes the conformance suite.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lifeos_core::event::ScheduledBy;
use lifeos_core::recurrence::{self, EventOccurrences};
use lifeos_core::{
    CalendarEvent, CalendarEventId, CalendarEventPatch, EventPayload, EventSource, NewProfile,
    NewProject, NewTask, OAuthToken, Profile, ProfilePatch, Project, ProjectId, ProjectPatch,
    Subscription, Task, TaskId, TaskPatch, Tier, UserId,
};
use uuid::Uuid;

use crate::StoredEvent;
use crate::calendar_window::{CalendarWindow, WindowOccurrences};
use crate::change::{TaskChange, TaskOp};
use crate::crypto::OAuthSecret;
use crate::error::{Error, Result};
use crate::export::UserExport;
use crate::hub::EventStream;
use crate::page::{Cursor, EventPage, Page};
use crate::query::{EventQuery, TaskQuery};
use crate::read_guard::ReadGuard;
use crate::seed::UserSeed;
use crate::upsert_batch::UpsertBatch;
use crate::upserted::Upserted;
use lifeos_core::{CalendarEventInput, SubscriptionInput};

/// Tasks: create, read, change with optimistic concurrency, list, search.
#[async_trait]
pub trait TaskStore: Send + Sync {
    /// Creates tasks (one `task.created` event each) in one transaction: all or none.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field (`tasks[i].title`, ...; `project_id` when the
    /// project is not this user's); nothing is written then.
    async fn create_tasks(&self, user: UserId, new: Vec<NewTask>) -> Result<Vec<Task>>;

    /// The task, soft-deleted or not.
    ///
    /// # Errors
    /// [`Error::NotFound`] when this user has no such task.
    async fn get_task(&self, user: UserId, id: TaskId) -> Result<Task>;

    /// Applies `changes` in order in one transaction, each with its event, and appends
    /// `record` (an event [`EventLog::record_event`] accepts: `ai.plan_generated`,
    /// `calendar.synced`) in the same transaction: all or none. Returns the tasks as
    /// stored afterwards, in the order of `changes`, and the recorded event.
    ///
    /// This is how a workflow saves a plan together with the fact that it was generated.
    ///
    /// # Errors
    /// [`Error::NotFound`] (a missing task, or a deleted one for anything but delete and
    /// restore), [`Error::Conflict`] (a stale `expected_version`), [`Error::Invalid`]
    /// (also field `type` for a `record` of another kind); nothing is written then.
    async fn change_tasks_recording(
        &self,
        user: UserId,
        changes: Vec<TaskChange>,
        record: Option<(EventSource, EventPayload)>,
    ) -> Result<(Vec<Task>, Option<StoredEvent>)> {
        self.change_tasks_guarded(user, changes, record, &ReadGuard::new())
            .await
    }

    /// As [`TaskStore::change_tasks_recording`], only if what `guard` names is stored as it
    /// was read: checked in the write's own transaction, under the lock that orders
    /// writers, so no write can slip in between the check and the changes.
    ///
    /// This is how a plan is saved only over the tasks and events it was computed from.
    ///
    /// # Errors
    /// [`Error::Changed`] when a guarded row changed (kind `Conflict`); as
    /// [`TaskStore::change_tasks_recording`]; nothing is written then.
    async fn change_tasks_guarded(
        &self,
        user: UserId,
        changes: Vec<TaskChange>,
        record: Option<(EventSource, EventPayload)>,
        guard: &ReadGuard,
    ) -> Result<(Vec<Task>, Option<StoredEvent>)>;

    /// Applies `changes` in order in one transaction, each with its event: all or none.
    /// Returns the tasks as stored afterwards, in the order of `changes`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (a missing task, or a deleted one for anything but delete and
    /// restore), [`Error::Conflict`] (a stale `expected_version`), [`Error::Invalid`];
    /// nothing is written then.
    async fn change_tasks(&self, user: UserId, changes: Vec<TaskChange>) -> Result<Vec<Task>> {
        Ok(self.change_tasks_recording(user, changes, None).await?.0)
    }

    /// One page of the user's tasks matching `query`, in `(created_at, id)` order.
    ///
    /// Paging guarantee: every row that existed when the first page was read and was not
    /// deleted meanwhile appears exactly once; rows inserted meanwhile at most once.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a limit outside 1..=1000.
    async fn list_tasks(&self, user: UserId, query: &TaskQuery) -> Result<Page<Task>>;

    /// Creates one task.
    ///
    /// # Errors
    /// As [`TaskStore::create_tasks`].
    async fn create_task(&self, user: UserId, new: NewTask) -> Result<Task> {
        let mut tasks = self.create_tasks(user, vec![new]).await?;
        tasks
            .pop()
            .ok_or_else(|| Error::invalid("tasks", "[]", "one task"))
    }

    /// Applies one change.
    ///
    /// # Errors
    /// As [`TaskStore::change_tasks`].
    async fn change_task(&self, user: UserId, change: TaskChange) -> Result<Task> {
        let id = change.task_id;
        self.change_tasks(user, vec![change])
            .await?
            .pop()
            .ok_or_else(|| Error::not_found("task", id))
    }

    /// Patches a task read at `expected_version` (`task.updated`).
    ///
    /// # Errors
    /// [`Error::Conflict`] when the task changed since; as [`TaskStore::change_tasks`].
    async fn update_task(
        &self,
        user: UserId,
        id: TaskId,
        expected_version: u64,
        patch: TaskPatch,
    ) -> Result<Task> {
        self.change_task(
            user,
            TaskChange::new(id, Some(expected_version), TaskOp::Update(patch)),
        )
        .await
    }

    /// Completes a task (`task.completed`).
    ///
    /// # Errors
    /// As [`TaskStore::change_tasks`]; [`Error::Invalid`] (`status`) when already done.
    async fn complete_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        let op = TaskOp::Complete {
            actual_minutes: None,
            via_ai: false,
        };
        self.change_task(user, TaskChange::new(id, None, op)).await
    }

    /// Soft-deletes a task (`task.deleted`).
    ///
    /// # Errors
    /// As [`TaskStore::change_tasks`].
    async fn delete_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        self.change_task(user, TaskChange::new(id, None, TaskOp::Delete))
            .await
    }

    /// Restores a soft-deleted task (`task.restored`).
    ///
    /// # Errors
    /// As [`TaskStore::change_tasks`].
    async fn restore_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        self.change_task(user, TaskChange::new(id, None, TaskOp::Restore))
            .await
    }

    /// Saves planned times for many tasks in one transaction, each with its
    /// `task.scheduled` event (what Plan My Day does after planning).
    ///
    /// # Errors
    /// As [`TaskStore::change_tasks`].
    async fn save_schedule(
        &self,
        user: UserId,
        slots: Vec<(TaskId, DateTime<Utc>, DateTime<Utc>)>,
        by: ScheduledBy,
    ) -> Result<Vec<Task>> {
        let changes = slots
            .into_iter()
            .map(|(id, start, end)| {
                TaskChange::new(
                    id,
                    None,
                    TaskOp::Schedule {
                        start,
                        end,
                        by,
                        rationale: None,
                    },
                )
            })
            .collect();
        self.change_tasks(user, changes).await
    }

    /// One page of the user's non-deleted tasks whose title contains `text`
    /// case-insensitively (both lowercased by `str::to_lowercase`, plain substring).
    ///
    /// # Errors
    /// As [`TaskStore::list_tasks`].
    async fn search_tasks(
        &self,
        user: UserId,
        text: &str,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<Task>> {
        let query = TaskQuery::new()
            .title_contains(text)
            .after(after)
            .limit(limit);
        self.list_tasks(user, &query).await
    }

    /// Every task matching `query` from its cursor on, following pages.
    ///
    /// # Errors
    /// As [`TaskStore::list_tasks`].
    async fn list_all_tasks(&self, user: UserId, query: &TaskQuery) -> Result<Vec<Task>> {
        let mut query = query.clone();
        let mut all = Vec::new();
        loop {
            let page = self.list_tasks(user, &query).await?;
            all.extend(page.items);
            match page.next {
                Some(next) => query.after = Some(next),
                None => return Ok(all),
            }
        }
    }
}

/// Projects.
#[async_trait]
pub trait ProjectStore: Send + Sync {
    /// Creates a project (`project.created`).
    ///
    /// # Errors
    /// [`Error::Invalid`] listing every problem.
    async fn create_project(&self, user: UserId, new: NewProject) -> Result<Project>;

    /// The project, deleted or not.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    async fn get_project(&self, user: UserId, id: ProjectId) -> Result<Project>;

    /// Patches a project (`project.updated`), guarded by `expected_version` when given.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for a deleted project), [`Error::Conflict`],
    /// [`Error::Invalid`].
    async fn update_project(
        &self,
        user: UserId,
        id: ProjectId,
        expected_version: Option<u64>,
        patch: ProjectPatch,
    ) -> Result<Project>;

    /// Soft-deletes a project (`project.deleted`); its tasks keep their `project_id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also when already deleted).
    async fn delete_project(&self, user: UserId, id: ProjectId) -> Result<Project>;

    /// The user's projects in `(created_at, id)` order.
    ///
    /// # Errors
    /// [`Error::Backend`].
    async fn list_projects(&self, user: UserId, include_deleted: bool) -> Result<Vec<Project>>;
}

/// Calendar events: single events, series masters and their overrides.
///
/// Recurrence is stored, not expanded: [`CalendarStore::list_events_for_window`] returns
/// every event that could touch a window, and [`CalendarStore::list_occurrences`] expands
/// them with `lifeos_core::recurrence`.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Creates or updates an event by `(provider, external_id, recurrence_id)`. The same
    /// etag as stored changes nothing ([`Upserted::Unchanged`], no event); a different one
    /// updates it (`calendar_event.updated`) and undeletes it; a new key creates it
    /// (`calendar_event.created`). Without `external_id` a new event is always created.
    ///
    /// # Errors
    /// [`Error::Invalid`] (the event's own rules; `series_id` not naming this user's event).
    async fn upsert_calendar_event(
        &self,
        user: UserId,
        input: CalendarEventInput,
    ) -> Result<Upserted<CalendarEvent>>;

    /// Upserts `inputs` in order (each as [`CalendarStore::upsert_calendar_event`], a later
    /// one seeing the earlier ones) in one transaction, with the `calendar.synced` event of
    /// [`UpsertBatch::synced_from`]. Answers each input in order: what it did, or (with
    /// [`UpsertBatch::lenient`]) why the rules refused it.
    ///
    /// This is how an import is written: all of it, or the valid events and a report.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `events[i].<field>` for a refused event unless lenient;
    /// [`Error::Backend`]; nothing is written then.
    async fn upsert_calendar_events(
        &self,
        user: UserId,
        inputs: Vec<CalendarEventInput>,
        batch: UpsertBatch,
    ) -> Result<Vec<Result<Upserted<CalendarEvent>>>>;

    /// The event, deleted or not.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    async fn get_calendar_event(&self, user: UserId, id: CalendarEventId) -> Result<CalendarEvent>;

    /// Patches an event (`calendar_event.updated`, version + 1), guarded by
    /// `expected_version` when given; a patch that changes nothing keeps the version and
    /// records no event. The upsert key and `series_id` are not patchable.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for a deleted event), [`Error::Conflict`] (another
    /// version), [`Error::Invalid`] (the event's own rules, as on upsert); nothing is
    /// written then.
    async fn update_calendar_event(
        &self,
        user: UserId,
        id: CalendarEventId,
        expected_version: Option<u64>,
        patch: CalendarEventPatch,
    ) -> Result<CalendarEvent>;

    /// Soft-deletes an event (`calendar_event.deleted`, version + 1), guarded by
    /// `expected_version` when given.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also when already deleted), [`Error::Conflict`].
    async fn delete_calendar_event_at(
        &self,
        user: UserId,
        id: CalendarEventId,
        expected_version: Option<u64>,
    ) -> Result<CalendarEvent>;

    /// Soft-deletes an event (`calendar_event.deleted`) at whatever version is stored.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also when already deleted).
    async fn delete_calendar_event(
        &self,
        user: UserId,
        id: CalendarEventId,
    ) -> Result<CalendarEvent> {
        self.delete_calendar_event_at(user, id, None).await
    }

    /// Every event of the user (for export), ordered by id.
    ///
    /// # Errors
    /// [`Error::Backend`].
    async fn list_calendar_events(
        &self,
        user: UserId,
        include_deleted: bool,
    ) -> Result<Vec<CalendarEvent>>;

    /// The user's non-deleted events that could touch `[from, to]`, ordered by id: single
    /// events whose span (widened by 15 hours each side for dates and floating times,
    /// whose instant depends on the viewer's zone) meets the window; series masters that
    /// start by `to` and whose series has not ended before `from` (when an UNTIL or the
    /// last RDATE bounds it); overrides of those masters, and overrides that meet the
    /// window themselves. A superset: expansion decides the exact occurrences.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `to` is before `from`.
    async fn list_events_for_window(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarEvent>>;

    /// As [`CalendarStore::list_events_for_window`], and the stored events left out
    /// because their recurrence rule cannot be read (a legacy row): one such row never
    /// fails the window.
    ///
    /// # Errors
    /// As [`CalendarStore::list_events_for_window`]; [`Error::Corrupt`] for a row damaged
    /// otherwise.
    async fn calendar_window(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<CalendarWindow> {
        Ok(CalendarWindow::new(
            self.list_events_for_window(user, from, to).await?,
        ))
    }

    /// The occurrences of the user's events that touch `[from, to)`, as seen by a reader in
    /// `tz` (see [`CalendarStore::list_occurrences`]), and the stored events the window
    /// read left out because their rule cannot be read.
    ///
    /// # Errors
    /// As [`CalendarStore::calendar_window`].
    async fn window_occurrences(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: Tz,
    ) -> Result<WindowOccurrences> {
        let window = self.calendar_window(user, from, to).await?;
        Ok(WindowOccurrences {
            occurrences: recurrence::occurrences(&window.events, tz, from, to)?,
            unreadable: window.skipped,
        })
    }

    /// The occurrences of the user's events that touch `[from, to)`, as seen by a reader in
    /// `tz` (all-day and floating times are read there): series expanded with
    /// [`lifeos_core::recurrence`], overrides applied, cancelled and deleted instances left
    /// out. `truncated` says whether a series hit the expansion bounds; a series that
    /// cannot be expanded is listed in `skipped`, and a stored event whose rule cannot be
    /// read is left out (see [`CalendarStore::window_occurrences`] for those).
    ///
    /// # Errors
    /// [`Error::Invalid`] when `to` is before `from`.
    async fn list_occurrences(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: Tz,
    ) -> Result<EventOccurrences> {
        Ok(self
            .window_occurrences(user, from, to, tz)
            .await?
            .occurrences)
    }
}

/// Profiles and preferences.
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// Creates the user's profile (`profile.updated` listing the fields set).
    ///
    /// # Errors
    /// [`Error::Invalid`]; [`Error::Duplicate`] when the user already has one.
    async fn create_profile(&self, user: UserId, new: NewProfile) -> Result<Profile>;

    /// Creates the user's profile with their first calendar events and tasks (each with
    /// its event) in one transaction: all of it or nothing, so a failed first run leaves
    /// no half-seeded user, and of writers seeding at once exactly one succeeds.
    ///
    /// # Errors
    /// [`Error::Duplicate`] when the user already has a profile (another seeder won);
    /// [`Error::Invalid`] naming the field (`tasks[2].title`, `events[0].end`, ...).
    async fn seed_user(&self, user: UserId, seed: UserSeed) -> Result<Profile>;

    /// The user's profile.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    async fn get_profile(&self, user: UserId) -> Result<Profile>;

    /// Patches the profile (`profile.updated`), guarded by `expected_version` when given.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Conflict`], [`Error::Invalid`].
    async fn update_profile(
        &self,
        user: UserId,
        expected_version: Option<u64>,
        patch: ProfilePatch,
    ) -> Result<Profile>;
}

/// Stripe-synced subscriptions.
#[async_trait]
pub trait SubscriptionStore: Send + Sync {
    /// Creates or updates the subscription with this `stripe_subscription_id`
    /// (`subscription.changed`, naming the previous tier).
    ///
    /// # Errors
    /// [`Error::Invalid`] (empty Stripe ids, tier `free`).
    async fn upsert_subscription(
        &self,
        user: UserId,
        input: SubscriptionInput,
    ) -> Result<Upserted<Subscription>>;

    /// The user's subscriptions, oldest first.
    ///
    /// # Errors
    /// [`Error::Backend`].
    async fn list_subscriptions(&self, user: UserId) -> Result<Vec<Subscription>>;

    /// The tier served to the user: the best effective tier of their subscriptions.
    ///
    /// # Errors
    /// [`Error::Backend`].
    async fn effective_tier(&self, user: UserId) -> Result<Tier> {
        let subs = self.list_subscriptions(user).await?;
        Ok(subs
            .iter()
            .map(Subscription::effective_tier)
            .max()
            .unwrap_or(Tier::Free))
    }
}

/// OAuth tokens, sealed with AES-256-GCM under the store's [`crate::Keyring`].
#[async_trait]
pub trait OAuthTokenStore: Send + Sync {
    /// Seals and stores the user's token for `provider`, replacing any previous one
    /// (`oauth_token.stored`).
    ///
    /// # Errors
    /// [`Error::Crypto`] without a keyring; [`Error::Invalid`] for an empty provider.
    async fn put_oauth_token(
        &self,
        user: UserId,
        provider: &str,
        secret: OAuthSecret,
    ) -> Result<OAuthToken>;

    /// The sealed token record for `provider`.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    async fn get_oauth_token(&self, user: UserId, provider: &str) -> Result<OAuthToken>;

    /// The token for `provider`, opened.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Crypto`] when its key is missing or it was tampered with.
    async fn open_oauth_token(&self, user: UserId, provider: &str) -> Result<OAuthSecret>;

    /// The user's sealed token records, by provider.
    ///
    /// # Errors
    /// [`Error::Backend`].
    async fn list_oauth_tokens(&self, user: UserId) -> Result<Vec<OAuthToken>>;

    /// Deletes the token for `provider` (`oauth_token.deleted`).
    ///
    /// # Errors
    /// [`Error::NotFound`].
    async fn delete_oauth_token(&self, user: UserId, provider: &str) -> Result<()>;

    /// Re-seals every token of the user not sealed under the current key
    /// (`oauth_token.rotated` each), in one transaction. Returns how many changed.
    ///
    /// # Errors
    /// [`Error::Crypto`] when a token's key is not in the keyring (nothing changes then).
    async fn rotate_oauth_tokens(&self, user: UserId) -> Result<u32>;
}

/// The append-only event log.
#[async_trait]
pub trait EventLog: Send + Sync {
    /// One page of the user's events matching `query`, in `seq` order.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a limit outside 1..=1000.
    async fn read_events(&self, user: UserId, query: &EventQuery) -> Result<EventPage>;

    /// The user's events as they are committed from now on (other users' never).
    fn subscribe(&self, user: UserId) -> EventStream;

    /// Appends an event that records something outside the store's rows: only
    /// `calendar.synced` and `ai.plan_generated` (every other event comes with its change).
    ///
    /// # Errors
    /// [`Error::Invalid`] (field `type`) for any other event type.
    async fn record_event(
        &self,
        user: UserId,
        source: EventSource,
        payload: EventPayload,
    ) -> Result<StoredEvent>;

    /// Every event of the user matching `query`, following pages.
    ///
    /// # Errors
    /// As [`EventLog::read_events`].
    async fn read_all_events(&self, user: UserId, query: &EventQuery) -> Result<Vec<StoredEvent>> {
        let mut query = query.clone();
        let mut all = Vec::new();
        loop {
            let page = self.read_events(user, &query).await?;
            all.extend(page.events);
            match page.next {
                Some(next) => query.after_seq = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// Every event about one entity (a task, a project, ...), oldest first.
    ///
    /// # Errors
    /// As [`EventLog::read_events`].
    async fn entity_history(&self, user: UserId, entity: Uuid) -> Result<Vec<StoredEvent>> {
        self.read_all_events(user, &EventQuery::new().entity(entity).limit(1000))
            .await
    }
}

/// What [`Store::erase_user`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Erasure {
    /// Rows deleted per table (`tasks`, `events`, ...).
    pub counts: BTreeMap<String, u64>,
    /// The `user.erased` tombstone left in the log.
    pub tombstone: StoredEvent,
}

/// Everything a LifeOS store does, plus GDPR export and erasure.
#[async_trait]
pub trait Store:
    TaskStore
    + ProjectStore
    + CalendarStore
    + ProfileStore
    + SubscriptionStore
    + OAuthTokenStore
    + EventLog
    + crate::idempotency::IdempotencyStore
{
    /// Deletes every row of the user, event log included, in one transaction, and leaves
    /// one `user.erased` tombstone (the user id and the counts only). Earlier tombstones
    /// of the user are kept.
    ///
    /// # Errors
    /// [`Error::Backend`]; nothing is deleted then.
    async fn erase_user(&self, user: UserId) -> Result<Erasure>;

    /// Everything of the user: profile, projects, tasks (deleted ones too), calendar
    /// events, subscriptions, OAuth token records (metadata only: the ciphertexts stay in
    /// the store), and the event log with `seq`; serialises to one JSON document (see
    /// [`UserExport`]). After [`Store::erase_user`] only the tombstone remains in it.
    ///
    /// # Errors
    /// [`Error::Backend`] (also for a stored row that cannot be decoded).
    async fn export_user(&self, user: UserId) -> Result<UserExport> {
        crate::export::export_user(self, user).await
    }
}
