//! `GET /api/v1/openapi.json`: the generated OpenAPI 3.1 document against the router it
//! describes and the real wire types.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_backends;
use crate::support::*;

/// The routes of API.md this server serves (the contract's list, not the document's).
const CONTRACT: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/tasks"),
    ("POST", "/api/v1/tasks"),
    ("GET", "/api/v1/tasks/{id}"),
    ("PATCH", "/api/v1/tasks/{id}"),
    ("DELETE", "/api/v1/tasks/{id}"),
    ("POST", "/api/v1/tasks/{id}/restore"),
    ("POST", "/api/v1/tasks/{id}/start"),
    ("POST", "/api/v1/tasks/{id}/complete"),
    ("POST", "/api/v1/tasks/{id}/cancel"),
    ("POST", "/api/v1/tasks/{id}/breakdown"),
    ("GET", "/api/v1/projects"),
    ("POST", "/api/v1/projects"),
    ("GET", "/api/v1/projects/{id}"),
    ("PATCH", "/api/v1/projects/{id}"),
    ("DELETE", "/api/v1/projects/{id}"),
    ("GET", "/api/v1/calendar/events"),
    ("POST", "/api/v1/calendar/events"),
    ("GET", "/api/v1/calendar/events/{id}"),
    ("PATCH", "/api/v1/calendar/events/{id}"),
    ("DELETE", "/api/v1/calendar/events/{id}"),
    ("GET", "/api/v1/calendar/occurrences"),
    ("POST", "/api/v1/calendar/import"),
    ("GET", "/api/v1/calendar/export"),
    ("POST", "/api/v1/ai/plan-day"),
    ("POST", "/api/v1/ai/plan-week"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/events/stream"),
    ("GET", "/api/v1/me"),
    ("DELETE", "/api/v1/me"),
    ("PATCH", "/api/v1/me/preferences"),
    ("GET", "/api/v1/me/export"),
    ("GET", "/api/v1/me/usage"),
];

const PUBLIC: [&str; 3] = ["/health", "/ready", "/api/v1/openapi.json"];

async fn document(s: &Server) -> Value {
    // Public: no token.
    let a = answer(s.http.get(s.url("/api/v1/openapi.json"))).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert!(a.header("x-request-id").is_some());
    assert!(a.body.is_object(), "valid JSON: {}", a.text);
    a.body
}

/// `(METHOD, path)` of every operation of `doc`.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    let op = &doc["paths"][path][method.to_lowercase()];
    assert!(op.is_object(), "{method} {path} is documented");
    op
}

/// The schema at `value`, following `$ref`s into `components.schemas`.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/").unwrap();
            let schema = &doc["components"]["schemas"][name];
            assert!(schema.is_object(), "{r} exists");
            resolve(doc, schema)
        }
        None => value,
    }
}

/// The property names and required names of an object schema (`allOf` merged).
fn shape(doc: &Value, schema: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let schema = resolve(doc, schema);
    let mut props = BTreeSet::new();
    let mut required = BTreeSet::new();
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            let (p, r) = shape(doc, part);
            props.extend(p);
            required.extend(r);
        }
    }
    if let Some(p) = schema["properties"].as_object() {
        props.extend(p.keys().cloned());
    }
    if let Some(r) = schema["required"].as_array() {
        required.extend(r.iter().map(|v| v.as_str().unwrap().to_owned()));
    }
    (props, required)
}

/// Asserts that `value` (a real response) has exactly the schema's properties and every
/// required one.
fn matches(doc: &Value, schema: &Value, value: &Value, what: &str) {
    let (props, _) = shape(doc, schema);
    let keys: BTreeSet<String> = value.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys, props,
        "{what}: the schema's properties are the real keys"
    );
    fits(doc, schema, value, what);
}

/// Asserts that `value`'s keys are the schema's properties, and every required one is
/// there (for types that omit absent members).
fn fits(doc: &Value, schema: &Value, value: &Value, what: &str) {
    let (props, required) = shape(doc, schema);
    let keys: BTreeSet<String> = value.as_object().unwrap().keys().cloned().collect();
    assert!(keys.is_subset(&props), "{what}: {keys:?} within {props:?}");
    assert!(
        required.is_subset(&keys),
        "{what}: required {required:?} within {keys:?}"
    );
}

