//! What every backend computes the same way: new rows and their events, version checks,
//! the calendar window index. Backends only load and persist.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use lifeos_core::calendar::{EventTime, Provider};
use lifeos_core::event::{
    CalendarEventChanged, CalendarEventRef, OAuthTokenChanged, ProfileUpdated, ProjectCreated,
    ProjectRef, ProjectUpdated, ScheduledBy, SubscriptionChanged, TaskCompleted, TaskCreated,
    TaskRef, TaskScheduled, TaskUpdated, UserErased,
};
use lifeos_core::recurrence::{RecurrenceRule, Until};
use lifeos_core::{
    CalendarEvent, CalendarEventId, DomainEvent, EventId, EventPayload, EventSource, NewProfile,
    NewProject, NewTask, OAuthToken, OAuthTokenId, Profile, ProfilePatch, Project, ProjectId,
    ProjectPatch, Subscription, SubscriptionId, Task, TaskId, Tier, UserId,
};

use crate::clock::Ctx;
use crate::crypto::{Keyring, OAuthSecret, aad};
use crate::error::{Error, Result};
use crate::model::{CalendarEventInput, SubscriptionInput, TaskChange, TaskOp};

/// A domain event of `user` at `now`.
pub(crate) fn event(
    ctx: &Ctx,
    user: UserId,
    now: DateTime<Utc>,
    source: EventSource,
    payload: EventPayload,
) -> DomainEvent {
    DomainEvent {
        id: ctx.with_rng(|rng| EventId::generate(now, rng)),
        occurred_at: now,
        user_id: user,
        source,
        payload,
    }
}

/// Instants are stored as i64 nanoseconds since the epoch (years 1677 to 2262): refuse
/// others in every backend alike.
fn check_instant(field: &str, t: Option<DateTime<Utc>>) -> Result<()> {
    match t {
        Some(t) if t.timestamp_nanos_opt().is_none() => Err(Error::invalid(
            field,
            t.to_rfc3339(),
            "an instant between 1677-09-22 and 2262-04-11",
        )),
        _ => Ok(()),
    }
}

/// Nanoseconds since the epoch, saturating (callers checked the range first).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

fn check_task_instants(task: &Task) -> Result<()> {
    check_instant("due_date", task.due_date)?;
    check_instant("scheduled_start", task.scheduled_start)?;
    check_instant("scheduled_end", task.scheduled_end)?;
    check_instant("pinned_start", task.pinned_start)?;
    check_instant("ai_suggested_time", task.ai_suggested_time)
}

/// A new task and its `task.created` event.
pub(crate) fn create_task(
    ctx: &Ctx,
    user: UserId,
    new: NewTask,
    now: DateTime<Utc>,
) -> Result<(Task, DomainEvent)> {
    let id = ctx.with_rng(|rng| TaskId::generate(now, rng));
    let task = Task::create(id, user, new, now)?;
    check_task_instants(&task)?;
    let payload = EventPayload::TaskCreated(TaskCreated {
        task_id: task.id,
        title: task.title.clone(),
        priority: task.priority,
        due_date: task.due_date,
    });
    let e = event(ctx, user, now, EventSource::Api, payload);
    Ok((task, e))
}

fn check_version(
    entity: &'static str,
    id: impl std::fmt::Display,
    expected: Option<u64>,
    actual: u64,
) -> Result<()> {
    match expected {
        Some(expected) if expected != actual => Err(Error::Conflict {
            entity,
            id: id.to_string(),
            expected,
            actual,
        }),
        _ => Ok(()),
    }
}

