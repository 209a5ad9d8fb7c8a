//! The language model wired into the server (API.md "Plan My Day", "Task breakdown"),
//! against a fake OpenAI-compatible server on loopback: plan-day's refinement (usage in
//! `ai.plan_generated`, the plan cache), the one AI budget per tier taken from the token
//! (429 with `Retry-After`, nothing saved), breakdown accepted and refused, the model's
//! failures mapped by type, and no model (503).

use std::time::Duration;

use lifeos::core::Tier;
use serde_json::{Value, json};

use crate::on_backends;
use crate::support::openai::{FakeModel, MODEL, Reply};
use crate::support::*;

/// A server whose application asks `fake`; on PostgreSQL the plan cache and the AI quota
/// live in Redis (the binary's wiring with `--redis-url`), on SQLite in memory.
async fn serve(backend: Backend, fake: &FakeModel, timeout: Duration) -> Option<Server> {
    let mut setup = Setup::new(backend);
    setup.refiner = Some(fake.refiner(timeout));
    if backend == Backend::Postgres {
        setup.redis_prefix = Some(format!("lifeos_t_ai_{:x}:", random_u64()));
    }
    start_with(setup).await
}

/// Creates a task with an estimate; its JSON.
async fn task(s: &Server, me: lifeos::core::UserId, title: &str, minutes: u32) -> Value {
    s.clock.advance(chrono::Duration::milliseconds(1));
    let a = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": title, "estimated_minutes": minutes})),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.text);
    a.body
}

/// The user's events of `kind`, oldest first.
async fn events_of(s: &Server, me: lifeos::core::UserId, kind: &str) -> Vec<Value> {
    let page = answer(s.get("/api/v1/events?limit=200", me)).await;
    page.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .cloned()
        .collect()
}

async fn event_count(s: &Server, me: lifeos::core::UserId) -> usize {
    answer(s.get("/api/v1/events?limit=200", me)).await.body["results"]
        .as_array()
        .unwrap()
        .len()
}

fn plan_body(instructions: &str, dry_run: bool) -> Value {
    json!({"date": "2026-12-04", "refine": true, "dry_run": dry_run,
           "instructions": instructions})
}

