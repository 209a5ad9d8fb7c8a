//! Calendar events added by hand, `events_between` (series expanded), the iCalendar
//! export, projects, the event log and the export.

use chrono::{NaiveDate, TimeZone};
use lifeos::ErrorKind;
use lifeos::core::{EventTime, NewProject, ProjectPatch, Provider};
use lifeos::store::CalendarEventInput;

use super::*;

fn berlin(d: u32, h: u32, m: u32) -> EventTime {
    EventTime::Zoned {
        local: NaiveDate::from_ymd_opt(2026, 3, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap(),
        tz: chrono_tz::Europe::Berlin,
    }
}

fn standup() -> CalendarEventInput {
    let mut input = CalendarEventInput::new(
        Provider::Manual,
        "Standup",
        berlin(9, 9, 30),
        berlin(9, 9, 45),
    );
    input.rrule = Some("FREQ=DAILY;COUNT=5".parse().unwrap());
    input
}

#[tokio::test]
async fn events_between_expands_series_in_the_span() {
    let (app, _, me) = memory_app().await;
    let event = app.add_event(me, standup()).await.unwrap();
    assert_eq!(app.event(me, event.id).await.unwrap(), event);
    let from = Utc.with_ymd_and_hms(2026, 3, 10, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 3, 12, 0, 0, 0).unwrap();
    let found = app.events_between(me, from, to, None).await.unwrap();
    let starts: Vec<_> = found.entries.iter().map(|o| o.start.to_rfc3339()).collect();
    assert_eq!(
        starts,
        ["2026-03-10T08:30:00+00:00", "2026-03-11T08:30:00+00:00"]
    );
    assert!(
        found
            .entries
            .iter()
            .all(|o| o.event_id == event.id && o.busy)
    );
    assert!(!found.truncated);

    // A span that ends before it starts is refused on `to`.
    let err = app.events_between(me, to, from, None).await.unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::Invalid, Some("to")));

    // Deleted events are gone from the span and from the export.
    app.delete_event(me, event.id).await.unwrap();
    assert!(
        app.events_between(me, from, to, None)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    assert!(!app.export_ics(me).await.unwrap().contains("Standup"));
    assert!(
        app.delete_event(me, event.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn add_event_refuses_an_end_before_its_start() {
    let (app, _, me) = memory_app().await;
    let bad = CalendarEventInput::new(
        Provider::Manual,
        "Backwards",
        berlin(9, 10, 0),
        berlin(9, 9, 0),
    );
    let err = app.add_event(me, bad).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    assert!(
        app.store()
            .list_calendar_events(me, true)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn export_ics_reads_back_as_the_same_events() {
    let (app, _, me) = memory_app().await;
    app.add_event(me, standup()).await.unwrap();
    let text = app.export_ics(me).await.unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.contains("RRULE:FREQ=DAILY;COUNT=5"), "{text}");
    let other = user(2);
    with_profile(&app, other).await;
    let report = app
        .import_ics(other, &text, lifeos::IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!(report.imported, 1);
}

#[tokio::test]
async fn projects_round_trip_and_map_their_errors() {
    let (app, _, me) = memory_app().await;
    let p = app
        .add_project(
            me,
            NewProject {
                name: "Work".into(),
                ..NewProject::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(app.project(me, p.id).await.unwrap(), p);
    let renamed = app
        .update_project(
            me,
            p.id,
            Some(p.version),
            ProjectPatch {
                name: Some("Office".into()),
                ..ProjectPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "Office");
    let stale = app
        .update_project(me, p.id, Some(p.version), ProjectPatch::default())
        .await
        .unwrap_err();
    assert!(stale.is_conflict(), "{stale}");
    let err = app
        .add_project(me, NewProject::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(app.projects(me, false).await.unwrap(), [renamed]);
    app.delete_project(me, p.id).await.unwrap();
    assert!(app.projects(me, false).await.unwrap().is_empty());
    assert_eq!(app.projects(me, true).await.unwrap().len(), 1);
    assert!(
        app.delete_project(me, p.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn the_event_log_pages_and_the_export_holds_everything() {
    let (app, _, me) = memory_app().await;
    for i in 0..3 {
        app.add_task(me, lifeos::core::NewTask::titled(format!("Task {i}")))
            .await
            .unwrap();
    }
    let first = app.events(me, None, 2).await.unwrap();
    assert_eq!(first.events.len(), 2);
    let next = first.next.unwrap();
    let rest = app.events(me, Some(next), 1000).await.unwrap();
    assert_eq!(rest.events.len(), 2);
    assert!(rest.next.is_none());
    let kinds: Vec<_> = first
        .events
        .iter()
        .chain(&rest.events)
        .map(|e| e.event.kind())
        .collect();
    assert_eq!(
        kinds,
        [
            "profile.updated",
            "task.created",
            "task.created",
            "task.created"
        ]
    );
    let err = app.events(me, None, 0).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::Invalid, Some("limit"))
    );

    let export = app.export(me).await.unwrap();
    assert_eq!(export["tasks"].as_array().unwrap().len(), 3, "{export}");
}
