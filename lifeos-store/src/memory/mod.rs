//! The in-memory backend: the reference every other backend is tested against.
//!
//! One mutex guards all state; a mutation computes every change on the side, then writes
//! rows and events together, so a failure midway leaves nothing behind.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lifeos_core::{
    CalendarEvent, CalendarEventId, DomainEvent, EventPayload, EventSource, NewProfile, NewProject,
    NewTask, OAuthToken, OAuthTokenId, Profile, ProfilePatch, Project, ProjectId, ProjectPatch,
    Subscription, SubscriptionId, Task, TaskId, UserId,
};

use crate::clock::{Ctx, StoreOptions, lock};
use crate::crypto::OAuthSecret;
use crate::error::{Error, Result};
use crate::hub::EventStream;
use crate::logic::{self, CalIndex, CalKind};
use crate::model::{
    CalendarEventInput, Cursor, EventPage, EventQuery, Page, StoredEvent, SubscriptionInput,
    TaskChange, TaskQuery, Upserted,
};
use crate::traits::{
    CalendarStore, Erasure, EventLog, OAuthTokenStore, ProfileStore, ProjectStore, Store,
    SubscriptionStore, TaskStore,
};

#[derive(Debug, Default, Clone)]
struct State {
    tasks: BTreeMap<TaskId, Task>,
    projects: BTreeMap<ProjectId, Project>,
    profiles: BTreeMap<UserId, Profile>,
    calendar: BTreeMap<CalendarEventId, CalendarEvent>,
    subscriptions: BTreeMap<SubscriptionId, Subscription>,
    tokens: BTreeMap<OAuthTokenId, OAuthToken>,
    events: Vec<StoredEvent>,
    next_seq: u64,
}

impl State {
    fn append(&mut self, events: Vec<DomainEvent>) -> Vec<StoredEvent> {
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
    ctx: Ctx,
    state: Mutex<State>,
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

    /// Runs a mutation under the lock and publishes its events after it took effect.
    fn mutate<T>(
        &self,
        f: impl FnOnce(&mut State, &Ctx) -> Result<(T, Vec<DomainEvent>)>,
    ) -> Result<T> {
        let mut state = lock(&self.state);
        let (out, events) = f(&mut state, &self.ctx)?;
        let stored = state.append(events);
        self.ctx.hub.publish(stored);
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&lock(&self.state))
    }
}

fn own<'a, K: Ord, V>(
    map: &'a BTreeMap<K, V>,
    key: &K,
    user: UserId,
    owner: impl Fn(&V) -> UserId,
) -> Option<&'a V> {
    map.get(key).filter(|v| owner(v) == user)
}

