//! The client against the real server on loopback: every route, on SQLite and PostgreSQL.

mod calendar_patch;
mod plan_week;

use chrono::{Duration, TimeZone, Utc};
use futures_util::{StreamExt, TryStreamExt};
use lifeos::core::{
    CalendarEventInput, EventTime, NewProject, NewTask, PreferencesPatch, ProjectPatch, Provider,
    TaskId, TaskPatch, TaskStatus, Tier,
};
use lifeos_client::{Error, NoRetry};

use crate::on_backends;
use crate::support::{Backend, Server, fresh_user, start, start_unlimited};

fn titled(title: &str) -> NewTask {
    NewTask::titled(title)
}

/// Advances the server's clock a little, so creation order is list order.
fn tick(server: &Server) {
    server.clock.advance(Duration::milliseconds(1));
}

async fn service_and_me(backend: Backend) {
    let Some(server) = start_unlimited(backend).await else {
        return;
    };
    let user = fresh_user();
    let c = server.client(user);
    assert_eq!(c.service().health().await.unwrap(), "ok");
    assert_eq!(c.service().ready().await.unwrap(), "ready");
    let doc = c.service().openapi().send().await.unwrap();
    assert!(doc["paths"]["/api/v1/tasks"].is_object());

    let me = c.me().get().send_with_meta().await.unwrap();
    assert_eq!(me.value.id, user);
    assert_eq!(me.version, Some(me.value.version));
    let mut patch = PreferencesPatch {
        timezone: Some("Europe/Paris".into()),
        ..PreferencesPatch::default()
    };
    let stale = me.value.version + 5;
    let err = c
        .me()
        .update_preferences(&patch)
        .if_match(stale)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert_eq!(err.status(), Some(412));
    let p = c
        .me()
        .update_preferences(&patch)
        .if_match(me.value.version)
        .send()
        .await
        .unwrap();
    assert_eq!(p.preferences.timezone, chrono_tz::Europe::Paris);
    assert_eq!(p.version, me.value.version + 1);
    patch.timezone = Some("Mars/Olympus".into());
    let err = c.me().update_preferences(&patch).send().await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(err.field_errors()[0].field, "timezone");
    assert!(err.request_id().is_some_and(|r| !r.is_empty()));

    let usage = c.me().usage().send().await.unwrap();
    assert_eq!(usage.tier, Tier::Free);
    assert_eq!(usage.month.used, 0);
}
on_backends!(service_and_me_routes, service_and_me);

