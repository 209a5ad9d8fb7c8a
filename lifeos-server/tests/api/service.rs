//! `/health`, `/ready`, `X-Request-Id`, unknown routes and methods, CORS.

use crate::on_backends;
use crate::support::*;

async fn health_and_ready_need_no_token(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let a = answer(s.http.get(s.url("/health"))).await;
    assert_eq!(
        (a.status, a.body.clone()),
        (200, serde_json::json!({"status": "ok"}))
    );
    assert!(a.header("x-request-id").is_some());
    let a = answer(s.http.get(s.url("/ready"))).await;
    assert_eq!(
        (a.status, a.body.clone()),
        (200, serde_json::json!({"status": "ready"}))
    );
    // Draining: not ready.
    s.state.begin_shutdown();
    let a = answer(s.http.get(s.url("/ready"))).await;
    assert_eq!(a.status, 503);
}
on_backends!(health_and_ready, health_and_ready_need_no_token);

#[tokio::test]
async fn a_well_formed_request_id_is_kept_and_any_other_replaced() {
    let s = start(Backend::Sqlite).await.unwrap();
    let a = answer(
        s.http
            .get(s.url("/health"))
            .header("x-request-id", "abc.DEF_1-2"),
    )
    .await;
    assert_eq!(a.header("x-request-id"), Some("abc.DEF_1-2"));
    let a = answer(
        s.http
            .get(s.url("/health"))
            .header("x-request-id", "bad id!"),
    )
    .await;
    let id = a.header("x-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let a = answer(
        s.http
            .get(s.url("/health"))
            .header("x-request-id", "a".repeat(65)),
    )
    .await;
    assert_ne!(a.header("x-request-id"), Some("a".repeat(65).as_str()));
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem_before_authentication() {
    let s = start(Backend::Sqlite).await.unwrap();
    let a = answer(s.http.get(s.url("/api/v1/nothing-here"))).await;
    a.problem(404, "not-found");
    let a = answer(s.http.get(s.url("/nope"))).await;
    a.problem(404, "not-found");
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_with_allow() {
    let s = start(Backend::Sqlite).await.unwrap();
    let a = answer(s.http.put(s.url("/api/v1/tasks"))).await;
    a.problem(405, "method-not-allowed");
    let allow = a.header("allow").unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
}

#[tokio::test]
async fn cors_answers_preflights_for_listed_origins_only() {
    let mut setup = Setup::new(Backend::Sqlite);
    setup.config.cors_origins = vec!["https://app.example".into()];
    let s = start_with(setup).await.unwrap();
    let preflight = |origin: &str| {
        s.http
            .request(reqwest::Method::OPTIONS, s.url("/api/v1/tasks"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
    };
    let a = answer(preflight("https://app.example")).await;
    assert_eq!(a.status, 204);
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let a = answer(preflight("https://evil.example")).await;
    assert_eq!(a.header("access-control-allow-origin"), None);
    // Simple responses expose the API's headers to the listed origin.
    let me = fresh_user();
    let a = answer(
        s.get("/api/v1/me", me)
            .header("origin", "https://app.example"),
    )
    .await;
    assert_eq!(a.status, 200);
    let exposed = a
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("x-request-id"),
        "{exposed}"
    );
}