#[async_trait]
impl TaskStore for MemoryStore {
    async fn create_tasks(&self, user: UserId, new: Vec<NewTask>) -> Result<Vec<Task>> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let mut tasks = Vec::with_capacity(new.len());
            let mut events = Vec::with_capacity(new.len());
            for n in new {
                let (task, e) = logic::create_task(ctx, user, n, now)?;
                check_project(state, user, task.project_id)?;
                if state.tasks.contains_key(&task.id)
                    || tasks.iter().any(|t: &Task| t.id == task.id)
                {
                    return Err(Error::Duplicate {
                        entity: "task",
                        key: task.id.to_string(),
                    });
                }
                tasks.push(task);
                events.push(e);
            }
            for t in &tasks {
                state.tasks.insert(t.id, t.clone());
            }
            Ok((tasks, events))
        })
    }

    async fn get_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        self.read(|s| own(&s.tasks, &id, user, |t| t.user_id).cloned())
            .ok_or_else(|| Error::not_found("task", id))
    }

    async fn change_tasks_recording(
        &self,
        user: UserId,
        changes: Vec<TaskChange>,
        record: Option<(EventSource, EventPayload)>,
    ) -> Result<(Vec<Task>, Option<StoredEvent>)> {
        let now = self.ctx.now();
        let recorded = record
            .map(|(source, payload)| logic::recorded_event(&self.ctx, user, source, payload, now))
            .transpose()?;
        let mut state = lock(&self.state);
        let (out, mut events) = {
            let state: &mut State = &mut state;
            let ctx = &self.ctx;
            let mut work: BTreeMap<TaskId, Task> = BTreeMap::new();
            let mut out = Vec::with_capacity(changes.len());
            let mut events = Vec::new();
            for change in &changes {
                let current = match work.get(&change.task_id) {
                    Some(t) => t.clone(),
                    None => own(&state.tasks, &change.task_id, user, |t| t.user_id)
                        .cloned()
                        .ok_or_else(|| Error::not_found("task", change.task_id))?,
                };
                let next = match logic::change_task(ctx, &current, change, now)? {
                    Some((task, e)) => {
                        if task.project_id != current.project_id {
                            check_project(state, user, task.project_id)?;
                        }
                        events.push(e);
                        task
                    }
                    None => current,
                };
                work.insert(next.id, next.clone());
                out.push(next);
            }
            state.tasks.extend(work);
            (out, events)
        };
        let with_record = recorded.is_some();
        events.extend(recorded);
        let stored = state.append(events);
        let record = if with_record {
            stored.last().cloned()
        } else {
            None
        };
        self.ctx.hub.publish(stored);
        Ok((out, record))
    }

    async fn list_tasks(&self, user: UserId, query: &TaskQuery) -> Result<Page<Task>> {
        query.check()?;
        Ok(self.read(|s| {
            let mut rows: Vec<&Task> = s
                .tasks
                .values()
                .filter(|t| t.user_id == user && query.matches(t))
                .filter(|t| {
                    query
                        .after
                        .is_none_or(|c| c.precedes(t.created_at, *t.id.as_uuid()))
                })
                .collect();
            rows.sort_by_key(|t| (t.created_at, t.id));
            page(rows.into_iter().cloned().collect(), query.limit)
        }))
    }
}

/// A task may only name a project of its own user (SQLite enforces it by foreign key).
fn check_project(state: &State, user: UserId, project: Option<ProjectId>) -> Result<()> {
    match project {
        Some(p) if own(&state.projects, &p, user, |p| p.user_id).is_none() => Err(Error::invalid(
            "project_id",
            "(not found)",
            "a project of this user",
        )),
        _ => Ok(()),
    }
}

/// The first `limit` of `rows` (already in order), with a cursor when more follow.
pub(crate) fn page(mut rows: Vec<Task>, limit: u32) -> Page<Task> {
    let limit = limit as usize;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(Cursor::after)
    } else {
        None
    };
    Page { items: rows, next }
}

#[async_trait]
impl ProjectStore for MemoryStore {
    async fn create_project(&self, user: UserId, new: NewProject) -> Result<Project> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let (project, e) = logic::create_project(ctx, user, new, now)?;
            state.projects.insert(project.id, project.clone());
            Ok((project, vec![e]))
        })
    }

    async fn get_project(&self, user: UserId, id: ProjectId) -> Result<Project> {
        self.read(|s| own(&s.projects, &id, user, |p| p.user_id).cloned())
            .ok_or_else(|| Error::not_found("project", id))
    }

    async fn update_project(
        &self,
        user: UserId,
        id: ProjectId,
        expected_version: Option<u64>,
        patch: ProjectPatch,
    ) -> Result<Project> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let current = own(&state.projects, &id, user, |p| p.user_id)
                .ok_or_else(|| Error::not_found("project", id))?;
            let (project, e) = logic::update_project(ctx, current, expected_version, &patch, now)?;
            state.projects.insert(id, project.clone());
            Ok((project, vec![e]))
        })
    }

    async fn delete_project(&self, user: UserId, id: ProjectId) -> Result<Project> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let current = own(&state.projects, &id, user, |p| p.user_id)
                .ok_or_else(|| Error::not_found("project", id))?;
            let (project, e) = logic::delete_project(ctx, current, now)?;
            state.projects.insert(id, project.clone());
            Ok((project, vec![e]))
        })
    }

    async fn list_projects(&self, user: UserId, include_deleted: bool) -> Result<Vec<Project>> {
        Ok(self.read(|s| {
            let mut rows: Vec<Project> = s
                .projects
                .values()
                .filter(|p| p.user_id == user && (include_deleted || p.deleted_at.is_none()))
                .cloned()
                .collect();
            rows.sort_by_key(|p| (p.created_at, p.id));
            rows
        }))
    }
}