/// `change` applied to `current`: the new task and its event, or `None` for a no-op
/// (deleting a deleted task, restoring a live one).
pub(crate) fn change_task(
    ctx: &Ctx,
    current: &Task,
    change: &TaskChange,
    now: DateTime<Utc>,
) -> Result<Option<(Task, DomainEvent)>> {
    check_version("task", current.id, change.expected_version, current.version)?;
    let mut task = current.clone();
    let id = task.id;
    let (payload, source) = match &change.op {
        TaskOp::Delete if task.is_deleted() => return Ok(None),
        TaskOp::Restore if !task.is_deleted() => return Ok(None),
        TaskOp::Delete => {
            task.soft_delete(now);
            (
                EventPayload::TaskDeleted(TaskRef { task_id: id }),
                EventSource::Api,
            )
        }
        TaskOp::Restore => {
            task.restore(now);
            (
                EventPayload::TaskRestored(TaskRef { task_id: id }),
                EventSource::Api,
            )
        }
        _ if task.is_deleted() => return Err(Error::not_found("task", id)),
        TaskOp::Update(patch) => {
            task.apply(patch, now)?;
            let changed = patch
                .changed_fields()
                .into_iter()
                .map(String::from)
                .collect();
            let payload = EventPayload::TaskUpdated(TaskUpdated {
                task_id: id,
                version: task.version,
                changed,
            });
            (payload, EventSource::Api)
        }
        TaskOp::Complete {
            actual_minutes,
            via_ai,
        } => {
            if let Some(m) = actual_minutes
                && i64::from(*m) > lifeos_core::task::ACTUAL_MAX_MINUTES
            {
                return Err(Error::invalid(
                    "actual_minutes",
                    m,
                    "an integer in 0..=43200",
                ));
            }
            task.transition(lifeos_core::TaskStatus::Completed, now)?;
            if actual_minutes.is_some() {
                task.actual_minutes = *actual_minutes;
            }
            let payload = EventPayload::TaskCompleted(TaskCompleted {
                task_id: id,
                actual_minutes: task.actual_minutes,
                completed_via_ai: *via_ai,
            });
            let source = if *via_ai {
                EventSource::Ai
            } else {
                EventSource::Api
            };
            (payload, source)
        }
        TaskOp::Schedule {
            start,
            end,
            by,
            rationale,
        } => {
            task.schedule(*start, *end, now)?;
            let payload = EventPayload::TaskScheduled(TaskScheduled {
                task_id: id,
                scheduled_start: *start,
                scheduled_end: *end,
                scheduled_by: *by,
                rationale: rationale.clone(),
            });
            let source = match by {
                ScheduledBy::User => EventSource::Api,
                ScheduledBy::Planner | ScheduledBy::Ai => EventSource::Ai,
            };
            (payload, source)
        }
    };
    check_task_instants(&task)?;
    let e = event(ctx, task.user_id, now, source, payload);
    Ok(Some((task, e)))
}

/// A new project and its `project.created` event.
pub(crate) fn create_project(
    ctx: &Ctx,
    user: UserId,
    new: NewProject,
    now: DateTime<Utc>,
) -> Result<(Project, DomainEvent)> {
    let id = ctx.with_rng(|rng| ProjectId::generate(now, rng));
    let project = Project::create(id, user, new, now)?;
    let payload = EventPayload::ProjectCreated(ProjectCreated {
        project_id: id,
        name: project.name.clone(),
    });
    let e = event(ctx, user, now, EventSource::Api, payload);
    Ok((project, e))
}

/// The project patched, and its `project.updated` event.
pub(crate) fn update_project(
    ctx: &Ctx,
    current: &Project,
    expected: Option<u64>,
    patch: &ProjectPatch,
    now: DateTime<Utc>,
) -> Result<(Project, DomainEvent)> {
    if current.deleted_at.is_some() {
        return Err(Error::not_found("project", current.id));
    }
    check_version("project", current.id, expected, current.version)?;
    let mut project = current.clone();
    project.apply(patch, now)?;
    let payload = EventPayload::ProjectUpdated(ProjectUpdated {
        project_id: project.id,
        version: project.version,
        changed: patch
            .changed_fields()
            .into_iter()
            .map(String::from)
            .collect(),
    });
    let e = event(ctx, project.user_id, now, EventSource::Api, payload);
    Ok((project, e))
}

/// The project soft-deleted, and its `project.deleted` event.
pub(crate) fn delete_project(
    ctx: &Ctx,
    current: &Project,
    now: DateTime<Utc>,
) -> Result<(Project, DomainEvent)> {
    if current.deleted_at.is_some() {
        return Err(Error::not_found("project", current.id));
    }
    let mut project = current.clone();
    project.deleted_at = Some(now);
    project.updated_at = now;
    project.version += 1;
    let payload = EventPayload::ProjectDeleted(ProjectRef {
        project_id: project.id,
    });
    let e = event(ctx, project.user_id, now, EventSource::Api, payload);
    Ok((project, e))
}

/// A new profile and its `profile.updated` event naming the fields set.
pub(crate) fn create_profile(
    ctx: &Ctx,
    user: UserId,
    new: NewProfile,
    now: DateTime<Utc>,
) -> Result<(Profile, DomainEvent)> {
    let mut changed = vec!["email".to_owned()];
    if new.name.is_some() {
        changed.push("name".into());
    }
    if new.avatar_url.is_some() {
        changed.push("avatar_url".into());
    }
    changed.push("preferences".into());
    let profile = Profile::create(user, new, now)?;
    let payload = EventPayload::ProfileUpdated(ProfileUpdated { changed });
    let e = event(ctx, user, now, EventSource::Api, payload);
    Ok((profile, e))
}

