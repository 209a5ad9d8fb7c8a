//! Several writers adding tasks and planning the same user at once on one SQLite file:
//! sharing one application (as a server's requests do), every run succeeds; each over its
//! own store (as separate processes would be), a run ends in success or the typed plan
//! conflict, never another error; and no two saved slots ever overlap.

use std::sync::Arc;

use lifeos::core::{NewTask, Task, UserId};
use lifeos::store::{SqliteStore, Store, TaskQuery};
use lifeos::{LifeOs, ManualMonotonic, PlanDayOptions};

use super::*;

const WORKERS: usize = 6;
const ROUNDS: usize = 8;

/// The saved slots of `me`'s tasks (pinned ones aside) overlap nowhere.
pub async fn assert_no_overlap(store: &dyn Store, me: UserId) -> usize {
    let tasks: Vec<Task> = store
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
        assert!(pair[0].1 <= pair[1].0, "overlapping slots: {pair:?}");
    }
    slots.len()
}

fn work(worker: usize, round: usize) -> NewTask {
    NewTask {
        estimated_minutes: Some(15 + 5 * ((worker + round) % 4) as i64),
        priority: ((worker * 7 + round) % 4) as i64,
        ..NewTask::titled(format!("task {worker}.{round}"))
    }
}

/// Runs the workers round by round, each round all at once (one task added and one plan
/// each), and checks the saved slots after every round (a later plan reads everything and
/// would mend an overlap, hiding it); how many plans were saved, and how many ended in a
/// plan conflict.
async fn run_workers(apps: Vec<LifeOs>, me: UserId) -> (usize, usize) {
    let (mut saved, mut conflicts) = (0, 0);
    for round in 0..ROUNDS {
        let workers: Vec<_> = apps
            .iter()
            .cloned()
            .enumerate()
            .map(|(w, app)| {
                tokio::spawn(async move {
                    app.add_task(me, work(w, round)).await.unwrap();
                    // Each its own clock, as separate processes: the plans differ.
                    let now = monday_morning() + chrono::Duration::minutes(3 * w as i64);
                    match app.plan_day(me, None, now, PlanDayOptions::new()).await {
                        Ok(day) => {
                            assert!(day.saved);
                            (1, 0)
                        }
                        Err(lifeos::Error::PlanConflict { attempts: 3, .. }) => (0, 1),
                        Err(e) => panic!("worker {w}, round {round}: {e}"),
                    }
                })
            })
            .collect();
        for w in workers {
            let (s, c) = w.await.unwrap();
            (saved, conflicts) = (saved + s, conflicts + c);
        }
        assert_no_overlap(&**apps[0].store(), me).await;
    }
    (saved, conflicts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_on_one_sqlite_file_never_save_overlapping_slots() {
    let dir = tempfile::tempdir().unwrap();
    let (app, store, me) = sqlite_app(dir.path()).await;
    let mut apps = Vec::new();
    for w in 0..WORKERS {
        // Each worker its own connections and application: only the database keeps them
        // apart, as it does separate processes.
        let own = SqliteStore::open(dir.path().join("lifeos.db"), store_options(10 + w as u64))
            .await
            .unwrap();
        apps.push(app_over(
            Arc::new(own),
            Arc::new(ManualMonotonic::with_step(std::time::Duration::ZERO)),
        ));
    }
    let (saved, _) = run_workers(apps, me).await;
    assert!(saved > 0);
    let placed = assert_no_overlap(&*store, me).await;
    assert!(placed > WORKERS, "the plans placed tasks: {placed}");
    drop(app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_sharing_one_application_never_save_overlapping_slots() {
    let dir = tempfile::tempdir().unwrap();
    let (app, store, me) = sqlite_app(dir.path()).await;
    let (saved, conflicts) = run_workers(vec![app; WORKERS], me).await;
    assert_eq!(
        (saved, conflicts),
        (WORKERS * ROUNDS, 0),
        "every run succeeds"
    );
    let placed = assert_no_overlap(&*store, me).await;
    assert!(placed > WORKERS, "the plans placed tasks: {placed}");
}
