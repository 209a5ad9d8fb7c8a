//! `/events` and `/events/stream` (conformance item 8: each change once in the feed and
//! the stream; `Last-Event-ID` resumes losslessly).

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::on_backends;
use crate::support::*;

async fn events_list(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    for i in 0..5 {
        s.task(me, &format!("t{i}")).await;
    }
    let all = answer(s.get("/api/v1/events", me)).await;
    assert_eq!(all.status, 200);
    let seqs: Vec<u64> = all.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    let created = all.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "task.created")
        .count();
    assert_eq!(created, 5, "each change once");
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(all.body["next_cursor"], Value::Null);
    let page = answer(s.get("/api/v1/events?limit=2", me)).await;
    let next = page.body["next_cursor"].as_str().unwrap().to_owned();
    assert_eq!(
        next,
        page.body["results"][1]["seq"].as_u64().unwrap().to_string()
    );
    let rest = answer(s.get(&format!("/api/v1/events?after={next}&limit=200"), me)).await;
    let mut joined: Vec<u64> = page.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    joined.extend(
        rest.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap()),
    );
    assert_eq!(joined, seqs);
    let bad = answer(s.get("/api/v1/events?after=-1", me)).await;
    assert_eq!(bad.problem(400, "bad-request").as_deref(), Some("after"));
    // Another user's feed is empty of ours.
    let theirs = answer(s.get("/api/v1/events", fresh_user())).await;
    assert!(
        theirs.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["type"] != "task.created")
    );
}
on_backends!(events_feed_pages_by_seq, events_list);

/// Reads SSE frames until `n` events arrived; returns their (id, type, data).
async fn read_events(response: reqwest::Response, n: usize) -> Vec<(u64, String, Value)> {
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while out.len() < n {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("events arrive in time")
            .expect("the stream stays open")
            .unwrap();
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let (mut id, mut kind, mut data) = (None, None, None);
            for line in frame.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().parse().ok();
                } else if let Some(v) = line.strip_prefix("event:") {
                    kind = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data = serde_json::from_str(v.trim()).ok();
                }
            }
            if let (Some(id), Some(kind), Some(data)) = (id, kind, data) {
                out.push((id, kind, data));
            }
        }
    }
    out
}

async fn stream(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let me = fresh_user();
    for i in 0..3 {
        s.task(me, &format!("before {i}")).await;
    }
    let feed = answer(s.get("/api/v1/events?limit=200", me)).await;
    let seqs: Vec<u64> = feed.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    // Resume after the first event: the two later ones from the log, then live ones.
    let resume = seqs[0];
    let r = s
        .get("/api/v1/events/stream", me)
        .header("last-event-id", resume.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let writer = {
        let base = s.base.clone();
        let token = s.token(me);
        let http = s.http.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            for i in 0..2 {
                let r = http
                    .post(format!("{base}/api/v1/tasks"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"title": format!("live {i}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        })
    };
    let got = read_events(r, 4).await;
    writer.await.unwrap();
    let ids: Vec<u64> = got.iter().map(|e| e.0).collect();
    assert_eq!(&ids[..2], &seqs[1..3], "replayed from the log");
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "none repeated: {ids:?}"
    );
    assert!(
        got.iter()
            .all(|(id, kind, data)| data["seq"].as_u64() == Some(*id)
                && data["type"] == kind.as_str())
    );
    assert_eq!(got[3].2["type"], "task.created");
    // The header wins over `after`; a non-decimal id is a 400.
    let bad = answer(
        s.get("/api/v1/events/stream?after=1", me)
            .header("last-event-id", "x1"),
    )
    .await;
    assert_eq!(
        bad.problem(400, "bad-request").as_deref(),
        Some("Last-Event-ID")
    );
}
on_backends!(event_stream_resumes_with_last_event_id, stream);

#[tokio::test]
async fn the_stream_closes_at_shutdown() {
    let s = start(Backend::Sqlite).await.unwrap();
    let me = fresh_user();
    let r = s.get("/api/v1/events/stream", me).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let mut body = r.bytes_stream();
    s.state.begin_shutdown();
    let end = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = body.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the stream ended after shutdown began");
}

async fn drain(response: reqwest::Response, within: Duration) -> Vec<String> {
    let mut body = response.bytes_stream();
    let mut text = Vec::new();
    tokio::time::timeout(within, async {
        while let Some(Ok(chunk)) = body.next().await {
            text.push(String::from_utf8_lossy(&chunk).into_owned());
        }
    })
    .await
    .expect("the stream ended in time");
    text
}

#[tokio::test]
async fn the_stream_closes_when_the_token_expires() {
    let s = start(Backend::Sqlite).await.unwrap();
    let me = fresh_user();
    let now = s.clock.now_utc().timestamp();
    // Accepted for one more second (30 s of leeway past `exp`).
    let claims =
        serde_json::json!({"sub": me.to_string(), "aud": "authenticated", "exp": now - 29});
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
    )
    .unwrap();
    let r = s
        .http
        .get(s.url("/api/v1/events/stream"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    drain(r, Duration::from_secs(10)).await;
}

#[tokio::test]
async fn the_stream_sends_the_erasure_and_closes() {
    let s = start(Backend::Sqlite).await.unwrap();
    let me = fresh_user();
    let r = s.get("/api/v1/events/stream", me).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let reader = tokio::spawn(drain(r, Duration::from_secs(10)));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let erased = answer(s.delete(&format!("/api/v1/me?confirm={me}"), me)).await;
    assert_eq!(erased.status, 200);
    let text = reader.await.unwrap().concat();
    assert!(text.contains("event: user.erased"), "{text}");
}

#[tokio::test]
async fn an_idle_stream_carries_keep_alive_comments() {
    let mut setup = Setup::new(Backend::Sqlite);
    setup.config.keep_alive = Duration::from_millis(100);
    let s = start_with(setup).await.unwrap();
    let r = s
        .get("/api/v1/events/stream", fresh_user())
        .send()
        .await
        .unwrap();
    let mut body = r.bytes_stream();
    let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
        .await
        .expect("a comment arrives")
        .unwrap()
        .unwrap();
    assert!(chunk.starts_with(b":"), "{chunk:?}");
    assert_eq!(
        lifeos_server::ServerConfig::new().keep_alive,
        Duration::from_secs(15)
    );
}
