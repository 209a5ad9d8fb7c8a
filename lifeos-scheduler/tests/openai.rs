//! The async-openai refiner against a local OpenAI-compatible server started by each test
//! (axum on 127.0.0.1:0, answering the chat completions wire format): the real HTTP path
//! runs, retries and the timeout included. Whatever the server says, the answer passes
//! `validate`, and the `refinement` object and the warnings say what happened.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use lifeos_core::plan::{
    DropReason, DroppedEntry, PlanDayRequest, PlanDayResponse, Refinement, RefinementStatus,
};
use lifeos_scheduler::refine::openai::{OpenAiConfig, OpenAiRefiner, prompt_tokens};
use lifeos_scheduler::refine::{MonotonicClock, RefineOptions, build_prompt, refine};
use lifeos_scheduler::{plan_day, validate};
use rand_core::SeedableRng;
use serde_json::{Value, json};
use uuid::Uuid;

/// The test's clock: tokio's monotonic time (the library reads only this injected one).
struct TokioClock(tokio::time::Instant);

impl MonotonicClock for TokioClock {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

/// One canned HTTP answer.
#[derive(Clone)]
struct Canned {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

impl Canned {
    fn ok(body: Value) -> Self {
        Self {
            status: 200,
            headers: vec![],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    fn status(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![],
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }

    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn slow(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct Script {
    answers: VecDeque<Canned>,
    requests: Vec<(Value, Option<String>)>,
}

type Shared = Arc<Mutex<Script>>;

async fn completions(State(script): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let canned = {
        let mut s = script.lock().unwrap();
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        s.requests
            .push((serde_json::from_str(&body).unwrap_or(Value::Null), auth));
        s.answers
            .pop_front()
            .unwrap_or_else(|| Canned::status(500, "no answer scripted"))
    };
    tokio::time::sleep(canned.delay).await;
    let mut response = (
        StatusCode::from_u16(canned.status).unwrap(),
        [("content-type", "application/json")],
        canned.body,
    )
        .into_response();
    for (name, value) in canned.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

/// Starts the fake server; its base URL (up to `/v1`) and its script.
async fn server(answers: Vec<Canned>) -> (String, Shared) {
    let script: Shared = Arc::new(Mutex::new(Script {
        answers: answers.into(),
        requests: vec![],
    }));
    let app = Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(Arc::clone(&script));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), script)
}

/// A chat completion in OpenAI's wire format.
fn completion(content: Option<&str>, refusal: Option<&str>, finish: &str) -> Value {
    json!({
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1_772_000_000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "finish_reason": finish, "logprobs": null,
                     "message": {"role": "assistant", "content": content, "refusal": refusal}}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540}
    })
}

fn reply(plan: &Value) -> Canned {
    Canned::ok(completion(Some(&plan.to_string()), None, "stop"))
}

const A: &str = "00000000-0000-4000-8000-00000000000a"; // p3 60 min
const B: &str = "00000000-0000-4000-8000-00000000000b"; // p2 30 min
const C: &str = "00000000-0000-4000-8000-00000000000c"; // p1 45 min, after A
const D: &str = "00000000-0000-4000-8000-00000000000d"; // p0 30 min
const E: &str = "00000000-0000-4000-8000-00000000000e"; // p0 30 min
const P: &str = "00000000-0000-4000-8000-00000000000f"; // pinned 13:00, 30 min
const X: &str = "00000000-0000-4000-8000-000000000010"; // completed

fn id(s: &str) -> Uuid {
    s.parse().unwrap()
}

fn request() -> PlanDayRequest {
    PlanDayRequest::from_value(&json!({
        "timezone": "UTC", "today": "2026-03-09", "currentTime": "2026-03-09T08:00:00Z",
        "tasks": [
            {"id": A, "title": "Write report", "priority": 3, "estimatedMinutes": 60},
            {"id": B, "title": "Review PR", "priority": 2, "estimatedMinutes": 30},
            {"id": C, "title": "Send report", "priority": 1, "estimatedMinutes": 45,
             "dependsOn": [A]},
            {"id": D, "title": "Call bank", "estimatedMinutes": 30},
            {"id": E, "title": "Call plumber", "estimatedMinutes": 30},
            {"id": P, "title": "Lunch walk", "estimatedMinutes": 30,
             "pinnedStart": "2026-03-09T13:00:00Z"},
            {"id": X, "title": "Done already", "status": "completed"}
        ],
        "blockedTime": [{"title": "Standup", "start": "2026-03-09T10:00:00Z",
                         "end": "2026-03-09T10:15:00Z"}]
    }))
    .unwrap()
}

fn at(hhmm: &str) -> String {
    format!("2026-03-09T{hhmm}:00Z")
}

fn entry(task: &str, start: &str, end: &str) -> Value {
    json!({"taskId": task, "startTime": at(start), "endTime": at(end)})
}

fn entries(list: Vec<Value>) -> Value {
    json!({"scheduledTasks": list, "insights": []})
}

fn echo(plan: &PlanDayResponse) -> Vec<Value> {
    plan.scheduled_tasks
        .iter()
        .filter(|s| s.task_id != id(P))
        .map(|s| json!({"taskId": s.task_id, "startTime": s.start_time, "endTime": s.end_time}))
        .collect()
}

fn block_of(plan: &PlanDayResponse, task: &str) -> Option<(String, String)> {
    plan.scheduled_tasks
        .iter()
        .find(|s| s.task_id == id(task))
        .map(|s| {
            (
                s.start_time.format("%H:%M").to_string(),
                s.end_time.format("%H:%M").to_string(),
            )
        })
}

fn dropped(task: Option<&str>, reason: DropReason) -> DroppedEntry {
    DroppedEntry {
        task_id: task.map(id),
        reason,
    }
}

struct Run {
    base: PlanDayResponse,
    base_score: i64,
    response: PlanDayResponse,
    refinement: Refinement,
    /// The bodies the server received, with their `Authorization` header.
    requests: Vec<(Value, Option<String>)>,
}

impl Run {
    fn warning(&self) -> &str {
        self.response
            .warnings
            .last()
            .map(String::as_str)
            .unwrap_or("")
    }
}

async fn run_config(
    answers: Vec<Canned>,
    options: &RefineOptions,
    tune: impl FnOnce(OpenAiConfig) -> OpenAiConfig,
) -> Run {
    let request = request();
    let (url, script) = server(answers).await;
    let config = tune(OpenAiConfig::new("sk-test-key").base_url_set(url));
    let clock = Arc::new(TokioClock(tokio::time::Instant::now()));
    let rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let refiner = OpenAiRefiner::new(config, clock.clone(), rng).unwrap();
    let base = plan_day(&request).unwrap();
    let base_score = validate(&request, &base).unwrap().quarter_points;
    let response = refine(&request, &base, &refiner, options, clock.as_ref())
        .await
        .unwrap();
    // The one promise: whatever the server said, the answer is a valid plan.
    let score = validate(&request, &response)
        .unwrap_or_else(|v| panic!("invalid answer: {v:?}"))
        .quarter_points;
    let refinement = response.refinement.clone().expect("refinement object");
    assert_eq!(refinement.score_final, score);
    assert_eq!(refinement.score_deterministic, base_score);
    assert_eq!(refinement.model.as_deref(), Some("gpt-4o-mini"));
    if refinement.status != RefinementStatus::Accepted {
        assert_eq!(response.scheduled_tasks, base.scheduled_tasks);
        assert_eq!(refinement.moved, 0);
        assert_eq!(refinement.score_final, base_score);
        assert_eq!(response.warnings.len(), base.warnings.len() + 1);
    }
    let requests = std::mem::take(&mut script.lock().unwrap().requests);
    Run {
        base,
        base_score,
        response,
        refinement,
        requests,
    }
}

async fn run(answers: Vec<Canned>, options: &RefineOptions) -> Run {
    run_config(answers, options, |c| c).await
}

fn lenient() -> RefineOptions {
    RefineOptions::new().tolerance(1.0).unwrap()
}

#[tokio::test]
async fn a_good_refinement_is_accepted_and_the_request_is_the_documented_one() {
    let base = plan_day(&request()).unwrap();
    let (d, e) = (block_of(&base, D).unwrap(), block_of(&base, E).unwrap());
    let mut list = echo(&base);
    for item in &mut list {
        if item["taskId"] == json!(D) {
            *item = entry(D, &e.0, &e.1);
        } else if item["taskId"] == json!(E) {
            *item = entry(E, &d.0, &d.1);
        }
    }
    let plan = json!({"scheduledTasks": list, "insights": ["Calls \u{202E}grouped."]});
    let options = RefineOptions::new().instructions("calls after lunch");
    let r = run(vec![reply(&plan)], &options).await;
    let f = &r.refinement;
    assert_eq!(f.status, RefinementStatus::Accepted);
    assert_eq!(f.moved, 2);
    assert_eq!(f.dropped_total(), 0);
    assert_eq!((f.tokens_in, f.tokens_out), (1200, 340));
    assert!(!f.cache_hit);
    assert_eq!(f.score_final, r.base_score);
    assert_eq!(block_of(&r.response, D), Some(e));
    assert_eq!(r.response.insights.last().unwrap(), "Calls grouped.");
    assert_eq!(r.response.warnings, r.base.warnings);

    // What went over the wire: one request, as the issue says.
    assert_eq!(r.requests.len(), 1);
    let (body, auth) = &r.requests[0];
    assert_eq!(auth.as_deref(), Some("Bearer sk-test-key"));
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(
        body["temperature"].as_f64().map(|t| (t * 10.0).round()),
        Some(3.0)
    );
    assert_eq!(body["max_completion_tokens"], 2000);
    assert!(body.get("max_tokens").is_none());
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(body["response_format"]["json_schema"]["strict"], true);
    assert_eq!(
        body["response_format"]["json_schema"]["schema"]["required"],
        json!(["scheduledTasks", "insights"])
    );
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "system");
    assert_eq!(messages[1]["role"], "user");
    let user: Value = serde_json::from_str(messages[1]["content"].as_str().unwrap()).unwrap();
    assert_eq!(user["instructions"], "calls after lunch");
    assert!(
        !messages[0]["content"]
            .as_str()
            .unwrap()
            .contains("calls after lunch")
    );
}

#[tokio::test]
async fn an_instruction_at_a_small_cost_passes_within_tolerance_and_a_large_one_does_not() {
    let base = plan_day(&request()).unwrap();
    // The review out of peak hours: 4·1·30 = 120 quarter points.
    let mut small: Vec<Value> = echo(&base)
        .into_iter()
        .filter(|v| v["taskId"] != json!(B))
        .collect();
    small.push(entry(B, "15:00", "15:30"));
    let five = RefineOptions::new().tolerance(0.05).unwrap();
    let r = run(vec![reply(&entries(small))], &five).await;
    assert_eq!(r.refinement.status, RefinementStatus::Accepted);
    assert_eq!(r.refinement.score_final, r.base_score - 120);
    assert!(r.refinement.moved >= 1);
    assert_eq!(r.response.warnings, r.base.warnings);

    // The top-priority report out of peak hours: 8·1·60 = 480 quarter points.
    let mut large: Vec<Value> = echo(&base)
        .into_iter()
        .filter(|v| v["taskId"] != json!(A) && v["taskId"] != json!(C))
        .collect();
    large.push(entry(A, "14:00", "15:00"));
    large.push(entry(C, "15:00", "15:45"));
    let r = run(vec![reply(&entries(large))], &five).await;
    assert_eq!(r.refinement.status, RefinementStatus::Rejected);
    assert_eq!(r.refinement.dropped_total(), 0);
    assert!(r.warning().contains("5% tolerance"), "{}", r.warning());
}

#[tokio::test]
async fn double_bookings_are_dropped_and_the_planner_places_the_tasks() {
    let list = vec![
        entry(A, "10:30", "11:30"),
        entry(B, "11:00", "11:30"),
        entry(D, "13:00", "13:30"),
        entry(E, "09:00", "09:30"),
    ];
    let r = run(vec![reply(&entries(list))], &lenient()).await;
    let f = &r.refinement;
    assert_eq!(f.status, RefinementStatus::Accepted);
    assert_eq!(
        f.dropped,
        [
            dropped(Some(B), DropReason::Overlap),
            dropped(Some(D), DropReason::Overlap)
        ]
    );
    assert!(block_of(&r.response, B).is_some());
    assert!(block_of(&r.response, D).is_some_and(|b| b.0 != "13:00"));
}

#[tokio::test]
async fn unknown_repeated_and_completed_ids_are_dropped() {
    let stranger = "00000000-0000-4000-8000-0000000000ff";
    let list = vec![
        entry(stranger, "14:00", "14:30"),
        entry(A, "10:30", "11:30"),
        entry(A, "15:00", "16:00"),
        entry(X, "16:00", "16:30"),
    ];
    let r = run(vec![reply(&entries(list))], &lenient()).await;
    let f = &r.refinement;
    assert_eq!(f.status, RefinementStatus::Accepted);
    assert_eq!(
        f.dropped,
        [
            dropped(Some(stranger), DropReason::UnknownTask),
            dropped(Some(A), DropReason::Repeated),
            dropped(Some(X), DropReason::NotActionable),
        ]
    );
    assert_eq!(
        block_of(&r.response, A),
        Some(("10:30".into(), "11:30".into()))
    );
    assert_eq!(block_of(&r.response, X), None);
}

#[tokio::test]
async fn a_moved_pinned_task_stays() {
    let base = plan_day(&request()).unwrap();
    let mut list = echo(&base);
    list.push(entry(P, "16:00", "16:30"));
    let r = run(vec![reply(&entries(list))], &RefineOptions::new()).await;
    assert_eq!(r.refinement.status, RefinementStatus::Accepted);
    assert_eq!(r.refinement.dropped, [dropped(Some(P), DropReason::Pinned)]);
    assert_eq!(r.refinement.moved, 0);
    assert_eq!(
        block_of(&r.response, P),
        Some(("13:00".into(), "13:30".into()))
    );
}

#[tokio::test]
async fn times_outside_the_workday_or_off_the_grid_are_dropped() {
    let list = vec![
        entry(A, "07:00", "08:00"),
        entry(B, "16:45", "17:15"),
        entry(D, "14:02", "14:32"),
    ];
    let r = run(vec![reply(&entries(list))], &lenient()).await;
    assert_eq!(
        r.refinement.dropped,
        [
            dropped(Some(A), DropReason::OutsideWindow),
            dropped(Some(D), DropReason::OffGrid),
            dropped(Some(B), DropReason::OutsideWindow),
        ]
    );
    assert_eq!(r.refinement.status, RefinementStatus::Accepted);
    assert_eq!(r.response.scheduled_tasks, r.base.scheduled_tasks);
}

#[tokio::test]
async fn a_broken_dependency_order_is_dropped() {
    let list = vec![entry(C, "09:00", "09:45"), entry(A, "10:30", "11:30")];
    let r = run(vec![reply(&entries(list))], &lenient()).await;
    assert_eq!(
        r.refinement.dropped,
        [dropped(Some(C), DropReason::Dependency)]
    );
    let (a, c) = (
        block_of(&r.response, A).unwrap(),
        block_of(&r.response, C).unwrap(),
    );
    assert!(c.0 >= a.1, "send {c:?} before write {a:?}");
}

#[tokio::test]
async fn a_dropped_task_is_filled_in_by_the_planner() {
    let base = plan_day(&request()).unwrap();
    let list: Vec<Value> = echo(&base)
        .into_iter()
        .filter(|v| v["taskId"] != json!(D))
        .collect();
    let r = run(vec![reply(&entries(list))], &RefineOptions::new()).await;
    assert_eq!(r.refinement.status, RefinementStatus::Accepted);
    assert_eq!(r.refinement.dropped_total(), 0);
    assert!(block_of(&r.response, D).is_some());
    assert_eq!(r.refinement.score_final, r.base_score);
}

async fn failed(answers: Vec<Canned>, why: &str) -> Run {
    failed_with(answers, why, |c| c).await
}

async fn failed_with(
    answers: Vec<Canned>,
    why: &str,
    tune: impl FnOnce(OpenAiConfig) -> OpenAiConfig,
) -> Run {
    let r = run_config(answers, &RefineOptions::new(), tune).await;
    assert_eq!(r.refinement.status, RefinementStatus::Failed);
    assert_eq!(r.refinement.dropped_total(), 0);
    assert!(
        r.warning().starts_with("Refinement failed"),
        "{}",
        r.warning()
    );
    assert!(r.warning().contains(why), "{}", r.warning());
    r
}

#[tokio::test]
async fn malformed_json_fails() {
    let text = r#"{"scheduledTasks": [{"taskId": "#;
    let r = failed(
        vec![Canned::ok(completion(Some(text), None, "stop"))],
        "not JSON",
    )
    .await;
    assert_eq!(
        (r.refinement.tokens_in, r.refinement.tokens_out),
        (1200, 340)
    );
    assert_eq!(r.requests.len(), 1);
    // A body that is not a chat completion at all.
    let r = failed(
        vec![Canned::status(200, "{\"oops\": true}")],
        "not a chat completion",
    )
    .await;
    assert_eq!((r.refinement.tokens_in, r.refinement.tokens_out), (0, 0));
}

#[tokio::test]
async fn a_reply_cut_at_the_output_limit_fails() {
    let base = plan_day(&request()).unwrap();
    let text = entries(echo(&base)).to_string();
    let r = failed(
        vec![Canned::ok(completion(Some(&text), None, "length"))],
        "cut off",
    )
    .await;
    assert_eq!(r.refinement.tokens_out, 340);
}

#[tokio::test]
async fn a_refusal_fails() {
    let r = failed(
        vec![Canned::ok(completion(
            None,
            Some("I can't help with that."),
            "stop",
        ))],
        "refused",
    )
    .await;
    assert_eq!(r.refinement.tokens_in, 1200);
}

#[tokio::test]
async fn a_429_then_success_is_retried_after_the_servers_wait() {
    let base = plan_day(&request()).unwrap();
    let limited = Canned::status(
        429,
        r#"{"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}"#,
    )
    .header("retry-after-ms", "150");
    let r = run(
        vec![limited, reply(&entries(echo(&base)))],
        &RefineOptions::new(),
    )
    .await;
    assert_eq!(r.refinement.status, RefinementStatus::Accepted);
    assert_eq!(r.requests.len(), 2);
    assert!(
        r.refinement.latency_ms >= 150,
        "{}",
        r.refinement.latency_ms
    );
    assert_eq!(r.refinement.tokens_in, 1200);
}

#[tokio::test]
async fn a_retry_after_past_the_timeout_is_not_waited_for() {
    let limited = Canned::status(
        429,
        r#"{"error": {"message": "Rate limit reached", "type": "requests"}}"#,
    )
    .header("retry-after", "60");
    let r = failed_with(vec![limited], "HTTP 429", |c| {
        c.timeout(Duration::from_secs(5))
    })
    .await;
    assert_eq!(r.requests.len(), 1);
    assert!(
        r.refinement.latency_ms < 5_000,
        "{}",
        r.refinement.latency_ms
    );
}

#[tokio::test]
async fn a_500_is_retried_a_bounded_number_of_times_then_fails() {
    let answers = vec![Canned::status(500, "<html>oops</html>"); 5];
    let r = failed_with(answers, "HTTP 500", |c| c.max_retries(2)).await;
    assert_eq!(r.requests.len(), 3);
    // Two jittered waits: 250..=500 ms, then 500..=1000 ms.
    assert!(
        r.refinement.latency_ms >= 750,
        "{}",
        r.refinement.latency_ms
    );
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_fails_at_the_timeout() {
    let base = plan_day(&request()).unwrap();
    let slow = reply(&entries(echo(&base))).slow(Duration::from_secs(5));
    let r = failed_with(vec![slow], "within 300 ms", |c| {
        c.timeout(Duration::from_millis(300))
    })
    .await;
    assert!(
        (300..2_000).contains(&r.refinement.latency_ms),
        "{}",
        r.refinement.latency_ms
    );
    assert_eq!((r.refinement.tokens_in, r.refinement.tokens_out), (0, 0));
}

#[tokio::test]
async fn a_prompt_over_the_input_budget_is_not_sent() {
    let r = failed_with(vec![], "input budget", |c| c.max_input_tokens(100)).await;
    assert!(r.requests.is_empty());
}

#[tokio::test]
async fn an_unreachable_server_fails_without_its_url() {
    // A port nothing listens on: bind one, then free it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = failed_with(vec![], "could not be reached", move |c| {
        c.base_url_set(format!("http://user:secret@127.0.0.1:{port}/v1"))
            .max_retries(0)
    })
    .await;
    assert!(!r.warning().contains("secret"), "{}", r.warning());
}

#[test]
fn prompt_tokens_grow_with_the_day() {
    let request = request();
    let plan = plan_day(&request).unwrap();
    let prompt = build_prompt(&request, &plan, &RefineOptions::new()).unwrap();
    let small = prompt_tokens("gpt-4o", &prompt);
    let longer = build_prompt(
        &request,
        &plan,
        &RefineOptions::new().instructions("keep the afternoon light ".repeat(20)),
    )
    .unwrap();
    assert!(prompt_tokens("gpt-4o", &longer) > small + 80);
    assert!((500..5_000).contains(&small), "{small}");
}

#[test]
fn the_model_follows_the_day_size() {
    let config = OpenAiConfig::new("sk-secret-123");
    assert_eq!(config.model_for(&request()), "gpt-4o-mini");
    let config = config.models("gpt-4o", "gpt-4o-mini", 3);
    assert_eq!(config.model_for(&request()), "gpt-4o");
    assert!(
        !format!("{config:?}").contains("sk-secret"),
        "the key is never printed"
    );
}