#[async_trait]
impl CalendarStore for MemoryStore {
    async fn upsert_calendar_event(
        &self,
        user: UserId,
        input: CalendarEventInput,
    ) -> Result<Upserted<CalendarEvent>> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let mine = || state.calendar.values().filter(|e| e.user_id == user);
            let key = logic::recurrence_key(input.recurrence_id.as_ref());
            let existing = input.external_id.as_ref().and_then(|x| {
                mine().find(|e| {
                    e.provider == input.provider
                        && e.external_id.as_ref() == Some(x)
                        && logic::recurrence_key(e.recurrence_id.as_ref()) == key
                })
            });
            let series_id = match input.series_id {
                Some(s) => {
                    if own(&state.calendar, &s, user, |e| e.user_id).is_none() {
                        return Err(Error::invalid("series_id", s, "an event of this user"));
                    }
                    Some(s)
                }
                None if input.recurrence_id.is_some() => input.external_id.as_ref().and_then(|x| {
                    mine()
                        .find(|e| {
                            e.provider == input.provider
                                && e.external_id.as_ref() == Some(x)
                                && e.recurrence_id.is_none()
                        })
                        .map(|e| e.id)
                }),
                None => None,
            };
            let existing = existing.cloned();
            match logic::upsert_calendar_event(ctx, user, input, existing.as_ref(), series_id, now)?
            {
                None => Ok((
                    Upserted::Unchanged(
                        existing.ok_or_else(|| Error::not_found("calendar_event", "?"))?,
                    ),
                    vec![],
                )),
                Some((row, e)) => {
                    state.calendar.insert(row.id, row.clone());
                    let out = if existing.is_some() {
                        Upserted::Updated(row)
                    } else {
                        Upserted::Created(row)
                    };
                    Ok((out, vec![e]))
                }
            }
        })
    }

    async fn get_calendar_event(&self, user: UserId, id: CalendarEventId) -> Result<CalendarEvent> {
        self.read(|s| own(&s.calendar, &id, user, |e| e.user_id).cloned())
            .ok_or_else(|| Error::not_found("calendar_event", id))
    }

    async fn delete_calendar_event(
        &self,
        user: UserId,
        id: CalendarEventId,
    ) -> Result<CalendarEvent> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let current = own(&state.calendar, &id, user, |e| e.user_id)
                .ok_or_else(|| Error::not_found("calendar_event", id))?;
            let (row, e) = logic::delete_calendar_event(ctx, current, now)?;
            state.calendar.insert(id, row.clone());
            Ok((row, vec![e]))
        })
    }

    async fn list_calendar_events(
        &self,
        user: UserId,
        include_deleted: bool,
    ) -> Result<Vec<CalendarEvent>> {
        Ok(self.read(|s| {
            s.calendar
                .values()
                .filter(|e| e.user_id == user && (include_deleted || e.deleted_at.is_none()))
                .cloned()
                .collect()
        }))
    }

    async fn list_events_for_window(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarEvent>> {
        if to < from {
            return Err(Error::invalid("to", to.to_rfc3339(), "at or after from"));
        }
        Ok(self.read(|s| {
            let live: Vec<(&CalendarEvent, CalIndex)> = s
                .calendar
                .values()
                .filter(|e| e.user_id == user && e.deleted_at.is_none())
                .map(|e| (e, CalIndex::of(e)))
                .collect();
            let masters: BTreeSet<CalendarEventId> = live
                .iter()
                .filter(|(_, i)| i.kind == CalKind::Master && i.series_may_touch(from, to))
                .map(|(e, _)| e.id)
                .collect();
            live.into_iter()
                .filter(|(e, i)| match i.kind {
                    CalKind::Single => i.overlaps(from, to),
                    CalKind::Master => masters.contains(&e.id),
                    CalKind::Override => {
                        i.overlaps(from, to) || e.series_id.is_some_and(|s| masters.contains(&s))
                    }
                })
                .map(|(e, _)| e.clone())
                .collect()
        }))
    }
}

