//! Conformance item 3, input: sizes, media types, JSON syntax and shape, parameters; and
//! the "first failure wins" order where this slice decides it.

use serde_json::json;

use crate::on_backends;
use crate::support::*;

async fn input_rules(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let max = s.state.config().max_body_bytes;
    // max body + 1 byte: 413 (declared), and a body of exactly the limit is read.
    let pad = |n: usize| {
        let title = "x";
        let base = json!({"title": title, "description": ""}).to_string();
        let fill = n - base.len();
        json!({"title": title, "description": " ".repeat(fill)}).to_string()
    };
    let over = pad(max + 1);
    assert_eq!(over.len(), max + 1);
    let a = answer(
        s.post("/api/v1/tasks", me)
            .header("content-type", "application/json")
            .body(over),
    )
    .await;
    a.problem(413, "payload-too-large");
    let exact = pad(max);
    let a = answer(
        s.post("/api/v1/tasks", me)
            .header("content-type", "application/json")
            .body(exact),
    )
    .await;
    assert_ne!(a.status, 413, "a body of exactly the limit is read");

    // Non-JSON: 400 on field "".
    let a = answer(
        s.post("/api/v1/tasks", me)
            .header("content-type", "application/json")
            .body("{title:"),
    )
    .await;
    assert_eq!(a.problem(400, "bad-request").as_deref(), Some(""));
    // text/plain: 415; Content-Type parameters are allowed.
    let a = answer(
        s.post("/api/v1/tasks", me)
            .header("content-type", "text/plain")
            .body("{\"title\":\"x\"}"),
    )
    .await;
    a.problem(415, "unsupported-media-type");
    let a = answer(
        s.post("/api/v1/tasks", me)
            .header("content-type", "application/json; charset=utf-8")
            .body("{\"title\":\"x\"}"),
    )
    .await;
    assert_eq!(a.status, 201);
    // A wrong-type root: 422 on "".
    let a = answer(s.post("/api/v1/tasks", me).json(&json!([1]))).await;
    assert_eq!(a.problem(422, "validation").as_deref(), Some(""));

    // Parameters: 400 naming them.
    for (query, field) in [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("status=done", "status"),
        ("cursor=bogus", "cursor"),
        ("include_deleted=yes", "include_deleted"),
        ("limit=5&limit=6", "limit"),
        ("label=", "label"),
        ("due_after=yesterday", "due_after"),
    ] {
        let a = answer(s.get(&format!("/api/v1/tasks?{query}"), me)).await;
        assert_eq!(
            a.problem(400, "bad-request").as_deref(),
            Some(field),
            "{query}"
        );
    }
    let q = "q".repeat(201);
    let a = answer(s.get(&format!("/api/v1/tasks?q={q}"), me)).await;
    assert_eq!(a.problem(400, "bad-request").as_deref(), Some("q"));

    // Shape and rules: 422 naming the field.
    let a = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "t", "priority": "x"})),
    )
    .await;
    assert_eq!(a.problem(422, "validation").as_deref(), Some("priority"));
    let a = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "t".repeat(501)})),
    )
    .await;
    assert_eq!(a.problem(422, "validation").as_deref(), Some("title"));
    let labels: Vec<String> = (0..21).map(|i| format!("l{i}")).collect();
    let a = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "t", "labels": labels})),
    )
    .await;
    assert_eq!(a.problem(422, "validation").as_deref(), Some("labels"));
    let a = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "t", "labels": ["a", 3]})),
    )
    .await;
    assert_eq!(a.problem(422, "validation").as_deref(), Some("labels[1]"));
    let a = answer(s.post("/api/v1/tasks", me).json(&json!({}))).await;
    assert_eq!(a.problem(422, "validation").as_deref(), Some("title"));
    // Instants outside 1677-09-22..2262-04-11: 422 naming each.
    let a = answer(s.post("/api/v1/tasks", me).json(&json!({"title": "t", "due_date": "2300-01-01T00:00:00Z", "pinned_start": "1600-01-01T00:00:00+01:00"}))).await;
    a.problem(422, "validation");
    let fields: Vec<&str> = a.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["due_date", "pinned_start"]);
    let a = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "t", "due_date": "2026-12-04T10:00:00+05:30"})),
    )
    .await;
    assert_eq!(
        (a.status, a.body["due_date"].as_str()),
        (201, Some("2026-12-04T04:30:00Z")),
        "{}",
        a.text
    );
    // Every broken rule is listed.
    let a = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "", "priority": 9})),
    )
    .await;
    a.problem(422, "validation");
    assert!(
        a.body["errors"].as_array().unwrap().len() >= 2,
        "{}",
        a.text
    );
}
on_backends!(input_is_checked_as_the_contract_says, input_rules);

#[tokio::test]
async fn authentication_comes_before_size_and_media_type() {
    let s = start(Backend::Sqlite).await.unwrap();
    let a = answer(
        s.http
            .post(s.url("/api/v1/tasks"))
            .header("content-type", "text/plain")
            .body("x".repeat(2_000_000)),
    )
    .await;
    a.problem(401, "unauthorized");
    // Size (declared) before Content-Type.
    let a = answer(
        s.post("/api/v1/tasks", fresh_user())
            .header("content-type", "text/plain")
            .body("x".repeat(2_000_000)),
    )
    .await;
    a.problem(413, "payload-too-large");
    // Content-Type before the body's syntax.
    let a = answer(
        s.post("/api/v1/tasks", fresh_user())
            .header("content-type", "text/plain")
            .body("{"),
    )
    .await;
    a.problem(415, "unsupported-media-type");
}

#[tokio::test]
async fn a_lookup_comes_after_the_body_is_read() {
    let s = start(Backend::Sqlite).await.unwrap();
    let unknown = uuid::Uuid::from_u128(5);
    let a = answer(
        s.patch(&format!("/api/v1/tasks/{unknown}"), fresh_user())
            .header("content-type", "application/json")
            .body("{"),
    )
    .await;
    a.problem(400, "bad-request");
    let a = answer(
        s.patch(&format!("/api/v1/tasks/{unknown}"), fresh_user())
            .json(&json!({"title": "ok"})),
    )
    .await;
    a.problem(404, "not-found");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_a_413_when_read() {
    let mut setup = Setup::new(Backend::Sqlite);
    setup.config.max_body_bytes = 1024;
    let s = start_with(setup).await.unwrap();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..4).map(|_| Ok(vec![b' '; 400])).collect();
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let a = answer(
        s.post("/api/v1/tasks", fresh_user())
            .header("content-type", "application/json")
            .body(body),
    )
    .await;
    a.problem(413, "payload-too-large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_the_timeout_is_a_503_timeout() {
    let mut setup = Setup::new(Backend::Sqlite);
    setup.config.request_timeout = std::time::Duration::from_millis(300);
    let s = start_with(setup).await.unwrap();
    // A body that trickles in slower than the timeout: the handler is still reading it.
    let slow = futures_util::stream::unfold(0u8, |n| async move {
        if n >= 3 {
            return None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(if n == 0 {
            0
        } else {
            2_000
        }))
        .await;
        Some((Ok::<_, std::io::Error>(b"{ ".to_vec()), n + 1))
    });
    let a = answer(
        s.post("/api/v1/tasks", fresh_user())
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(slow)),
    )
    .await;
    a.problem(503, "timeout");
    assert_eq!(answer(s.http.get(s.url("/health"))).await.status, 200);
}
