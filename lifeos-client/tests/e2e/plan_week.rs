//! `POST /ai/plan-week` through the client: core's week types, a dry run that saves
//! nothing, the saved blocks on the tasks, the range checks naming their field.

use chrono::{Duration, NaiveDate};
use lifeos::core::NewTask;

use crate::on_backends;
use crate::support::{Backend, fresh_user, start_unlimited, t0};

async fn plan_a_week(backend: Backend) {
    let Some(server) = start_unlimited(backend).await else {
        return;
    };
    let c = server.client(fresh_user());
    let thesis = NewTask {
        estimated_minutes: Some(360),
        min_chunk_minutes: Some(60),
        max_chunk_minutes: Some(120),
        ..NewTask::titled("Thesis chapter")
    };
    let thesis = c.tasks().create(&thesis).send().await.unwrap();
    let email = NewTask {
        estimated_minutes: Some(30),
        ..NewTask::titled("Email")
    };
    let email = c.tasks().create(&email).send().await.unwrap();

    let dry = c
        .ai()
        .plan_week()
        .horizon_days(5)
        .dry_run(true)
        .send()
        .await
        .unwrap();
    assert_eq!(dry.saved, 0);
    let chunks: Vec<_> = dry
        .plan
        .scheduled_tasks
        .iter()
        .filter(|b| b.task_id == *thesis.id.as_uuid())
        .collect();
    assert!(chunks.len() >= 3, "{dry:?}");
    assert!(
        chunks
            .iter()
            .all(|b| b.chunk_count as usize == chunks.len())
    );
    assert!(
        chunks
            .iter()
            .all(|b| b.end_time - b.start_time <= Duration::minutes(120))
    );
    let stored = c.tasks().get(thesis.id).send().await.unwrap();
    assert!(stored.planned_blocks.is_empty() && stored.scheduled_start.is_none());

    let sent = c
        .ai()
        .plan_week()
        .horizon_days(5)
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(sent.status, 200);
    let week = sent.value;
    assert_eq!(week.plan, dry.plan, "the same inputs plan the same week");
    assert!(week.saved >= 2, "{week:?}");
    let stored = c.tasks().get(thesis.id).send().await.unwrap();
    let mut starts: Vec<_> = stored.planned_blocks.iter().map(|b| b.start).collect();
    starts.sort();
    let mut planned: Vec<_> = chunks.iter().map(|b| b.start_time).collect();
    planned.sort();
    assert_eq!(starts, planned);
    let placed = week
        .plan
        .scheduled_tasks
        .iter()
        .find(|b| b.task_id == *email.id.as_uuid())
        .expect("the short task is placed");
    let email = c.tasks().get(email.id).send().await.unwrap();
    assert_eq!(email.scheduled_start, Some(placed.start_time));

    // Planned again: the stored blocks still fit, nothing to save.
    let again = c.ai().plan_week().horizon_days(5).send().await.unwrap();
    assert_eq!(again.saved, 0, "{again:?}");

    // Out of range: 422 naming the field.
    let err = c
        .ai()
        .plan_week()
        .horizon_days(15)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(err.field_errors()[0].field, "horizon_days");
    let long_ago = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let err = c
        .ai()
        .plan_week()
        .start_date(long_ago)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.field_errors()[0].field, "start_date");
    let tomorrow = (t0() + Duration::days(1)).date_naive();
    let later = c
        .ai()
        .plan_week()
        .start_date(tomorrow)
        .horizon_days(1)
        .dry_run(true)
        .send()
        .await
        .unwrap();
    assert!(
        later
            .plan
            .scheduled_tasks
            .iter()
            .all(|b| b.start_time.date_naive() >= tomorrow),
        "{later:?}"
    );
}
on_backends!(a_week_is_planned_and_saved, plan_a_week);
