//! proptest strategies for every public domain type.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use lifeos_core::billing::{Subscription, SubscriptionStatus, Tier};
use lifeos_core::calendar::{
    Attendee, AttendeeResponse, CalendarEvent, EventStatus, EventTime, NominalDuration, Provider,
    RecurrenceRange, Transparency,
};
use lifeos_core::event::*;
use lifeos_core::*;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;

pub fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 1990..2100, millisecond precision.
    (631_152_000_000i64..4_102_444_800_000i64)
        .prop_map(|ms| Utc.timestamp_millis_opt(ms).single().unwrap())
}

pub fn naive() -> impl Strategy<Value = NaiveDateTime> {
    (0i64..3_000_000_000).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap().naive_utc())
}

pub fn date() -> impl Strategy<Value = NaiveDate> {
    (0i32..50_000)
        .prop_map(|d| NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Days::new(d as u64))
}

pub fn tz() -> impl Strategy<Value = Tz> {
    (0usize..chrono_tz::TZ_VARIANTS.len()).prop_map(|i| chrono_tz::TZ_VARIANTS[i])
}

pub fn uuid() -> impl Strategy<Value = uuid::Uuid> {
    any::<u128>().prop_map(uuid::Uuid::from_u128)
}

pub fn text() -> impl Strategy<Value = String> {
    "\\PC{0,40}"
}

/// Valid recurrence rules, written in several ways (lower case, defaults spelled out, `X-`
/// parts), so a round trip must keep the text, not a canonical form.
pub fn rule() -> impl Strategy<Value = RecurrenceRule> {
    prop::sample::select(vec![
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "freq=weekly;interval=1;byday=we",
        "FREQ=MONTHLY;BYDAY=-1FR;COUNT=12",
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8;UNTIL=20300101",
        "FREQ=DAILY;UNTIL=20260305T090000Z;X-NAME=kept",
        "FREQ=HOURLY;INTERVAL=3;WKST=SU",
    ])
    .prop_map(|text| text.parse().unwrap())
}

pub fn ids<T: From<uuid::Uuid> + std::fmt::Debug>() -> impl Strategy<Value = T> {
    uuid().prop_map(T::from)
}

pub fn priority() -> impl Strategy<Value = Priority> {
    (0u8..=3).prop_map(|p| Priority::new(p).unwrap())
}

pub fn status() -> impl Strategy<Value = TaskStatus> {
    prop::sample::select(TaskStatus::ALL.to_vec())
}

pub fn subtask() -> impl Strategy<Value = Subtask> {
    (text(), option::of(1u32..1440), any::<bool>()).prop_map(|(title, estimated_minutes, done)| {
        Subtask {
            title,
            estimated_minutes,
            done,
        }
    })
}

prop_compose! {
    pub fn task()(
        (id, user_id, title, description, status, due_date, hard_deadline) in
            (ids(), ids(), text(), option::of(text()), status(), option::of(instant()), any::<bool>()),
        (scheduled_start, scheduled_end, pinned_start, estimated_minutes, actual_minutes, priority) in
            (option::of(instant()), option::of(instant()), option::of(instant()),
             option::of(1u32..1440), option::of(0u32..5000), priority()),
        (labels, project_id, depends_on, ai_suggested_time, ai_breakdown, ai_context) in
            (vec(text(), 0..4), option::of(ids()), vec(ids(), 0..3), option::of(instant()),
             vec(subtask(), 0..3), option::of(text())),
        (completed_at, created_at, updated_at, deleted_at, version) in
            (option::of(instant()), instant(), instant(), option::of(instant()), 1u64..1_000_000),
        (min_chunk_minutes, max_chunk_minutes, planned_blocks) in
            (option::of((1u32..288).prop_map(|m| m * 5)), option::of((1u32..288).prop_map(|m| m * 5)),
             vec((instant(), instant()).prop_map(|(start, end)| PlannedBlock { start, end }), 0..3)),
    ) -> Task {
        Task {
            id, user_id, title, description, status, due_date, hard_deadline, scheduled_start,
            scheduled_end, pinned_start, estimated_minutes, min_chunk_minutes, max_chunk_minutes,
            planned_blocks, actual_minutes, priority, labels,
            project_id, depends_on, ai_suggested_time, ai_breakdown, ai_context, completed_at,
            created_at, updated_at, deleted_at, version,
        }
    }
}

