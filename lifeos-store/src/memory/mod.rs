//! The in-memory backend: the reference every other backend is tested against.
//!
//! One mutex guards all state; a mutation computes every change on the side, then writes
//! rows and events together, so a failure midway leaves nothing behind.

use std::collections::BTreeMap;
use std::sync::Mutex;

use lifeos_core::{
    DomainEvent, OAuthToken, OAuthTokenId, Profile, Project, ProjectId, Subscription,
    SubscriptionId, Task, TaskId, UserId,
};

use chrono::{DateTime, Utc};

use crate::StoredEvent;
use crate::clock::lock;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::idempotency::{self, IdempotencyRecord, Outcome};
use crate::options::StoreOptions;

/// What the per-entity files of this backend name.
mod prelude {
    pub(super) use std::collections::{BTreeMap, BTreeSet};

    pub(super) use async_trait::async_trait;
    pub(super) use chrono::{DateTime, Utc};
    pub(super) use lifeos_core::{
        CalendarEvent, CalendarEventId, CalendarEventInput, EventPayload, EventSource, NewProfile,
        NewProject, NewTask, OAuthToken, Profile, ProfilePatch, Project, ProjectId, ProjectPatch,
        Subscription, SubscriptionInput, Task, TaskId, UserId,
    };

    pub(super) use super::{MemoryStore, State, check_pending, own, record_pending};
    pub(super) use crate::StoredEvent;
    pub(super) use crate::change::TaskChange;
    pub(super) use crate::clock::lock;
    pub(super) use crate::crypto::OAuthSecret;
    pub(super) use crate::error::{Error, Result};
    pub(super) use crate::hub::EventStream;
    pub(super) use crate::page::{EventPage, Page};
    pub(super) use crate::query::{EventQuery, TaskQuery};
    pub(super) use crate::rules::{self, CalIndex, CalKind};
    pub(super) use crate::traits::{
        CalendarStore, Erasure, EventLog, OAuthTokenStore, ProfileStore, ProjectStore, Store,
        SubscriptionStore, TaskStore,
    };
    pub(super) use crate::upserted::Upserted;
}

mod calendar;
mod calendar_table;
mod idempotency_records;
mod log;
mod profiles;
mod projects;
mod tasks;
mod tokens;

#[derive(Debug, Default, Clone)]
pub(super) struct State {
    pub(super) tasks: BTreeMap<TaskId, Task>,
    pub(super) projects: BTreeMap<ProjectId, Project>,
    pub(super) profiles: BTreeMap<UserId, Profile>,
    pub(super) calendar: calendar_table::CalendarTable,
    pub(super) subscriptions: BTreeMap<SubscriptionId, Subscription>,
    pub(super) tokens: BTreeMap<OAuthTokenId, OAuthToken>,
    pub(super) events: Vec<StoredEvent>,
    pub(super) next_seq: u64,
    /// Idempotency records by user and scope (`IdempotencyScope::storage_key`).
    pub(super) idempotency: BTreeMap<(UserId, String), IdempotencyRecord>,
}

impl State {
    pub(super) fn append(&mut self, events: Vec<DomainEvent>) -> Vec<StoredEvent> {
        let stored: Vec<StoredEvent> = events
            .into_iter()
            .map(|event| {
                self.next_seq += 1;
                StoredEvent {
                    seq: self.next_seq,
                    event,
                }
            })
            .collect();
        self.events.extend(stored.iter().cloned());
        stored
    }
}

/// The in-memory store. Cheap to create; nothing survives the process.
#[derive(Debug)]
pub struct MemoryStore {
    pub(super) ctx: Ctx,
    pub(super) state: Mutex<State>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new(StoreOptions::new())
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new(options: StoreOptions) -> Self {
        MemoryStore {
            ctx: Ctx::new(options),
            state: Mutex::new(State::default()),
        }
    }

    /// Runs a mutation under the lock and publishes its events after it took effect; a
    /// pending idempotency record is stored with it.
    pub(super) fn mutate<T: Outcome>(
        &self,
        user: UserId,
        f: impl FnOnce(&mut State, &Ctx) -> Result<(T, Vec<DomainEvent>)>,
    ) -> Result<T> {
        let mut state = lock(&self.state);
        check_pending(&state, user, || self.ctx.now())?;
        let (out, events) = f(&mut state, &self.ctx)?;
        let stored = state.append(events);
        record_pending(&mut state, user, &out, || self.ctx.now());
        self.ctx.hub.publish(stored);
        Ok(out)
    }

    pub(super) fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&lock(&self.state))
    }
}

/// Refuses a mutation whose pending idempotency record's scope is already stored
/// (before anything is written).
pub(super) fn check_pending(
    state: &State,
    user: UserId,
    now: impl FnOnce() -> DateTime<Utc>,
) -> Result<()> {
    let Some(scope) = idempotency::pending_scope() else {
        return Ok(());
    };
    match state.idempotency.get(&(user, scope.storage_key())) {
        Some(r) if r.is_live(now()) => Err(idempotency::duplicate(&scope)),
        _ => Ok(()),
    }
}

/// Stores the pending idempotency record when it accepts `out` (after the mutation took
/// effect, under the same lock), purging the user's expired records.
pub(super) fn record_pending<T: Outcome>(
    state: &mut State,
    user: UserId,
    out: &T,
    now: impl FnOnce() -> DateTime<Utc>,
) {
    if let Some(record) = idempotency::render(out.written(), now) {
        let now = record.created_at;
        state
            .idempotency
            .retain(|(u, _), r| *u != user || r.is_live(now));
        state
            .idempotency
            .insert((user, record.scope.storage_key()), record);
        idempotency::mark_written();
    }
}

pub(super) fn own<'a, K: Ord, V>(
    map: &'a BTreeMap<K, V>,
    key: &K,
    user: UserId,
    owner: impl Fn(&V) -> UserId,
) -> Option<&'a V> {
    map.get(key).filter(|v| owner(v) == user)
}
