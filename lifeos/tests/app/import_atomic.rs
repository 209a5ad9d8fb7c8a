//! An import is one transaction: strict, all or nothing; lenient, the events the store
//! accepts plus a report of the refused ones. A `UID` repeated in a file is one event.

use lifeos::IcsImportOptions;
use lifeos::core::EventPayload;
use lifeos::store::EventQuery;

use super::*;

fn event(uid: &str, start: &str, summary: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\nDTEND:{start}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
    )
}

/// The 1-based line of the `n`th (0-based) `BEGIN:VEVENT` of `text`.
fn begin_line(text: &str, n: usize) -> usize {
    text.split("\r\n")
        .enumerate()
        .filter(|(_, l)| *l == "BEGIN:VEVENT")
        .nth(n)
        .map(|(i, _)| i + 1)
        .unwrap()
}

fn calendar(events: &[String]) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{}END:VCALENDAR\r\n",
        events.concat()
    )
}

/// Twenty good events, then one the store refuses (an instant past its range).
fn twenty_and_one_out_of_range() -> String {
    let mut events: Vec<String> = (0..20)
        .map(|i| {
            event(
                &format!("e{i}@x"),
                &format!("202603{:02}T090000Z", i + 1),
                "ok",
            )
        })
        .collect();
    events.push(event("late@x", "23000101T090000Z", "far"));
    calendar(&events)
}

/// The `events_added` of each `calendar.synced` event.
async fn synced_counts(app: &lifeos::LifeOs, me: UserId) -> Vec<u32> {
    app.store()
        .read_all_events(me, &EventQuery::new())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event.payload {
            EventPayload::CalendarSynced(s) => Some(s.events_added),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_strict_import_with_an_event_out_of_range_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, me) = sqlite_app(dir.path()).await;
    let before = kinds(&app, me).await;
    let err = app
        .import_ics(
            me,
            twenty_and_one_out_of_range(),
            IcsImportOptions::new().strict(true),
        )
        .await
        .unwrap_err();
    assert!(
        err.field().is_some_and(|f| f.starts_with("events[20].")),
        "{err}"
    );
    assert!(
        app.store()
            .list_calendar_events(me, true)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(kinds(&app, me).await, before, "not the first twenty either");
}

#[tokio::test]
async fn a_lenient_import_writes_the_valid_events_and_reports_the_refused_one() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, me) = sqlite_app(dir.path()).await;
    let report = app
        .import_ics(me, twenty_and_one_out_of_range(), IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!((report.imported, report.skipped), (20, 1));
    assert_eq!(report.errors[0].uid.as_deref(), Some("late@x"));
    // The store refused it after reading: the report still names its line.
    let file = twenty_and_one_out_of_range();
    assert_eq!(report.errors[0].line, begin_line(&file, 20));
    assert!(
        report.errors[0].message.contains("2262"),
        "{:?}",
        report.errors
    );
    assert_eq!(
        app.store()
            .list_calendar_events(me, false)
            .await
            .unwrap()
            .len(),
        20
    );
    let synced = synced_counts(&app, me).await;
    assert_eq!(synced, [20]);
}

#[tokio::test]
async fn a_repeated_uid_is_one_import_and_the_last_wins() {
    for (app, me) in [
        {
            let (app, _, me) = memory_app().await;
            (app, me)
        },
        {
            let dir = tempfile::tempdir().unwrap().keep();
            let (app, _, me) = sqlite_app(&dir).await;
            (app, me)
        },
    ] {
        let file = calendar(&[
            event("same@x", "20260309T090000Z", "First"),
            event("other@x", "20260309T110000Z", "Other"),
            event("same@x", "20260309T100000Z", "Second"),
        ]);
        let report = app
            .import_ics(me, &file, IcsImportOptions::new())
            .await
            .unwrap();
        assert_eq!(
            (report.imported, report.updated, report.unchanged),
            (2, 0, 0),
            "{report:?}"
        );
        assert_eq!(report.changed.len(), 2);
        assert_eq!(report.warnings.len(), 1, "{report:?}");
        assert_eq!(report.warnings[0].uid.as_deref(), Some("same@x"));
        // The copy set aside: the first one.
        assert_eq!(report.warnings[0].line, begin_line(&file, 0));
        let events = app.store().list_calendar_events(me, false).await.unwrap();
        let mut titles: Vec<_> = events.iter().map(|e| e.title.as_str()).collect();
        titles.sort_unstable();
        assert_eq!(titles, ["Other", "Second"]);
        assert_eq!(synced_counts(&app, me).await, [2]);
        // The same file again: nothing changes, nothing counted twice.
        let again = app
            .import_ics(me, &file, IcsImportOptions::new())
            .await
            .unwrap();
        assert_eq!((again.imported, again.written()), (0, 0), "{again:?}");
    }
}