fn response_schema<'a>(doc: &'a Value, method: &str, path: &str, status: &str) -> &'a Value {
    let content = &operation(doc, method, path)["responses"][status]["content"];
    let (_, media) = content.as_object().unwrap().iter().next().unwrap();
    &media["schema"]
}

#[tokio::test]
async fn the_document_lists_every_route_the_router_serves() {
    let s = start(Backend::Sqlite).await.unwrap();
    let doc = document(&s).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc,
        serde_json::to_value(lifeos_server::openapi_document(&s.state)).unwrap(),
        "the served document is the generated one"
    );
    let documented = operations(&doc);
    let contract: BTreeSet<(String, String)> = CONTRACT
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented, contract, "documented = served routes of API.md");

    // The router agrees path by path: a method no route takes (PUT) is a 405 whose
    // `Allow` lists exactly the documented methods; an undocumented path is a 404.
    let id = uuid::Uuid::from_u128(7).to_string();
    for path in doc["paths"].as_object().unwrap().keys() {
        let url = path.replace("{id}", &id);
        let a = answer(s.http.request(Method::PUT, s.url(&url))).await;
        assert_eq!(a.status, 405, "PUT {path}: {}", a.text);
        let allowed: BTreeSet<String> = a
            .header("allow")
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_owned())
            .filter(|m| m != "HEAD")
            .collect();
        let methods: BTreeSet<String> = documented
            .iter()
            .filter(|(_, p)| p == path)
            .map(|(m, _)| m.clone())
            .collect();
        assert_eq!(allowed, methods, "{path}");
    }
    let me = fresh_user();
    answer(s.get("/api/v1/not-a-route", me))
        .await
        .problem(404, "not-found");
}

