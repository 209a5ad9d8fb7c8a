//! Refinement through the async-openai refiner against a loopback fake server that answers
//! at once (the starting plan it was sent, echoed): the whole overhead of refinement on top
//! of the deterministic plan, excluding the model's own time (prompt, token count, HTTP on
//! loopback, parse, repair, acceptance), on days of 10, 60 and 300 tasks; and the prompt
//! tokens of each day (tiktoken, gpt-4o's encoding), printed.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a bench stops on bad input

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use criterion::{Criterion, criterion_group, criterion_main};
use lifeos_benches::bench_day;
use lifeos_core::plan::RefinementStatus;
use lifeos_scheduler::refine::openai::{OpenAiConfig, OpenAiRefiner, prompt_tokens};
use lifeos_scheduler::refine::{MonotonicClock, RefineOptions, build_prompt, refine};
use lifeos_scheduler::{plan_day, validate};
use rand_core::SeedableRng;
use serde_json::{Value, json};

struct TokioClock(tokio::time::Instant);

impl MonotonicClock for TokioClock {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

async fn echo(body: String) -> axum::Json<Value> {
    let body: Value = serde_json::from_str(&body).unwrap();
    let user: Value =
        serde_json::from_str(body["messages"][1]["content"].as_str().unwrap()).unwrap();
    let plan = json!({"scheduledTasks": user["startingPlan"]["scheduledTasks"], "insights": []});
    axum::Json(json!({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": 1_772_000_000,
        "model": body["model"],
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": plan.to_string()}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    }))
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let url = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route("/v1/chat/completions", post(echo));
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/v1")
    });
    let clock = Arc::new(TokioClock(
        rt.block_on(async { tokio::time::Instant::now() }),
    ));
    let refiner = OpenAiRefiner::new(
        OpenAiConfig::new("sk-bench").base_url_set(url),
        clock.clone(),
        rand_chacha::ChaCha8Rng::seed_from_u64(1),
    )
    .unwrap();
    let options = RefineOptions::new().instructions("keep the afternoon light");
    for n in [10, 60, 300] {
        let request = bench_day(n).unwrap();
        let plan = plan_day(&request).unwrap();
        let prompt = build_prompt(&request, &plan, &options).unwrap();
        let answer = rt
            .block_on(refine(&request, &plan, &refiner, &options, clock.as_ref()))
            .unwrap();
        assert!(validate(&request, &answer).is_ok());
        let r = answer.refinement.unwrap();
        assert_eq!(
            r.status,
            RefinementStatus::Accepted,
            "{:?}",
            answer.warnings
        );
        println!(
            "day_{n}_tasks: prompt tokens {} (gpt-4o encoding, schema and framing included), prompt {} bytes",
            prompt_tokens("gpt-4o", &prompt),
            prompt.len()
        );
        let mut group = c.benchmark_group(format!("refine_openai_{n}_tasks"));
        group.bench_function("deterministic_plan", |b| {
            b.iter(|| black_box(plan_day(black_box(&request))))
        });
        group.bench_function("refine_over_loopback", |b| {
            b.iter(|| {
                black_box(rt.block_on(refine(
                    black_box(&request),
                    &plan,
                    &refiner,
                    &options,
                    clock.as_ref(),
                )))
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
