//! `Idempotency-Key` (API.md "Lists, versions, idempotency, limits"; conformance item 4).

use lifeos::core::UserId;
use lifeos::store::IdempotencyScope;
use serde_json::{Value, json};

use crate::on_backends;
use crate::support::*;

fn keyed(r: reqwest::RequestBuilder, key: &str) -> reqwest::RequestBuilder {
    r.header("idempotency-key", key)
}

async fn events_of(s: &Server, me: UserId, kind: &str) -> usize {
    let r = answer(s.get("/api/v1/events?limit=200", me)).await;
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .count()
}

async fn task_count(s: &Server, me: UserId) -> usize {
    let r = answer(s.get("/api/v1/tasks?include_deleted=true&limit=200", me)).await;
    r.body["results"].as_array().unwrap().len()
}

async fn a_retried_post_creates_once_and_replays_byte_for_byte(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let body = json!({"title": "Once", "labels": ["a"]});
    let first = answer(keyed(s.post("/api/v1/tasks", me), "k-1").json(&body)).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), None);
    let id = first.body["id"].as_str().unwrap().to_owned();
    // Stored in the change's transaction.
    // Scoped by the path within the router (`/api/v1` is where it is nested).
    let scope = IdempotencyScope::new("POST", "/tasks", "k-1");
    let record = s
        .state
        .app()
        .store()
        .idempotency_record(me, &scope)
        .await
        .unwrap()
        .expect("the record is stored");
    assert_eq!(record.response.body, first.text);

    s.clock.advance(chrono::Duration::hours(23));
    let again = answer(keyed(s.post("/api/v1/tasks", me), "k-1").json(&body)).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.text, first.text, "byte for byte");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("etag"), Some("\"1\""));
    let location = format!("/api/v1/tasks/{id}");
    assert_eq!(again.header("location"), Some(location.as_str()));
    assert_eq!(again.header("content-type"), first.header("content-type"));
    assert!(again.header("x-request-id").is_some());
    assert_ne!(again.header("x-request-id"), first.header("x-request-id"));
    assert_eq!(task_count(&s, me).await, 1);
    assert_eq!(events_of(&s, me, "task.created").await, 1);

    // Another body (or query) under the key: 422, nothing created.
    let other =
        answer(keyed(s.post("/api/v1/tasks", me), "k-1").json(&json!({"title": "Twice"}))).await;
    other.problem(422, "idempotency-key-reuse");
    let query = answer(keyed(s.post("/api/v1/tasks?x=1", me), "k-1").json(&body)).await;
    query.problem(422, "idempotency-key-reuse");
    assert_eq!(task_count(&s, me).await, 1);

    // Scoped to user, method and path.
    let theirs = answer(keyed(s.post("/api/v1/tasks", fresh_user()), "k-1").json(&body)).await;
    assert_eq!(
        (theirs.status, theirs.header("idempotent-replayed")),
        (201, None)
    );
    let project =
        answer(keyed(s.post("/api/v1/projects", me), "k-1").json(&json!({"name": "P"}))).await;
    assert_eq!(
        (project.status, project.header("idempotent-replayed")),
        (201, None)
    );

    // After 24 hours the key is free again.
    s.clock.advance(chrono::Duration::hours(1));
    let later = answer(keyed(s.post("/api/v1/tasks", me), "k-1").json(&body)).await;
    assert_eq!(
        (later.status, later.header("idempotent-replayed")),
        (201, None)
    );
    assert_eq!(task_count(&s, me).await, 2);
}
on_backends!(
    retried_post_creates_once,
    a_retried_post_creates_once_and_replays_byte_for_byte
);

