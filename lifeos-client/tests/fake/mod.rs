//! The client against small fake servers on loopback: retries, Retry-After, the reused
//! idempotency key, token refresh, the feed's resumption, timeouts.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::{any, get};
use futures_util::{StreamExt, TryStreamExt};
use lifeos_client::{
    Backoff, BoxError, Client, ClientBuilder, Error, NoRetry, RetryContext, RetryPolicy,
    TokenProvider,
};
use rand_core::SeedableRng;

const PLANNED: &str =
    r#"{"scheduledTasks":[],"unscheduledTasks":[],"insights":[],"warnings":[],"saved":0}"#;

/// What the fake server saw: one entry per request.
#[derive(Default)]
struct Seen {
    headers: Mutex<Vec<HeaderMap>>,
}

impl Seen {
    fn count(&self) -> usize {
        self.headers.lock().unwrap().len()
    }

    fn header(&self, i: usize, name: &str) -> Option<String> {
        self.headers.lock().unwrap()[i]
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

fn problem(status: u16, slug: &str) -> Response<Body> {
    let body = format!(
        r#"{{"type":"https://lifeos.dev/problems/{slug}","title":"t","status":{status},"detail":"d","request_id":"r-{status}"}}"#
    );
    Response::builder()
        .status(status)
        .header("content-type", "application/problem+json")
        .body(Body::from(body))
        .unwrap()
}

fn ok(body: &'static str) -> Response<Body> {
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap()
}

/// Serves `respond(n, headers)` for the n-th request (from 0) on every path.
async fn serve<F>(respond: F) -> (String, Arc<Seen>)
where
    F: Fn(usize, &HeaderMap) -> Response<Body> + Send + Sync + 'static,
{
    let seen = Arc::new(Seen::default());
    let respond = Arc::new(respond);
    let s = seen.clone();
    let app = Router::new().fallback(any(move |headers: HeaderMap| {
        let s = s.clone();
        let respond = respond.clone();
        async move {
            let n = {
                let mut all = s.headers.lock().unwrap();
                all.push(headers.clone());
                all.len() - 1
            };
            respond(n, &headers)
        }
    }));
    (listen(app).await, seen)
}

async fn listen(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app).into_future());
    base
}

/// Records every context it is asked about and retries after 1 ms, up to `max` times.
struct Recording {
    contexts: Mutex<Vec<RetryContext>>,
    max: u32,
}

impl Recording {
    fn new(max: u32) -> Arc<Self> {
        Arc::new(Recording {
            contexts: Mutex::new(Vec::new()),
            max,
        })
    }
}

impl RetryPolicy for Recording {
    fn next_delay(&self, c: &RetryContext, _: u64) -> Option<Duration> {
        self.contexts.lock().unwrap().push(*c);
        (c.attempt <= self.max).then_some(Duration::from_millis(1))
    }
}