/// Chunk limits: mostly multiples of 5 (valid or too long), some of any value.
fn chunk_limit() -> impl Strategy<Value = i64> {
    prop_oneof![3 => (1i64..300).prop_map(|m| m * 5), 1 => -5i64..1500]
}

prop_compose! {
    pub fn new_task()(
        (title, description, due_date, hard_deadline, pinned_start) in
            (text(), option::of(text()), option::of(instant()), any::<bool>(), option::of(instant())),
        (estimated_minutes, priority, labels, project_id, depends_on) in
            (option::of(prop_oneof![-5i64..2000, (1i64..4100).prop_map(|m| m * 5)]), -2i64..6, vec(text(), 0..25), option::of(ids()), vec(ids(), 0..3)),
        (min_chunk_minutes, max_chunk_minutes) in (option::of(chunk_limit()), option::of(chunk_limit())),
    ) -> NewTask {
        NewTask { title, description, due_date, hard_deadline, pinned_start, estimated_minutes, min_chunk_minutes, max_chunk_minutes, priority, labels, project_id, depends_on }
    }
}

fn dopt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<Option<T>>> {
    option::of(option::of(s))
}

prop_compose! {
    pub fn task_patch()(
        (title, description, status, due_date, hard_deadline, scheduled_start) in
            (option::of(text()), dopt(text()), option::of(status()), dopt(instant()), option::of(any::<bool>()), dopt(instant())),
        (scheduled_end, pinned_start, estimated_minutes, actual_minutes, priority, labels) in
            (dopt(instant()), dopt(instant()), dopt(-5i64..2000), dopt(-5i64..50_000), option::of(-2i64..6), option::of(vec(text(), 0..4))),
        (project_id, depends_on, ai_suggested_time, ai_breakdown, ai_context) in
            (dopt(ids()), option::of(vec(ids(), 0..3)), dopt(instant()), option::of(vec(subtask(), 0..3)), dopt(text())),
        (min_chunk_minutes, max_chunk_minutes) in (dopt(-5i64..1500), dopt(-5i64..1500)),
    ) -> TaskPatch {
        TaskPatch {
            title, description, status, due_date, hard_deadline, scheduled_start, scheduled_end,
            pinned_start, estimated_minutes, min_chunk_minutes, max_chunk_minutes, actual_minutes, priority, labels, project_id,
            depends_on, ai_suggested_time, ai_breakdown, ai_context,
        }
    }
}

pub fn project() -> impl Strategy<Value = Project> {
    (
        (
            ids(),
            ids(),
            text(),
            option::of(text()),
            option::of("#[0-9a-f]{6}"),
        ),
        (
            option::of(instant()),
            instant(),
            instant(),
            option::of(instant()),
            1u64..100,
        ),
    )
        .prop_map(
            |(
                (id, user_id, name, description, color),
                (archived_at, created_at, updated_at, deleted_at, version),
            )| Project {
                id,
                user_id,
                name,
                description,
                color,
                archived_at,
                created_at,
                updated_at,
                deleted_at,
                version,
            },
        )
}

pub fn project_patch() -> impl Strategy<Value = ProjectPatch> {
    (
        option::of(text()),
        dopt(text()),
        dopt("#[0-9a-fA-F]{6}|red"),
        option::of(any::<bool>()),
    )
        .prop_map(|(name, description, color, archived)| ProjectPatch {
            name,
            description,
            color,
            archived,
        })
}

pub fn clock_time() -> impl Strategy<Value = ClockTime> {
    (0u16..=1440).prop_map(|m| ClockTime::new(m / 60, m % 60).unwrap())
}

pub fn weekday() -> impl Strategy<Value = Weekday> {
    (0u8..7).prop_map(|d| Weekday::try_from(d).unwrap())
}

pub fn preferences() -> impl Strategy<Value = Preferences> {
    (
        tz(),
        (clock_time(), clock_time(), clock_time(), clock_time()),
        (0.0f64..=24.0, 0u32..=1440, vec(weekday(), 0..7)),
    )
        .prop_map(
            |(timezone, (a, b, c, d), (max_focus_hours, meeting_buffer_minutes, working_days))| {
                Preferences {
                    timezone,
                    workday_start: a,
                    workday_end: b,
                    peak_hours_start: c,
                    peak_hours_end: d,
                    max_focus_hours,
                    meeting_buffer_minutes,
                    working_days,
                }
            },
        )
}

