//! `LifeOs::plan_day` with refinement, over a SQLite file and the async-openai refiner
//! against a local OpenAI-compatible server (it answers the starting plan it was sent):
//! the plan cache (hit, expiry, a stale proposal judged again), the AI quotas per tier
//! (memory, and Redis shared by two instances), and the usage in `ai.plan_generated`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use chrono::{DateTime, Duration, TimeZone, Utc};
use lifeos::core::event::PlanGenerated;
use lifeos::core::plan::RefinementStatus;
use lifeos::core::{EventPayload, NewProfile, NewTask, PreferencesPatch, Tier, UserId};
use lifeos::refinement::{
    AiQuota, MemoryAiQuota, MemoryPlanCache, PlanCache, QuotaError, QuotaWindow,
};
use lifeos::scheduler::refine::MonotonicClock;
use lifeos::scheduler::refine::openai::{OpenAiConfig, OpenAiRefiner};
use lifeos::scheduler::validate;
use lifeos::store::{EventQuery, ManualClock, SqliteStore, StoreOptions};
use lifeos::{DayPlan, Error, ErrorKind, LifeOs, ManualMonotonic, PlanDayOptions};
use rand_core::SeedableRng;
use serde_json::{Value, json};

struct TokioClock(tokio::time::Instant);

impl MonotonicClock for TokioClock {
    fn elapsed(&self) -> StdDuration {
        self.0.elapsed()
    }
}

/// The fake model: answers the starting plan of its prompt; counts its calls.
async fn completions(State(calls): State<Arc<AtomicUsize>>, body: String) -> axum::Json<Value> {
    calls.fetch_add(1, Ordering::SeqCst);
    let body: Value = serde_json::from_str(&body).unwrap();
    let user: Value =
        serde_json::from_str(body["messages"][1]["content"].as_str().unwrap()).unwrap();
    let plan = json!({"scheduledTasks": user["startingPlan"]["scheduledTasks"],
                      "insights": ["Kept the plan."]});
    axum::Json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_772_000_000,
        "model": body["model"],
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": plan.to_string()}}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020}
    }))
}

async fn server() -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(Arc::clone(&calls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), calls)
}

/// Monday 9 March 2026, 07:00 UTC: 08:00 in Berlin.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 7, 0, 0).unwrap()
}

fn user(n: u128) -> UserId {
    UserId::from_uuid(uuid::Uuid::from_u128(n))
}

struct Setup {
    app: LifeOs,
    calls: Arc<AtomicUsize>,
    me: UserId,
    _dir: tempfile::TempDir,
}

async fn setup(cache: Arc<dyn PlanCache>) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let options = StoreOptions::new()
        .clock(Arc::new(ManualClock::new(monday())))
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(1));
    let store = Arc::new(
        SqliteStore::open(dir.path().join("lifeos.db"), options)
            .await
            .unwrap(),
    );
    let (url, calls) = server().await;
    let clock = Arc::new(TokioClock(tokio::time::Instant::now()));
    let refiner = OpenAiRefiner::new(
        OpenAiConfig::new("sk-test").base_url_set(url),
        clock,
        rand_chacha::ChaCha8Rng::seed_from_u64(2),
    )
    .unwrap();
    let app = LifeOs::builder(store)
        .clock(Arc::new(ManualClock::new(monday())))
        .monotonic(Arc::new(ManualMonotonic::with_step(
            StdDuration::from_millis(7),
        )))
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(3))
        .refiner(Arc::new(refiner))
        .plan_cache(cache)
        .ai_quota(Arc::new(MemoryAiQuota::new()))
        .build();
    let me = user(1);
    app.store()
        .create_profile(
            me,
            NewProfile {
                email: "me@example.com".into(),
                name: None,
                avatar_url: None,
                preferences: PreferencesPatch {
                    timezone: Some("Europe/Berlin".into()),
                    ..PreferencesPatch::default()
                },
            },
        )
        .await
        .unwrap();
    for (title, minutes, priority) in [("Write report", 90, 3), ("Call the bank", 20, 1)] {
        app.add_task(
            me,
            NewTask {
                estimated_minutes: Some(minutes),
                priority,
                ..NewTask::titled(title)
            },
        )
        .await
        .unwrap();
    }
    Setup {
        app,
        calls,
        me,
        _dir: dir,
    }
}

fn refine(tier: Tier) -> PlanDayOptions {
    PlanDayOptions::new().refine(true).tier(tier)
}

