//! The task routes; conformance items 1 (tenancy), 5 (If-Match) and 6 (pagination).

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_backends;
use crate::support::*;

async fn crud_and_transitions(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let r = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "  Write report ", "labels": ["work"]})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/tasks/{id}").as_str())
    );
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(
        (r.body["status"].as_str(), r.body["version"].as_u64()),
        (Some("pending"), Some(1))
    );
    assert_eq!(r.body["title"], "Write report");

    let g = answer(s.get(&format!("/api/v1/tasks/{id}"), me)).await;
    assert_eq!((g.status, g.header("etag")), (200, Some("\"1\"")));
    assert_eq!(g.body, r.body);

    let p = answer(
        s.patch(&format!("/api/v1/tasks/{id}"), me)
            .json(&json!({"description": "Q3", "labels": ["a", "b"]})),
    )
    .await;
    assert_eq!(
        (p.status, p.header("etag")),
        (200, Some("\"2\"")),
        "{}",
        p.text
    );
    assert_eq!(p.body["labels"], json!(["a", "b"]));
    let p = answer(
        s.patch(&format!("/api/v1/tasks/{id}"), me)
            .json(&json!({"description": null})),
    )
    .await;
    assert_eq!(p.body["description"], Value::Null);

    let st = answer(s.post(&format!("/api/v1/tasks/{id}/start"), me)).await;
    assert_eq!(
        (st.status, st.body["status"].as_str()),
        (200, Some("in_progress"))
    );
    let again = answer(s.post(&format!("/api/v1/tasks/{id}/start"), me)).await;
    again.problem(409, "invalid-transition");
    let done = answer(
        s.post(&format!("/api/v1/tasks/{id}/complete"), me)
            .json(&json!({"actual_minutes": 45})),
    )
    .await;
    assert_eq!(
        (done.status, done.body["status"].as_str()),
        (200, Some("completed")),
        "{}",
        done.text
    );
    assert_eq!(done.body["actual_minutes"], 45);
    assert!(done.body["completed_at"].is_string());
    answer(s.post(&format!("/api/v1/tasks/{id}/cancel"), me))
        .await
        .problem(409, "invalid-transition");
    answer(
        s.patch(&format!("/api/v1/tasks/{id}"), me)
            .json(&json!({"status": "in_progress"})),
    )
    .await
    .problem(409, "invalid-transition");
    let reopened = answer(
        s.patch(&format!("/api/v1/tasks/{id}"), me)
            .json(&json!({"status": "pending"})),
    )
    .await;
    assert_eq!(reopened.body["status"], "pending");
    let cancelled = answer(s.post(&format!("/api/v1/tasks/{id}/cancel"), me)).await;
    assert_eq!(cancelled.body["status"], "cancelled");
    answer(
        s.post(&format!("/api/v1/tasks/{id}/complete"), me)
            .json(&json!({"actual_minutes": 43201})),
    )
    .await
    .problem(422, "validation");

    let d = answer(s.delete(&format!("/api/v1/tasks/{id}"), me)).await;
    assert_eq!(d.status, 200);
    assert!(d.body["deleted_at"].is_string());
    let d2 = answer(s.delete(&format!("/api/v1/tasks/{id}"), me)).await;
    assert_eq!(
        (d2.status, d2.body.clone()),
        (200, d.body.clone()),
        "deleting again changes nothing"
    );
    assert_eq!(
        answer(s.get(&format!("/api/v1/tasks/{id}"), me))
            .await
            .status,
        200,
        "a deleted task is read"
    );
    answer(
        s.patch(&format!("/api/v1/tasks/{id}"), me)
            .json(&json!({"title": "x"})),
    )
    .await
    .problem(404, "not-found");
    answer(s.post(&format!("/api/v1/tasks/{id}/start"), me))
        .await
        .problem(404, "not-found");
    let back = answer(s.post(&format!("/api/v1/tasks/{id}/restore"), me)).await;
    assert_eq!(
        (back.status, back.body["deleted_at"].clone()),
        (200, Value::Null)
    );
    let again = answer(s.post(&format!("/api/v1/tasks/{id}/restore"), me)).await;
    assert_eq!(
        (again.status, again.body.clone()),
        (200, back.body.clone()),
        "restoring a live task changes nothing"
    );
}
on_backends!(task_crud_and_transitions, crud_and_transitions);