pub fn preferences_patch() -> impl Strategy<Value = PreferencesPatch> {
    (
        option::of("[A-Za-z_/]{1,20}"),
        (
            option::of("[0-9:]{0,6}"),
            option::of("[0-9:]{0,6}"),
            option::of("[0-9:]{0,6}"),
            option::of("[0-9:]{0,6}"),
        ),
        (
            option::of(-5.0f64..30.0),
            option::of(-5i64..2000),
            option::of(vec("mon|tue|wed|thu|fri|sat|sun|xyz", 0..8)),
        ),
    )
        .prop_map(
            |(timezone, (a, b, c, d), (max_focus_hours, meeting_buffer_minutes, working_days))| {
                PreferencesPatch {
                    timezone,
                    workday_start: a,
                    workday_end: b,
                    peak_hours_start: c,
                    peak_hours_end: d,
                    max_focus_hours,
                    meeting_buffer_minutes,
                    working_days,
                }
            },
        )
}

pub fn profile() -> impl Strategy<Value = Profile> {
    (
        (
            ids(),
            text(),
            option::of(text()),
            option::of(text()),
            preferences(),
        ),
        (option::of(instant()), instant(), instant(), 1u64..100),
    )
        .prop_map(
            |(
                (id, email, name, avatar_url, preferences),
                (onboarding_completed_at, created_at, updated_at, version),
            )| Profile {
                id,
                email,
                name,
                avatar_url,
                preferences,
                onboarding_completed_at,
                created_at,
                updated_at,
                version,
            },
        )
}

pub fn profile_patch() -> impl Strategy<Value = ProfilePatch> {
    (
        dopt(text()),
        dopt(text()),
        option::of(preferences_patch()),
        option::of(any::<bool>()),
    )
        .prop_map(
            |(name, avatar_url, preferences, onboarding_completed)| ProfilePatch {
                name,
                avatar_url,
                preferences,
                onboarding_completed,
            },
        )
}

pub fn event_time() -> impl Strategy<Value = EventTime> {
    prop_oneof![
        date().prop_map(EventTime::Date),
        naive().prop_map(EventTime::Floating),
        (naive(), tz()).prop_map(|(local, tz)| EventTime::Zoned { local, tz }),
        instant().prop_map(EventTime::Utc),
    ]
}

pub fn provider() -> impl Strategy<Value = Provider> {
    prop::sample::select(vec![
        Provider::Google,
        Provider::Outlook,
        Provider::Apple,
        Provider::Ics,
        Provider::Manual,
    ])
}

pub fn attendee() -> impl Strategy<Value = Attendee> {
    (
        text(),
        option::of(text()),
        prop::sample::select(vec![
            AttendeeResponse::NeedsAction,
            AttendeeResponse::Accepted,
            AttendeeResponse::Declined,
            AttendeeResponse::Tentative,
            AttendeeResponse::Delegated,
        ]),
        any::<bool>(),
    )
        .prop_map(|(email, name, response, optional)| Attendee {
            email,
            name,
            response,
            optional,
        })
}

pub fn calendar_event() -> impl Strategy<Value = CalendarEvent> {
    (
        (
            ids(),
            ids(),
            provider(),
            option::of(text()),
            text(),
            option::of(text()),
            option::of(text()),
        ),
        (
            event_time(),
            event_time(),
            option::of(
                (0i64..400, 0i64..86_400)
                    .prop_map(|(days, seconds)| NominalDuration { days, seconds }),
            ),
            option::of(rule()),
            vec(event_time(), 0..3),
            vec(event_time(), 0..3),
        ),
        (
            option::of(ids()),
            option::of(event_time()),
            prop::sample::select(vec![
                RecurrenceRange::ThisInstance,
                RecurrenceRange::ThisAndFuture,
            ]),
            prop::sample::select(vec![
                EventStatus::Confirmed,
                EventStatus::Tentative,
                EventStatus::Cancelled,
            ]),
            prop::sample::select(vec![Transparency::Busy, Transparency::Free]),
            vec(attendee(), 0..3),
        ),
        (
            option::of(text()),
            option::of(text()),
            option::of(instant()),
            instant(),
            instant(),
            option::of(instant()),
        ),
    )
        .prop_map(
            |(
                (id, user_id, provider, external_id, title, description, location),
                (start, end, duration, rrule, rdates, exdates),
                (series_id, recurrence_id, recurrence_range, status, transparency, attendees),
                (conference_url, etag, synced_at, created_at, updated_at, deleted_at),
            )| CalendarEvent {
                id,
                user_id,
                provider,
                external_id,
                title,
                description,
                location,
                start,
                end,
                duration,
                rrule,
                rdates,
                exdates,
                series_id,
                recurrence_id,
                recurrence_range,
                status,
                transparency,
                attendees,
                conference_url,
                etag,
                synced_at,
                created_at,
                updated_at,
                deleted_at,
                version: 1,
            },
        )
}

