//! Planned blocks (Plan My Week) on every backend: stored sorted with the task, the first
//! one mirrored as the scheduled slot, carried by `task.scheduled` and the export; a bad
//! list changes nothing.

use chrono::{Duration, TimeZone, Utc};
use lifeos_core::event::ScheduledBy;
use lifeos_core::{EventPayload, NewTask, PlannedBlock, TaskPatch};
use lifeos_store::{ErrorKind, EventQuery, Store, TaskChange, TaskOp};

use super::{Make, event_count, options, user};

pub async fn planned_blocks_are_stored_with_their_event<S: Store>(make: &impl Make<S>) {
    let store = make(options(28)).await;
    let u = user(1);
    let new = NewTask {
        estimated_minutes: Some(600),
        min_chunk_minutes: Some(60),
        max_chunk_minutes: Some(120),
        ..NewTask::titled("Thesis chapter")
    };
    let task = store.create_task(u, new).await.unwrap();
    assert_eq!(
        (task.min_chunk_minutes, task.max_chunk_minutes),
        (Some(60), Some(120))
    );
    let day = |d: u32| Utc.with_ymd_and_hms(2026, 3, d, 8, 0, 0).unwrap();
    let blocks: Vec<PlannedBlock> = [11, 9, 10]
        .map(|d| PlannedBlock::new(day(d), day(d) + Duration::minutes(120)))
        .to_vec();
    let op = TaskOp::ScheduleBlocks {
        blocks: blocks.clone(),
        by: ScheduledBy::Planner,
        rationale: Some("part 1 of 3".into()),
    };
    let saved = store
        .change_task(u, TaskChange::new(task.id, Some(task.version), op))
        .await
        .unwrap();
    let mut sorted = blocks.clone();
    sorted.sort();
    assert_eq!(saved.planned_blocks, sorted);
    assert_eq!(saved.scheduled_start, Some(day(9)));
    assert_eq!(saved.scheduled_end, Some(day(9) + Duration::minutes(120)));
    // Read back as written, by id and in a listing.
    let read = store.get_task(u, task.id).await.unwrap();
    assert_eq!(read, saved);
    let events = store.read_all_events(u, &EventQuery::new()).await.unwrap();
    match &events.last().unwrap().event.payload {
        EventPayload::TaskScheduled(s) => {
            assert_eq!(s.blocks, sorted);
            assert_eq!(s.scheduled_start, day(9));
            assert_eq!(s.rationale.as_deref(), Some("part 1 of 3"));
        }
        other => panic!("unexpected {other:?}"),
    }
    // The export carries them.
    let export = store.export_user(u).await.unwrap();
    assert_eq!(export.tasks[0].planned_blocks, sorted);

    // Overlapping blocks: refused, naming the block, nothing written.
    let before = event_count(&store, u).await;
    let overlap = TaskOp::ScheduleBlocks {
        blocks: vec![
            PlannedBlock::new(day(9), day(9) + Duration::minutes(60)),
            PlannedBlock::new(
                day(9) + Duration::minutes(30),
                day(9) + Duration::minutes(90),
            ),
        ],
        by: ScheduledBy::Planner,
        rationale: None,
    };
    let err = store
        .change_task(u, TaskChange::new(task.id, None, overlap))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(err.field(), Some("planned_blocks[1].start"));
    assert_eq!(store.get_task(u, task.id).await.unwrap(), saved);
    assert_eq!(event_count(&store, u).await, before);

    // No blocks clears the schedule, recorded as an update.
    let clear = TaskOp::ScheduleBlocks {
        blocks: Vec::new(),
        by: ScheduledBy::Planner,
        rationale: None,
    };
    let cleared = store
        .change_task(u, TaskChange::new(task.id, None, clear))
        .await
        .unwrap();
    assert!(cleared.planned_blocks.is_empty());
    assert_eq!(
        (cleared.scheduled_start, cleared.scheduled_end),
        (None, None)
    );
    assert_eq!(store.get_task(u, task.id).await.unwrap(), cleared);
    let events = store.read_all_events(u, &EventQuery::new()).await.unwrap();
    match &events.last().unwrap().event.payload {
        EventPayload::TaskUpdated(s) => assert!(s.changed.contains(&"planned_blocks".into())),
        other => panic!("unexpected {other:?}"),
    }

    // An estimate above a day without chunks is refused with the field named.
    let unchunk = TaskPatch {
        estimated_minutes: Some(Some(3000)),
        max_chunk_minutes: Some(None),
        ..TaskPatch::default()
    };
    let err = store
        .change_task(u, TaskChange::new(task.id, None, TaskOp::Update(unchunk)))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("estimated_minutes"));
}