async fn refine_is_accepted_recorded_and_cached(backend: Backend) {
    let fake = FakeModel::start().await;
    let Some(s) = serve(backend, &fake, Duration::from_secs(10)).await else {
        return;
    };
    let me = fresh_user();
    task(&s, me, "Write the report", 90).await;
    task(&s, me, "Call the bank", 30).await;

    let first = answer(
        s.post("/api/v1/ai/plan-day", me)
            .json(&plan_body("calls after lunch", true)),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let r = &first.body["refinement"];
    assert_eq!(r["status"], "accepted", "{}", first.text);
    assert_eq!(r["model"], MODEL);
    assert_eq!(
        (r["tokensIn"].as_u64(), r["tokensOut"].as_u64()),
        (Some(900), Some(120))
    );
    assert_eq!(r["cacheHit"], false);
    assert_eq!(first.body["saved"], 0);
    assert_eq!(fake.requests(), 1);
    let (sent, auth) = fake.received().remove(0);
    assert_eq!(sent["model"], MODEL, "--ai-model is the model asked");
    assert_eq!(auth.as_deref(), Some("Bearer sk-test"));
    assert!(
        sent["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("calls after lunch"),
        "the instructions reach the model"
    );

    // The refined answer decodes as the client's type, and passes the validator.
    let planned: lifeos::core::wire::PlannedDay = serde_json::from_str(&first.text).unwrap();
    assert_eq!(planned.plan.scheduled_tasks.len(), 2);
    let day = s
        .state
        .app()
        .plan_day(
            me,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 4),
            s.clock.now_utc(),
            lifeos::PlanDayOptions::new().dry_run(true),
        )
        .await
        .unwrap();
    assert!(lifeos::scheduler::validate(&day.request, &planned.plan).is_ok());

    // A dry run saves no task change but records the model call's usage.
    let usage = events_of(&s, me, "ai.plan_generated").await;
    assert_eq!(usage.len(), 1, "{usage:?}");
    let data = &usage[0]["data"];
    assert_eq!(data["model"], MODEL);
    assert_eq!(
        (data["tokens_in"].as_u64(), data["tokens_out"].as_u64()),
        (Some(900), Some(120))
    );
    assert_eq!(data["refinement"], "accepted");
    assert!(data.get("cache_hit").is_none_or(|c| c == false), "{data}");
    assert!(events_of(&s, me, "task.scheduled").await.is_empty());

    // The same call again: the cached proposal, no model request, no tokens.
    let second = answer(
        s.post("/api/v1/ai/plan-day", me)
            .json(&plan_body("calls after lunch", true)),
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.body["refinement"]["cacheHit"], true);
    assert_eq!(second.body["refinement"]["status"], "accepted");
    assert_eq!(second.body["refinement"]["tokensIn"], 0);
    assert_eq!(second.body["scheduledTasks"], first.body["scheduledTasks"]);
    assert_eq!(fake.requests(), 1, "a cache hit asks no model");
    let usage = events_of(&s, me, "ai.plan_generated").await;
    assert_eq!(
        usage.len(),
        1,
        "a dry run without a model call records nothing"
    );

    // Saved: the tasks get the refined times, placed by the AI.
    let saved = answer(
        s.post("/api/v1/ai/plan-day", me)
            .json(&plan_body("calls after lunch", false)),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.body["saved"], 2);
    assert_eq!(fake.requests(), 1);
    let scheduled = events_of(&s, me, "task.scheduled").await;
    assert_eq!(scheduled.len(), 2);
    assert!(
        scheduled.iter().all(|e| e["data"]["scheduled_by"] == "ai"),
        "{scheduled:?}"
    );
    let usage = events_of(&s, me, "ai.plan_generated").await;
    assert_eq!(usage.len(), 2);
    assert_eq!(usage[1]["data"]["cache_hit"], true);
    assert_eq!(usage[1]["data"]["model"], MODEL);
    assert!(
        usage[1]["data"].get("tokens_in").is_none(),
        "a hit costs no tokens"
    );
}
on_backends!(
    plan_day_refine_is_accepted_recorded_and_cached,
    refine_is_accepted_recorded_and_cached
);

async fn one_ai_budget_per_tier(backend: Backend) {
    let fake = FakeModel::start().await;
    let Some(s) = serve(backend, &fake, Duration::from_secs(10)).await else {
        return;
    };
    // Free tier (no tier claim): 3 AI calls an hour, refinements and breakdowns alike.
    let me = fresh_user();
    let report = task(&s, me, "Write the report", 90).await;
    let other = task(&s, me, "Plan the offsite", 120).await;
    for i in 0..2 {
        let a = answer(
            s.post("/api/v1/ai/plan-day", me)
                .json(&plan_body(&format!("variant {i}"), true)),
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.body["refinement"]["status"], "accepted");
    }
    let id = report["id"].as_str().unwrap();
    let b = answer(s.post(&format!("/api/v1/tasks/{id}/breakdown"), me)).await;
    assert_eq!(b.status, 200, "{}", b.text);
    assert_eq!(fake.requests(), 3);

    let before = event_count(&s, me).await;
    let over = answer(
        s.post("/api/v1/ai/plan-day", me)
            .json(&plan_body("one more", false)),
    )
    .await;
    over.problem(429, "rate-limited");
    let wait: u64 = over.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    let id = other["id"].as_str().unwrap();
    let refused = answer(s.post(&format!("/api/v1/tasks/{id}/breakdown"), me)).await;
    refused.problem(429, "rate-limited");
    assert!(
        refused
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(fake.requests(), 3, "no model call over the budget");
    assert_eq!(event_count(&s, me).await, before, "nothing saved");
    let tasks = answer(s.get("/api/v1/tasks", me)).await;
    assert!(
        tasks.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["scheduled_start"].is_null())
    );
    let unchanged = answer(s.get(&format!("/api/v1/tasks/{id}"), me)).await;
    assert_eq!(unchanged.body["version"], other["version"]);

    // The tier is the token's: a pro user (10 an hour) gets a fourth call.
    let pro = fresh_user();
    for i in 0..4 {
        let a = answer(
            s.http
                .post(s.url("/api/v1/ai/plan-day"))
                .bearer_auth(s.token_tier(pro, Some(Tier::Pro)))
                .json(&plan_body(&format!("pro {i}"), true)),
        )
        .await;
        assert_eq!(a.status, 200, "call {i}: {}", a.text);
    }
}
on_backends!(
    one_ai_budget_per_tier_from_the_token,
    one_ai_budget_per_tier
);

async fn breakdown_accepted_and_refused(backend: Backend) {
    let fake = FakeModel::start().await;
    let Some(s) = serve(backend, &fake, Duration::from_secs(10)).await else {
        return;
    };
    // Pro: ten AI calls an hour, enough for every case.
    let me = fresh_user();
    let breakdown = |id: &str| s.post_as(&format!("/api/v1/tasks/{id}/breakdown"), me, Tier::Pro);
    let report = task(&s, me, "Write the report", 60).await;
    let id = report["id"].as_str().unwrap();
    let ok = answer(breakdown(id)).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let steps = ok.body["ai_breakdown"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["title"], "Outline the report");
    assert_eq!(steps[1]["estimated_minutes"], 30);
    assert_eq!(ok.body["version"], 2);
    assert_eq!(ok.header("etag"), Some("\"2\""));
    let (sent, _) = fake.received().remove(0);
    assert_eq!(
        sent["response_format"]["json_schema"]["name"],
        "task_breakdown"
    );
    assert_eq!(sent["model"], MODEL);
    let updated = events_of(&s, me, "task.updated").await;
    assert_eq!(updated.len(), 1, "{updated:?}");
    let stored = answer(s.get(&format!("/api/v1/tasks/{id}"), me)).await;
    assert_eq!(stored.body["ai_breakdown"], ok.body["ai_breakdown"]);

    // Refused: one step only, steps over 125% of the estimate, a refusal. 502, unchanged.
    let bad = [
        Reply::Content(
            json!({"steps": [{"title": "All of it", "estimatedMinutes": 60}]}).to_string(),
        ),
        Reply::Content(
            json!({"steps": [{"title": "Outline", "estimatedMinutes": 45},
                             {"title": "Draft", "estimatedMinutes": 45}]})
            .to_string(),
        ),
        Reply::Refusal("I can't help with that.".into()),
    ];
    let plain = task(&s, me, "Plan the offsite", 60).await;
    let pid = plain["id"].as_str().unwrap();
    for reply in bad {
        fake.push(reply.clone());
        let a = answer(breakdown(pid)).await;
        a.problem(502, "bad-model-output");
        let t = answer(s.get(&format!("/api/v1/tasks/{pid}"), me)).await;
        assert_eq!(t.body["version"], 1, "{reply:?}: the task is unchanged");
        assert_eq!(t.body["ai_breakdown"], json!([]));
    }
    assert_eq!(events_of(&s, me, "task.updated").await.len(), 1);

    // Another user's task, a missing one, a deleted one: 404 before any AI unit.
    let calls = fake.requests();
    let stranger = fresh_user();
    answer(s.post(&format!("/api/v1/tasks/{id}/breakdown"), stranger))
        .await
        .problem(404, "not-found");
    let missing = uuid::Uuid::from_u128(7);
    answer(s.post(&format!("/api/v1/tasks/{missing}/breakdown"), me))
        .await
        .problem(404, "not-found");
    assert_eq!(
        answer(s.delete(&format!("/api/v1/tasks/{pid}"), me))
            .await
            .status,
        200
    );
    answer(s.post(&format!("/api/v1/tasks/{pid}/breakdown"), me))
        .await
        .problem(404, "not-found");
    assert_eq!(fake.requests(), calls);
}
on_backends!(
    breakdown_is_accepted_or_refused_with_502,
    breakdown_accepted_and_refused
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_models_failures_map_by_type_on_every_route() {
    let fake = FakeModel::start().await;
    let s = serve(Backend::Sqlite, &fake, Duration::from_secs(1))
        .await
        .unwrap();
    // Pro: enough AI units for every case.
    let me = fresh_user();
    let call = |path: &str| {
        s.http
            .post(s.url(path))
            .bearer_auth(s.token_tier(me, Some(Tier::Pro)))
    };
    let t = answer(call("/api/v1/tasks").json(&json!({"title": "Write", "estimated_minutes": 60})))
        .await
        .body;
    let path = format!("/api/v1/tasks/{}/breakdown", t["id"].as_str().unwrap());

    // Slower than the AI timeout: breakdown 503 `timeout`; plan-day still answers, with
    // the deterministic plan and the refinement `failed`.
    fake.push(Reply::Slow(Duration::from_secs(3)));
    answer(call(&path)).await.problem(503, "timeout");
    fake.push(Reply::Slow(Duration::from_secs(3)));
    let plan = answer(call("/api/v1/ai/plan-day").json(&plan_body("slow", true))).await;
    assert_eq!(plan.status, 200, "{}", plan.text);
    assert_eq!(plan.body["refinement"]["status"], "failed", "{}", plan.text);
    assert_eq!(plan.body["scheduledTasks"].as_array().unwrap().len(), 1);

    // The model's server rate-limiting us (after the retries): 503 `unavailable`, not
    // the caller's 429.
    let before = fake.requests();
    for _ in 0..3 {
        fake.push(Reply::Status(429));
    }
    let limited = answer(call(&path)).await;
    limited.problem(503, "unavailable");
    assert!(
        limited.body["detail"]
            .as_str()
            .unwrap()
            .contains("rate-limiting"),
        "{}",
        limited.text
    );
    assert_eq!(
        fake.requests() - before,
        3,
        "the first request and two retries"
    );
    let stored = answer(s.get(&format!("/api/v1/tasks/{}", t["id"].as_str().unwrap()), me)).await;
    assert_eq!(stored.body["version"], 1, "unchanged");
}

#[tokio::test]
async fn without_a_key_breakdown_is_503_after_the_lookup() {
    let s = start(Backend::Sqlite).await.unwrap();
    let me = fresh_user();
    let t = s.task(me, "Something").await;
    let id = t["id"].as_str().unwrap();
    let a = answer(s.post(&format!("/api/v1/tasks/{id}/breakdown"), me)).await;
    a.problem(503, "unavailable");
    assert!(
        a.body["detail"]
            .as_str()
            .unwrap()
            .contains("language model")
    );
    answer(s.post(&format!("/api/v1/tasks/{id}/breakdown"), fresh_user()))
        .await
        .problem(404, "not-found");
    let unchanged = answer(s.get(&format!("/api/v1/tasks/{id}"), me)).await;
    assert_eq!(unchanged.body["version"], 1);
}
