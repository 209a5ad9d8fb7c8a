//! `GET /me/usage` and `POST /tasks/{id}/breakdown` (no model configured: 503).

use lifeos::core::Tier;
use serde_json::{Value, json};

use crate::on_backends;
use crate::support::*;

async fn usage(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let a = answer(s.get("/api/v1/me/usage", me)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    // The general budget left after this request, as the RateLimit header says.
    let left = a.header("ratelimit").unwrap().to_owned();
    let remaining = a.body["general"]["remaining"].as_u64().unwrap();
    assert_eq!(left, format!("\"general\";r={remaining};t=1"), "{left}");
    assert_eq!(
        a.body,
        json!({
            "tier": "free",
            "ai": {"per_hour": 3, "remaining": 3, "reset_seconds": 0},
            "month": {"allowance": 30, "used": 0},
            "general": {"per_minute": 60, "remaining": remaining},
        })
    );
    let again = answer(s.get("/api/v1/me/usage", me)).await;
    assert_eq!(
        again.body["general"]["remaining"].as_u64(),
        Some(remaining - 1),
        "each request takes one unit"
    );
    let pro = fresh_user();
    let p = answer(
        s.http
            .get(s.url("/api/v1/me/usage"))
            .bearer_auth(s.token_tier(pro, Some(Tier::Pro))),
    )
    .await;
    assert_eq!(
        (
            p.body["tier"].as_str(),
            p.body["ai"]["per_hour"].as_u64(),
            p.body["month"]["allowance"].as_u64(),
            p.body["general"]["per_minute"].as_u64()
        ),
        (Some("pro"), Some(10), Some(500), Some(300))
    );
}
on_backends!(usage_reports_the_tier_and_budgets, usage);

#[tokio::test]
async fn usage_without_limits_has_no_general_budget() {
    let mut setup = Setup::new(Backend::Sqlite);
    setup.config.rate_limit_multiplier = 0.0;
    let s = start_with(setup).await.unwrap();
    let a = answer(s.get("/api/v1/me/usage", fresh_user())).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        a.body["general"],
        json!({"per_minute": null, "remaining": null})
    );
    assert_eq!(a.body["ai"]["per_hour"], Value::Null);
    assert_eq!(a.header("ratelimit"), None);
}

async fn breakdown(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let (me, other) = (fresh_user(), fresh_user());
    let t = s.task(me, "Big job").await;
    let id = t["id"].as_str().unwrap();
    let path = format!("/api/v1/tasks/{id}/breakdown");
    let a = answer(s.post(&path, me)).await;
    a.problem(503, "unavailable");
    let theirs = answer(s.post(&path, other)).await;
    theirs.problem(404, "not-found");
    let never = answer(s.post(
        &format!("/api/v1/tasks/{}/breakdown", uuid::Uuid::from_u128(11)),
        other,
    ))
    .await;
    never.problem(404, "not-found");
    assert_eq!(theirs.body["detail"], never.body["detail"]);
    answer(s.post("/api/v1/tasks/nope/breakdown", me))
        .await
        .problem(404, "not-found");
    answer(s.delete(&format!("/api/v1/tasks/{id}"), me)).await;
    answer(s.post(&path, me)).await.problem(404, "not-found");
    let after = answer(s.get(&format!("/api/v1/tasks/{id}"), me)).await;
    assert_eq!(
        after.body["ai_breakdown"],
        json!([]),
        "the task is unchanged"
    );
}
on_backends!(breakdown_without_a_model_is_unavailable, breakdown);
