//! Ten simultaneous first connections to a new schema all succeed: creating the roles,
//! the schema and the tables is serialised by a session advisory lock.

use std::sync::{Arc, Barrier};

use lifeos_core::NewTask;
use lifeos_store::prelude::*;
use lifeos_store::{PostgresConfig, PostgresStore, TaskQuery};

use crate::conformance::{block_on, options, user};
use crate::pg_support;

pub fn ten_simultaneous_first_connects_all_succeed() {
    const OPENERS: usize = 10;
    let url = block_on(pg_support::database_url());
    for round in 0..3 {
        let schema = pg_support::schema();
        let start = Arc::new(Barrier::new(OPENERS));
        let openers: Vec<_> = (0..OPENERS)
            .map(|i| {
                let (url, schema, start) = (url.clone(), schema.clone(), Arc::clone(&start));
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async move {
                        start.wait();
                        let config = PostgresConfig::new(url).schema(schema).max_connections(2);
                        let store = PostgresStore::connect(config, options(i as u64)).await?;
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
        block_on(async {
            let config = PostgresConfig::new(url.clone()).schema(schema);
            let store = PostgresStore::connect(config, options(99)).await.unwrap();
            let all = store
                .list_all_tasks(user(1), &TaskQuery::new())
                .await
                .unwrap();
            assert_eq!(all.len(), OPENERS, "round {round}");
            store.close().await;
        });
    }
}