async fn tasks_and_projects(backend: Backend) {
    let Some(server) = start_unlimited(backend).await else {
        return;
    };
    let c = server.client(fresh_user());

    let project = c
        .projects()
        .create(&NewProject {
            name: "Home".into(),
            description: None,
            color: Some("#AABBCC".into()),
        })
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(project.status, 201);
    assert_eq!(project.value.color.as_deref(), Some("#aabbcc"));
    assert_eq!(
        project.location.as_deref(),
        Some(format!("/api/v1/projects/{}", project.value.id).as_str())
    );
    let project = project.value;
    let renamed = c
        .projects()
        .update(
            project.id,
            &ProjectPatch {
                name: Some("House".into()),
                ..ProjectPatch::default()
            },
        )
        .if_match(project.version)
        .send()
        .await
        .unwrap();
    assert_eq!((renamed.name.as_str(), renamed.version), ("House", 2));
    assert_eq!(c.projects().get(project.id).send().await.unwrap(), renamed);
    let listed: Vec<_> = c.projects().list().stream().try_collect().await.unwrap();
    assert_eq!(listed, vec![renamed.clone()]);

    let mut ids = Vec::new();
    for (i, title) in ["Paint", "Shop", "Call", "Read", "Cook"].iter().enumerate() {
        tick(&server);
        let mut new = titled(title);
        new.labels = vec![if i % 2 == 0 { "even" } else { "odd" }.into()];
        new.project_id = Some(project.id);
        let sent = c.tasks().create(&new).send_with_meta().await.unwrap();
        assert_eq!((sent.status, sent.version), (201, Some(1)));
        assert!(!sent.replayed);
        ids.push(sent.value.id);
    }
    let paint = c.tasks().get(ids[0]).send().await.unwrap();
    assert_eq!(
        (paint.title.as_str(), paint.status),
        ("Paint", TaskStatus::Pending)
    );

    // Writes, If-Match, transitions.
    let patch = TaskPatch {
        title: Some("Paint the door".into()),
        ..TaskPatch::default()
    };
    let err = c
        .tasks()
        .update(ids[0], &patch)
        .if_match(9)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict { status: 412, .. }),
        "{err:?}"
    );
    assert_eq!(c.tasks().get(ids[0]).send().await.unwrap().version, 1);
    let paint = c
        .tasks()
        .update(ids[0], &patch)
        .if_match(1)
        .send()
        .await
        .unwrap();
    assert_eq!((paint.title.as_str(), paint.version), ("Paint the door", 2));
    let started = c.tasks().start(ids[0]).if_match(2).send().await.unwrap();
    assert_eq!(started.status, TaskStatus::InProgress);
    let done = c.tasks().complete_in(ids[0], 45).send().await.unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    assert_eq!(done.actual_minutes, Some(45));
    let err = c.tasks().start(ids[0]).send().await.unwrap_err();
    assert!(err.is_invalid_transition(), "{err:?}");
    assert_eq!(err.status(), Some(409));
    let done = c.tasks().complete(ids[1]).send().await.unwrap();
    assert!(done.completed_at.is_some());
    let cancelled = c.tasks().cancel(ids[2]).send().await.unwrap();
    assert_eq!(cancelled.status, TaskStatus::Cancelled);
    let deleted = c.tasks().delete(ids[3]).send().await.unwrap();
    assert!(deleted.deleted_at.is_some());
    let restored = c.tasks().restore(ids[3]).send().await.unwrap();
    assert!(restored.deleted_at.is_none());
    c.tasks().delete(ids[4]).send().await.unwrap();

    // Errors with fields and statuses.
    let err = c.tasks().create(&titled("  ")).send().await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(err.field_errors()[0].field, "title");
    let err = c
        .tasks()
        .get(TaskId::from_uuid(uuid::Uuid::from_u128(7)))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.slug(), Some("not-found"));
    let err = c.tasks().breakdown(ids[3]).send().await.unwrap_err();
    assert_eq!((err.status(), err.slug()), (Some(503), Some("unavailable")));

    // Lists: filters, pages, streams following cursors.
    let all: Vec<TaskId> = c
        .tasks()
        .list()
        .limit(1)
        .stream()
        .map_ok(|t| t.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        all,
        ids[..4].to_vec(),
        "one page at a time, deleted left out"
    );
    let with_deleted: Vec<_> = c
        .tasks()
        .list()
        .include_deleted(true)
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(with_deleted.len(), 5);
    let page = c.tasks().list().limit(2).send().await.unwrap();
    assert_eq!(page.results.len(), 2);
    let cursor = page.next_cursor.clone().unwrap();
    let next = c
        .tasks()
        .list()
        .limit(2)
        .cursor(cursor.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(next.results[0].id, ids[2]);
    let err = c
        .tasks()
        .list()
        .label("even")
        .cursor(cursor)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "a cursor bound to other filters");
    let open = c
        .tasks()
        .list()
        .status([TaskStatus::Pending, TaskStatus::InProgress])
        .send()
        .await
        .unwrap();
    assert_eq!(
        open.results.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![ids[3]]
    );
    let even = c.tasks().list().label("even").send().await.unwrap();
    assert_eq!(even.results.len(), 2, "Paint and Call; Cook is deleted");
    let found = c.tasks().list().q("SHOP").send().await.unwrap();
    assert_eq!(found.results[0].id, ids[1]);
    let of_project = c.tasks().list().project(project.id).send().await.unwrap();
    assert_eq!(of_project.results.len(), 4);
    let err = c.tasks().list().limit(201).send().await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "limit");

    let gone = c.projects().delete(project.id).send().await.unwrap();
    assert!(gone.deleted_at.is_some());
    assert!(c.projects().list().send().await.unwrap().results.is_empty());
}
on_backends!(task_and_project_routes, tasks_and_projects);

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n\
BEGIN:VEVENT\r\nUID:a@t\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261204T090000Z\r\n\
DTEND:20261204T100000Z\r\nSUMMARY:Imported\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b@t\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:No start\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