/// The profile patched, and its `profile.updated` event.
pub(crate) fn update_profile(
    ctx: &Ctx,
    current: &Profile,
    expected: Option<u64>,
    patch: &ProfilePatch,
    now: DateTime<Utc>,
) -> Result<(Profile, DomainEvent)> {
    check_version("profile", current.id, expected, current.version)?;
    let mut profile = current.clone();
    profile.apply(patch, now)?;
    let changed = [
        ("name", patch.name.is_some()),
        ("avatar_url", patch.avatar_url.is_some()),
        ("preferences", patch.preferences.is_some()),
        ("onboarding_completed", patch.onboarding_completed.is_some()),
    ]
    .into_iter()
    .filter(|(_, set)| *set)
    .map(|(n, _)| n.to_owned())
    .collect();
    let payload = EventPayload::ProfileUpdated(ProfileUpdated { changed });
    let e = event(ctx, profile.id, now, EventSource::Api, payload);
    Ok((profile, e))
}

/// The key a calendar event is upserted by, besides provider and external id.
pub(crate) fn recurrence_key(recurrence_id: Option<&EventTime>) -> String {
    recurrence_id
        .and_then(|r| serde_json::to_string(r).ok())
        .unwrap_or_default()
}

/// The calendar event an upsert writes, and its event; `None` when the etag is unchanged.
pub(crate) fn upsert_calendar_event(
    ctx: &Ctx,
    user: UserId,
    input: CalendarEventInput,
    existing: Option<&CalendarEvent>,
    series_id: Option<CalendarEventId>,
    now: DateTime<Utc>,
) -> Result<Option<(CalendarEvent, DomainEvent)>> {
    if let Some(old) = existing
        && old.deleted_at.is_none()
        && old.etag.is_some()
        && old.etag == input.etag
    {
        return Ok(None);
    }
    let id = match existing {
        Some(old) => old.id,
        None => ctx.with_rng(|rng| CalendarEventId::generate(now, rng)),
    };
    let synced_at = (input.provider != Provider::Manual).then_some(now);
    let event_row = CalendarEvent {
        id,
        user_id: user,
        provider: input.provider,
        external_id: input.external_id,
        title: input.title,
        description: input.description,
        location: input.location,
        start: input.start,
        end: input.end,
        duration: input.duration,
        rrule: input.rrule,
        rdates: input.rdates,
        exdates: input.exdates,
        series_id,
        recurrence_id: input.recurrence_id,
        recurrence_range: input.recurrence_range,
        status: input.status,
        transparency: input.transparency,
        attendees: input.attendees,
        conference_url: input.conference_url,
        etag: input.etag,
        synced_at,
        created_at: existing.map_or(now, |o| o.created_at),
        updated_at: now,
        deleted_at: None,
    };
    event_row.validate()?;
    let index = CalIndex::of(&event_row);
    check_instant("start", Some(index.lo))?;
    check_instant("end", Some(index.hi))?;
    let changed = CalendarEventChanged {
        calendar_event_id: id,
        provider: event_row.provider,
        external_id: event_row.external_id.clone(),
        etag: event_row.etag.clone(),
    };
    let payload = if existing.is_some() {
        EventPayload::CalendarEventUpdated(changed)
    } else {
        EventPayload::CalendarEventCreated(changed)
    };
    let source = if event_row.provider == Provider::Manual {
        EventSource::Api
    } else {
        EventSource::Sync
    };
    let e = event(ctx, user, now, source, payload);
    Ok(Some((event_row, e)))
}

/// The calendar event soft-deleted, and its `calendar_event.deleted` event.
pub(crate) fn delete_calendar_event(
    ctx: &Ctx,
    current: &CalendarEvent,
    now: DateTime<Utc>,
) -> Result<(CalendarEvent, DomainEvent)> {
    if current.deleted_at.is_some() {
        return Err(Error::not_found("calendar_event", current.id));
    }
    let mut row = current.clone();
    row.deleted_at = Some(now);
    row.updated_at = now;
    let payload = EventPayload::CalendarEventDeleted(CalendarEventRef {
        calendar_event_id: row.id,
    });
    let e = event(ctx, row.user_id, now, EventSource::Api, payload);
    Ok((row, e))
}

/// What kind of calendar row an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CalKind {
    Single,
    Master,
    Override,
}

