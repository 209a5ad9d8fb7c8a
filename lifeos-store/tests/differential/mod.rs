//! One script of calls whose every answer is recorded, run on a backend and on the memory
//! backend by the differential tests: the answers must be identical.

#![allow(dead_code)]

use chrono::Duration;
use lifeos_core::{NewTask, TaskPatch};
use lifeos_store::{EventQuery, Store, TaskQuery};

use crate::conformance::{t0, user};

/// Runs the script on `store`, every answer as text.
pub async fn script<S: Store>(store: &S) -> Vec<String> {
    let (u, v) = (user(1), user(2));
    let titles = [
        "Alpha",
        "alphabet soup",
        "ΑΛΦΑ",
        "Straße",
        "50% off",
        "under_score",
        "Ǆ",
        "plain",
    ];
    let mut ids = Vec::new();
    for (i, title) in titles.iter().enumerate() {
        let new = NewTask {
            labels: vec![format!("l{}", i % 3)],
            due_date: Some(t0() + Duration::hours(i as i64 * 5)),
            priority: (i % 4) as i64,
            ..NewTask::titled(*title)
        };
        ids.push(store.create_task(u, new).await.unwrap().id);
        store
            .create_task(v, NewTask::titled(format!("v {title}")))
            .await
            .unwrap();
    }
    store.complete_task(u, ids[1]).await.unwrap();
    store.delete_task(u, ids[2]).await.unwrap();
    store
        .update_task(
            u,
            ids[3],
            1,
            TaskPatch {
                title: Some("STRASSE".into()),
                ..TaskPatch::default()
            },
        )
        .await
        .unwrap();
    let mut out = Vec::new();
    for q in ["alpha", "ΑΛΦΑ", "strasse", "%", "_", "ǆ", "", "x"] {
        let page = store.search_tasks(u, q, None, 100).await.unwrap();
        out.push(format!("{q}: {:?}", page.items));
    }
    for q in [
        TaskQuery::new().limit(3),
        TaskQuery::actionable(),
        TaskQuery::new().label("l1").include_deleted(true),
        TaskQuery::new().due(lifeos_store::TimeRange::new(
            t0() + Duration::hours(6),
            t0() + Duration::hours(26),
        )),
    ] {
        let page = store.list_tasks(u, &q).await.unwrap();
        out.push(format!(
            "{:?} {:?}",
            page.items,
            page.next.map(|c| c.to_string())
        ));
    }
    out.push(format!(
        "{:?}",
        store.read_all_events(u, &EventQuery::new()).await.unwrap()
    ));
    out.push(
        store
            .export_user(u)
            .await
            .unwrap()
            .to_json()
            .unwrap()
            .to_string(),
    );
    out
}