async fn calendar_plan_events_export_erase(backend: Backend) {
    let Some(server) = start_unlimited(backend).await else {
        return;
    };
    let user = fresh_user();
    let c = server.client(user);
    let at = |h| EventTime::Utc(Utc.with_ymd_and_hms(2026, 12, 3, h, 0, 0).unwrap());
    let input = CalendarEventInput::new(Provider::Manual, "Standup", at(14), at(15));
    let created = c.calendar().create(&input).send_with_meta().await.unwrap();
    assert_eq!(created.status, 201);
    let event = created.value;
    assert_eq!(c.calendar().get(event.id).send().await.unwrap(), event);
    let listed = c.calendar().list().send().await.unwrap();
    assert_eq!(listed.results, vec![event.clone()]);
    let from = Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).unwrap();
    let occ = c
        .calendar()
        .occurrences(from, from + Duration::days(2))
        .tz(chrono_tz::UTC)
        .send()
        .await
        .unwrap();
    assert_eq!(occ.results.len(), 1);
    assert_eq!((occ.results[0].event_id, occ.truncated), (event.id, false));
    assert_eq!(
        occ.results[0].start,
        Utc.with_ymd_and_hms(2026, 12, 3, 14, 0, 0).unwrap()
    );
    let err = c
        .calendar()
        .occurrences(from, from + Duration::days(400))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.field_errors()[0].field.as_str()),
        (Some(400), "to")
    );

    let report = c.calendar().import(ICS).send().await.unwrap();
    assert_eq!((report.imported, report.skipped), (1, 1), "{report:?}");
    assert_eq!(report.errors.len(), 1);
    assert!(report.errors[0].line > 5, "{report:?}");
    let err = c.calendar().import("hello").send().await.unwrap_err();
    assert_eq!(err.slug(), Some("ical"));
    let text = c.calendar().export().send().await.unwrap();
    assert!(text.contains("BEGIN:VCALENDAR") && text.contains("SUMMARY:Standup"));
    assert!(text.contains("SUMMARY:Imported"));
    let deleted = c.calendar().delete(event.id).send().await.unwrap();
    assert_eq!(deleted.id, event.id);
    assert!(
        c.calendar()
            .delete(event.id)
            .send()
            .await
            .unwrap_err()
            .is_not_found()
    );

    // Plan My Day: a dry run saves nothing; the real run saves the placed task.
    let mut new = titled("Plan me");
    new.estimated_minutes = Some(30);
    let task = c.tasks().create(&new).send().await.unwrap();
    let dry = c.ai().plan_day().dry_run(true).send().await.unwrap();
    assert_eq!(dry.saved, 0);
    assert_eq!(dry.plan.scheduled_tasks.len(), 1, "{dry:?}");
    assert!(
        c.tasks()
            .get(task.id)
            .send()
            .await
            .unwrap()
            .scheduled_start
            .is_none()
    );
    let real = c.ai().plan_day().send().await.unwrap();
    assert_eq!(real.saved, 1);
    let stored = c.tasks().get(task.id).send().await.unwrap();
    assert_eq!(
        stored.scheduled_start,
        Some(real.plan.scheduled_tasks[0].start_time)
    );
    let err = c
        .ai()
        .plan_day()
        .date(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.field_errors()[0].field, "date");

    // The log: pages following `after`, and the feed replaying it.
    let log: Vec<_> = c
        .events()
        .list()
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    let kinds: Vec<&str> = log.iter().map(|e| e.event.kind()).collect();
    assert!(
        kinds.contains(&"task.created") && kinds.contains(&"calendar.synced"),
        "{kinds:?}"
    );
    let fed: Vec<_> = c
        .events()
        .feed()
        .after(0)
        .stream()
        .take(log.len())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(fed, log);
    let tail = c
        .events()
        .list()
        .cursor(log[1].seq.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(tail.results[0].seq, log[2].seq);

    let export = c.me().export().send().await.unwrap();
    assert_eq!(export.user_id, user);
    assert_eq!(export.tasks.len(), 1);
    assert_eq!(export.calendar_events.len(), 2);
    assert_eq!(export.events, log);

    let erased = c.me().erase(user).send().await.unwrap();
    assert_eq!(erased.erased_user_id, user);
    assert_eq!(erased.counts.get("tasks"), Some(&1), "{erased:?}");
    let err = c.me().erase(fresh_user()).send().await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "confirm");
}
on_backends!(
    calendar_plan_event_and_export_routes,
    calendar_plan_events_export_erase
);