pub fn tier() -> impl Strategy<Value = Tier> {
    prop::sample::select(Tier::ALL.to_vec())
}

pub fn subscription_status() -> impl Strategy<Value = SubscriptionStatus> {
    prop::sample::select(vec![
        SubscriptionStatus::Trialing,
        SubscriptionStatus::Active,
        SubscriptionStatus::PastDue,
        SubscriptionStatus::Canceled,
        SubscriptionStatus::Unpaid,
        SubscriptionStatus::Incomplete,
    ])
}

pub fn subscription() -> impl Strategy<Value = Subscription> {
    (
        (
            ids(),
            ids(),
            text(),
            text(),
            text(),
            subscription_status(),
            tier(),
        ),
        (
            option::of(instant()),
            option::of(instant()),
            option::of(instant()),
            option::of(instant()),
        ),
        (any::<u32>(), instant(), instant()),
    )
        .prop_map(
            |(
                (
                    id,
                    user_id,
                    stripe_customer_id,
                    stripe_subscription_id,
                    stripe_price_id,
                    status,
                    tier,
                ),
                (current_period_start, current_period_end, cancel_at, canceled_at),
                (ai_requests_this_period, created_at, updated_at),
            )| Subscription {
                id,
                user_id,
                stripe_customer_id,
                stripe_subscription_id,
                stripe_price_id,
                status,
                tier,
                current_period_start,
                current_period_end,
                cancel_at,
                canceled_at,
                ai_requests_this_period,
                created_at,
                updated_at,
            },
        )
}

pub fn oauth_token() -> impl Strategy<Value = OAuthToken> {
    (
        (
            ids(),
            ids(),
            text(),
            vec(any::<u8>(), 0..64),
            vec(any::<u8>(), 0..64),
        ),
        (
            any::<u32>(),
            instant(),
            vec(text(), 0..3),
            instant(),
            instant(),
        ),
    )
        .prop_map(
            |(
                (id, user_id, provider, access_token_ciphertext, refresh_token_ciphertext),
                (key_id, expires_at, scopes, created_at, updated_at),
            )| {
                OAuthToken {
                    id,
                    user_id,
                    provider,
                    access_token_ciphertext,
                    refresh_token_ciphertext,
                    key_id,
                    expires_at,
                    scopes,
                    created_at,
                    updated_at,
                }
            },
        )
}

fn token_changed() -> impl Strategy<Value = OAuthTokenChanged> {
    (ids(), text(), any::<u32>()).prop_map(|(token_id, provider, key_id)| OAuthTokenChanged {
        token_id,
        provider,
        key_id,
    })
}

fn calendar_event_changed() -> impl Strategy<Value = CalendarEventChanged> {
    (ids(), provider(), option::of(text()), option::of(text())).prop_map(
        |(calendar_event_id, provider, external_id, etag)| CalendarEventChanged {
            calendar_event_id,
            provider,
            external_id,
            etag,
        },
    )
}

