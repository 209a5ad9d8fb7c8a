//! `POST /ai/plan-day` (conformance item 8: plans pass `validate`; `dry_run` writes
//! nothing).

use serde_json::{Value, json};

use crate::on_backends;
use crate::support::*;

async fn events_count(s: &Server, me: lifeos::core::UserId) -> usize {
    answer(s.get("/api/v1/events?limit=200", me)).await.body["results"]
        .as_array()
        .unwrap()
        .len()
}

async fn plan_day(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    for (title, minutes) in [("Deep work", 90), ("Email", 30)] {
        let a = answer(
            s.post("/api/v1/tasks", me)
                .json(&json!({"title": title, "estimated_minutes": minutes})),
        )
        .await;
        assert_eq!(a.status, 201);
    }
    let before = events_count(&s, me).await;
    // Dry run: a plan, nothing written.
    let dry = answer(
        s.post("/api/v1/ai/plan-day", me)
            .json(&json!({"date": "2026-12-04", "dry_run": true})),
    )
    .await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(dry.body["saved"], 0);
    assert_eq!(
        dry.body["scheduledTasks"].as_array().unwrap().len(),
        2,
        "{}",
        dry.text
    );
    assert_eq!(events_count(&s, me).await, before, "dry_run writes nothing");
    let tasks = answer(s.get("/api/v1/tasks", me)).await;
    assert!(
        tasks.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["scheduled_start"].is_null())
    );

    // The plan passes the independent validator against the request it was made from.
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
    let response: lifeos::core::plan::PlanDayResponse =
        serde_json::from_value(dry.body.clone()).unwrap();
    assert_eq!(
        response, day.response,
        "the route answers the application's plan"
    );
    assert!(lifeos::scheduler::validate(&day.request, &response).is_ok());

    // Saved: two tasks scheduled, one `ai.plan_generated`.
    let saved = answer(
        s.post("/api/v1/ai/plan-day", me)
            .json(&json!({"date": "2026-12-04"})),
    )
    .await;
    assert_eq!(saved.body["saved"], 2, "{}", saved.text);
    let tasks = answer(s.get("/api/v1/tasks", me)).await;
    assert!(
        tasks.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["scheduled_start"].is_string())
    );
    let events = answer(s.get("/api/v1/events?limit=200", me)).await;
    let kinds: Vec<&str> = events.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "task.scheduled").count(),
        2,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "ai.plan_generated").count(),
        1,
        "{kinds:?}"
    );
    // Planning again changes nothing.
    let again = answer(
        s.post("/api/v1/ai/plan-day", me)
            .json(&json!({"date": "2026-12-04"})),
    )
    .await;
    assert_eq!(again.body["saved"], 0);
}
on_backends!(plan_day_plans_saves_and_dry_runs, plan_day);

#[tokio::test]
async fn plan_day_without_a_body_plans_today_and_refine_without_a_model_warns() {
    let s = start(Backend::Sqlite).await.unwrap();
    let me = fresh_user();
    s.task(me, "Something").await;
    let a = answer(s.post("/api/v1/ai/plan-day", me)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body.get("refinement").is_none());
    let r = answer(
        s.post("/api/v1/ai/plan-day", me)
            .json(&json!({"refine": true, "dry_run": true, "instructions": "keep it light"})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["refinement"]["status"], "unavailable");
    let warnings: Vec<&str> = r.body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(warnings.contains(&lifeos_server_warning()), "{warnings:?}");
}

fn lifeos_server_warning() -> &'static str {
    "refinement is not configured on this server (no language model): the deterministic plan is returned"
}

#[tokio::test]
async fn plan_day_refuses_dates_out_of_range_and_long_instructions() {
    let s = start(Backend::Sqlite).await.unwrap();
    let me = fresh_user();
    for date in ["2026-12-01", "2027-12-04"] {
        let a = answer(
            s.post("/api/v1/ai/plan-day", me)
                .json(&json!({"date": date})),
        )
        .await;
        assert_eq!(
            a.problem(422, "validation").as_deref(),
            Some("date"),
            "{date}"
        );
    }
    for date in ["2026-12-02", "2027-12-03"] {
        let a = answer(
            s.post("/api/v1/ai/plan-day", me)
                .json(&json!({"date": date, "dry_run": true})),
        )
        .await;
        assert_eq!(a.status, 200, "{date}: {}", a.text);
    }
    let a = answer(
        s.post("/api/v1/ai/plan-day", me)
            .json(&json!({"instructions": "x".repeat(1001)})),
    )
    .await;
    assert_eq!(
        a.problem(422, "validation").as_deref(),
        Some("instructions")
    );
    let a = answer(
        s.post("/api/v1/ai/plan-day", me)
            .json(&json!({"date": "tomorrow"})),
    )
    .await;
    assert_eq!(a.problem(422, "validation").as_deref(), Some("date"));
    let _: Value = a.body;
}

#[tokio::test]
async fn a_legacy_dependency_cycle_is_409_dependency_cycle_on_both_plan_routes() {
    use sqlx::Connection;
    let s = start(Backend::Sqlite).await.unwrap();
    let me = fresh_user();
    let a = s.task(me, "Write report").await;
    let b = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "Send report", "depends_on": [a["id"]]})),
    )
    .await
    .body;
    // The store refuses a cycle at write time (422 on `depends_on`)...
    let p = answer(
        s.patch(&format!("/api/v1/tasks/{}", a["id"].as_str().unwrap()), me)
            .json(&json!({"depends_on": [b["id"]]})),
    )
    .await;
    assert_eq!(p.problem(422, "validation").as_deref(), Some("depends_on"));
    // ...so one is written behind its back, as an older version could have.
    let file = s.sqlite_file().unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let a_id: uuid::Uuid = a["id"].as_str().unwrap().parse().unwrap();
    sqlx::query(
        "UPDATE tasks SET data = json_set(data, '$.depends_on', json_array(?)) WHERE id = ?",
    )
    .bind(b["id"].as_str().unwrap())
    .bind(a_id)
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let before = events_count(&s, me).await;
    let r = answer(s.post("/api/v1/ai/plan-day", me).json(&json!({}))).await;
    r.problem(409, "dependency-cycle");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("\"Write report\"") && detail.contains("\"Send report\""),
        "{detail}"
    );
    let w = answer(s.post("/api/v1/ai/plan-week", me).json(&json!({}))).await;
    w.problem(409, "dependency-cycle");
    assert_eq!(events_count(&s, me).await, before, "nothing saved");
}
