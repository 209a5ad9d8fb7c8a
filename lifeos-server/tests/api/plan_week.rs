//! `POST /ai/plan-week`: a week in chunks, saved as blocks, kept when planned again; the
//! horizon and start date checked with a 422 naming the field.

use serde_json::{Value, json};

use crate::on_backends;
use crate::support::*;

async fn events_count(s: &Server, me: lifeos::core::UserId) -> usize {
    answer(s.get("/api/v1/events?limit=200", me)).await.body["results"]
        .as_array()
        .unwrap()
        .len()
}

fn blocks_of(task: &Value) -> usize {
    task["planned_blocks"].as_array().map_or(0, Vec::len)
}

async fn plan_week(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let thesis = answer(s.post("/api/v1/tasks", me).json(&json!({
        "title": "Thesis chapter", "estimated_minutes": 600,
        "min_chunk_minutes": 60, "max_chunk_minutes": 120
    })))
    .await;
    assert_eq!(thesis.status, 201, "{}", thesis.text);
    assert_eq!(thesis.body["max_chunk_minutes"], 120);
    for (title, minutes) in [("Deep work", 90), ("Email", 30)] {
        let a = answer(
            s.post("/api/v1/tasks", me)
                .json(&json!({"title": title, "estimated_minutes": minutes})),
        )
        .await;
        assert_eq!(a.status, 201);
    }
    let before = events_count(&s, me).await;

    // Dry run: a plan over the default seven days, nothing written.
    let dry = answer(
        s.post("/api/v1/ai/plan-week", me)
            .json(&json!({"dry_run": true})),
    )
    .await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(dry.body["saved"], 0);
    let blocks = dry.body["scheduledTasks"].as_array().unwrap();
    let thesis_id = thesis.body["id"].as_str().unwrap();
    let chunks: Vec<&Value> = blocks.iter().filter(|b| b["taskId"] == thesis_id).collect();
    assert!(chunks.len() >= 5, "{}", dry.text);
    assert!(chunks.iter().all(|c| c["chunkCount"] == chunks.len()));
    assert_eq!(events_count(&s, me).await, before, "dry_run writes nothing");

    // The plan passes the independent week validator against its request.
    let week = s
        .state
        .app()
        .plan_week(
            me,
            None,
            s.clock.now_utc(),
            lifeos::PlanWeekOptions::new().dry_run(true),
        )
        .await
        .unwrap();
    let response: lifeos::core::plan::PlanWeekResponse =
        serde_json::from_value(dry.body.clone()).unwrap();
    assert_eq!(
        response, week.response,
        "the route answers the application's plan"
    );
    assert!(lifeos::scheduler::validate_week(&week.request, &response).is_ok());

    // Saved: every block, as `saved` counts them.
    let saved = answer(s.post("/api/v1/ai/plan-week", me)).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let n = saved.body["scheduledTasks"].as_array().unwrap().len();
    assert_eq!(saved.body["saved"], n, "{}", saved.text);
    let tasks = answer(s.get("/api/v1/tasks", me)).await;
    let stored: usize = tasks.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(blocks_of)
        .sum();
    assert_eq!(stored, n);

    // A minute later, nothing moves.
    s.clock.advance(chrono::Duration::minutes(1));
    let again = answer(s.post("/api/v1/ai/plan-week", me).json(&json!({}))).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["saved"], 0, "{}", again.text);
}
on_backends!(plan_week_plans_saves_and_keeps, plan_week);

#[tokio::test]
async fn plan_week_checks_the_horizon_and_the_start_date() {
    let Some(s) = start(Backend::Sqlite).await else {
        return;
    };
    let me = fresh_user();
    for days in [0, 15, -1] {
        let a = answer(
            s.post("/api/v1/ai/plan-week", me)
                .json(&json!({"horizon_days": days})),
        )
        .await;
        assert_eq!(a.status, 422, "{}", a.text);
        assert_eq!(a.body["errors"][0]["field"], "horizon_days", "{}", a.text);
    }
    let today = s.clock.now_utc().date_naive();
    for date in [today - chrono::Days::new(2), today + chrono::Days::new(366)] {
        let a = answer(
            s.post("/api/v1/ai/plan-week", me)
                .json(&json!({"start_date": date, "dry_run": true})),
        )
        .await;
        assert_eq!(a.status, 422, "{}", a.text);
        assert_eq!(a.body["errors"][0]["field"], "start_date", "{}", a.text);
    }
    let a = answer(s.post("/api/v1/ai/plan-week", me).json(
        &json!({"start_date": today - chrono::Days::new(1), "horizon_days": 14, "dry_run": true}),
    ))
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
}