async fn keys_are_checked_in_api_order(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    for bad in ["a b", &"k".repeat(256), "é"] {
        let r = answer(
            s.post("/api/v1/tasks", me)
                .header(
                    "idempotency-key",
                    reqwest::header::HeaderValue::from_bytes(bad.as_bytes()).unwrap(),
                )
                .json(&json!({"title": "x"})),
        )
        .await;
        assert_eq!(
            r.problem(400, "bad-request").as_deref(),
            Some("Idempotency-Key")
        );
    }
    // Content-Type comes first.
    let r = answer(
        keyed(s.post("/api/v1/tasks", me), "a b")
            .header("content-type", "text/plain")
            .body("{}"),
    )
    .await;
    r.problem(415, "unsupported-media-type");
    // 255 visible characters are a key.
    let long = "~".repeat(255);
    let ok = answer(keyed(s.post("/api/v1/tasks", me), &long).json(&json!({"title": "x"}))).await;
    assert_eq!(ok.status, 201, "{}", ok.text);

    // Failures are not stored: the key is free for a corrected request.
    let bad = answer(keyed(s.post("/api/v1/tasks", me), "fix").json(&json!({"title": ""}))).await;
    assert_eq!(bad.problem(422, "validation").as_deref(), Some("title"));
    let not_json = answer(
        keyed(s.post("/api/v1/tasks", me), "fix")
            .header("content-type", "application/json")
            .body("{nope"),
    )
    .await;
    not_json.problem(400, "bad-request");
    let fixed =
        answer(keyed(s.post("/api/v1/tasks", me), "fix").json(&json!({"title": "ok"}))).await;
    assert_eq!(
        (fixed.status, fixed.header("idempotent-replayed")),
        (201, None)
    );
    // A stored key answers before the body is parsed: the same bytes replay.
    let replay =
        answer(keyed(s.post("/api/v1/tasks", me), "fix").json(&json!({"title": "ok"}))).await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
}
on_backends!(keys_in_api_order, keys_are_checked_in_api_order);

async fn parallel_duplicates_create_once(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let s = std::sync::Arc::new(s);
    let me = fresh_user();
    let mut handles = Vec::new();
    for _ in 0..8 {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            answer(keyed(s.post("/api/v1/tasks", me), "par").json(&json!({"title": "Par"}))).await
        }));
    }
    let mut originals = 0;
    for h in handles {
        let r = h.await.unwrap();
        match (r.status, r.header("idempotent-replayed")) {
            (201, None) => originals += 1,
            (201, Some("true")) => {}
            (409, _) => {
                r.problem(409, "idempotency-in-flight");
                assert_eq!(r.header("retry-after"), Some("1"));
            }
            other => panic!("unexpected {other:?}: {}", r.text),
        }
    }
    assert_eq!(originals, 1);
    assert_eq!(task_count(&s, me).await, 1);
    assert_eq!(events_of(&s, me, "task.created").await, 1);
}
on_backends!(parallel_duplicates, parallel_duplicates_create_once);

async fn keyed_changes_replay_without_changing_again(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let task = s.task(me, "Change me").await;
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    let patch = json!({"title": "Changed"});
    let first = answer(keyed(s.patch(&path, me), "p").json(&patch)).await;
    assert_eq!((first.status, first.header("etag")), (200, Some("\"2\"")));
    let again = answer(keyed(s.patch(&path, me), "p").json(&patch)).await;
    assert_eq!(
        (again.text.as_str(), again.header("idempotent-replayed")),
        (first.text.as_str(), Some("true"))
    );

    // A transition retried is a replay, not a 409 invalid-transition.
    let done = format!("{path}/complete");
    let c1 = answer(keyed(s.post(&done, me), "c")).await;
    assert_eq!(c1.status, 200, "{}", c1.text);
    let c2 = answer(keyed(s.post(&done, me), "c")).await;
    assert_eq!(
        (c2.status, c2.header("idempotent-replayed")),
        (200, Some("true"))
    );
    assert_eq!(c2.text, c1.text);
    let unkeyed = answer(s.post(&done, me)).await;
    unkeyed.problem(409, "invalid-transition");
    assert_eq!(events_of(&s, me, "task.completed").await, 1);
    let now = answer(s.get(&path, me)).await;
    assert_eq!(now.body["version"], 3);

    // A no-op (already deleted) stores its answer too.
    let d1 = answer(keyed(s.delete(&path, me), "d")).await;
    let d2 = answer(keyed(s.delete(&path, me), "d")).await;
    assert_eq!((d1.status, d2.status, d2.text == d1.text), (200, 200, true));
    assert_eq!(d2.header("idempotent-replayed"), Some("true"));

    // The erasure keeps its own record: its retry replays the same counts.
    let me_path = format!("/api/v1/me?confirm={me}");
    let e1 = answer(keyed(s.delete(&me_path, me), "bye")).await;
    assert_eq!(e1.status, 200, "{}", e1.text);
    let e2 = answer(keyed(s.delete(&me_path, me), "bye")).await;
    assert_eq!(
        (e2.status, e2.header("idempotent-replayed")),
        (200, Some("true"))
    );
    assert_eq!(e2.body, e1.body);
    assert_eq!(e1.body["counts"]["tasks"], 1);
}
on_backends!(keyed_changes, keyed_changes_replay_without_changing_again);