#[tokio::test]
async fn security_operation_ids_and_problems_are_declared() {
    let s = start(Backend::Sqlite).await.unwrap();
    let doc = document(&s).await;
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(
        (scheme["type"].as_str(), scheme["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    let mut ids = BTreeSet::new();
    for (method, path) in operations(&doc) {
        let op = operation(&doc, &method, &path);
        let id = op["operationId"].as_str().unwrap().to_owned();
        assert!(ids.insert(id.clone()), "operationId {id} is unique");
        if PUBLIC.contains(&path.as_str()) {
            assert_eq!(op["security"], json!([]), "{method} {path} is public");
        } else {
            assert_eq!(op["security"], json!([{"bearer": []}]), "{method} {path}");
            assert!(op["responses"]["401"].is_object(), "{method} {path}: 401");
            assert!(op["responses"]["429"]["headers"]["Retry-After"].is_object());
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            assert!(
                response["headers"]["X-Request-Id"].is_object(),
                "{method} {path} {status}: X-Request-Id"
            );
            if status.starts_with('4') {
                let schema = &response["content"]["application/problem+json"]["schema"];
                assert_eq!(
                    schema["$ref"], "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            }
        }
    }
    // Unauthenticated, the document really is public and a documented route is not.
    let r = answer(s.http.get(s.url("/api/v1/tasks"))).await;
    r.problem(401, "unauthorized");
    // Every problem type is listed, and a real one is among them.
    let types = doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
        .as_array()
        .unwrap();
    assert_eq!(types.len(), lifeos_server::problem::PROBLEM_SLUGS.len());
    assert!(types.contains(&r.body["type"]), "{}", r.body["type"]);
    let wrong = answer(s.http.request(Method::PUT, s.url("/health"))).await;
    assert!(types.contains(&wrong.body["type"]), "{}", wrong.text);
}

/// The schemas are the real types': each documented shape is what the route answers.
async fn schemas_are_the_real_types(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let doc = document(&s).await;
    let me = fresh_user();
    let task = s.task(me, "Documented").await;
    let tasks = "/api/v1/tasks";
    let by_id = "/api/v1/tasks/{id}";
    assert_eq!(
        operation(&doc, "POST", tasks)["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/NewTask"
    );
    assert_eq!(
        operation(&doc, "PATCH", by_id)["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/TaskPatch"
    );
    for (method, path, status) in [("POST", tasks, "201"), ("GET", by_id, "200")] {
        let schema = response_schema(&doc, method, path, status);
        assert_eq!(
            schema["$ref"], "#/components/schemas/Task",
            "{method} {path}"
        );
        matches(&doc, schema, &task, "Task");
    }
    let list = answer(s.get(tasks, me)).await.body;
    let list_schema = response_schema(&doc, "GET", tasks, "200");
    matches(&doc, list_schema, &list, "List<Task>");
    let items = &resolve(&doc, list_schema)["properties"]["results"]["items"];
    matches(&doc, items, &list["results"][0], "List<Task>.results[0]");

    let profile = answer(s.get("/api/v1/me", me)).await.body;
    let schema = response_schema(&doc, "GET", "/api/v1/me", "200");
    assert_eq!(schema["$ref"], "#/components/schemas/Profile");
    matches(&doc, schema, &profile, "Profile");
    matches(
        &doc,
        &resolve(&doc, schema)["properties"]["preferences"],
        &profile["preferences"],
        "Preferences",
    );

    let events = answer(s.get("/api/v1/events", me)).await.body;
    let schema = response_schema(&doc, "GET", "/api/v1/events", "200");
    matches(&doc, schema, &events, "List<StoredEvent>");
    let event = &resolve(&doc, schema)["properties"]["results"]["items"];
    matches(&doc, event, &events["results"][0], "StoredEvent");

    let missing = answer(s.get(&format!("{tasks}/{}", uuid::Uuid::from_u128(9)), me)).await;
    missing.problem(404, "not-found");
    let problem = json!({"$ref": "#/components/schemas/Problem"});
    fits(&doc, &problem, &missing.body, "Problem");
    let invalid = answer(s.post(tasks, me).json(&json!({"title": ""}))).await;
    invalid.problem(422, "validation");
    fits(&doc, &problem, &invalid.body, "Problem with errors");
    assert!(invalid.body["errors"].is_array());

    let usage = answer(s.get("/api/v1/me/usage", me)).await.body;
    let schema = response_schema(&doc, "GET", "/api/v1/me/usage", "200");
    matches(&doc, schema, &usage, "Usage");
    matches(
        &doc,
        &resolve(&doc, schema)["properties"]["general"],
        &usage["general"],
        "Usage.general",
    );
    let project = answer(s.post("/api/v1/projects", me).json(&json!({"name": "P"}))).await;
    let schema = response_schema(&doc, "POST", "/api/v1/projects", "201");
    assert_eq!(schema["$ref"], "#/components/schemas/Project");
    matches(&doc, schema, &project.body, "Project");
    let event = answer(s.post("/api/v1/calendar/events", me).json(&json!({
        "title": "Call",
        "start": {"kind": "zoned", "value": {"local": "2026-12-04T10:00:00", "tz": "America/New_York"}},
        "end": {"kind": "zoned", "value": {"local": "2026-12-04T11:00:00", "tz": "America/New_York"}},
    })))
    .await;
    assert_eq!(event.status, 201, "{}", event.text);
    let schema = response_schema(&doc, "POST", "/api/v1/calendar/events", "201");
    assert_eq!(schema["$ref"], "#/components/schemas/CalendarEvent");
    matches(&doc, schema, &event.body, "CalendarEvent");
    // A zoned time's `local` has no offset: not an RFC 3339 `date-time`.
    let zoned = doc["components"]["schemas"]["EventTime"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["properties"]["kind"]["enum"][0] == "zoned")
        .unwrap();
    let local = &zoned["properties"]["value"]["properties"]["local"];
    assert_eq!(local["format"], Value::Null, "{local}");
    assert!(local["pattern"].is_string(), "{local}");
    assert_eq!(event.body["start"]["value"]["local"], "2026-12-04T10:00:00");

    let window = "/api/v1/calendar/occurrences?from=2026-12-01T00:00:00Z&to=2026-12-08T00:00:00Z";
    let occurrences = answer(s.get(window, me)).await;
    assert_eq!(occurrences.status, 200, "{}", occurrences.text);
    let schema = response_schema(&doc, "GET", "/api/v1/calendar/occurrences", "200");
    matches(&doc, schema, &occurrences.body, "Occurrences");
}
on_backends!(
    document_schemas_are_the_real_types,
    schemas_are_the_real_types
);

/// The writes that take an `Idempotency-Key` (every POST, PATCH and DELETE but the
/// breakdown, which does not declare it).
const KEYED: &[(&str, &str)] = &[
    ("POST", "/api/v1/tasks"),
    ("PATCH", "/api/v1/tasks/{id}"),
    ("DELETE", "/api/v1/tasks/{id}"),
    ("POST", "/api/v1/tasks/{id}/restore"),
    ("POST", "/api/v1/tasks/{id}/start"),
    ("POST", "/api/v1/tasks/{id}/complete"),
    ("POST", "/api/v1/tasks/{id}/cancel"),
    ("POST", "/api/v1/projects"),
    ("PATCH", "/api/v1/projects/{id}"),
    ("DELETE", "/api/v1/projects/{id}"),
    ("POST", "/api/v1/calendar/events"),
    ("PATCH", "/api/v1/calendar/events/{id}"),
    ("DELETE", "/api/v1/calendar/events/{id}"),
    ("POST", "/api/v1/calendar/import"),
    ("POST", "/api/v1/ai/plan-day"),
    ("POST", "/api/v1/ai/plan-week"),
    ("PATCH", "/api/v1/me/preferences"),
    ("DELETE", "/api/v1/me"),
];

fn param<'a>(op: &'a Value, name: &str) -> Option<&'a Value> {
    op["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
}

#[tokio::test]
async fn keys_if_match_and_parameter_rules_are_declared() {
    let s = start(Backend::Sqlite).await.unwrap();
    let doc = document(&s).await;
    for (method, path) in KEYED {
        let op = operation(&doc, method, path);
        let key = param(op, "Idempotency-Key").unwrap_or_else(|| panic!("{method} {path}"));
        assert_eq!(key["in"], "header");
        assert_eq!(key["schema"]["maxLength"], 255);
        let responses = &op["responses"];
        for (status, slug) in [
            ("409", "idempotency-in-flight"),
            ("422", "idempotency-key-reuse"),
        ] {
            let text = responses[status]["description"].as_str().unwrap_or("");
            assert!(text.contains(slug), "{method} {path} {status}: {text}");
        }
        if param(op, "If-Match").is_some() {
            assert!(responses["412"].is_object(), "{method} {path}");
        }
    }
    for (method, path) in operations(&doc) {
        let op = operation(&doc, &method, &path);
        let keyed = KEYED.contains(&(method.as_str(), path.as_str()));
        assert_eq!(
            param(op, "Idempotency-Key").is_some(),
            keyed,
            "{method} {path}"
        );
        // Every text query parameter is at least one character: the server refuses empty ones.
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] == "query" && p["schema"]["type"] == "string" {
                assert_eq!(p["schema"]["minLength"], 1, "{method} {path} {}", p["name"]);
            }
        }
    }
    // If-Match: `*` apart, one quoted version.
    let if_match = param(operation(&doc, "PATCH", "/api/v1/tasks/{id}"), "If-Match").unwrap();
    let any_of = if_match["schema"]["anyOf"].as_array().unwrap();
    assert_eq!(any_of[0]["enum"], json!(["*"]));
    // The zones the server reads, and `after` up to u64::MAX (the server reads a u64).
    let zones = doc["components"]["schemas"]["TimeZone"]["enum"]
        .as_array()
        .unwrap();
    assert!(zones.contains(&json!("Europe/Berlin")) && zones.len() > 400);
    let after = param(operation(&doc, "GET", "/api/v1/events"), "after").unwrap();
    assert_eq!(after["schema"]["maximum"], json!(u64::MAX));
    // An optional body, when sent, is an object, never `null`.
    let body = &operation(&doc, "POST", "/api/v1/ai/plan-day")["requestBody"];
    assert_eq!(
        body["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PlanDayBody"
    );
    // What the document says, the server does: an empty cursor and a blank label are 400.
    let me = fresh_user();
    for query in ["cursor=", "label=%20", "q=a%00"] {
        let r = answer(s.get(&format!("/api/v1/tasks?{query}"), me)).await;
        assert_eq!(r.status, 400, "{query}: {}", r.text);
    }
}
