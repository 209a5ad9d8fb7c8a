//! `PATCH /calendar/events/{id}` and the event `version`: ETag, If-Match (412), the
//! create's rules, tenancy.

use serde_json::{Value, json};

use crate::on_backends;
use crate::support::*;

fn utc(t: &str) -> Value {
    json!({"kind": "utc", "value": t})
}

async fn patch_with_if_match(backend: Backend) {
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
    assert_eq!(
        (created.status, created.header("etag")),
        (201, Some("\"1\"")),
        "{}",
        created.text
    );
    assert_eq!(created.body["version"], 1);
    let path = format!(
        "/api/v1/calendar/events/{}",
        created.body["id"].as_str().unwrap()
    );
    let got = answer(s.get(&path, me)).await;
    assert_eq!((got.status, got.header("etag")), (200, Some("\"1\"")));

    let moved =
        json!({"end": utc("2026-12-04T17:00:00Z"), "location": "Room 4", "external_id": "ignored"});
    let ok = answer(s.patch(&path, me).header("if-match", "\"1\"").json(&moved)).await;
    assert_eq!(
        (ok.status, ok.header("etag")),
        (200, Some("\"2\"")),
        "{}",
        ok.text
    );
    assert_eq!(ok.body["version"], 2);
    assert_eq!(ok.body["end"], utc("2026-12-04T17:00:00Z"));
    assert_eq!(ok.body["location"], "Room 4");
    assert_eq!(
        ok.body["external_id"],
        Value::Null,
        "the upsert key is not patched"
    );

    // Stale: 412, nothing changed.
    let stale = answer(
        s.patch(&path, me)
            .header("if-match", "\"1\"")
            .json(&json!({"title": "Lost"})),
    )
    .await;
    stale.problem(412, "precondition-failed");
    let now = answer(s.get(&path, me)).await;
    assert_eq!(
        (now.body["title"].clone(), now.header("etag")),
        (json!("1:1"), Some("\"2\""))
    );

    // The create's rules, naming the field; a malformed If-Match is 400.
    let bad = answer(
        s.patch(&path, me)
            .json(&json!({"end": utc("2026-12-04T14:00:00Z")})),
    )
    .await;
    assert_eq!(bad.problem(422, "validation").as_deref(), Some("end"));
    let kind = answer(
        s.patch(&path, me)
            .json(&json!({"end": {"kind": "date", "value": "2026-12-05"}})),
    )
    .await;
    assert_eq!(kind.problem(422, "validation").as_deref(), Some("end"));
    let malformed = answer(s.patch(&path, me).header("if-match", "2").json(&json!({}))).await;
    assert_eq!(
        malformed.problem(400, "bad-request").as_deref(),
        Some("If-Match")
    );

    // null clears a nullable field; an empty patch is a no-op.
    let cleared = answer(s.patch(&path, me).json(&json!({"location": null}))).await;
    assert_eq!(
        (
            cleared.body["location"].clone(),
            cleared.body["version"].clone()
        ),
        (Value::Null, json!(3))
    );
    let noop = answer(s.patch(&path, me).json(&json!({}))).await;
    assert_eq!((noop.status, noop.header("etag")), (200, Some("\"3\"")));

    // Another user's event: 404 to every verb.
    let other = fresh_user();
    answer(s.get(&path, other)).await.problem(404, "not-found");
    answer(s.patch(&path, other).json(&json!({"title": "x"})))
        .await
        .problem(404, "not-found");
    answer(s.delete(&path, other))
        .await
        .problem(404, "not-found");

    // Delete at a version.
    answer(s.delete(&path, me).header("if-match", "\"2\""))
        .await
        .problem(412, "precondition-failed");
    let deleted = answer(s.delete(&path, me).header("if-match", "\"3\"")).await;
    assert_eq!(
        (deleted.status, deleted.header("etag")),
        (200, Some("\"4\"")),
        "{}",
        deleted.text
    );
    answer(s.patch(&path, me).json(&json!({"title": "x"})))
        .await
        .problem(404, "not-found");
    answer(s.delete(&path, me)).await.problem(404, "not-found");
}
on_backends!(calendar_patch, patch_with_if_match);