#[async_trait]
impl ProfileStore for MemoryStore {
    async fn create_profile(&self, user: UserId, new: NewProfile) -> Result<Profile> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            if state.profiles.contains_key(&user) {
                return Err(Error::Duplicate {
                    entity: "profile",
                    key: user.to_string(),
                });
            }
            let (profile, e) = logic::create_profile(ctx, user, new, now)?;
            state.profiles.insert(user, profile.clone());
            Ok((profile, vec![e]))
        })
    }

    async fn get_profile(&self, user: UserId) -> Result<Profile> {
        self.read(|s| s.profiles.get(&user).cloned())
            .ok_or_else(|| Error::not_found("profile", user))
    }

    async fn update_profile(
        &self,
        user: UserId,
        expected_version: Option<u64>,
        patch: ProfilePatch,
    ) -> Result<Profile> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let current = state
                .profiles
                .get(&user)
                .ok_or_else(|| Error::not_found("profile", user))?;
            let (profile, e) = logic::update_profile(ctx, current, expected_version, &patch, now)?;
            state.profiles.insert(user, profile.clone());
            Ok((profile, vec![e]))
        })
    }
}

#[async_trait]
impl SubscriptionStore for MemoryStore {
    async fn upsert_subscription(
        &self,
        user: UserId,
        input: SubscriptionInput,
    ) -> Result<Upserted<Subscription>> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let existing = state
                .subscriptions
                .values()
                .find(|s| {
                    s.user_id == user && s.stripe_subscription_id == input.stripe_subscription_id
                })
                .cloned();
            match logic::upsert_subscription(ctx, user, &input, existing.as_ref(), now)? {
                None => Ok((
                    Upserted::Unchanged(
                        existing.ok_or_else(|| Error::not_found("subscription", "?"))?,
                    ),
                    vec![],
                )),
                Some((sub, e)) => {
                    state.subscriptions.insert(sub.id, sub.clone());
                    let out = if existing.is_some() {
                        Upserted::Updated(sub)
                    } else {
                        Upserted::Created(sub)
                    };
                    Ok((out, vec![e]))
                }
            }
        })
    }

    async fn list_subscriptions(&self, user: UserId) -> Result<Vec<Subscription>> {
        Ok(self.read(|s| {
            let mut rows: Vec<Subscription> = s
                .subscriptions
                .values()
                .filter(|x| x.user_id == user)
                .cloned()
                .collect();
            rows.sort_by_key(|x| (x.created_at, x.id));
            rows
        }))
    }
}

impl MemoryStore {
    fn token_of(state: &State, user: UserId, provider: &str) -> Option<OAuthToken> {
        state
            .tokens
            .values()
            .find(|t| t.user_id == user && t.provider == provider)
            .cloned()
    }
}

#[async_trait]
impl OAuthTokenStore for MemoryStore {
    async fn put_oauth_token(
        &self,
        user: UserId,
        provider: &str,
        secret: OAuthSecret,
    ) -> Result<OAuthToken> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let existing = Self::token_of(state, user, provider);
            let (token, e) =
                logic::seal_token(ctx, user, provider, &secret, existing.as_ref(), now)?;
            state.tokens.insert(token.id, token.clone());
            Ok((token, vec![e]))
        })
    }

    async fn get_oauth_token(&self, user: UserId, provider: &str) -> Result<OAuthToken> {
        let provider = logic::provider_key(provider)?;
        self.read(|s| Self::token_of(s, user, provider))
            .ok_or_else(|| Error::not_found("oauth_token", provider))
    }

    async fn open_oauth_token(&self, user: UserId, provider: &str) -> Result<OAuthSecret> {
        let token = self.get_oauth_token(user, provider).await?;
        logic::open_token(self.ctx.keyring()?, &token)
    }

    async fn list_oauth_tokens(&self, user: UserId) -> Result<Vec<OAuthToken>> {
        Ok(self.read(|s| {
            let mut rows: Vec<OAuthToken> = s
                .tokens
                .values()
                .filter(|t| t.user_id == user)
                .cloned()
                .collect();
            rows.sort_by(|a, b| a.provider.cmp(&b.provider));
            rows
        }))
    }

    async fn delete_oauth_token(&self, user: UserId, provider: &str) -> Result<()> {
        let provider = logic::provider_key(provider)?;
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let token = Self::token_of(state, user, provider)
                .ok_or_else(|| Error::not_found("oauth_token", provider))?;
            state.tokens.remove(&token.id);
            Ok(((), vec![logic::token_deleted(ctx, &token, now)]))
        })
    }

    async fn rotate_oauth_tokens(&self, user: UserId) -> Result<u32> {
        let now = self.ctx.now();
        self.mutate(|state, ctx| {
            let mut out = Vec::new();
            let mut events = Vec::new();
            for t in state.tokens.values().filter(|t| t.user_id == user) {
                if let Some((sealed, e)) = logic::reseal_token(ctx, t, now)? {
                    out.push(sealed);
                    events.push(e);
                }
            }
            let n = u32::try_from(out.len()).unwrap_or(u32::MAX);
            for t in out {
                state.tokens.insert(t.id, t);
            }
            Ok((n, events))
        })
    }
}

