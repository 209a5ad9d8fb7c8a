//! Dependency cycles are refused at write time, in every backend alike.

use lifeos_core::{NewTask, Task, TaskPatch};
use lifeos_store::{ErrorKind, Store, TaskChange, TaskOp};

use super::{Make, event_count, options, user};

fn depends_on(deps: &[&Task]) -> TaskPatch {
    TaskPatch {
        depends_on: Some(deps.iter().map(|t| t.id).collect()),
        ..TaskPatch::default()
    }
}

/// The problem of a refused write: on `depends_on`, naming every task of the cycle.
fn assert_cycle(err: &lifeos_store::Error, titles: &[&str]) {
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    let problem = err.validation().unwrap().first();
    assert_eq!(problem.field, "depends_on", "{err}");
    for title in titles {
        assert!(problem.expected.contains(&format!("{title:?}")), "{err}");
    }
}

pub async fn dependency_cycles_are_refused_at_write_time<S: Store>(make: &impl Make<S>) {
    let store = make(options(40)).await;
    let u = user(1);
    // A chain of 40: each task depends on the one before.
    let mut chain: Vec<Task> = Vec::new();
    for i in 0..40 {
        let new = NewTask {
            depends_on: chain.last().map(|t| t.id).into_iter().collect(),
            ..NewTask::titled(format!("step {i}"))
        };
        chain.push(store.create_task(u, new).await.unwrap());
    }
    let events = event_count(&store, u).await;

    // Two tasks: the first now waiting on the second, which waits on the first.
    let (first, second) = (&chain[0], &chain[1]);
    let err = store
        .update_task(u, first.id, first.version, depends_on(&[second]))
        .await
        .unwrap_err();
    assert_cycle(&err, &["step 0", "step 1"]);

    // The whole chain: the first waiting on the last.
    let last = chain.last().unwrap();
    let err = store
        .update_task(u, first.id, first.version, depends_on(&[last]))
        .await
        .unwrap_err();
    assert_cycle(&err, &["step 0", "step 20", "step 39"]);

    // A batch whose changes close a cycle only together; nothing of it is written.
    let (a, b) = (
        store.create_task(u, NewTask::titled("a")).await.unwrap(),
        store.create_task(u, NewTask::titled("b")).await.unwrap(),
    );
    let events = events + 2;
    let batch = vec![
        TaskChange::new(a.id, Some(a.version), TaskOp::Update(depends_on(&[&b]))),
        TaskChange::new(b.id, Some(b.version), TaskOp::Update(depends_on(&[&a]))),
    ];
    let err = store.change_tasks(u, batch).await.unwrap_err();
    assert_cycle(&err, &["a", "b"]);
    assert_eq!(store.get_task(u, a.id).await.unwrap(), a);
    assert_eq!(store.get_task(u, b.id).await.unwrap(), b);

    // A deleted task still counts: restoring it must not bring a cycle back.
    let a = store
        .update_task(u, a.id, a.version, depends_on(&[&b]))
        .await
        .unwrap();
    store.delete_task(u, a.id).await.unwrap();
    let err = store
        .update_task(u, b.id, b.version, depends_on(&[&a]))
        .await
        .unwrap_err();
    assert_cycle(&err, &["a", "b"]);
    assert_eq!(event_count(&store, u).await, events + 2);

    // Nothing refused changed a task; a diamond is no cycle.
    assert_eq!(store.get_task(u, first.id).await.unwrap(), *first);
    let top = store
        .create_task(
            u,
            NewTask {
                depends_on: vec![chain[2].id, chain[3].id],
                ..NewTask::titled("top")
            },
        )
        .await
        .unwrap();
    let c4 = &chain[4];
    store
        .update_task(u, c4.id, c4.version, depends_on(&[&chain[3], &top]))
        .await
        .unwrap();
    // Another user's tasks are not this user's graph.
    let other = store
        .create_task(
            user(2),
            NewTask {
                depends_on: vec![first.id],
                ..NewTask::titled("elsewhere")
            },
        )
        .await
        .unwrap();
    store
        .update_task(
            u,
            first.id,
            first.version,
            TaskPatch {
                depends_on: Some(vec![other.id]),
                ..TaskPatch::default()
            },
        )
        .await
        .unwrap();
}