fn client(base: &str, policy: impl RetryPolicy + 'static) -> Client {
    Client::builder(base)
        .token_provider(lifeos_client::StaticToken::new("t"))
        .retry_policy(policy)
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(7))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_write_is_retried_on_503_with_the_same_idempotency_key() {
    let (base, seen) = serve(|n, _| {
        if n < 2 {
            problem(503, "unavailable")
        } else {
            ok(PLANNED)
        }
    })
    .await;
    let policy = Recording::new(5);
    let c = client(&base, policy.clone());
    let planned = c.ai().plan_day().dry_run(true).send().await.unwrap();
    assert_eq!(planned.saved, 0);
    assert_eq!(seen.count(), 3);
    let key = seen.header(0, "idempotency-key").unwrap();
    assert_eq!(uuid::Uuid::parse_str(&key).unwrap().get_version_num(), 4);
    assert_eq!(
        seen.header(1, "idempotency-key").as_deref(),
        Some(key.as_str())
    );
    assert_eq!(
        seen.header(2, "idempotency-key").as_deref(),
        Some(key.as_str())
    );
    let statuses: Vec<_> = policy
        .contexts
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, vec![Some(503), Some(503)]);
    // Another call gets another key.
    c.ai().plan_day().send().await.unwrap();
    assert_ne!(
        seen.header(3, "idempotency-key").as_deref(),
        Some(key.as_str())
    );
    // A GET carries none.
    let (base, seen) = serve(|_, _| ok(r#"{"status":"ok"}"#)).await;
    client(&base, NoRetry).service().health().await.unwrap();
    assert_eq!(seen.header(0, "idempotency-key"), None);
    assert_eq!(
        seen.header(0, "user-agent").as_deref(),
        Some(lifeos_client::DEFAULT_USER_AGENT)
    );
}

#[tokio::test]
async fn retry_after_in_seconds_and_as_an_http_date_reaches_the_policy() {
    let (base, _) = serve(|n, _| match n {
        0 => {
            let mut r = problem(429, "rate-limited");
            r.headers_mut().insert("retry-after", "1".parse().unwrap());
            r
        }
        1 => {
            let mut r = problem(503, "unavailable");
            let h = r.headers_mut();
            h.insert("date", "Sat, 05 Dec 2026 10:00:00 GMT".parse().unwrap());
            h.insert(
                "retry-after",
                "Sat, 05 Dec 2026 10:00:02 GMT".parse().unwrap(),
            );
            r
        }
        _ => ok(r#"{"status":"ok"}"#),
    })
    .await;
    let policy = Recording::new(5);
    let c = client(&base, policy.clone());
    assert_eq!(c.service().health().await.unwrap(), "ok");
    let hints: Vec<_> = policy
        .contexts
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.retry_after)
        .collect();
    assert_eq!(
        hints,
        vec![Some(Duration::from_secs(1)), Some(Duration::from_secs(2))]
    );
}

#[tokio::test]
async fn the_default_backoff_waits_retry_after_then_succeeds() {
    let (base, seen) = serve(|n, _| {
        if n == 0 {
            let mut r = problem(429, "rate-limited");
            r.headers_mut().insert("retry-after", "1".parse().unwrap());
            r
        } else {
            ok(r#"{"status":"ok"}"#)
        }
    })
    .await;
    let c = client(&base, Backoff::new());
    assert_eq!(c.service().health().await.unwrap(), "ok");
    assert_eq!(seen.count(), 2);
}

#[tokio::test]
async fn a_429_the_policy_gives_up_on_is_rate_limited_with_retry_after() {
    let (base, seen) = serve(|_, _| {
        let mut r = problem(429, "rate-limited");
        r.headers_mut().insert("retry-after", "30".parse().unwrap());
        r
    })
    .await;
    // 30 s is over the backoff's largest delay: it gives up at once.
    let c = client(&base, Backoff::new().max_delay(Duration::from_secs(5)));
    let err = c.me().usage().send().await.unwrap_err();
    match err {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(30)))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(seen.count(), 1);
}

#[tokio::test]
async fn in_flight_is_retried_but_a_conflict_or_validation_is_not() {
    let (base, seen) = serve(|n, _| match n {
        0 => {
            let mut r = problem(409, "idempotency-in-flight");
            r.headers_mut().insert("retry-after", "0".parse().unwrap());
            r
        }
        1 => ok(PLANNED),
        2 => problem(409, "conflict"),
        _ => problem(422, "validation"),
    })
    .await;
    let c = client(&base, Recording::new(5));
    c.ai().plan_day().send().await.unwrap();
    assert_eq!(seen.count(), 2);
    let err = c.ai().plan_day().send().await.unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert_eq!(err.request_id(), Some("r-409"));
    let err = c.ai().plan_day().send().await.unwrap_err();
    assert!(err.is_validation());
    assert_eq!(seen.count(), 4, "neither was retried");
}

#[tokio::test]
async fn a_body_that_is_not_a_problem_is_a_decode_error() {
    let (base, _) = serve(|n, _| {
        if n == 0 {
            Response::builder()
                .status(404)
                .body(Body::from("<html>"))
                .unwrap()
        } else {
            ok("[1,2]")
        }
    })
    .await;
    let c = client(&base, NoRetry);
    let err = c.me().usage().send().await.unwrap_err();
    assert!(matches!(err, Error::Decode { status: 404, .. }), "{err:?}");
    let err = c.me().usage().send().await.unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
}

/// Gives `stale` first, `fresh` after a refresh (or `stale` again if `stuck`).
struct Refreshing {
    refreshes: AtomicU32,
    stuck: bool,
}

#[async_trait]
impl TokenProvider for Refreshing {
    async fn token(&self) -> Result<String, BoxError> {
        Ok("stale".into())
    }

    async fn refresh(&self) -> Result<Option<String>, BoxError> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        Ok(Some(if self.stuck { "stale" } else { "fresh" }.into()))
    }
}