#[async_trait]
impl EventLog for MemoryStore {
    async fn read_events(&self, user: UserId, query: &EventQuery) -> Result<EventPage> {
        query.check()?;
        Ok(self.read(|s| {
            let limit = query.limit as usize;
            let mut events: Vec<StoredEvent> = s
                .events
                .iter()
                .filter(|e| {
                    e.event.user_id == user
                        && query.after_seq.is_none_or(|a| e.seq > a)
                        && query.matches(&e.event)
                })
                .take(limit + 1)
                .cloned()
                .collect();
            let next = if events.len() > limit {
                events.truncate(limit);
                events.last().map(|e| e.seq)
            } else {
                None
            };
            EventPage { events, next }
        }))
    }

    fn subscribe(&self, user: UserId) -> EventStream {
        self.ctx.hub.subscribe(user)
    }

    async fn record_event(
        &self,
        user: UserId,
        source: EventSource,
        payload: EventPayload,
    ) -> Result<StoredEvent> {
        let now = self.ctx.now();
        let e = logic::recorded_event(&self.ctx, user, source, payload, now)?;
        let mut state = lock(&self.state);
        let mut stored = state.append(vec![e]);
        let out = stored
            .pop()
            .ok_or_else(|| Error::not_found("event", "recorded"))?;
        self.ctx.hub.publish([out.clone()]);
        Ok(out)
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn erase_user(&self, user: UserId) -> Result<Erasure> {
        let now = self.ctx.now();
        let mut state = lock(&self.state);
        let mut counts = BTreeMap::new();
        fn drain<K: Ord + Copy, V>(map: &mut BTreeMap<K, V>, keep: impl Fn(&V) -> bool) -> u64 {
            let before = map.len();
            map.retain(|_, v| keep(v));
            (before - map.len()) as u64
        }
        counts.insert(
            "tasks".to_owned(),
            drain(&mut state.tasks, |t| t.user_id != user),
        );
        counts.insert(
            "projects".to_owned(),
            drain(&mut state.projects, |p| p.user_id != user),
        );
        counts.insert(
            "calendar_events".to_owned(),
            drain(&mut state.calendar, |e| e.user_id != user),
        );
        counts.insert(
            "subscriptions".to_owned(),
            drain(&mut state.subscriptions, |s| s.user_id != user),
        );
        counts.insert(
            "oauth_tokens".to_owned(),
            drain(&mut state.tokens, |t| t.user_id != user),
        );
        counts.insert(
            "profiles".to_owned(),
            u64::from(state.profiles.remove(&user).is_some()),
        );
        let before = state.events.len();
        state
            .events
            .retain(|e| e.event.user_id != user || logic::is_tombstone(&e.event));
        counts.insert("events".to_owned(), (before - state.events.len()) as u64);
        let e = logic::tombstone(&self.ctx, user, counts.clone(), now);
        let mut stored = state.append(vec![e]);
        let tombstone = stored
            .pop()
            .ok_or_else(|| Error::not_found("event", "tombstone"))?;
        self.ctx.hub.publish([tombstone.clone()]);
        Ok(Erasure { counts, tombstone })
    }
}