impl CalKind {
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CalKind::Single => "single",
            CalKind::Master => "master",
            CalKind::Override => "override",
        }
    }
}

/// The coarse instants the window pre-filter compares, identical in every backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CalIndex {
    pub(crate) kind: CalKind,
    /// Earliest instant the first start can denote.
    pub(crate) lo: DateTime<Utc>,
    /// Latest instant the first end can denote.
    pub(crate) hi: DateTime<Utc>,
    /// For a master: the latest instant any occurrence can end; `None`: unbounded.
    pub(crate) series_until: Option<DateTime<Utc>>,
}

/// Any zone's offset lies within 15 hours of UTC.
fn slack() -> Duration {
    Duration::hours(15)
}

fn coarse(t: &EventTime) -> (DateTime<Utc>, DateTime<Utc>) {
    match *t {
        EventTime::Date(d) => {
            let at = d.and_time(chrono::NaiveTime::MIN).and_utc();
            (at - slack(), at + slack())
        }
        EventTime::Floating(l) => {
            let at = l.and_utc();
            (at - slack(), at + slack())
        }
        EventTime::Zoned { .. } | EventTime::Utc(_) => {
            let at = t.to_utc(chrono_tz::Tz::UTC);
            (at, at)
        }
    }
}

/// The UNTIL of a rule as a coarse latest instant, if it has one.
fn rrule_until(rule: &RecurrenceRule) -> Option<DateTime<Utc>> {
    let naive = match rule.until()? {
        Until::Date(d) => d.and_time(chrono::NaiveTime::MIN) + Duration::days(1),
        Until::Local(t) | Until::Utc(t) => t,
    };
    Some(naive.and_utc() + slack())
}

impl CalIndex {
    pub(crate) fn of(e: &CalendarEvent) -> CalIndex {
        let (lo, _) = coarse(&e.start);
        let (_, hi) = coarse(&e.end);
        let kind = if e.series_id.is_some() || e.recurrence_id.is_some() {
            CalKind::Override
        } else if e.rrule.is_some() || !e.rdates.is_empty() {
            CalKind::Master
        } else {
            CalKind::Single
        };
        let series_until = if kind == CalKind::Master {
            let duration = (hi - lo).max(Duration::zero());
            let rule_end = match &e.rrule {
                None => Some(hi),
                Some(rule) => rrule_until(rule).map(|u| u + duration),
            };
            rule_end.map(|end| {
                e.rdates
                    .iter()
                    .map(|r| coarse(r).1 + duration)
                    .fold(end.max(hi), DateTime::max)
            })
        } else {
            None
        };
        CalIndex {
            kind,
            lo,
            hi,
            series_until,
        }
    }

    /// Whether the row itself meets `[from, to]`.
    pub(crate) fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.lo <= to && self.hi >= from
    }

    /// Whether a master's series may have an occurrence meeting `[from, to]`.
    pub(crate) fn series_may_touch(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.lo <= to && self.series_until.is_none_or(|u| u >= from)
    }
}

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

fn check_provider(provider: &str) -> Result<()> {
    let n = provider.chars().count();
    if (1..=50).contains(&n) && !provider.contains('/') {
        Ok(())
    } else {
        Err(Error::invalid(
            "provider",
            provider,
            "1..=50 characters, no '/'",
        ))
    }
}

/// The provider name checked, for lookups.
pub(crate) fn provider_key(provider: &str) -> Result<&str> {
    check_provider(provider)?;
    Ok(provider)
}

/// A token sealed under the current key, replacing `existing`, and its event.
pub(crate) fn seal_token(
    ctx: &Ctx,
    user: UserId,
    provider: &str,
    secret: &OAuthSecret,
    existing: Option<&OAuthToken>,
    now: DateTime<Utc>,
) -> Result<(OAuthToken, DomainEvent)> {
    check_provider(provider)?;
    check_instant("expires_at", Some(secret.expires_at))?;
    let ring = ctx.keyring()?;
    let key_id = ring.current_key_id();
    let token = OAuthToken {
        id: match existing {
            Some(old) => old.id,
            None => ctx.with_rng(|rng| OAuthTokenId::generate(now, rng)),
        },
        user_id: user,
        provider: provider.to_owned(),
        access_token_ciphertext: ring.seal(
            key_id,
            secret.access_token.as_bytes(),
            &aad(user, provider, "access"),
        )?,
        refresh_token_ciphertext: ring.seal(
            key_id,
            secret.refresh_token.as_bytes(),
            &aad(user, provider, "refresh"),
        )?,
        key_id,
        expires_at: secret.expires_at,
        scopes: secret.scopes.clone(),
        created_at: existing.map_or(now, |o| o.created_at),
        updated_at: now,
    };
    let payload = EventPayload::OAuthTokenStored(OAuthTokenChanged {
        token_id: token.id,
        provider: token.provider.clone(),
        key_id: token.key_id,
    });
    let e = event(ctx, user, now, EventSource::Api, payload);
    Ok((token, e))
}