async fn plan_day_and_import_replay(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    s.task(me, "Plan me").await;
    let p1 = answer(keyed(s.post("/api/v1/ai/plan-day", me), "plan")).await;
    assert_eq!(p1.status, 200, "{}", p1.text);
    let p2 = answer(keyed(s.post("/api/v1/ai/plan-day", me), "plan")).await;
    assert_eq!(
        (p2.text.as_str(), p2.header("idempotent-replayed")),
        (p1.text.as_str(), Some("true"))
    );
    assert_eq!(events_of(&s, me, "ai.plan_generated").await, 1);
    // Rendered by the plan's save and stored in its transaction: the very bytes answered.
    let stored = |path: &str, key: &str| {
        let scope = IdempotencyScope::new("POST", path, key);
        let store = s.state.app().store().clone();
        async move {
            store
                .idempotency_record(me, &scope)
                .await
                .unwrap()
                .expect("the record is stored")
                .response
        }
    };
    let record = stored("/ai/plan-day", "plan").await;
    assert_eq!(
        (record.status, record.body.as_str()),
        (200, p1.text.as_str())
    );
    assert_eq!(p1.body["saved"], 1);
    // A keyed dry run saves nothing, and its answer (stored after it) replays too.
    let dry = || keyed(s.post("/api/v1/ai/plan-day", me), "dry").json(&json!({"dry_run": true}));
    let d1 = answer(dry()).await;
    let d2 = answer(dry()).await;
    assert_eq!((d1.status, d1.body["saved"].clone()), (200, Value::from(0)));
    assert_eq!(
        (d2.text.as_str(), d2.header("idempotent-replayed")),
        (d1.text.as_str(), Some("true"))
    );
    assert_eq!(events_of(&s, me, "ai.plan_generated").await, 1);

    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20261204T150000Z\r\nDTEND:20261204T160000Z\r\nSUMMARY:Call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let import = || {
        keyed(s.post("/api/v1/calendar/import", me), "ics")
            .header("content-type", "text/calendar")
            .body(ics)
    };
    let i1 = answer(import()).await;
    assert_eq!(
        (i1.status, i1.body["imported"].clone()),
        (200, Value::from(1)),
        "{}",
        i1.text
    );
    let i2 = answer(import()).await;
    assert_eq!(
        (i2.text.as_str(), i2.header("idempotent-replayed")),
        (i1.text.as_str(), Some("true"))
    );
    assert_eq!(events_of(&s, me, "calendar.synced").await, 1);
    let record = stored("/calendar/import", "ics").await;
    assert_eq!(
        (record.status, record.body.as_str()),
        (200, i1.text.as_str())
    );
}
on_backends!(plan_and_import_keyed, plan_day_and_import_replay);

async fn plan_week_replays(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    s.task(me, "Plan my week").await;
    let week = || keyed(s.post("/api/v1/ai/plan-week", me), "week");
    let w1 = answer(week()).await;
    assert_eq!(w1.status, 200, "{}", w1.text);
    assert!(w1.body["saved"].as_u64().unwrap() >= 1, "{}", w1.text);
    let w2 = answer(week()).await;
    assert_eq!(
        (w2.text.as_str(), w2.header("idempotent-replayed")),
        (w1.text.as_str(), Some("true"))
    );
    assert_eq!(events_of(&s, me, "ai.plan_generated").await, 1);
    // Rendered by the week's save and stored in its transaction: the very bytes answered.
    let scope = IdempotencyScope::new("POST", "/ai/plan-week", "week");
    let record = s
        .state
        .app()
        .store()
        .idempotency_record(me, &scope)
        .await
        .unwrap()
        .expect("the record is stored")
        .response;
    assert_eq!(
        (record.status, record.body.as_str()),
        (200, w1.text.as_str())
    );
    // The same key on another body is refused, and plans nothing.
    let other = answer(week().json(&json!({"horizon_days": 3}))).await;
    other.problem(422, "idempotency-key-reuse");
    assert_eq!(events_of(&s, me, "ai.plan_generated").await, 1);
}
on_backends!(plan_week_keyed, plan_week_replays);
