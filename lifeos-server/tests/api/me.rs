//! `/me`: profile, preferences, export, erasure.

use serde_json::json;

use crate::on_backends;
use crate::support::*;

async fn me_routes(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let a = answer(s.get("/api/v1/me", me)).await;
    assert_eq!((a.status, a.header("etag")), (200, Some("\"1\"")));
    assert_eq!(a.body["preferences"]["timezone"], "UTC");

    let p = answer(
        s.patch("/api/v1/me/preferences", me)
            .json(&json!({"timezone": "Europe/Berlin", "workday_start": null})),
    )
    .await;
    assert_eq!(
        (p.status, p.header("etag")),
        (200, Some("\"2\"")),
        "{}",
        p.text
    );
    assert_eq!(p.body["preferences"]["timezone"], "Europe/Berlin");
    let bad = answer(
        s.patch("/api/v1/me/preferences", me)
            .json(&json!({"timezone": "Mars/Base", "working_days": ["mon", "funday"]})),
    )
    .await;
    bad.problem(422, "validation");
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"timezone") && fields.contains(&"working_days[1]"),
        "{fields:?}"
    );
    let stale = answer(
        s.patch("/api/v1/me/preferences", me)
            .header("if-match", "\"1\"")
            .json(&json!({"timezone": "UTC"})),
    )
    .await;
    stale.problem(412, "precondition-failed");
    let noop = answer(s.patch("/api/v1/me/preferences", me).json(&json!({}))).await;
    assert_eq!(
        noop.header("etag"),
        Some("\"2\""),
        "a patch that sets nothing is a no-op"
    );

    s.task(me, "Exported").await;
    let e = answer(s.get("/api/v1/me/export", me)).await;
    assert_eq!(e.status, 200);
    assert!(
        e.text.contains("lifeos-export/1") && e.text.contains("Exported"),
        "{}",
        e.text
    );

    let refused = answer(s.delete("/api/v1/me", me)).await;
    assert_eq!(
        refused.problem(400, "bad-request").as_deref(),
        Some("confirm")
    );
    let wrong = answer(s.delete(&format!("/api/v1/me?confirm={}", fresh_user()), me)).await;
    assert_eq!(
        wrong.problem(400, "bad-request").as_deref(),
        Some("confirm")
    );
    let erased = answer(s.delete(&format!("/api/v1/me?confirm={me}"), me)).await;
    assert_eq!(erased.status, 200, "{}", erased.text);
    assert_eq!(erased.body["erased_user_id"], me.to_string());
    assert!(
        erased.body["counts"]["tasks"].as_u64().unwrap() >= 1,
        "{}",
        erased.text
    );
    let after = answer(s.get("/api/v1/me/export", me)).await;
    assert!(!after.text.contains("Exported"));
}
on_backends!(me_profile_preferences_export_erase, me_routes);
