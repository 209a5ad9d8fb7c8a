//! API.md's "first failure wins" order on every guarded route: headers and query (400)
//! before lookup (404), shape and rules (422) before lookup and `If-Match` (412), lookup
//! before `If-Match`, `If-Match` before the rules needing the stored resource and before
//! the state (409). Each stale write is checked to have changed nothing.

use serde_json::{Value, json};

use crate::on_backends;
use crate::support::*;

const UNKNOWN_TASK: &str = "/api/v1/tasks/00000000-0000-4000-8000-000000000001";

fn utc(t: &str) -> Value {
    json!({"kind": "utc", "value": t})
}

/// The fields of a 422 `validation` answer.
fn invalid_fields(a: &Answer) -> Vec<String> {
    a.problem(422, "validation");
    a.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// `path` still at version `version` for `user`.
async fn unchanged(s: &Server, path: &str, user: lifeos::core::UserId, version: u64) {
    let now = answer(s.get(path, user)).await;
    assert_eq!(now.status, 200, "{}", now.text);
    assert_eq!(now.body["version"], version, "{path} changed: {}", now.text);
}

/// On `collection`'s guarded routes (PATCH and DELETE of the resource at `path`, at
/// version 1): lookup before If-Match (an unknown id with a stale version: 404), a
/// malformed If-Match (a header) before the lookup of a non-UUID id (400), and a stale
/// DELETE refused (412) with nothing changed.
async fn lookup_before_if_match(
    s: &Server,
    me: lifeos::core::UserId,
    collection: &str,
    path: &str,
    valid_patch: Value,
) {
    let unknown = format!("{collection}/00000000-0000-4000-8000-00000000000f");
    let a = answer(
        s.patch(&unknown, me)
            .header("if-match", "\"9\"")
            .json(&valid_patch),
    )
    .await;
    a.problem(404, "not-found");
    let a = answer(s.delete(&unknown, me).header("if-match", "\"9\"")).await;
    a.problem(404, "not-found");
    let a = answer(
        s.delete(&format!("{collection}/not-a-uuid"), me)
            .header("if-match", "7"),
    )
    .await;
    assert_eq!(a.problem(400, "bad-request").as_deref(), Some("If-Match"));
    let a = answer(s.delete(path, me).header("if-match", "\"9\"")).await;
    a.problem(412, "precondition-failed");
    unchanged(s, path, me, 1).await;
}

async fn tasks(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let task = s.task(me, "Guarded").await;
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());

    // Rules of the body before If-Match: a 501-character title and 21 labels, stale
    // version: 422 naming both.
    let bad = json!({"title": "x".repeat(501), "labels": (0..21).map(|i| format!("l{i}")).collect::<Vec<_>>()});
    let a = answer(s.patch(&path, me).header("if-match", "\"9\"").json(&bad)).await;
    let fields = invalid_fields(&a);
    assert!(
        fields.contains(&"title".to_owned()) && fields.contains(&"labels".to_owned()),
        "{fields:?}"
    );
    // ... and before the lookup: the same body on an unknown id is 422 too.
    let a = answer(s.patch(UNKNOWN_TASK, me).json(&bad)).await;
    assert!(!invalid_fields(&a).is_empty());
    // JSON shape (a wrong-type field) before If-Match.
    let a = answer(
        s.patch(&path, me)
            .header("if-match", "\"9\"")
            .json(&json!({"priority": "x"})),
    )
    .await;
    assert_eq!(invalid_fields(&a), ["priority"]);
    // Lookup before If-Match: an unknown id with a stale version is 404.
    let a = answer(
        s.patch(UNKNOWN_TASK, me)
            .header("if-match", "\"9\"")
            .json(&json!({"title": "ok"})),
    )
    .await;
    a.problem(404, "not-found");
    // If-Match before the rules needing the stored task: a self-dependency, stale: 412.
    let own = json!({"depends_on": [task["id"]]});
    let a = answer(s.patch(&path, me).header("if-match", "\"9\"").json(&own)).await;
    a.problem(412, "precondition-failed");
    let a = answer(s.patch(&path, me).header("if-match", "\"1\"").json(&own)).await;
    assert_eq!(invalid_fields(&a), ["depends_on[0]"]);
    // A malformed If-Match (a header) before the lookup of a non-UUID id.
    for (method, route) in [
        (reqwest::Method::DELETE, "/api/v1/tasks/not-a-uuid"),
        (reqwest::Method::POST, "/api/v1/tasks/not-a-uuid/restore"),
        (reqwest::Method::POST, "/api/v1/tasks/not-a-uuid/start"),
        (reqwest::Method::POST, "/api/v1/tasks/not-a-uuid/cancel"),
        (reqwest::Method::POST, "/api/v1/tasks/not-a-uuid/complete"),
    ] {
        let a = answer(s.req(method, route, me).header("if-match", "7")).await;
        assert_eq!(
            a.problem(400, "bad-request").as_deref(),
            Some("If-Match"),
            "{route}"
        );
    }
    // complete's body rule before If-Match.
    let a = answer(
        s.post(&format!("{path}/complete"), me)
            .header("if-match", "\"9\"")
            .json(&json!({"actual_minutes": 43201})),
    )
    .await;
    assert_eq!(invalid_fields(&a), ["actual_minutes"]);
    unchanged(&s, &path, me, 1).await;

    // If-Match before the state: cancel a cancelled task with a stale version: 412; with
    // the current one: 409.
    let a = answer(s.post(&format!("{path}/cancel"), me)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = answer(
        s.post(&format!("{path}/cancel"), me)
            .header("if-match", "\"1\""),
    )
    .await;
    a.problem(412, "precondition-failed");
    let a = answer(
        s.post(&format!("{path}/start"), me)
            .header("if-match", "\"2\""),
    )
    .await;
    a.problem(409, "invalid-transition");
    // Lookup before If-Match on the bodiless routes.
    for suffix in ["", "/restore", "/start", "/complete", "/cancel"] {
        let method = if suffix.is_empty() {
            reqwest::Method::DELETE
        } else {
            reqwest::Method::POST
        };
        let a = answer(
            s.req(method, &format!("{UNKNOWN_TASK}{suffix}"), me)
                .header("if-match", "\"9\""),
        )
        .await;
        a.problem(404, "not-found");
    }
    // A stale delete and restore change nothing.
    let a = answer(s.delete(&path, me).header("if-match", "\"1\"")).await;
    a.problem(412, "precondition-failed");
    let a = answer(
        s.post(&format!("{path}/restore"), me)
            .header("if-match", "\"1\""),
    )
    .await;
    a.problem(412, "precondition-failed");
    unchanged(&s, &path, me, 2).await;
}

on_backends!(task_errors_come_in_api_order, tasks);

async fn projects(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let created = answer(
        s.post("/api/v1/projects", me)
            .json(&json!({"name": "Home"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/api/v1/projects/{}", created.body["id"].as_str().unwrap());
    let unknown = "/api/v1/projects/00000000-0000-4000-8000-000000000002";

    let bad = json!({"name": "", "color": "red"});
    let a = answer(s.patch(&path, me).header("if-match", "\"9\"").json(&bad)).await;
    let mut fields = invalid_fields(&a);
    fields.sort();
    assert_eq!(fields, ["color", "name"]);
    let a = answer(s.patch(unknown, me).json(&bad)).await;
    assert!(!invalid_fields(&a).is_empty());
    lookup_before_if_match(&s, me, "/api/v1/projects", &path, json!({"name": "ok"})).await;
}

on_backends!(project_errors_come_in_api_order, projects);

async fn calendar_events(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let created = answer(s.post("/api/v1/calendar/events", me).json(&json!({
        "title": "1:1",
        "start": utc("2026-12-04T15:00:00Z"),
        "end": utc("2026-12-04T16:00:00Z"),
    })))
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!(
        "/api/v1/calendar/events/{}",
        created.body["id"].as_str().unwrap()
    );
    let unknown = "/api/v1/calendar/events/00000000-0000-4000-8000-000000000003";

    // The patch's own rules (a long title; an end of another kind than the start it
    // sets) before If-Match and before the lookup.
    let bad = json!({
        "title": "x".repeat(1001),
        "start": utc("2026-12-04T15:00:00Z"),
        "end": {"kind": "date", "value": "2026-12-05"},
    });
    let a = answer(s.patch(&path, me).header("if-match", "\"9\"").json(&bad)).await;
    assert_eq!(invalid_fields(&a), ["title", "end"]);
    let a = answer(s.patch(unknown, me).json(&bad)).await;
    assert_eq!(invalid_fields(&a), ["title", "end"]);
    // An end before the stored start needs the stored event: If-Match first.
    let early = json!({"end": utc("2026-12-04T14:00:00Z")});
    let a = answer(s.patch(&path, me).header("if-match", "\"9\"").json(&early)).await;
    a.problem(412, "precondition-failed");
    let a = answer(s.patch(&path, me).header("if-match", "\"1\"").json(&early)).await;
    assert_eq!(invalid_fields(&a), ["end"]);
    lookup_before_if_match(
        &s,
        me,
        "/api/v1/calendar/events",
        &path,
        json!({"title": "ok"}),
    )
    .await;
}

on_backends!(calendar_event_errors_come_in_api_order, calendar_events);

async fn preferences(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let route = "/api/v1/me/preferences";
    // The case: a stale If-Match and a bad body: 422, not 412.
    let a = answer(s.patch(route, me).header("if-match", "\"9\"").json(
        &json!({"timezone": "Mars/Base", "working_days": ["mon", "funday"], "max_focus_hours": 25}),
    ))
    .await;
    let mut fields = invalid_fields(&a);
    fields.sort();
    assert_eq!(fields, ["max_focus_hours", "timezone", "working_days[1]"]);
    // An end before the stored start needs the stored preferences: If-Match first.
    let early = json!({"workday_end": "06:00"});
    let a = answer(s.patch(route, me).header("if-match", "\"9\"").json(&early)).await;
    a.problem(412, "precondition-failed");
    let a = answer(s.patch(route, me).header("if-match", "\"1\"").json(&early)).await;
    assert_eq!(invalid_fields(&a), ["workday_end"]);
    // A malformed If-Match (a header) before the body's syntax.
    let a = answer(
        s.patch(route, me)
            .header("if-match", "7")
            .header("content-type", "application/json")
            .body("{nope"),
    )
    .await;
    assert_eq!(a.problem(400, "bad-request").as_deref(), Some("If-Match"));
    unchanged(&s, "/api/v1/me", me, 1).await;
}

on_backends!(preference_errors_come_in_api_order, preferences);