async fn if_match(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let t = s.task(me, "Guarded").await;
    let id = t["id"].as_str().unwrap();
    let path = format!("/api/v1/tasks/{id}");
    let v2 = answer(
        s.patch(&path, me)
            .header("if-match", "\"1\"")
            .json(&json!({"title": "v2"})),
    )
    .await;
    assert_eq!((v2.status, v2.body["version"].as_u64()), (200, Some(2)));
    let stale = answer(
        s.patch(&path, me)
            .header("if-match", "\"1\"")
            .json(&json!({"title": "v3"})),
    )
    .await;
    stale.problem(412, "precondition-failed");
    let now = answer(s.get(&path, me)).await;
    assert_eq!(now.body, v2.body, "a stale If-Match changes nothing");
    answer(
        s.post(&format!("{path}/start"), me)
            .header("if-match", "\"1\""),
    )
    .await
    .problem(412, "precondition-failed");
    answer(s.delete(&path, me).header("if-match", "\"7\""))
        .await
        .problem(412, "precondition-failed");
    let bad = answer(
        s.patch(&path, me)
            .header("if-match", "W/\"2\"")
            .json(&json!({"title": "x"})),
    )
    .await;
    assert_eq!(bad.problem(400, "bad-request").as_deref(), Some("If-Match"));
    let star = answer(s.post(&format!("{path}/start"), me).header("if-match", "*")).await;
    assert_eq!((star.status, star.body["version"].as_u64()), (200, Some(3)));
    let cur = answer(s.delete(&path, me).header("if-match", "\"3\"")).await;
    assert_eq!((cur.status, cur.header("etag")), (200, Some("\"4\"")));
}
on_backends!(if_match_guards_every_change, if_match);

async fn tenancy(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let (owner, other) = (fresh_user(), fresh_user());
    let t = s.task(owner, "Mine").await;
    let id = t["id"].as_str().unwrap();
    let unknown = uuid::Uuid::from_u128(0xdead_beef).to_string();
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, String::new(), None),
        (
            Method::PATCH,
            String::new(),
            Some(json!({"title": "stolen"})),
        ),
        (Method::DELETE, String::new(), None),
        (Method::POST, "/restore".into(), None),
        (Method::POST, "/start".into(), None),
        (Method::POST, "/complete".into(), None),
        (Method::POST, "/cancel".into(), None),
    ];
    for (method, suffix, body) in calls {
        let call = |target: &str| {
            let mut r = s.req(
                method.clone(),
                &format!("/api/v1/tasks/{target}{suffix}"),
                other,
            );
            if let Some(b) = &body {
                r = r.json(b);
            }
            r
        };
        let theirs = answer(call(id)).await;
        theirs.problem(404, "not-found");
        let never = answer(call(&unknown)).await;
        never.problem(404, "not-found");
        let strip = |mut v: Value| {
            v.as_object_mut().unwrap().remove("request_id");
            v
        };
        assert_eq!(
            strip(theirs.body),
            strip(never.body),
            "{method} {suffix}: like a never-used id"
        );
    }
    answer(s.get("/api/v1/tasks/not-a-uuid", other))
        .await
        .problem(404, "not-found");
    let mine = answer(s.get(&format!("/api/v1/tasks/{id}"), owner)).await;
    assert_eq!(mine.body, t, "nothing changed");
    let listed = answer(s.get("/api/v1/tasks", other)).await;
    assert_eq!(
        listed.body["results"],
        json!([]),
        "nothing leaks into lists"
    );
}
on_backends!(another_users_task_is_not_found, tenancy);

