//! `/calendar/events`: create or upsert, read, list (paged), delete; validation and
//! tenancy.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_backends;
use crate::support::*;

fn utc(t: &str) -> Value {
    json!({"kind": "utc", "value": t})
}

fn meeting(title: &str) -> Value {
    json!({
        "title": title,
        "start": utc("2026-12-04T15:00:00Z"),
        "end": utc("2026-12-04T16:00:00Z"),
    })
}

async fn event(s: &Server, user: lifeos::core::UserId, title: &str) -> Value {
    s.clock.advance(chrono::Duration::milliseconds(1));
    let r = answer(
        s.post("/api/v1/calendar/events", user)
            .json(&meeting(title)),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

fn fields(a: &Answer) -> Vec<String> {
    a.body["errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn crud(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let r = answer(
        s.post("/api/v1/calendar/events", me)
            .json(&meeting("Standup")),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/calendar/events/{id}");
    assert_eq!(r.header("location"), Some(path.as_str()));
    assert_eq!(
        (
            r.body["provider"].as_str(),
            r.body["status"].as_str(),
            r.body["transparency"].as_str()
        ),
        (Some("manual"), Some("confirmed"), Some("busy")),
        "CalendarEventInput::new's defaults"
    );
    assert_eq!(r.body["start"], utc("2026-12-04T15:00:00Z"));
    let g = answer(s.get(&path, me)).await;
    assert_eq!((g.status, &g.body), (200, &r.body));

    // Only start and end: a title-less manual event.
    let bare = answer(s.post("/api/v1/calendar/events", me).json(&json!({
        "start": {"kind": "date", "value": "2026-12-05"},
        "end": {"kind": "date", "value": "2026-12-06"},
    })))
    .await;
    assert_eq!(
        (bare.status, bare.body["title"].as_str()),
        (201, Some("")),
        "{}",
        bare.text
    );

    let listed = answer(s.get("/api/v1/calendar/events", me)).await;
    let ids: Vec<&str> = listed.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str(), bare.body["id"].as_str().unwrap()]);
    assert_eq!(listed.body["next_cursor"], Value::Null);

    let d = answer(s.delete(&path, me)).await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert!(d.body["deleted_at"].is_string());
    answer(s.delete(&path, me)).await.problem(404, "not-found");
    let listed = answer(s.get("/api/v1/calendar/events", me)).await;
    assert_eq!(
        listed.body["results"].as_array().unwrap().len(),
        1,
        "deleted ones are not listed"
    );
    let exported = s.get("/api/v1/calendar/export", me).send().await.unwrap();
    assert!(
        !exported.text().await.unwrap().contains("Standup"),
        "nor exported"
    );
}
on_backends!(calendar_event_crud, crud);

async fn upsert(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let mut body = meeting("Review");
    body["provider"] = json!("google");
    body["external_id"] = json!("g-1");
    body["etag"] = json!("v1");
    let created = answer(s.post("/api/v1/calendar/events", me).json(&body)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let events = |a: &Value| a["results"].as_array().unwrap().len();
    let log = answer(s.get("/api/v1/events", me)).await.body;
    let same = answer(s.post("/api/v1/calendar/events", me).json(&body)).await;
    assert_eq!(same.status, 200, "unchanged: {}", same.text);
    assert_eq!(same.body, created.body, "same etag: unchanged");
    assert_eq!(
        events(&answer(s.get("/api/v1/events", me)).await.body),
        events(&log),
        "no event for an unchanged upsert"
    );
    body["etag"] = json!("v2");
    body["title"] = json!("Review (moved)");
    let updated = answer(s.post("/api/v1/calendar/events", me).json(&body)).await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["id"], created.body["id"]);
    assert_eq!(updated.body["title"], "Review (moved)");
    assert_eq!(
        answer(s.get("/api/v1/calendar/events", me)).await.body["results"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
on_backends!(calendar_event_upsert_by_external_id, upsert);

async fn validation(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let post = |body: Value| answer(s.post("/api/v1/calendar/events", me).json(&body));
    let missing = post(json!({"title": "x"})).await;
    missing.problem(422, "validation");
    assert_eq!(fields(&missing), ["start", "end"]);
    let before = post(json!({
        "start": utc("2026-12-04T15:00:00Z"), "end": utc("2026-12-04T14:00:00Z")
    }))
    .await;
    assert_eq!(
        before.problem(422, "validation").as_deref(),
        Some("end"),
        "{}",
        before.text
    );
    let kind = post(json!({
        "start": utc("2026-12-04T15:00:00Z"), "end": {"kind": "date", "value": "2026-12-05"}
    }))
    .await;
    assert_eq!(
        kind.problem(422, "validation").as_deref(),
        Some("end"),
        "{}",
        kind.text
    );
    let mut bad_rule = meeting("x");
    bad_rule["rrule"] = json!("FREQ=SOMETIMES");
    let rule = post(bad_rule).await;
    assert_eq!(
        rule.problem(422, "validation").as_deref(),
        Some("rrule"),
        "{}",
        rule.text
    );
    let long = post(meeting(&"t".repeat(1001))).await;
    assert_eq!(
        long.problem(422, "validation").as_deref(),
        Some("title"),
        "{}",
        long.text
    );
    let shape = post(
        json!({"start": {"kind": "utc", "value": "yesterday"}, "end": utc("2026-12-04T14:00:00Z")}),
    )
    .await;
    assert_eq!(
        shape.problem(422, "validation").as_deref(),
        Some("start.value"),
        "{}",
        shape.text
    );
    answer(s.post("/api/v1/calendar/events", me).body("{"))
        .await
        .problem(415, "unsupported-media-type");
    answer(
        s.post("/api/v1/calendar/events", me)
            .header("content-type", "application/json")
            .body("{"),
    )
    .await
    .problem(400, "bad-request");
    answer(s.get("/api/v1/calendar/events/not-a-uuid", me))
        .await
        .problem(404, "not-found");
    answer(s.get(
        &format!("/api/v1/calendar/events/{}", uuid::Uuid::from_u128(5)),
        me,
    ))
    .await
    .problem(404, "not-found");
    assert_eq!(
        answer(s.get("/api/v1/calendar/events", me)).await.body["results"],
        json!([]),
        "nothing was written"
    );
}
on_backends!(calendar_event_errors_name_their_fields, validation);

async fn tenancy(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let (owner, other) = (fresh_user(), fresh_user());
    let e = event(&s, owner, "Private").await;
    let id = e["id"].as_str().unwrap();
    let unknown = uuid::Uuid::from_u128(0xfeed).to_string();
    for method in [Method::GET, Method::DELETE] {
        let call = |target: &str| {
            s.req(
                method.clone(),
                &format!("/api/v1/calendar/events/{target}"),
                other,
            )
        };
        let theirs = answer(call(id)).await;
        theirs.problem(404, "not-found");
        let never = answer(call(&unknown)).await;
        let strip = |mut v: Value| {
            v.as_object_mut().unwrap().remove("request_id");
            v
        };
        assert_eq!(
            strip(theirs.body),
            strip(never.body),
            "{method}: like a never-used id"
        );
    }
    let mut over = meeting("Override");
    over["series_id"] = json!(id);
    over["recurrence_id"] = utc("2026-12-04T15:00:00Z");
    let stolen = answer(s.post("/api/v1/calendar/events", other).json(&over)).await;
    assert_eq!(
        stolen.problem(422, "validation").as_deref(),
        Some("series_id"),
        "{}",
        stolen.text
    );
    assert_eq!(
        answer(s.get("/api/v1/calendar/events", other)).await.body["results"],
        json!([]),
        "nothing leaks into lists"
    );
    assert_eq!(
        answer(s.get(&format!("/api/v1/calendar/events/{id}"), owner))
            .await
            .body,
        e,
        "nothing changed"
    );
}
on_backends!(another_users_event_is_not_found, tenancy);

async fn paging(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(event(&s, me, &format!("e{i}")).await["id"].clone());
    }
    let mut seen = Vec::new();
    let mut url = "/api/v1/calendar/events?limit=2".to_owned();
    loop {
        let page = answer(s.get(&url, me)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        seen.extend(
            page.body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].clone()),
        );
        match page.body["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/calendar/events?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, made, "every event once, in creation order");
    let first = answer(s.get("/api/v1/calendar/events?limit=1", me)).await;
    let c = first.body["next_cursor"].as_str().unwrap().to_owned();
    // A cursor of another list is refused.
    let other_route = answer(s.get(&format!("/api/v1/projects?cursor={c}"), me)).await;
    assert_eq!(
        other_route.problem(400, "bad-request").as_deref(),
        Some("cursor")
    );
    let a = answer(s.get("/api/v1/calendar/events?limit=201", me)).await;
    assert_eq!(a.problem(400, "bad-request").as_deref(), Some("limit"));
}
on_backends!(calendar_event_pages, paging);
