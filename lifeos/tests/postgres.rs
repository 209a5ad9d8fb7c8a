//! Plans of one user on PostgreSQL while tasks are added, round after round: writers
//! sharing one application all succeed; writers each over their own store (as separate
//! processes) succeed or get the typed plan conflict; no two saved slots ever overlap.
//! Needs `LIFEOS_TEST_DATABASE_URL`: without it the test reports itself ignored with the
//! reason (with `CI=true` the binary fails). Runs under libtest-mimic; its own database
//! `lifeos_t_<pid>_<random>`, dropped at the end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use lifeos::core::{NewProfile, NewTask, PreferencesPatch, UserId};
use lifeos::store::{ManualClock, Store, StoreOptions, TaskQuery};
use lifeos::{LifeOs, PlanDayOptions};
use rand_core::SeedableRng;

const WORKERS: usize = 6;
const ROUNDS: usize = 6;

fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 7, 0, 0).unwrap()
}

fn options(seed: u64) -> StoreOptions {
    StoreOptions::new()
        .clock(Arc::new(ManualClock::new(monday_morning())))
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(seed))
}

fn app(store: Arc<dyn Store>) -> LifeOs {
    LifeOs::builder(store)
        .clock(Arc::new(ManualClock::new(monday_morning())))
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(7))
        .build()
}

async fn assert_no_overlap(store: &dyn Store, me: UserId, round: usize) {
    let tasks = store
        .list_all_tasks(me, &TaskQuery::actionable())
        .await
        .unwrap();
    let mut slots: Vec<_> = tasks
        .iter()
        .filter(|t| t.pinned_start.is_none())
        .filter_map(|t| Some((t.scheduled_start?, t.scheduled_end?, t.title.clone())))
        .collect();
    slots.sort();
    for pair in slots.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "round {round}: overlap {pair:?}");
    }
}

/// Rounds of all workers at once (one task added, one plan each), the slots checked after
/// each round; how many plans were saved and how many ended in a plan conflict.
async fn run_workers(apps: &[LifeOs], me: UserId) -> (usize, usize) {
    let (mut saved, mut conflicts) = (0, 0);
    for round in 0..ROUNDS {
        let runs: Vec<_> = apps
            .iter()
            .cloned()
            .enumerate()
            .map(|(w, app)| {
                tokio::spawn(async move {
                    let new = NewTask {
                        estimated_minutes: Some(15 + 5 * ((w + round) % 4) as i64),
                        ..NewTask::titled(format!("task {w}.{round}"))
                    };
                    app.add_task(me, new).await.unwrap();
                    let now = monday_morning() + Duration::minutes(3 * w as i64);
                    match app.plan_day(me, None, now, PlanDayOptions::new()).await {
                        Ok(day) => (usize::from(day.saved), 0),
                        Err(lifeos::Error::PlanConflict { attempts: 3, .. }) => (0, 1),
                        Err(e) => panic!("worker {w}, round {round}: {e}"),
                    }
                })
            })
            .collect();
        for run in runs {
            let (s, c) = run.await.unwrap();
            (saved, conflicts) = (saved + s, conflicts + c);
        }
        assert_no_overlap(&**apps[0].store(), me, round).await;
    }
    (saved, conflicts)
}

async fn concurrent_plans(url: String) {
    let open = |seed| {
        let url = url.clone();
        async move { lifeos::open(&url, options(seed)).await.unwrap() }
    };
    let shared = app(open(1).await);
    let me = UserId::from_uuid(uuid::Uuid::from_u128(1));
    shared
        .store()
        .create_profile(
            me,
            NewProfile {
                email: "me@example.com".into(),
                name: None,
                avatar_url: None,
                preferences: PreferencesPatch {
                    timezone: Some("Europe/Berlin".into()),
                    ..PreferencesPatch::default()
                },
            },
        )
        .await
        .unwrap();
    let (saved, conflicts) = run_workers(&vec![shared.clone(); WORKERS], me).await;
    assert_eq!(
        (saved, conflicts),
        (WORKERS * ROUNDS, 0),
        "every run succeeds"
    );
    let mut own = Vec::new();
    for w in 0..WORKERS {
        own.push(app(open(10 + w as u64).await));
    }
    let (saved, _) = run_workers(&own, me).await;
    assert!(saved > 0);
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let server = std::env::var("LIFEOS_TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty());
    if server.is_none() && std::env::var("CI").as_deref() == Ok("true") {
        eprintln!("CI=true but LIFEOS_TEST_DATABASE_URL is not set: the service tests must run");
        std::process::exit(101);
    }
    let name = {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        format!("lifeos_t_{}_{:x}", std::process::id(), h.finish())
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let admin = |sql: String| {
        let server = server.clone();
        rt.block_on(async move {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&server.unwrap()).await?;
            sqlx::raw_sql(&sql).execute(&mut conn).await?;
            conn.close().await
        })
    };
    let trial = match &server {
        Some(server) => {
            admin(format!("CREATE DATABASE {name}")).unwrap();
            let (base, _) = server.rsplit_once('/').unwrap();
            let url = format!("{base}/{name}");
            let handle = rt.handle().clone();
            libtest_mimic::Trial::test("plans_of_concurrent_writers_never_overlap", move || {
                handle.block_on(concurrent_plans(url));
                Ok(())
            })
        }
        None => libtest_mimic::Trial::test("plans_of_concurrent_writers_never_overlap", || Ok(()))
            .with_ignored_flag(true)
            .with_kind("skipped: LIFEOS_TEST_DATABASE_URL not set"),
    };
    let conclusion = libtest_mimic::run(&args, vec![trial]);
    if server.is_some() {
        let _ = admin(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
    conclusion.exit()
}
