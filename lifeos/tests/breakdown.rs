//! `LifeOs::breakdown` over a SQLite file, through the async-openai refiner against a local
//! OpenAI-compatible server answering scripted steps: accepted steps are stored with a
//! `task.updated`; a reply that breaks a rule is refused by name and the task is unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use chrono::{DateTime, TimeZone, Utc};
use lifeos::core::{NewProfile, NewTask, PreferencesPatch, Task, Tier, UserId};
use lifeos::refinement::MemoryAiQuota;
use lifeos::scheduler::refine::MonotonicClock;
use lifeos::scheduler::refine::openai::{OpenAiConfig, OpenAiRefiner};
use lifeos::store::{EventQuery, ManualClock, SqliteStore, StoreOptions};
use lifeos::{Error, ErrorKind, LifeOs};
use rand_core::SeedableRng;
use serde_json::{Value, json};

struct TokioClock(tokio::time::Instant);

impl MonotonicClock for TokioClock {
    fn elapsed(&self) -> StdDuration {
        self.0.elapsed()
    }
}

type Script = Arc<Mutex<(VecDeque<Value>, Vec<Value>)>>;

/// Answers the next scripted reply as the message content; keeps the request bodies.
async fn completions(State(script): State<Script>, body: String) -> axum::Json<Value> {
    let mut s = script.lock().unwrap();
    s.1.push(serde_json::from_str(&body).unwrap());
    let content = s.0.pop_front().unwrap_or(json!({"steps": []}));
    axum::Json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_772_000_000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content.to_string()}}],
        "usage": {"prompt_tokens": 200, "completion_tokens": 50, "total_tokens": 250}
    }))
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 7, 0, 0).unwrap()
}

struct Setup {
    app: LifeOs,
    me: UserId,
    task: Task,
    script: Script,
    _dir: tempfile::TempDir,
}

async fn setup(replies: Vec<Value>, estimate: Option<i64>) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let options = StoreOptions::new()
        .clock(Arc::new(ManualClock::new(now())))
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(1));
    let store = Arc::new(
        SqliteStore::open(dir.path().join("lifeos.db"), options)
            .await
            .unwrap(),
    );
    let script: Script = Arc::new(Mutex::new((replies.into(), vec![])));
    let router = Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(Arc::clone(&script));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let refiner = OpenAiRefiner::new(
        OpenAiConfig::new("sk-test").base_url_set(url),
        Arc::new(TokioClock(tokio::time::Instant::now())),
        rand_chacha::ChaCha8Rng::seed_from_u64(2),
    )
    .unwrap();
    let app = LifeOs::builder(store)
        .clock(Arc::new(ManualClock::new(now())))
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(3))
        .refiner(Arc::new(refiner))
        .ai_quota(Arc::new(MemoryAiQuota::new()))
        .build();
    let me = UserId::from_uuid(uuid::Uuid::from_u128(1));
    app.store()
        .create_profile(
            me,
            NewProfile {
                email: "me@example.com".into(),
                name: None,
                avatar_url: None,
                preferences: PreferencesPatch::default(),
            },
        )
        .await
        .unwrap();
    let task = app
        .add_task(
            me,
            NewTask {
                estimated_minutes: estimate,
                description: Some("Quarterly report for the board".into()),
                ..NewTask::titled("Write the report")
            },
        )
        .await
        .unwrap();
    Setup {
        app,
        me,
        task,
        script,
        _dir: dir,
    }
}

fn steps(list: &[(&str, i64)]) -> Value {
    let steps: Vec<Value> = list
        .iter()
        .map(|(t, m)| json!({"title": t, "estimatedMinutes": m}))
        .collect();
    json!({ "steps": steps })
}

async fn event_count(s: &Setup) -> usize {
    s.app
        .store()
        .read_all_events(s.me, &EventQuery::new())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn an_acceptable_breakdown_is_stored_with_a_task_updated_event() {
    let s = setup(
        vec![steps(&[("Outline", 20), ("Draft", 60), ("Revise", 30)])],
        Some(100),
    )
    .await;
    let before = event_count(&s).await;
    let task = s
        .app
        .breakdown(s.me, s.task.id, Tier::Free, now())
        .await
        .unwrap();
    let titles: Vec<&str> = task.ai_breakdown.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Outline", "Draft", "Revise"]);
    assert_eq!(task.ai_breakdown[1].estimated_minutes, Some(60));
    assert_eq!(task.version, s.task.version + 1);
    let events = s
        .app
        .store()
        .read_all_events(s.me, &EventQuery::new())
        .await
        .unwrap();
    assert_eq!(events.len(), before + 1);
    assert_eq!(events.last().unwrap().event.kind(), "task.updated");
    // The request: the task as quoted data, the strict breakdown schema.
    let sent = &s.script.lock().unwrap().1[0];
    assert_eq!(sent["model"], "gpt-4o-mini");
    assert_eq!(
        sent["response_format"]["json_schema"]["name"],
        "task_breakdown"
    );
    assert_eq!(sent["response_format"]["json_schema"]["strict"], true);
    let user: Value =
        serde_json::from_str(sent["messages"][1]["content"].as_str().unwrap()).unwrap();
    assert_eq!(user["title"], "Write the report");
    assert_eq!(user["estimatedMinutes"], 100);
}

#[tokio::test]
async fn breakdowns_that_break_a_rule_are_refused_by_name_and_change_nothing() {
    let cases = [
        (steps(&[("Only one", 30)]), None, "steps"),
        (steps(&[("a", 10); 13]), None, "steps"),
        (
            steps(&[("Outline", 20), ("   ", 30)]),
            None,
            "steps[1].title",
        ),
        (
            steps(&[("Outline", 20), (&"x".repeat(501), 30)]),
            None,
            "steps[1].title",
        ),
        (
            steps(&[("Outline", 4), ("Draft", 30)]),
            None,
            "steps[0].estimatedMinutes",
        ),
        (
            steps(&[("Outline", 20), ("Draft", 481)]),
            None,
            "steps[1].estimatedMinutes",
        ),
        // 130 minutes for a 100-minute task: over 125%.
        (steps(&[("Outline", 70), ("Draft", 60)]), Some(100), "steps"),
        (json!({"plan": []}), None, "steps"),
    ];
    for (reply, estimate, field) in cases {
        let s = setup(vec![reply.clone()], estimate).await;
        let before = event_count(&s).await;
        let err = s
            .app
            .breakdown(s.me, s.task.id, Tier::Free, now())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadModelOutput, "{reply}");
        let Error::BadModelOutput(why) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(why.field, field, "{reply}: {why}");
        let stored = s.app.task(s.me, s.task.id).await.unwrap();
        assert_eq!(stored, s.task, "the task is unchanged");
        assert_eq!(event_count(&s).await, before);
    }
    // Exactly 125% passes.
    let s = setup(vec![steps(&[("Outline", 65), ("Draft", 60)])], Some(100)).await;
    let task = s
        .app
        .breakdown(s.me, s.task.id, Tier::Free, now())
        .await
        .unwrap();
    assert_eq!(task.ai_breakdown.len(), 2);
}

#[tokio::test]
async fn a_breakdown_takes_an_ai_unit() {
    let replies = vec![steps(&[("Outline", 20), ("Draft", 30)]); 4];
    let s = setup(replies, None).await;
    for _ in 0..3 {
        s.app
            .breakdown(s.me, s.task.id, Tier::Free, now())
            .await
            .unwrap();
    }
    let err = s
        .app
        .breakdown(s.me, s.task.id, Tier::Free, now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(s.script.lock().unwrap().1.len(), 3);
}