async fn live_feed(backend: Backend) {
    let Some(server) = start_unlimited(backend).await else {
        return;
    };
    let c = server.client(fresh_user());
    let first = c.tasks().create(&titled("Before")).send().await.unwrap();
    // The first request also created the profile: only task events are looked at.
    let mut feed = Box::pin(
        c.events()
            .feed()
            .after(0)
            .stream()
            .try_filter(|e| std::future::ready(e.event.kind() == "task.created")),
    );
    let replayed = feed.next().await.unwrap().unwrap();
    assert_eq!(replayed.event.entity_id(), *first.id.as_uuid());
    let second = c.tasks().create(&titled("After")).send().await.unwrap();
    let live = feed.next().await.unwrap().unwrap();
    assert_eq!(live.event.entity_id(), *second.id.as_uuid());
    assert!(live.seq > replayed.seq);
}
on_backends!(the_feed_replays_then_follows, live_feed);

async fn rate_limited(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    // The server's clock stands still, so a free user's 61st request is refused.
    let c = lifeos_client::Client::builder(&server.base)
        .token_provider(lifeos_client::StaticToken::new(server.token(fresh_user())))
        .retry_policy(NoRetry)
        .build()
        .unwrap();
    let mut refused = None;
    for _ in 0..61 {
        if let Err(e) = c.me().usage().send().await {
            refused = Some(e);
            break;
        }
    }
    match refused {
        Some(Error::RateLimited {
            retry_after,
            problem,
        }) => {
            assert!(retry_after.is_some_and(|r| r.as_secs() >= 1));
            assert_eq!(problem.slug(), Some("rate-limited"));
        }
        other => panic!("expected a 429, got {other:?}"),
    }
}
on_backends!(a_429_is_a_typed_rate_limit_with_retry_after, rate_limited);

/// A keyed create answered twice: the retry replays the first answer byte for byte and
/// creates nothing; the same key with another body is refused (422).
async fn replay(backend: Backend) {
    let Some(server) = start_unlimited(backend).await else {
        return;
    };
    let c = server.client(fresh_user());
    let first = c
        .tasks()
        .create(&titled("Once"))
        .idempotency_key("k-1")
        .send_with_meta()
        .await
        .unwrap();
    assert!(!first.replayed);
    let again = c
        .tasks()
        .create(&titled("Once"))
        .idempotency_key("k-1")
        .send_with_meta()
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(
        (again.status, again.version, again.location.as_deref()),
        (201, Some(1), first.location.as_deref())
    );
    assert_eq!(again.value, first.value);
    assert_eq!(c.tasks().list().send().await.unwrap().results.len(), 1);
    let err = c
        .tasks()
        .create(&titled("Twice"))
        .idempotency_key("k-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.slug()),
        (Some(422), Some("idempotency-key-reuse"))
    );
    let created = c
        .events()
        .list()
        .send()
        .await
        .unwrap()
        .results
        .iter()
        .filter(|e| e.event.kind() == "task.created")
        .count();
    assert_eq!(created, 1);
}
on_backends!(a_keyed_create_replays, replay);
