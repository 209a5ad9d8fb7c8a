//! The project routes: CRUD, paging, If-Match, validation and tenancy.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_backends;
use crate::support::*;

async fn project(s: &Server, user: lifeos::core::UserId, name: &str) -> Value {
    // Distinct creation instants keep list order independent of random ids.
    s.clock.advance(chrono::Duration::milliseconds(1));
    let r = answer(
        s.post("/api/v1/projects", user)
            .json(&json!({ "name": name })),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

async fn crud(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let r = answer(
        s.post("/api/v1/projects", me)
            .json(&json!({"name": "  Garden ", "color": "#A0B1C2", "unknown": 1})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/projects/{id}");
    assert_eq!(r.header("location"), Some(path.as_str()));
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(
        (r.body["name"].as_str(), r.body["color"].as_str()),
        (Some("Garden"), Some("#a0b1c2")),
        "trimmed, colour lowercase"
    );
    let g = answer(s.get(&path, me)).await;
    assert_eq!((g.status, g.header("etag")), (200, Some("\"1\"")));
    assert_eq!(g.body, r.body);

    let p = answer(
        s.patch(&path, me)
            .json(&json!({"description": "veg", "archived": true})),
    )
    .await;
    assert_eq!(
        (p.status, p.header("etag")),
        (200, Some("\"2\"")),
        "{}",
        p.text
    );
    assert!(p.body["archived_at"].is_string());
    let cleared = answer(s.patch(&path, me).json(&json!({"description": null}))).await;
    assert_eq!(cleared.body["description"], Value::Null);
    let listed = answer(s.get("/api/v1/projects", me)).await;
    assert_eq!(
        listed.body["results"][0]["id"],
        id.as_str(),
        "archived is listed"
    );

    let t = answer(
        s.post("/api/v1/tasks", me)
            .json(&json!({"title": "Plant", "project_id": id})),
    )
    .await;
    assert_eq!(t.status, 201, "{}", t.text);
    let d = answer(s.delete(&path, me)).await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert!(d.body["deleted_at"].is_string());
    let task = answer(s.get(
        &format!("/api/v1/tasks/{}", t.body["id"].as_str().unwrap()),
        me,
    ))
    .await;
    assert_eq!(
        task.body["project_id"],
        id.as_str(),
        "tasks keep project_id"
    );
    let still = answer(s.get(&path, me)).await;
    assert_eq!(
        (still.status, &still.body["deleted_at"]),
        (200, &d.body["deleted_at"])
    );
    let listed = answer(s.get("/api/v1/projects", me)).await;
    assert_eq!(listed.body, json!({"results": [], "next_cursor": null}));
    answer(s.patch(&path, me).json(&json!({"name": "x"})))
        .await
        .problem(404, "not-found");
    answer(s.delete(&path, me)).await.problem(404, "not-found");
}
on_backends!(project_crud, crud);

async fn validation(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let fields = |a: &Answer| -> Vec<String> {
        a.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };
    let both = answer(
        s.post("/api/v1/projects", me)
            .json(&json!({"name": "   ", "color": "red"})),
    )
    .await;
    both.problem(422, "validation");
    assert_eq!(fields(&both), ["name", "color"], "{}", both.text);
    let long = answer(
        s.post("/api/v1/projects", me)
            .json(&json!({"name": "x".repeat(201)})),
    )
    .await;
    assert_eq!(long.problem(422, "validation").as_deref(), Some("name"));
    let shape = answer(s.post("/api/v1/projects", me).json(&json!({"name": 5}))).await;
    assert_eq!(shape.problem(422, "validation").as_deref(), Some("name"));
    let text = answer(
        s.post("/api/v1/projects", me)
            .header("content-type", "text/plain")
            .body("{}"),
    )
    .await;
    text.problem(415, "unsupported-media-type");
    let p = project(&s, me, "Kept").await;
    let path = format!("/api/v1/projects/{}", p["id"].as_str().unwrap());
    let bad = answer(s.patch(&path, me).json(&json!({"color": "#12345"}))).await;
    assert_eq!(bad.problem(422, "validation").as_deref(), Some("color"));
    let kept = answer(s.get(&path, me)).await;
    assert_eq!(kept.body, p, "a refused patch changes nothing");
    answer(s.get(
        &format!("/api/v1/projects/{}", uuid::Uuid::from_u128(3)),
        me,
    ))
    .await
    .problem(404, "not-found");
    answer(s.get("/api/v1/projects/not-a-uuid", me))
        .await
        .problem(404, "not-found");
}
on_backends!(project_errors_name_their_fields, validation);

async fn if_match(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let p = project(&s, me, "Guarded").await;
    let path = format!("/api/v1/projects/{}", p["id"].as_str().unwrap());
    let stale = answer(
        s.patch(&path, me)
            .header("if-match", "\"7\"")
            .json(&json!({"name": "New"})),
    )
    .await;
    stale.problem(412, "precondition-failed");
    assert_eq!(answer(s.get(&path, me)).await.body, p, "unchanged");
    let cur = answer(
        s.patch(&path, me)
            .header("if-match", "\"1\"")
            .json(&json!({"name": "New"})),
    )
    .await;
    assert_eq!((cur.status, cur.body["version"].as_u64()), (200, Some(2)));
    answer(s.patch(&path, me).header("if-match", "2").json(&json!({})))
        .await
        .problem(400, "bad-request");
    answer(s.delete(&path, me).header("if-match", "\"1\""))
        .await
        .problem(412, "precondition-failed");
    assert!(answer(s.get(&path, me)).await.body["deleted_at"].is_null());
    let del = answer(s.delete(&path, me).header("if-match", "\"2\"")).await;
    assert_eq!(del.status, 200, "{}", del.text);
    assert!(del.body["deleted_at"].is_string());
}
on_backends!(project_if_match, if_match);

async fn tenancy(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let (owner, other) = (fresh_user(), fresh_user());
    let p = project(&s, owner, "Mine").await;
    let id = p["id"].as_str().unwrap();
    let unknown = uuid::Uuid::from_u128(0xbeef).to_string();
    let calls: Vec<(Method, Option<Value>)> = vec![
        (Method::GET, None),
        (Method::PATCH, Some(json!({"name": "stolen"}))),
        (Method::DELETE, None),
    ];
    for (method, body) in calls {
        let call = |target: &str| {
            let mut r = s.req(method.clone(), &format!("/api/v1/projects/{target}"), other);
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
            "{method}: like a never-used id"
        );
    }
    assert_eq!(
        answer(s.get(&format!("/api/v1/projects/{id}"), owner))
            .await
            .body,
        p,
        "nothing changed"
    );
    let listed = answer(s.get("/api/v1/projects", other)).await;
    assert_eq!(
        listed.body["results"],
        json!([]),
        "nothing leaks into lists"
    );
    // Another user's project is no project of theirs for a task either.
    let t = answer(
        s.post("/api/v1/tasks", other)
            .json(&json!({"title": "x", "project_id": id})),
    )
    .await;
    assert_eq!(t.problem(422, "validation").as_deref(), Some("project_id"));
}
on_backends!(another_users_project_is_not_found, tenancy);

async fn paging(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    let mut before = Vec::new();
    for i in 0..7 {
        before.push(project(&s, me, &format!("p{i}")).await["id"].clone());
    }
    let mut seen = Vec::new();
    let mut url = "/api/v1/projects?limit=3".to_owned();
    let mut pages = 0;
    loop {
        let page = answer(s.get(&url, me)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        pages += 1;
        for p in page.body["results"].as_array().unwrap() {
            seen.push(p["id"].clone());
        }
        // Inserted meanwhile: at most once.
        project(&s, me, &format!("during {pages}")).await;
        match page.body["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/projects?limit=3&cursor={c}"),
            None => break,
        }
        assert!(pages < 20, "the pages end");
    }
    for id in &before {
        assert_eq!(seen.iter().filter(|s| *s == id).count(), 1, "{id} once");
    }
    let mut unique = seen.clone();
    unique.sort_by_key(ToString::to_string);
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "none twice");

    let first = answer(s.get("/api/v1/projects?limit=1", me)).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let stolen = answer(s.get(&format!("/api/v1/projects?cursor={cursor}"), fresh_user())).await;
    assert_eq!(
        stolen.problem(400, "bad-request").as_deref(),
        Some("cursor")
    );
    let forged = answer(s.get("/api/v1/projects?cursor=abc", me)).await;
    assert_eq!(
        forged.problem(400, "bad-request").as_deref(),
        Some("cursor")
    );
    for bad in ["limit=201", "limit=0", "limit=x", "limit=2&limit=3"] {
        let a = answer(s.get(&format!("/api/v1/projects?{bad}"), me)).await;
        assert_eq!(
            a.problem(400, "bad-request").as_deref(),
            Some("limit"),
            "{bad}"
        );
    }
}
on_backends!(project_pages, paging);