async fn list_filters(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let a = s.task(me, "Alpha report").await;
    s.clock.advance(chrono::Duration::milliseconds(1));
    let b =
        answer(s.post("/api/v1/tasks", me).json(
            &json!({"title": "Beta", "labels": ["work"], "due_date": "2026-12-05T10:00:00Z"}),
        ))
        .await
        .body;
    let c = s.task(me, "gamma REPORT").await;
    answer(s.post(
        &format!("/api/v1/tasks/{}/start", c["id"].as_str().unwrap()),
        me,
    ))
    .await;
    answer(s.delete(&format!("/api/v1/tasks/{}", a["id"].as_str().unwrap()), me)).await;
    let ids = |v: &Value| -> Vec<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let id = |t: &Value| t["id"].as_str().unwrap().to_owned();
    let all = answer(s.get("/api/v1/tasks", me)).await;
    assert_eq!(ids(&all.body), [id(&b), id(&c)]);
    assert_eq!(all.body["next_cursor"], Value::Null);
    let with_deleted = answer(s.get("/api/v1/tasks?include_deleted=true", me)).await;
    assert_eq!(ids(&with_deleted.body), [id(&a), id(&b), id(&c)]);
    assert_eq!(
        ids(
            &answer(s.get("/api/v1/tasks?status=in_progress,completed", me))
                .await
                .body
        ),
        [id(&c)]
    );
    assert_eq!(
        ids(&answer(s.get("/api/v1/tasks?label=%20work%20", me))
            .await
            .body),
        [id(&b)]
    );
    assert_eq!(
        ids(
            &answer(s.get("/api/v1/tasks?q=report&include_deleted=true", me))
                .await
                .body
        ),
        [id(&c)]
    );
    let due = "due_after=2026-12-05T10:00:00Z&due_before=2026-12-06T00:00:00Z";
    assert_eq!(
        ids(&answer(s.get(&format!("/api/v1/tasks?{due}"), me))
            .await
            .body),
        [id(&b)]
    );
    let due_before = "due_after=2026-12-01T00:00:00Z&due_before=2026-12-05T10:00:00Z";
    assert!(
        ids(&answer(s.get(&format!("/api/v1/tasks?{due_before}"), me))
            .await
            .body)
        .is_empty()
    );
    assert!(
        ids(
            &answer(s.get("/api/v1/tasks?scheduled_from=2026-01-01T00:00:00Z", me))
                .await
                .body
        )
        .is_empty()
    );
    // Unknown parameters are ignored.
    assert_eq!(
        answer(s.get("/api/v1/tasks?color=blue", me)).await.status,
        200
    );
}
on_backends!(list_filters_match_the_contract, list_filters);

async fn pagination(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let mut prior = Vec::new();
    for i in 0..15 {
        prior.push(
            s.task(me, &format!("task {i}")).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        s.clock.advance(chrono::Duration::milliseconds(1));
    }
    for limit in [1u32, 7, 200] {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = format!("/api/v1/tasks?limit={limit}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = answer(s.get(&path, me)).await;
            assert_eq!(page.status, 200, "{}", page.text);
            for t in page.body["results"].as_array().unwrap() {
                seen.push(t["id"].as_str().unwrap().to_owned());
            }
            // Inserts during paging.
            if pages < 3 {
                s.task(me, &format!("inserted {limit}/{pages}")).await;
            }
            pages += 1;
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        for id in &prior {
            assert_eq!(
                seen.iter().filter(|s| *s == id).count(),
                1,
                "limit {limit}: {id} once"
            );
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "limit {limit}: nothing twice");
    }
    // A cursor is bound to its filters and its user.
    let first = answer(s.get("/api/v1/tasks?limit=2&status=pending", me)).await;
    let c = first.body["next_cursor"].as_str().unwrap().to_owned();
    let other_filter = answer(s.get(&format!("/api/v1/tasks?limit=2&cursor={c}"), me)).await;
    assert_eq!(
        other_filter.problem(400, "bad-request").as_deref(),
        Some("cursor")
    );
    let same = answer(s.get(
        &format!("/api/v1/tasks?limit=5&status=pending&cursor={c}"),
        me,
    ))
    .await;
    assert_eq!(same.status, 200, "limit may change");
    let stranger = answer(s.get(
        &format!("/api/v1/tasks?limit=2&status=pending&cursor={c}"),
        fresh_user(),
    ))
    .await;
    assert_eq!(
        stranger.problem(400, "bad-request").as_deref(),
        Some("cursor")
    );
}
on_backends!(pagination_at_limits_1_7_200_during_inserts, pagination);

async fn nulls_and_noops(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    // In a create body, null fits nullable fields only.
    let ok = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "N", "description": null, "due_date": null})),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    let bad = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "N", "labels": null})),
    )
    .await;
    assert_eq!(bad.problem(422, "validation").as_deref(), Some("labels"));
    let id = ok.body["id"].as_str().unwrap();
    let path = format!("/api/v1/tasks/{id}");
    // In a patch, null on a non-nullable field equals absence; a patch that sets nothing
    // keeps the version and adds no event.
    let events = || async {
        answer(s.get("/api/v1/events?limit=200", me)).await.body["results"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = events().await;
    let same = answer(
        s.patch(&path, me)
            .json(&json!({"title": null, "labels": null})),
    )
    .await;
    assert_eq!(
        (same.status, same.header("etag")),
        (200, Some("\"1\"")),
        "{}",
        same.text
    );
    let empty = answer(s.patch(&path, me).json(&json!({}))).await;
    assert_eq!(empty.body, ok.body);
    assert_eq!(events().await, before);
}
on_backends!(nulls_and_no_op_patches, nulls_and_noops);