pub fn payload() -> impl Strategy<Value = EventPayload> {
    prop_oneof![
        (ids(), text(), priority(), option::of(instant())).prop_map(
            |(task_id, title, priority, due_date)| EventPayload::TaskCreated(TaskCreated {
                task_id,
                title,
                priority,
                due_date
            })
        ),
        (ids(), any::<u64>(), vec("[a-z_]{1,12}", 0..4)).prop_map(|(task_id, version, changed)| {
            EventPayload::TaskUpdated(TaskUpdated {
                task_id,
                version,
                changed,
            })
        }),
        (ids(), option::of(any::<u32>()), any::<bool>()).prop_map(
            |(task_id, actual_minutes, completed_via_ai)| {
                EventPayload::TaskCompleted(TaskCompleted {
                    task_id,
                    actual_minutes,
                    completed_via_ai,
                })
            }
        ),
        ids().prop_map(|task_id| EventPayload::TaskDeleted(TaskRef { task_id })),
        ids().prop_map(|task_id| EventPayload::TaskRestored(TaskRef { task_id })),
        (
            ids(),
            instant(),
            instant(),
            prop::sample::select(vec![
                ScheduledBy::User,
                ScheduledBy::Planner,
                ScheduledBy::Ai
            ]),
            option::of(text())
        )
            .prop_map(
                |(task_id, scheduled_start, scheduled_end, scheduled_by, rationale)| {
                    EventPayload::TaskScheduled(TaskScheduled {
                        task_id,
                        scheduled_start,
                        scheduled_end,
                        scheduled_by,
                        rationale,
                        blocks: vec![PlannedBlock {
                            start: scheduled_start,
                            end: scheduled_end,
                        }],
                    })
                }
            ),
        (ids(), text()).prop_map(|(project_id, name)| EventPayload::ProjectCreated(
            ProjectCreated { project_id, name }
        )),
        (ids(), any::<u64>(), vec("[a-z_]{1,12}", 0..4)).prop_map(
            |(project_id, version, changed)| EventPayload::ProjectUpdated(ProjectUpdated {
                project_id,
                version,
                changed
            })
        ),
        ids().prop_map(|project_id| EventPayload::ProjectDeleted(ProjectRef { project_id })),
        calendar_event_changed().prop_map(EventPayload::CalendarEventCreated),
        calendar_event_changed().prop_map(EventPayload::CalendarEventUpdated),
        ids().prop_map(
            |calendar_event_id| EventPayload::CalendarEventDeleted(CalendarEventRef {
                calendar_event_id
            })
        ),
        (provider(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
            |(provider, events_added, events_updated, events_deleted)| {
                EventPayload::CalendarSynced(CalendarSynced {
                    provider,
                    events_added,
                    events_updated,
                    events_deleted,
                })
            }
        ),
        (
            date(),
            any::<u32>(),
            any::<u32>(),
            any::<u64>(),
            any::<u64>()
        )
            .prop_map(
                |(plan_date, tasks_scheduled, tasks_unscheduled, tokens_used, latency_ms)| {
                    EventPayload::PlanGenerated(PlanGenerated {
                        plan_date,
                        tasks_scheduled,
                        tasks_unscheduled,
                        tokens_used,
                        latency_ms,
                        ..PlanGenerated::default()
                    })
                }
            ),
        (
            ids(),
            option::of(tier()),
            tier(),
            subscription_status(),
            any::<u64>()
        )
            .prop_map(
                |(subscription_id, previous_tier, new_tier, status, mrr_cents)| {
                    EventPayload::SubscriptionChanged(SubscriptionChanged {
                        subscription_id,
                        previous_tier,
                        new_tier,
                        status,
                        mrr_cents,
                    })
                }
            ),
        vec("[a-z_]{1,12}", 0..4)
            .prop_map(|changed| EventPayload::ProfileUpdated(ProfileUpdated { changed })),
        token_changed().prop_map(EventPayload::OAuthTokenStored),
        token_changed().prop_map(EventPayload::OAuthTokenRotated),
        token_changed().prop_map(EventPayload::OAuthTokenDeleted),
        (ids(), btree_map("[a-z_]{1,12}", any::<u64>(), 0..5)).prop_map(
            |(erased_user_id, counts)| EventPayload::UserErased(UserErased {
                erased_user_id,
                counts
            })
        ),
        ("[a-z]{1,8}\\.[a-z_]{1,10}", uuid(), any::<i64>()).prop_filter_map(
            "known types are not unknown",
            |(kind, entity_id, n)| {
                if EVENT_TYPES.contains(&kind.as_str()) {
                    return None;
                }
                let (entity_type, action) = kind
                    .split_once('.')
                    .map(|(a, b)| (a.to_owned(), b.to_owned()))?;
                Some(EventPayload::Unknown {
                    kind,
                    entity_type,
                    entity_id,
                    action,
                    raw: serde_json::json!({ "n": n }),
                })
            }
        ),
    ]
}

pub fn domain_event() -> impl Strategy<Value = DomainEvent> {
    (
        ids(),
        instant(),
        ids(),
        prop::sample::select(vec![
            EventSource::Api,
            EventSource::Webhook,
            EventSource::Cron,
            EventSource::Ai,
            EventSource::Sync,
        ]),
        payload(),
    )
        .prop_map(|(id, occurred_at, user_id, source, payload)| DomainEvent {
            id,
            occurred_at,
            user_id,
            source,
            payload,
        })
}
