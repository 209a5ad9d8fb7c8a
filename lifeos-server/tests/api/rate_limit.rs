//! Conformance item 7, rate limits: GCRA per user, headers, 429 with Retry-After; one Redis
//! budget across two servers.

use lifeos::core::Tier;

use crate::support::*;

#[tokio::test]
async fn a_free_users_61st_request_in_one_second_is_refused_then_served_after_retry_after() {
    let s = start(Backend::Sqlite).await.unwrap();
    let me = fresh_user();
    for i in 0..60 {
        let a = answer(s.get("/api/v1/tasks", me)).await;
        assert_eq!(a.status, 200, "request {i}");
        if i == 0 {
            assert_eq!(
                a.header("ratelimit-policy"),
                Some("\"general\";q=60;w=60, \"ai\";q=3;w=3600")
            );
            assert_eq!(a.header("ratelimit"), Some("\"general\";r=59;t=1"));
        }
    }
    let a = answer(s.get("/api/v1/tasks", me)).await;
    a.problem(429, "rate-limited");
    let retry: u64 = a.header("retry-after").unwrap().parse().unwrap();
    assert!(retry >= 1);
    // Another user is not affected.
    assert_eq!(
        answer(s.get("/api/v1/tasks", fresh_user())).await.status,
        200
    );
    s.clock
        .advance(chrono::Duration::seconds(i64::try_from(retry).unwrap()));
    assert_eq!(answer(s.get("/api/v1/tasks", me)).await.status, 200);
}

#[tokio::test]
async fn tiers_and_the_multiplier_set_the_quota_and_zero_turns_limits_off() {
    let mut setup = Setup::new(Backend::Sqlite);
    setup.config.rate_limit_multiplier = 0.5;
    let s = start_with(setup).await.unwrap();
    let me = fresh_user();
    let a = answer(
        s.http
            .get(s.url("/api/v1/tasks"))
            .bearer_auth(s.token_tier(me, Some(Tier::Pro))),
    )
    .await;
    assert_eq!(
        a.header("ratelimit-policy"),
        Some("\"general\";q=150;w=60, \"ai\";q=5;w=3600")
    );
    let mut setup = Setup::new(Backend::Sqlite);
    setup.config.rate_limit_multiplier = 0.0;
    let s = start_with(setup).await.unwrap();
    for _ in 0..70 {
        let a = answer(s.get("/health", me).bearer_auth("x")).await;
        assert_eq!(a.status, 200);
    }
    for _ in 0..61 {
        assert_eq!(answer(s.get("/api/v1/tasks", me)).await.status, 200);
    }
    assert!(
        answer(s.get("/api/v1/tasks", me))
            .await
            .header("ratelimit")
            .is_none()
    );
}

#[tokio::test]
async fn public_routes_and_refused_tokens_take_no_budget() {
    let mut setup = Setup::new(Backend::Sqlite);
    setup.config.rate_limit_multiplier = 1.0 / 60.0; // one request a minute
    let s = start_with(setup).await.unwrap();
    let me = fresh_user();
    for _ in 0..3 {
        assert_eq!(answer(s.http.get(s.url("/health"))).await.status, 200);
        answer(s.http.get(s.url("/api/v1/tasks")).bearer_auth("garbage"))
            .await
            .problem(401, "unauthorized");
    }
    assert_eq!(answer(s.get("/api/v1/tasks", me)).await.status, 200);
    answer(s.get("/api/v1/tasks", me))
        .await
        .problem(429, "rate-limited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_redis_budget_is_shared_by_two_servers() {
    let prefix = format!("lifeos_t_{:x}:", random_u64());
    let setup = || {
        let mut s = Setup::new(Backend::Sqlite);
        // Three requests a minute: one every 20 s, so the test never races Redis' clock.
        s.config.rate_limit_multiplier = 0.05;
        s.redis_prefix = Some(prefix.clone());
        s
    };
    let Some(a) = start_with(setup()).await else {
        return;
    };
    let Some(b) = start_with(setup()).await else {
        return;
    };
    let me = fresh_user();
    assert_eq!(answer(a.get("/api/v1/tasks", me)).await.status, 200);
    assert_eq!(answer(b.get("/api/v1/tasks", me)).await.status, 200);
    let third = answer(a.get("/api/v1/tasks", me)).await;
    assert_eq!(third.status, 200);
    assert_eq!(
        third
            .header("ratelimit")
            .map(|h| h.starts_with("\"general\";r=0")),
        Some(true)
    );
    let fourth = answer(b.get("/api/v1/tasks", me)).await;
    fourth.problem(429, "rate-limited");
    assert!(
        fourth
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
}

/// A fake Redis that answers every read with an error reply.
async fn faulty_redis() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("redis://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n) = socket.read(&mut buf).await {
                    if n == 0 {
                        return;
                    }
                    // One error reply per command read (RESP arrays start with '*').
                    let commands = buf[..n].iter().filter(|b| **b == b'*').count().max(1);
                    for _ in 0..commands {
                        if socket.write_all(b"-ERR injected fault\r\n").await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_fault_falls_back_to_the_local_limiter_never_a_5xx() {
    let url = faulty_redis().await;
    let limiter = lifeos_server::rate_limit::RedisLimiter::connect(&url, "x:")
        .await
        .expect("the fake Redis accepts the connection");
    let s = start(Backend::Sqlite).await.unwrap();
    let keys = lifeos_server::AuthKeys::new(Some(SECRET), None, "authenticated").unwrap();
    let state = lifeos_server::AppState::new(
        s.state.app().clone(),
        s.clock.clone(),
        keys,
        lifeos_server::ServerConfig::new(),
    )
    .with_redis(limiter);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, lifeos_server::router(state)).into_future());
    let me = fresh_user();
    for i in 0..60 {
        let a = answer(
            s.http
                .get(format!("{base}/api/v1/tasks"))
                .bearer_auth(s.token(me)),
        )
        .await;
        assert_eq!(a.status, 200, "request {i}: {}", a.text);
    }
    let a = answer(
        s.http
            .get(format!("{base}/api/v1/tasks"))
            .bearer_auth(s.token(me)),
    )
    .await;
    a.problem(429, "rate-limited");
}