async fn usage_events(app: &LifeOs, me: UserId) -> Vec<PlanGenerated> {
    app.store()
        .read_all_events(me, &EventQuery::new())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event.payload {
            EventPayload::PlanGenerated(p) => Some(p),
            _ => None,
        })
        .collect()
}

fn checked(day: &DayPlan) -> lifeos::core::plan::Refinement {
    validate(&day.request, &day.response).unwrap_or_else(|v| panic!("invalid plan: {v:?}"));
    day.response.refinement.clone().expect("refinement object")
}

#[tokio::test]
async fn a_cached_proposal_costs_nothing_and_expires_after_its_ttl() {
    let s = setup(Arc::new(MemoryPlanCache::default())).await;
    let (app, me) = (&s.app, s.me);

    // A dry run asks the model and records its usage, but changes no task.
    let first = app
        .plan_day(me, None, monday(), refine(Tier::Free).dry_run(true))
        .await
        .unwrap();
    let r = checked(&first);
    assert_eq!(r.status, RefinementStatus::Accepted);
    assert!(!r.cache_hit);
    assert_eq!((r.tokens_in, r.tokens_out), (900, 120));
    assert_eq!(s.calls.load(Ordering::SeqCst), 1);
    assert!(!first.saved);
    let events = usage_events(app, me).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!((e.tokens_in, e.tokens_out, e.tokens_used), (900, 120, 1020));
    assert!(!e.cache_hit);
    assert_eq!(e.refinement, Some(RefinementStatus::Accepted));
    assert!(e.latency_ms > 0);
    assert_eq!(e.tasks_scheduled, 2);

    // Four minutes later: a hit, no model call, saved with its event.
    let later = monday() + Duration::minutes(4);
    let second = app
        .plan_day(me, None, later, refine(Tier::Free))
        .await
        .unwrap();
    let r = checked(&second);
    assert!(r.cache_hit);
    assert_eq!((r.tokens_in, r.tokens_out), (0, 0));
    assert_eq!(s.calls.load(Ordering::SeqCst), 1);
    assert!(second.saved);
    let events = usage_events(app, me).await;
    assert_eq!(events.len(), 2);
    assert!(events[1].cache_hit);
    assert_eq!(events[1].tokens_used, 0);

    // Saving moved the tasks (new versions): a new key, the model is asked again.
    let third = app
        .plan_day(me, None, later, refine(Tier::Free).dry_run(true))
        .await
        .unwrap();
    assert!(!checked(&third).cache_hit);
    assert_eq!(s.calls.load(Ordering::SeqCst), 2);
    // Six minutes after that, the entry has expired.
    let fourth = app
        .plan_day(
            me,
            None,
            later + Duration::minutes(6),
            refine(Tier::Free).dry_run(true),
        )
        .await
        .unwrap();
    assert!(!checked(&fourth).cache_hit);
    assert_eq!(s.calls.load(Ordering::SeqCst), 3);
    // And within the TTL it is a hit again.
    let fifth = app
        .plan_day(
            me,
            None,
            later + Duration::minutes(8),
            refine(Tier::Free).dry_run(true),
        )
        .await
        .unwrap();
    assert!(checked(&fifth).cache_hit);
    assert_eq!(s.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_stale_cached_proposal_never_places_a_task_before_the_current_time() {
    let s = setup(Arc::new(MemoryPlanCache::new(Duration::hours(2)))).await;
    let (app, me) = (&s.app, s.me);
    let first = app
        .plan_day(me, None, monday(), refine(Tier::Pro).dry_run(true))
        .await
        .unwrap();
    let earliest = first
        .response
        .scheduled_tasks
        .iter()
        .map(|t| t.start_time)
        .min()
        .unwrap();
    // Past the first block's start: the cached proposal puts it in the past.
    let now = earliest + Duration::minutes(10);
    let again = app
        .plan_day(me, None, now, refine(Tier::Pro).dry_run(true))
        .await
        .unwrap();
    let r = checked(&again);
    assert!(r.cache_hit);
    assert_eq!(s.calls.load(Ordering::SeqCst), 1);
    assert!(r.dropped_total() >= 1, "{r:?}");
    assert!(
        again
            .response
            .scheduled_tasks
            .iter()
            .all(|t| t.start_time >= now)
    );
}

#[tokio::test]
async fn over_the_free_tiers_hourly_quota_nothing_is_asked_or_saved() {
    let s = setup(Arc::new(MemoryPlanCache::default())).await;
    let (app, me) = (&s.app, s.me);
    for i in 0..3 {
        // Other instructions each time: no cache hit.
        let day = app
            .plan_day(
                me,
                None,
                monday(),
                refine(Tier::Free)
                    .instructions(format!("variant {i}"))
                    .dry_run(true),
            )
            .await
            .unwrap();
        assert!(!checked(&day).cache_hit);
    }
    let before = usage_events(app, me).await.len();
    let err = app
        .plan_day(
            me,
            None,
            monday() + Duration::minutes(1),
            refine(Tier::Free).instructions("variant 4"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    let Error::QuotaExceeded(q) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(q.window, QuotaWindow::Hour);
    // The first call was at 07:00, this one at 07:01: 59 minutes to go.
    assert_eq!(q.retry_after, StdDuration::from_secs(59 * 60));
    assert_eq!(s.calls.load(Ordering::SeqCst), 3);
    assert_eq!(usage_events(app, me).await.len(), before);
    // A cached day still costs nothing; and the plan without refinement goes on.
    let hit = app
        .plan_day(
            me,
            None,
            monday() + Duration::minutes(2),
            refine(Tier::Free).instructions("variant 0").dry_run(true),
        )
        .await
        .unwrap();
    assert!(checked(&hit).cache_hit);
    let plain = app
        .plan_day(me, None, monday(), PlanDayOptions::new())
        .await
        .unwrap();
    assert!(plain.saved && plain.response.refinement.is_none());
}

/// Takes calls until refused; how many were taken and the refusal.
async fn exhaust(
    quota: &[&dyn AiQuota],
    who: UserId,
    tier: Tier,
    now: DateTime<Utc>,
) -> (usize, QuotaError) {
    for n in 0..100_000 {
        if let Err(e) = quota[n % quota.len()].take(who, tier, now).await {
            return (n, e);
        }
    }
    panic!("never refused");
}

#[tokio::test]
async fn memory_quotas_per_tier_hour_and_month() {
    let quota = MemoryAiQuota::new();
    for (i, tier) in Tier::ALL.into_iter().enumerate() {
        let who = user(100 + i as u128);
        let (taken, err) = exhaust(&[&quota], who, tier, monday()).await;
        assert_eq!(taken, tier.ai_calls_per_hour() as usize, "{tier}");
        let QuotaError::Exceeded(q) = err else {
            panic!("{err:?}")
        };
        assert_eq!((q.window, q.tier), (QuotaWindow::Hour, tier));
        assert_eq!(q.retry_after, StdDuration::from_secs(3_600));
        // An hour later there is room again.
        quota
            .take(who, tier, monday() + Duration::hours(1))
            .await
            .unwrap();
    }
    // The free tier's 30 a month: 3 an hour for 10 hours, then the month is spent.
    let who = user(200);
    for h in 0..10 {
        for _ in 0..3 {
            quota
                .take(who, Tier::Free, monday() + Duration::hours(h))
                .await
                .unwrap();
        }
    }
    let Err(QuotaError::Exceeded(q)) = quota
        .take(who, Tier::Free, monday() + Duration::hours(10))
        .await
    else {
        panic!("the month is spent")
    };
    assert_eq!(q.window, QuotaWindow::Month);
    assert_eq!(
        q.retry_after,
        StdDuration::from_secs(30 * 86_400 - 10 * 3_600)
    );
}

#[cfg(feature = "redis")]
mod with_redis {
    use super::*;
    use lifeos::refinement::{RedisAiQuota, RedisPlanCache};
    use lifeos::scheduler::refine::{Proposal, Usage};

    /// The machine's Redis, or `None` (outside CI) when it is not configured.
    fn redis_url() -> Option<String> {
        match std::env::var("LIFEOS_TEST_REDIS_URL") {
            Ok(url) => Some(url),
            Err(_) if std::env::var("CI").is_ok() => panic!("LIFEOS_TEST_REDIS_URL is not set"),
            Err(_) => {
                eprintln!("skipped: LIFEOS_TEST_REDIS_URL is not set");
                None
            }
        }
    }

    /// A prefix of this run's own keys, cleared first.
    async fn fresh_prefix(url: &str, name: &str) -> String {
        let prefix = format!("lifeos-test:{}:{name}:", std::process::id());
        let client = redis::Client::open(url).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{prefix}*"))
            .query_async(&mut conn)
            .await
            .unwrap();
        if !keys.is_empty() {
            let _: () = redis::cmd("DEL")
                .arg(keys)
                .query_async(&mut conn)
                .await
                .unwrap();
        }
        prefix
    }

    #[tokio::test]
    async fn redis_cache_hit_and_expiry() {
        let Some(url) = redis_url() else { return };
        let prefix = fresh_prefix(&url, "cache").await;
        let cache = RedisPlanCache::connect(&url, &prefix)
            .await
            .unwrap()
            .ttl(Duration::milliseconds(300));
        let other = RedisPlanCache::connect(&url, &prefix).await.unwrap();
        let proposal = Proposal::new(
            "{\"scheduledTasks\": []}",
            Usage {
                tokens_in: 5,
                tokens_out: 6,
            },
        );
        assert_eq!(cache.get("k", monday()).await.unwrap(), None);
        cache.put("k", &proposal, monday()).await.unwrap();
        // Another instance on the same Redis sees it.
        assert_eq!(
            other.get("k", monday()).await.unwrap(),
            Some(proposal.clone())
        );
        tokio::time::sleep(StdDuration::from_millis(450)).await;
        assert_eq!(other.get("k", monday()).await.unwrap(), None);
    }

    #[tokio::test]
    async fn redis_quotas_per_tier_shared_by_two_instances() {
        let Some(url) = redis_url() else { return };
        let prefix = fresh_prefix(&url, "quota").await;
        let a = RedisAiQuota::connect(&url, &prefix).await.unwrap();
        let b = RedisAiQuota::connect(&url, &prefix).await.unwrap();
        for (i, tier) in Tier::ALL.into_iter().enumerate() {
            let who = user(300 + i as u128);
            let (taken, err) = exhaust(&[&a, &b], who, tier, monday()).await;
            assert_eq!(taken, tier.ai_calls_per_hour() as usize, "{tier}");
            let QuotaError::Exceeded(q) = err else {
                panic!("{err:?}")
            };
            assert_eq!((q.window, q.tier), (QuotaWindow::Hour, tier));
            assert!(
                q.retry_after >= StdDuration::from_secs(3_500)
                    && q.retry_after <= StdDuration::from_secs(3_600),
                "{:?}",
                q.retry_after
            );
            // Both instances refuse: the count is shared.
            assert!(b.take(who, tier, monday()).await.is_err());
        }
    }

    #[tokio::test]
    async fn plan_day_with_the_redis_cache() {
        let Some(url) = redis_url() else { return };
        let prefix = fresh_prefix(&url, "plan").await;
        let cache = RedisPlanCache::connect(&url, &prefix).await.unwrap();
        let s = setup(Arc::new(cache)).await;
        let first = s
            .app
            .plan_day(s.me, None, monday(), refine(Tier::Free).dry_run(true))
            .await
            .unwrap();
        assert!(!checked(&first).cache_hit);
        let second = s
            .app
            .plan_day(s.me, None, monday(), refine(Tier::Free).dry_run(true))
            .await
            .unwrap();
        assert!(checked(&second).cache_hit);
        assert_eq!(s.calls.load(Ordering::SeqCst), 1);
    }
}

#[tokio::test]
async fn a_used_up_task_stays_reported_beside_an_accepted_refinement() {
    // The task whose estimate is used up is not sent to the planner nor judged by the
    // refinement; the refined day still lists it, with its reason.
    let s = setup(Arc::new(MemoryPlanCache::default())).await;
    let (app, me) = (&s.app, s.me);
    let done = app
        .add_task(
            me,
            NewTask {
                estimated_minutes: Some(45),
                ..NewTask::titled("Expenses")
            },
        )
        .await
        .unwrap();
    let patch = lifeos::core::TaskPatch {
        actual_minutes: Some(Some(45)),
        ..lifeos::core::TaskPatch::default()
    };
    app.update_task(me, done.id, done.version, patch)
        .await
        .unwrap();
    let day = app
        .plan_day(me, None, monday(), refine(Tier::Pro).dry_run(true))
        .await
        .unwrap();
    let r = day.response.refinement.clone().expect("refinement object");
    assert_eq!(r.status, RefinementStatus::Accepted, "{r:?}");
    assert_eq!(s.calls.load(Ordering::SeqCst), 1);
    assert!(day.request.tasks.iter().all(|t| t.id != *done.id.as_uuid()));
    let left: Vec<_> = day
        .response
        .unscheduled_tasks
        .iter()
        .filter(|u| u.task_id == *done.id.as_uuid())
        .collect();
    assert_eq!(left.len(), 1, "{:?}", day.response.unscheduled_tasks);
    assert_eq!(
        left[0].reason,
        "Estimate used up: 45 of 45 minutes already worked (as logged); mark it done, or raise its estimate to plan more."
    );
    // The two tasks sent are planned as the model kept them.
    assert_eq!(day.response.scheduled_tasks.len(), 2);
}
