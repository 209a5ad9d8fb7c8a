//! Fixtures shared by the workflow tests.

mod calendar;
mod concurrent_plans;
mod dependency_cycle;
mod guarded_tasks;
mod import;
mod import_atomic;
mod keyed_answers;
mod plan_day;
mod plan_week;
mod profile;
mod profile_claims;
mod tasks;
mod worked;

use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, TimeZone, Utc};
use lifeos::core::{NewProfile, PreferencesPatch, UserId};
use lifeos::store::{EventQuery, ManualClock, MemoryStore, SqliteStore, Store, StoreOptions};
use lifeos::{LifeOs, ManualMonotonic};
use rand_core::SeedableRng;

/// Monday 9 March 2026, 07:00 UTC: 08:00 in Berlin, before the workday.
pub fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 7, 0, 0).unwrap()
}

pub fn user(n: u128) -> UserId {
    UserId::from_uuid(uuid::Uuid::from_u128(n))
}

pub fn store_options(seed: u64) -> StoreOptions {
    StoreOptions::new()
        .clock(Arc::new(ManualClock::new(monday_morning())))
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(seed))
}

pub fn app_over(store: Arc<dyn Store>, monotonic: Arc<ManualMonotonic>) -> LifeOs {
    LifeOs::builder(store)
        .clock(Arc::new(ManualClock::new(monday_morning())))
        .monotonic(monotonic)
        .rng(rand_chacha::ChaCha8Rng::seed_from_u64(99))
        .build()
}

/// A memory store with user 1's profile (Berlin, the planner's default workday).
pub async fn memory_app() -> (LifeOs, Arc<MemoryStore>, UserId) {
    let store = Arc::new(MemoryStore::new(store_options(1)));
    let app = app_over(
        store.clone(),
        Arc::new(ManualMonotonic::with_step(
            std::time::Duration::from_millis(3),
        )),
    );
    let me = user(1);
    with_profile(&app, me).await;
    (app, store, me)
}

/// A SQLite file in `dir` with user 1's profile.
pub async fn sqlite_app(dir: &std::path::Path) -> (LifeOs, Arc<SqliteStore>, UserId) {
    let store = Arc::new(
        SqliteStore::open(dir.join("lifeos.db"), store_options(1))
            .await
            .unwrap(),
    );
    let app = app_over(
        store.clone(),
        Arc::new(ManualMonotonic::with_step(std::time::Duration::ZERO)),
    );
    let me = user(1);
    with_profile(&app, me).await;
    (app, store, me)
}

pub async fn with_profile(app: &LifeOs, me: UserId) {
    app.store()
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
}

pub async fn kinds(app: &LifeOs, me: UserId) -> Vec<String> {
    app.store()
        .read_all_events(me, &EventQuery::new())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.kind().to_owned())
        .collect()
}

/// Runs a future that never waits (the memory store's calls) to completion, from
/// synchronous code such as a fake clock's hook.
pub fn run_now<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the memory store's future waited"),
    }
}