async fn bearer_server() -> (String, Arc<Seen>) {
    serve(|_, headers| {
        if headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer fresh") {
            ok(r#"{"status":"ok"}"#)
        } else {
            let mut r = problem(401, "unauthorized");
            r.headers_mut().insert(
                "www-authenticate",
                r#"Bearer error="invalid_token""#.parse().unwrap(),
            );
            r
        }
    })
    .await
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries() {
    let (base, seen) = bearer_server().await;
    let tokens = Arc::new(Refreshing {
        refreshes: AtomicU32::new(0),
        stuck: false,
    });
    let c = Client::builder(&base)
        .token_provider(tokens.clone())
        .retry_policy(NoRetry)
        .build()
        .unwrap();
    assert_eq!(c.service().health().await.unwrap(), "ok");
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(seen.count(), 2);
    assert_eq!(
        seen.header(1, "authorization").as_deref(),
        Some("Bearer fresh")
    );

    let (base, seen) = bearer_server().await;
    let stuck = Arc::new(Refreshing {
        refreshes: AtomicU32::new(0),
        stuck: true,
    });
    let c = Client::builder(&base)
        .token_provider(stuck.clone())
        .retry_policy(Backoff::new())
        .build()
        .unwrap();
    let err = c.service().health().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        stuck.refreshes.load(Ordering::SeqCst),
        1,
        "refreshed once only"
    );
    assert_eq!(seen.count(), 2);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried() {
    let calls = Arc::new(AtomicU32::new(0));
    let n = calls.clone();
    let app = Router::new().route(
        "/health",
        get(move || {
            let n = n.clone();
            async move {
                if n.fetch_add(1, Ordering::SeqCst) == 0 {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
                ok(r#"{"status":"ok"}"#)
            }
        }),
    );
    let base = listen(app).await;
    let quick = |policy: Box<dyn Fn(ClientBuilder) -> ClientBuilder>| {
        policy(Client::builder(&base).request_timeout(Duration::from_millis(300)))
            .build()
            .unwrap()
    };
    let retrying = quick(Box::new(|b| b.retry_policy(Backoff::new())));
    assert_eq!(retrying.service().health().await.unwrap(), "ok");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    calls.store(0, Ordering::SeqCst);
    let once = quick(Box::new(|b| b.retry_policy(NoRetry)));
    let err = once.service().health().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                what: "timeout",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_total_time_bound_ends_endless_retries() {
    let (base, seen) = serve(|_, _| problem(503, "unavailable")).await;
    let c = Client::builder(&base)
        .retry_policy(
            Backoff::new()
                .base(Duration::from_millis(20))
                .max_attempts(u32::MAX)
                .max_total_wait(Duration::from_secs(3600)),
        )
        .total_timeout(Some(Duration::from_millis(400)))
        .build()
        .unwrap();
    let err = c.service().health().await.unwrap_err();
    assert!(matches!(err, Error::TotalTimeout(_)), "{err:?}");
    assert!(seen.count() >= 2, "it retried before the bound");
}

#[tokio::test]
async fn a_connection_refused_is_retried_then_a_transport_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let policy = Recording::new(2);
    let err = client(&base, policy.clone())
        .service()
        .health()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                what: "connect",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        policy.contexts.lock().unwrap().len(),
        3,
        "asked after each of 3 attempts"
    );
}

fn sse_event(seq: u64) -> String {
    let data = format!(
        r#"{{"seq":{seq},"id":"0193a0b0-0000-7000-8000-{seq:012}","type":"test.ping","occurred_at":"2026-12-04T10:00:00Z","user_id":"00000000-0000-0000-0000-000000000001","source":"api","entity_type":"test","entity_id":"00000000-0000-0000-0000-000000000002","action":"ping","data":{{}}}}"#
    );
    format!("id: {seq}\nevent: test.ping\ndata: {data}\n\n")
}

#[tokio::test]
async fn the_feed_resumes_with_last_event_id_after_a_drop() {
    let seen_ids = Arc::new(Mutex::new(Vec::<Option<String>>::new()));
    let ids = seen_ids.clone();
    let app = Router::new().route(
        "/api/v1/events/stream",
        get(move |headers: HeaderMap| {
            let ids = ids.clone();
            async move {
                let last = headers
                    .get("last-event-id")
                    .map(|v| v.to_str().unwrap().to_owned());
                ids.lock().unwrap().push(last.clone());
                // The first connection sends 1 and 2 (and a comment) and drops; a resumed
                // one replays from the log after Last-Event-ID, repeating one event the
                // client must skip, then ends.
                let body = match last.as_deref() {
                    Some("2") => format!("{}{}", sse_event(2), sse_event(3)),
                    Some(_) => String::new(),
                    None => format!(": hi\n\n{}{}", sse_event(1), sse_event(2)),
                };
                Response::builder()
                    .status(StatusCode::OK)
                    .header("content-type", "text/event-stream")
                    .body(Body::from(body))
                    .unwrap()
            }
        }),
    );
    let base = listen(app).await;
    let c = client(&base, Backoff::new().base(Duration::from_millis(5)));
    let got: Vec<u64> = c
        .events()
        .feed()
        .stream()
        .take(3)
        .map_ok(|e| e.seq)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, vec![1, 2, 3]);
    assert_eq!(
        seen_ids.lock().unwrap()[..2].to_vec(),
        vec![None, Some("2".to_owned())]
    );
    // A feed started after 7 sends Last-Event-ID: 7 on its first connection; the server
    // here sends nothing after that, so the policy ends the feed with an error.
    let c = client(
        &base,
        Backoff::new()
            .base(Duration::from_millis(1))
            .max_attempts(2),
    );
    let mut feed = Box::pin(c.events().feed().after(7).stream());
    assert!(feed.next().await.unwrap().is_err());
    assert!(feed.next().await.is_none());
    assert!(seen_ids.lock().unwrap().contains(&Some("7".to_owned())));
}

/// A refined plan-day answer as `lifeos-server` wrote it (captured from its test against
/// a fake model: `tests/api/ai.rs`), `refinement` object included.
const REFINED: &str = include_str!("../fixtures/plan_day_refined.json");

#[tokio::test]
async fn a_refined_plan_day_answer_decodes_with_its_refinement() {
    let (base, seen) = serve(|_, _| ok(REFINED)).await;
    let c = client(&base, NoRetry);
    let planned = c
        .ai()
        .plan_day()
        .refine(true)
        .instructions("calls after lunch")
        .dry_run(true)
        .send()
        .await
        .unwrap();
    assert_eq!(seen.count(), 1);
    assert_eq!(planned.saved, 0);
    assert_eq!(planned.plan.scheduled_tasks.len(), 2);
    let r = planned.plan.refinement.expect("the refinement object");
    assert_eq!(r.status, lifeos_core::plan::RefinementStatus::Accepted);
    assert_eq!(r.model.as_deref(), Some("gpt-test"));
    assert_eq!((r.score_deterministic, r.score_final), (480, 480));
    assert_eq!((r.tokens_in, r.tokens_out, r.latency_ms), (900, 120, 462));
    assert!(!r.cache_hit);
    // And it says the same thing when written back.
    let again: serde_json::Value = serde_json::to_value(
        serde_json::from_str::<lifeos_core::wire::PlannedDay>(REFINED).unwrap(),
    )
    .unwrap();
    assert_eq!(
        again,
        serde_json::from_str::<serde_json::Value>(REFINED).unwrap()
    );
}
