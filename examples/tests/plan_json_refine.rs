//! `plan_json --refine` as a process, against a local OpenAI-compatible server started by
//! the test: the model echoes the starting plan it was sent (or answers slowly when the
//! instructions say "slow"). Without `OPENAI_API_KEY` the answer is the deterministic plan,
//! `"status": "unavailable"`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};

fn plan_json() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = dir
        .join("examples")
        .join(format!("plan_json{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "lifeos-examples",
                "--example",
                "plan_json",
            ])
            .status()
            .unwrap();
        assert!(status.success(), "building plan_json");
    }
    bin
}

type Seen = Arc<Mutex<Vec<Value>>>;

/// Answers a chat completion whose content is the starting plan of the prompt.
async fn completions(State(seen): State<Seen>, body: String) -> axum::Json<Value> {
    let body: Value = serde_json::from_str(&body).unwrap();
    seen.lock().unwrap().push(body.clone());
    let user: Value =
        serde_json::from_str(body["messages"][1]["content"].as_str().unwrap()).unwrap();
    if user["instructions"] == "slow" {
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    let plan = json!({"scheduledTasks": user["startingPlan"]["scheduledTasks"],
                      "insights": ["Echoed."]});
    axum::Json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_772_000_000,
        "model": body["model"],
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": plan.to_string()}}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540}
    }))
}

/// Starts the fake server on its own thread; its base URL and what it was sent.
fn server() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let state = Arc::clone(&seen);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = Router::new()
                .route("/v1/chat/completions", post(completions))
                .with_state(state);
            axum::serve(listener, app).await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    (format!("http://{addr}/v1"), seen)
}

const DAY: &str = r#"{"timezone": "UTC", "today": "2026-03-09", "currentTime": "2026-03-09T08:00:00Z",
 "tasks": [{"id": "00000000-0000-4000-8000-00000000000a", "title": "Write report", "priority": 3, "estimatedMinutes": 60},
           {"id": "00000000-0000-4000-8000-00000000000b", "title": "Review PR", "priority": 2, "estimatedMinutes": 30}]}"#;

fn run(args: &[&str], env: Option<&str>, stdin: &str) -> Output {
    let mut cmd = Command::new(plan_json());
    cmd.args(args)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL");
    if let Some(url) = env {
        cmd.env("OPENAI_API_KEY", "sk-process-test")
            .env("OPENAI_BASE_URL", url);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    // A process that exits on its flags reads no input: a broken pipe is its answer.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn without_a_key_the_plan_is_the_deterministic_one_and_unavailable() {
    let plain = run(&[], None, DAY);
    assert!(plain.status.success());
    let plain = &lines(&plain)[0];
    assert!(plain.get("refinement").is_none());
    let out = run(&["--refine"], None, DAY);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer = &lines(&out)[0];
    assert_eq!(answer["refinement"]["status"], "unavailable");
    assert_eq!(answer["refinement"]["model"], Value::Null);
    assert_eq!(answer["scheduledTasks"], plain["scheduledTasks"]);
    let warnings = answer["warnings"].as_array().unwrap();
    assert!(
        warnings
            .last()
            .unwrap()
            .as_str()
            .unwrap()
            .contains("no language model is configured")
    );
}

#[test]
fn with_a_server_each_line_is_refined_through_it() {
    let (url, seen) = server();
    let input = format!("{}\n{}\n", DAY.replace('\n', ""), DAY.replace('\n', ""));
    let out = run(
        &[
            "--refine",
            "--model",
            "gpt-4o-test",
            "--instructions",
            "calls after lunch",
            "--tolerance",
            "0",
        ],
        Some(&url),
        &input,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers = lines(&out);
    assert_eq!(answers.len(), 2);
    for a in &answers {
        let r = &a["refinement"];
        assert_eq!(r["status"], "accepted", "{a}");
        assert_eq!(r["model"], "gpt-4o-test");
        assert_eq!(r["moved"], 0);
        assert_eq!(r["tokensIn"], 1200);
        assert_eq!(r["tokensOut"], 340);
        assert_eq!(r["scoreFinal"], r["scoreDeterministic"]);
        assert_eq!(a["insights"].as_array().unwrap().last().unwrap(), "Echoed.");
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0]["model"], "gpt-4o-test");
    let user: Value =
        serde_json::from_str(seen[0]["messages"][1]["content"].as_str().unwrap()).unwrap();
    assert_eq!(user["instructions"], "calls after lunch");
}

#[test]
fn a_slow_server_fails_at_the_timeout_with_the_deterministic_plan() {
    let (url, _seen) = server();
    let out = run(
        &["--refine", "--instructions", "slow", "--timeout-ms", "300"],
        Some(&url),
        DAY,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer = &lines(&out)[0];
    assert_eq!(answer["refinement"]["status"], "failed");
    assert_eq!(answer["refinement"]["model"], "gpt-4o-mini");
    let latency = answer["refinement"]["latencyMs"].as_u64().unwrap();
    assert!((300..3_000).contains(&latency), "{latency}");
    let last = answer["warnings"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(last.as_str().unwrap().contains("within 300 ms"), "{last}");
}

#[test]
fn bad_flags_exit_2_naming_the_flag() {
    for (args, flag) in [
        (vec!["--refine", "--tolerance", "1.5"], "--tolerance"),
        (vec!["--refine", "--timeout-ms", "0"], "--timeout-ms"),
        (vec!["--refine", "--model"], "--model"),
        (vec!["--refine", "--week"], "--week"),
    ] {
        let out = run(&args, None, DAY);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(flag),
            "{args:?}"
        );
        assert!(out.stdout.is_empty());
    }
}