/// Opens a sealed token.
pub(crate) fn open_token(ring: &Keyring, token: &OAuthToken) -> Result<OAuthSecret> {
    let user = token.user_id;
    let p = &token.provider;
    let text = |bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|_| Error::Crypto {
            message: "opened token is not UTF-8".into(),
        })
    };
    Ok(OAuthSecret {
        access_token: text(ring.open(
            token.key_id,
            &token.access_token_ciphertext,
            &aad(user, p, "access"),
        )?)?,
        refresh_token: text(ring.open(
            token.key_id,
            &token.refresh_token_ciphertext,
            &aad(user, p, "refresh"),
        )?)?,
        expires_at: token.expires_at,
        scopes: token.scopes.clone(),
    })
}

/// The token re-sealed under the current key and its event; `None` if already current.
pub(crate) fn reseal_token(
    ctx: &Ctx,
    token: &OAuthToken,
    now: DateTime<Utc>,
) -> Result<Option<(OAuthToken, DomainEvent)>> {
    let ring = ctx.keyring()?;
    if token.key_id == ring.current_key_id() {
        return Ok(None);
    }
    let secret = open_token(ring, token)?;
    let (mut sealed, _) = seal_token(
        ctx,
        token.user_id,
        &token.provider,
        &secret,
        Some(token),
        now,
    )?;
    sealed.updated_at = now;
    let payload = EventPayload::OAuthTokenRotated(OAuthTokenChanged {
        token_id: sealed.id,
        provider: sealed.provider.clone(),
        key_id: sealed.key_id,
    });
    let e = event(ctx, token.user_id, now, EventSource::Cron, payload);
    Ok(Some((sealed, e)))
}

/// The `oauth_token.deleted` event.
pub(crate) fn token_deleted(ctx: &Ctx, token: &OAuthToken, now: DateTime<Utc>) -> DomainEvent {
    let payload = EventPayload::OAuthTokenDeleted(OAuthTokenChanged {
        token_id: token.id,
        provider: token.provider.clone(),
        key_id: 0,
    });
    event(ctx, token.user_id, now, EventSource::Api, payload)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
    }

    #[test]
    fn rrule_until_forms() {
        let until = |text: &str| rrule_until(&text.parse().unwrap());
        assert_eq!(
            until("FREQ=DAILY;UNTIL=20260310T120000Z"),
            Some(at(10, 12) + slack())
        );
        assert_eq!(
            until("FREQ=DAILY;UNTIL=20260310"),
            Some(at(11, 0) + slack())
        );
        assert_eq!(until("FREQ=DAILY;COUNT=3"), None);
        assert!(
            "FREQ=DAILY;UNTIL=garbage"
                .parse::<RecurrenceRule>()
                .is_err()
        );
    }

    #[test]
    fn window_index_of_masters_and_floating_times() {
        let ctx = Ctx::new(crate::StoreOptions::new());
        let mut input = CalendarEventInput::new(
            Provider::Manual,
            "m",
            EventTime::Utc(at(1, 9)),
            EventTime::Utc(at(1, 10)),
        );
        input.rrule = Some("FREQ=DAILY;UNTIL=20260305T090000Z".parse().unwrap());
        input.rdates = vec![EventTime::Utc(at(20, 9))];
        let user = UserId::from_uuid(uuid::Uuid::from_u128(1));
        let (e, _) = upsert_calendar_event(&ctx, user, input, None, None, at(1, 0))
            .unwrap()
            .unwrap();
        let i = CalIndex::of(&e);
        assert_eq!(i.kind, CalKind::Master);
        // The last RDATE (plus the instance length) bounds the series.
        assert_eq!(i.series_until, Some(at(20, 10)));
        assert!(i.series_may_touch(at(20, 9), at(20, 11)));
        assert!(!i.series_may_touch(at(21, 0), at(22, 0)));
        let floating = EventTime::Floating(at(2, 9).naive_utc());
        assert_eq!(coarse(&floating), (at(1, 18), at(3, 0)));
    }
}
