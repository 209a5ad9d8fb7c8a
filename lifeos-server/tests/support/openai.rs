//! A fake OpenAI-compatible server on loopback (chat completions wire format, as in
//! `lifeos-scheduler/tests/openai.rs`), and the server's own refiner pointed at it: the
//! real async-openai path runs. It answers from a script, else by default: a plan prompt
//! gets its starting plan back, a breakdown prompt two good steps. It counts requests.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use lifeos::scheduler::refine::Refiner;
use lifeos_server::ai::AiSettings;
use rand_core::SeedableRng;
use serde_json::{Value, json};

/// The model name the tests configure.
pub const MODEL: &str = "gpt-test";

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Reply {
    /// The starting plan of the prompt, unchanged.
    Plan,
    /// This assistant content (finish reason `stop`).
    Content(String),
    /// A refusal.
    Refusal(String),
    /// An HTTP error status with an OpenAI error body (and `retry-after-ms: 1`).
    Status(u16),
    /// Waits this long, then answers [`Reply::Plan`] or the default steps.
    Slow(Duration),
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Reply>,
    requests: Vec<(Value, Option<String>)>,
}

/// A running fake.
#[derive(Clone)]
pub struct FakeModel {
    /// `http://127.0.0.1:<port>/v1`.
    pub base_url: String,
    script: Arc<Mutex<Script>>,
}

impl FakeModel {
    /// Starts one.
    pub async fn start() -> Self {
        let script = Arc::new(Mutex::new(Script::default()));
        let app = Router::new()
            .route("/v1/chat/completions", post(completions))
            .with_state(Arc::clone(&script));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeModel {
            base_url: format!("http://{addr}/v1"),
            script,
        }
    }

    /// Answers the next request with `reply`.
    pub fn push(&self, reply: Reply) {
        self.script.lock().unwrap().replies.push_back(reply);
    }

    /// How many requests it received.
    pub fn requests(&self) -> usize {
        self.script.lock().unwrap().requests.len()
    }

    /// The bodies and `Authorization` headers it received.
    pub fn received(&self) -> Vec<(Value, Option<String>)> {
        self.script.lock().unwrap().requests.clone()
    }

    /// The server's settings for this fake: key `sk-test`, [`MODEL`], `timeout`.
    pub fn settings(&self, timeout: Duration) -> AiSettings {
        AiSettings::new()
            .api_key("sk-test")
            .base_url(self.base_url.clone())
            .model(MODEL)
            .timeout(timeout)
    }

    /// The server's refiner for [`FakeModel::settings`] (as the binary builds it).
    pub fn refiner(&self, timeout: Duration) -> Arc<dyn Refiner> {
        lifeos_server::ai::refiner(
            &self.settings(timeout),
            Arc::new(lifeos::SystemMonotonic::new()),
            rand_chacha::ChaCha8Rng::seed_from_u64(super::random_u64()),
        )
        .unwrap()
        .expect("a key is set")
    }
}

/// Two steps that pass every rule for a task of an hour or more.
pub fn good_steps() -> Value {
    json!({"steps": [{"title": "Outline the report", "estimatedMinutes": 20},
                     {"title": "Write the draft", "estimatedMinutes": 30}]})
}

fn completion(model: &Value, message: Value) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_772_000_000,
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020}
    })
}

/// The default answer to `body`: its starting plan, or two good steps for a breakdown.
fn default_content(body: &Value) -> String {
    let schema = body["response_format"]["json_schema"]["name"].as_str();
    if schema == Some("task_breakdown") {
        return good_steps().to_string();
    }
    let user: Value = serde_json::from_str(body["messages"][1]["content"].as_str().unwrap_or("{}"))
        .unwrap_or(Value::Null);
    json!({"scheduledTasks": user["startingPlan"]["scheduledTasks"],
           "insights": ["Kept the plan."]})
    .to_string()
}

async fn completions(
    State(script): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let reply = {
        let mut s = script.lock().unwrap();
        s.requests.push((body.clone(), auth));
        s.replies.pop_front().unwrap_or(Reply::Plan)
    };
    let message = |content: String| json!({"role": "assistant", "content": content});
    let content = match reply {
        Reply::Plan => default_content(&body),
        Reply::Content(text) => text,
        Reply::Refusal(text) => {
            let m = json!({"role": "assistant", "content": null, "refusal": text});
            return axum::Json(completion(&body["model"], m)).into_response();
        }
        Reply::Status(status) => {
            let error = json!({"error": {"message": "scripted failure", "type": "server_error",
                                         "param": null, "code": null}});
            let status = StatusCode::from_u16(status).unwrap();
            // A 429 asks for a 1 ms wait: the retries run, whatever the timeout.
            return (status, [("retry-after-ms", "1")], axum::Json(error)).into_response();
        }
        Reply::Slow(delay) => {
            tokio::time::sleep(delay).await;
            default_content(&body)
        }
    };
    axum::Json(completion(&body["model"], message(content))).into_response()
}
