//! `LifeOs::import_ics`: idempotent by UID and content; one bad event never loses a file.

use chrono::TimeZone;
use lifeos::{ErrorKind, IcsImportOptions};

use super::*;

/// A weekly series, one moved instance of it, and a single event.
const WEEK: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
UID:standup@example.com\r
DTSTAMP:20260301T000000Z\r
DTSTART;TZID=Europe/Berlin:20260302T093000\r
DTEND;TZID=Europe/Berlin:20260302T094500\r
RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r
SUMMARY:Standup\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup@example.com\r
RECURRENCE-ID;TZID=Europe/Berlin:20260309T093000\r
DTSTART;TZID=Europe/Berlin:20260309T100000\r
DTEND;TZID=Europe/Berlin:20260309T101500\r
SUMMARY:Standup (moved)\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:dentist@example.com\r
DTSTART:20260310T140000Z\r
DTEND:20260310T150000Z\r
SUMMARY:Dentist\r
END:VEVENT\r
END:VCALENDAR\r
";

#[tokio::test]
async fn the_same_file_twice_changes_nothing_the_second_time() {
    let (app, _, me) = memory_app().await;
    let first = app
        .import_ics(me, WEEK, IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!(
        (
            first.imported,
            first.updated,
            first.unchanged,
            first.skipped
        ),
        (3, 0, 0, 0)
    );
    assert_eq!(first.changed.len(), 3);
    let events = app.store().list_calendar_events(me, false).await.unwrap();
    let master = events.iter().find(|e| e.title == "Standup").unwrap();
    let moved = events
        .iter()
        .find(|e| e.title == "Standup (moved)")
        .unwrap();
    assert_eq!(
        moved.series_id,
        Some(master.id),
        "the override found its master"
    );
    let log = kinds(&app, me).await;

    let second = app
        .import_ics(me, WEEK.as_bytes().to_vec(), IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!(
        (
            second.imported,
            second.updated,
            second.unchanged,
            second.skipped
        ),
        (0, 0, 3, 0)
    );
    assert!(second.changed.is_empty());
    assert_eq!(kinds(&app, me).await, log, "no event emitted");
    assert_eq!(
        app.store().list_calendar_events(me, false).await.unwrap(),
        events
    );
}

#[tokio::test]
async fn a_changed_event_is_updated_in_place() {
    let (app, _, me) = memory_app().await;
    app.import_ics(me, WEEK, IcsImportOptions::new())
        .await
        .unwrap();
    let before = app.store().list_calendar_events(me, false).await.unwrap();
    let changed = WEEK.replace("SUMMARY:Dentist", "SUMMARY:Dentist (bring the form)");
    let report = app
        .import_ics(me, changed, IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!(
        (report.imported, report.updated, report.unchanged),
        (0, 1, 2)
    );
    let after = app.store().list_calendar_events(me, false).await.unwrap();
    assert_eq!(after.len(), before.len());
    let dentist = after
        .iter()
        .find(|e| e.external_id.as_deref() == Some("dentist@example.com"))
        .unwrap();
    assert_eq!(dentist.title, "Dentist (bring the form)");
    assert!(
        before.iter().any(|e| e.id == dentist.id),
        "same event, not a new one"
    );
    let log = kinds(&app, me).await;
    assert_eq!(
        &log[log.len() - 2..],
        ["calendar_event.updated", "calendar.synced"]
    );
}

/// Two bad events (a bad date on line 7, an invalid rule on line 13) among three good ones.
const TWO_BAD: &str = "BEGIN:VCALENDAR\r
BEGIN:VEVENT\r
UID:good-1\r
DTSTART:20260309T080000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:bad-date\r
DTSTART:20260399T080000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:bad-rule\r
DTSTART:20260309T090000Z\r
RRULE:FREQ=MONTHLY;BYMONTHDAY=32\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:good-2\r
DTSTART:20260309T100000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:good-3\r
DTSTART:20260309T110000Z\r
END:VEVENT\r
END:VCALENDAR\r
";

#[tokio::test]
async fn a_file_with_two_bad_events_imports_the_rest_and_names_both_lines() {
    let (app, _, me) = memory_app().await;
    let report = app
        .import_ics(me, TWO_BAD, IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!((report.imported, report.skipped), (3, 2));
    let lines: Vec<usize> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [8, 13]);
    let uids: Vec<_> = report.errors.iter().map(|e| e.uid.as_deref()).collect();
    assert_eq!(uids, [Some("bad-date"), Some("bad-rule")]);
    assert!(
        report.errors[1].message.contains("BYMONTHDAY"),
        "{}",
        report.errors[1].message
    );
    let stored = app.store().list_calendar_events(me, false).await.unwrap();
    let mut ids: Vec<_> = stored
        .iter()
        .filter_map(|e| e.external_id.clone())
        .collect();
    ids.sort();
    assert_eq!(ids, ["good-1", "good-2", "good-3"]);
}

#[tokio::test]
async fn strict_mode_refuses_the_file_at_its_first_bad_line_and_writes_nothing() {
    let (app, _, me) = memory_app().await;
    let log = kinds(&app, me).await;
    let err = app
        .import_ics(me, TWO_BAD, IcsImportOptions::new().strict(true))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unreadable);
    assert!(matches!(err, lifeos::Error::Ical { line: 8, .. }), "{err}");
    assert!(
        app.store()
            .list_calendar_events(me, true)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(kinds(&app, me).await, log);
}

#[tokio::test]
async fn a_line_that_is_not_utf8_is_read_as_windows_1252_with_a_warning_unless_strict() {
    let (app, _, me) = memory_app().await;
    let mut bytes = WEEK
        .replace("SUMMARY:Dentist", "SUMMARY:Dentist X")
        .into_bytes();
    let at = bytes.windows(7).position(|w| w == b"Dentist").unwrap() + 8;
    bytes[at] = 0xff;
    let report = app
        .import_ics(me, bytes.clone(), IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!(report.imported, 3);
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(report.warnings[0].line, 22, "the SUMMARY line");
    let events = app.store().list_calendar_events(me, false).await.unwrap();
    assert!(
        events.iter().any(|e| e.title == "Dentist \u{ff}"),
        "0xFF is ÿ in Windows-1252"
    );
    let err = app
        .import_ics(me, bytes, IcsImportOptions::new().strict(true))
        .await
        .unwrap_err();
    assert!(matches!(err, lifeos::Error::Ical { line: 22, .. }), "{err}");
}

#[tokio::test]
async fn text_with_no_calendar_is_an_error_and_a_file_cut_short_keeps_what_it_read() {
    let (app, _, me) = memory_app().await;
    let log = kinds(&app, me).await;
    for text in [
        "",
        "hello",
        "BEGIN:VEVENT\r\nDTSTART:20260310T090000Z\r\nEND:VEVENT\r\n",
    ] {
        let err = app
            .import_ics(me, text, IcsImportOptions::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unreadable, "{text:?}: {err}");
    }
    assert_eq!(kinds(&app, me).await, log, "nothing written");
    // The file ends inside its second event: the first is imported, the cut one (no
    // DTSTART) skipped, and the repair is a warning.
    let cut = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a@x\r\nDTSTART:20260310T090000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b@x\r\n";
    let report = app
        .import_ics(me, cut, IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!((report.imported, report.skipped), (1, 1));
    assert_eq!(report.errors[0].line, 6);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.line == 1 && w.message.contains("never closed"))
    );
    let strict = app
        .import_ics(me, cut, IcsImportOptions::new().strict(true))
        .await
        .unwrap_err();
    assert!(
        matches!(strict, lifeos::Error::Ical { line: 1, .. }),
        "{strict}"
    );
}

#[tokio::test]
async fn imported_events_block_the_planned_day() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, me) = sqlite_app(dir.path()).await;
    app.import_ics(me, WEEK, IcsImportOptions::new())
        .await
        .unwrap();
    let day = app
        .plan_day(
            me,
            None,
            monday_morning(),
            lifeos::PlanDayOptions::new().dry_run(true),
        )
        .await
        .unwrap();
    let at = |h, m| chrono::Utc.with_ymd_and_hms(2026, 3, 9, h, m, 0).unwrap();
    let blocks: Vec<_> = day
        .request
        .blocked_time
        .iter()
        .map(|b| (b.title.as_str(), b.start))
        .collect();
    // Monday's instance moved from 09:30 to 10:00 Berlin time (08:30 and 09:00 UTC).
    assert!(
        blocks.contains(&("Standup (moved)", at(9, 0))),
        "{blocks:?}"
    );
    assert!(!blocks.contains(&("Standup", at(8, 30))), "{blocks:?}");
    let placed = &day.response.scheduled_tasks;
    assert!(placed.is_empty(), "no tasks to place");
}

/// Outlook's way: a made-up `TZID` defined by the file's own `VTIMEZONE` (US Eastern rules
/// since 2007), and a second `TZID` that names nothing and has no definition.
const CUSTOM_ZONES: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VTIMEZONE\r
TZID:Customized Time Zone\r
BEGIN:STANDARD\r
DTSTART:16010101T020000\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:review@example.com\r
DTSTART;TZID=Customized Time Zone:20260310T140000\r
DTEND;TZID=Customized Time Zone:20260310T150000\r
SUMMARY:Review\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:lunch@example.com\r
DTSTART;TZID=Nowhere Standard Time:20260311T120000\r
DTEND;TZID=Nowhere Standard Time:20260311T130000\r
SUMMARY:Lunch\r
END:VEVENT\r
END:VCALENDAR\r
";

#[tokio::test]
async fn a_files_own_time_zone_is_read_as_the_iana_zone_it_matches_and_an_undefined_one_as_floating()
 {
    let (app, _, me) = memory_app().await;
    let report = app
        .import_ics(me, CUSTOM_ZONES, IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!((report.imported, report.skipped), (2, 0));
    // Only the undefined zone is a caveat: the definition matched New York exactly.
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert_eq!(report.warnings[0].line, 26, "the first line using the TZID");
    assert!(
        report.warnings[0].message.contains("Nowhere Standard Time")
            && report.warnings[0].message.contains("floating"),
        "{}",
        report.warnings[0].message
    );
    let events = app.store().list_calendar_events(me, false).await.unwrap();
    let review = events.iter().find(|e| e.title == "Review").unwrap();
    let local = chrono::NaiveDate::from_ymd_opt(2026, 3, 10)
        .unwrap()
        .and_hms_opt(14, 0, 0)
        .unwrap();
    assert_eq!(
        review.start,
        lifeos::core::EventTime::Zoned {
            local,
            tz: chrono_tz::America::New_York
        }
    );
    let lunch = events.iter().find(|e| e.title == "Lunch").unwrap();
    assert!(matches!(lunch.start, lifeos::core::EventTime::Floating(_)));
    // Strict mode refuses what the lenient import warned about, naming the line.
    let err = app
        .import_ics(me, CUSTOM_ZONES, IcsImportOptions::new().strict(true))
        .await
        .unwrap_err();
    assert!(matches!(err, lifeos::Error::Ical { line: 26, .. }), "{err}");
}

#[tokio::test]
async fn an_itip_cancel_cancels_stored_events_and_names_what_it_cannot_find() {
    let (app, _, me) = memory_app().await;
    app.import_ics(me, WEEK, IcsImportOptions::new())
        .await
        .unwrap();
    // Cancel the dentist, one Wednesday of the standup series, and an unknown event.
    let cancel = "BEGIN:VCALENDAR\r
VERSION:2.0\r
METHOD:CANCEL\r
BEGIN:VEVENT\r
UID:dentist@example.com\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup@example.com\r
RECURRENCE-ID;TZID=Europe/Berlin:20260311T093000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:nobody@example.com\r
END:VEVENT\r
END:VCALENDAR\r
";
    let report = app
        .import_ics(me, cancel, IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!(report.cancelled, 2, "{report:?}");
    assert_eq!(
        (report.imported, report.updated),
        (1, 1),
        "a new cancelled instance, the dentist updated"
    );
    assert_eq!(report.skipped, 1);
    assert_eq!(report.errors[0].line, 11);
    assert_eq!(report.errors[0].uid.as_deref(), Some("nobody@example.com"));
    let events = app.store().list_calendar_events(me, false).await.unwrap();
    let dentist = events.iter().find(|e| e.title == "Dentist").unwrap();
    assert_eq!(dentist.status, lifeos::core::EventStatus::Cancelled);
    // The cancelled Wednesday is gone from the series; Monday's standup stays.
    let start = Utc.with_ymd_and_hms(2026, 3, 9, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2026, 3, 13, 0, 0, 0).unwrap();
    let busy = app.events_between(me, start, end, None).await.unwrap();
    let titles: Vec<(u32, &str)> = busy
        .entries
        .iter()
        .map(|o| (chrono::Datelike::day(&o.start), o.title.as_str()))
        .collect();
    assert!(!titles.iter().any(|(d, _)| *d == 11), "{titles:?}");
    assert!(
        titles
            .iter()
            .any(|(d, t)| *d == 9 && *t == "Standup (moved)"),
        "{titles:?}"
    );
    // Importing the cancellation again changes nothing.
    let again = app
        .import_ics(me, cancel, IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!((again.imported, again.updated, again.cancelled), (0, 0, 0));
}

/// A VEVENT never ended (the next one begins inside it), a stray END:VTODO, garbage nested
/// past the depth limit holding a VEVENT, and no END:VCALENDAR: the readable events are
/// imported, the one lost in the garbage is reported with its BEGIN line, nothing refused.
#[tokio::test]
async fn unbalanced_components_import_leniently() {
    let (app, _, me) = memory_app().await;
    let mut lines: Vec<String> = [
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
        "UID:open@x",
        "DTSTART:20260310T090000Z",
        "BEGIN:VEVENT",
        "UID:next@x",
        "DTSTART:20260311T090000Z",
        "END:VEVENT",
        "END:VTODO",
    ]
    .map(String::from)
    .to_vec();
    for i in 0..20 {
        lines.push(format!("BEGIN:X-NEST-{i}"));
    }
    let deep_begin = lines.len() + 1;
    lines.extend(
        [
            "BEGIN:VEVENT",
            "UID:deep@x",
            "DTSTART:20260312T090000Z",
            "END:VEVENT",
        ]
        .map(String::from),
    );
    let text = lines.join("\r\n") + "\r\n";
    let report = app
        .import_ics(me, &text, IcsImportOptions::new())
        .await
        .unwrap();
    assert_eq!((report.imported, report.skipped), (2, 1), "{report:?}");
    assert_eq!(report.errors[0].line, deep_begin, "{report:?}");
    assert!(report.errors[0].message.contains("nested deeper"));
    let warned: Vec<usize> = report.warnings.iter().map(|w| w.line).collect();
    assert!(warned.contains(&2) && warned.contains(&9), "{warned:?}");
}
