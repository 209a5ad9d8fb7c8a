//! Ten simultaneous first opens of a new database file all succeed: migrations are
//! serialised (each opener's run is one `BEGIN IMMEDIATE` transaction).

use std::sync::{Arc, Barrier};

use lifeos_core::NewTask;
use lifeos_store::SqliteStore;
use lifeos_store::prelude::*;

use super::temp_path;
use crate::conformance::{options, user};

#[test]
fn ten_simultaneous_first_opens_all_succeed() {
    const OPENERS: usize = 10;
    // Several rounds: the old race lost most openers of a round, so one would do; more
    // rounds make a rare interleaving likely to show up too.
    for round in 0..5 {
        let path = temp_path(&format!("first-open-{round}.sqlite"));
        let start = Arc::new(Barrier::new(OPENERS));
        let openers: Vec<_> = (0..OPENERS)
            .map(|i| {
                let (path, start) = (path.clone(), Arc::clone(&start));
                // A thread and a runtime each: the opens really run at once.
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async move {
                        start.wait();
                        let store = SqliteStore::open(&path, options(i as u64)).await?;
                        let created = store
                            .create_task(user(1), NewTask::titled(format!("from opener {i}")))
                            .await;
                        store.close().await;
                        created.map(|_| ())
                    })
                })
            })
            .collect();
        for (i, opener) in openers.into_iter().enumerate() {
            let outcome = opener.join().unwrap();
            assert!(outcome.is_ok(), "round {round}, opener {i}: {outcome:?}");
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = SqliteStore::open(&path, options(99)).await.unwrap();
            let all = store
                .list_all_tasks(user(1), &lifeos_store::TaskQuery::new())
                .await
                .unwrap();
            assert_eq!(all.len(), OPENERS, "round {round}");
            store.close().await;
        });
    }
}
