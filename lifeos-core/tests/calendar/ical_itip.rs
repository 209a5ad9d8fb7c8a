//! iTIP files (RFC 5546): each VCALENDAR's METHOD says what its events mean (issue 14).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use lifeos_core::ical::{ImportOptions, Imported, import_lenient};
use lifeos_core::{EventStatus, EventTime, Provider, UserId};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()
}

fn lenient(text: &str) -> Imported {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let opts = ImportOptions::new(UserId::generate(now(), &mut rng), Provider::Ics, now());
    import_lenient(text, &opts, &mut rng).unwrap()
}

/// A VCALENDAR with `METHOD:method` (none when empty) holding the given VEVENT bodies.
fn calendar(method: &str, events: &[&[&str]]) -> String {
    let mut lines = vec!["BEGIN:VCALENDAR".to_string(), "VERSION:2.0".to_string()];
    if !method.is_empty() {
        lines.push(format!("METHOD:{method}"));
    }
    for body in events {
        lines.push("BEGIN:VEVENT".into());
        lines.extend(body.iter().map(|l| l.to_string()));
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    lines.join("\r\n") + "\r\n"
}

const MEETING: &[&str] = &[
    "UID:m@x",
    "DTSTART:20250310T090000Z",
    "DTEND:20250310T100000Z",
    "SUMMARY:Meeting",
];

#[test]
fn publish_request_add_and_unknown_methods_import() {
    for method in ["", "PUBLISH", "REQUEST", "ADD", "X-SOMETHING"] {
        let read = lenient(&calendar(method, &[MEETING]));
        assert_eq!(read.events.len(), 1, "{method}");
        assert_eq!(read.events[0].status, EventStatus::Confirmed, "{method}");
        assert!(
            read.skipped.is_empty() && read.cancellations.is_empty(),
            "{method}"
        );
    }
}

#[test]
fn answers_change_no_event_and_are_reported_as_skipped() {
    for method in ["REPLY", "COUNTER", "REFRESH", "DECLINECOUNTER"] {
        // A REPLY needs no DTSTART.
        let read = lenient(&calendar(method, &[MEETING, &["UID:n@x"]]));
        assert!(read.events.is_empty(), "{method}");
        assert_eq!(read.skipped.len(), 2, "{method}");
        assert_eq!(read.skipped[0].line, 4);
        assert_eq!(read.skipped[1].uid.as_deref(), Some("n@x"));
        assert!(read.skipped[0].message.contains(method), "{method}");
    }
}

#[test]
fn a_cancel_cancels_an_event_read_earlier_in_the_same_file_and_is_listed() {
    // Two calendars in one file: the invitation, then its cancellation (no DTSTART needed).
    let text = calendar("REQUEST", &[MEETING]) + &calendar("CANCEL", &[&["UID:m@x"]]);
    let read = lenient(&text);
    assert_eq!(read.events.len(), 1);
    assert_eq!(read.events[0].status, EventStatus::Cancelled);
    assert_eq!(read.cancellations.len(), 1);
    let c = &read.cancellations[0];
    assert_eq!(
        (c.uid.as_str(), c.recurrence_id, c.cancelled_in_file),
        ("m@x", None, 1)
    );
    assert_eq!(c.line, 14, "its BEGIN:VEVENT");
}

#[test]
fn a_cancel_of_one_instance_names_it_and_leaves_the_series() {
    let series: &[&str] = &[
        "UID:s@x",
        "DTSTART:20250310T090000Z",
        "DTEND:20250310T093000Z",
        "RRULE:FREQ=DAILY;COUNT=5",
    ];
    let text = calendar("PUBLISH", &[series])
        + &calendar(
            "CANCEL",
            &[
                &["UID:s@x", "RECURRENCE-ID:20250312T090000Z"],
                &["UID:elsewhere@x"],
            ],
        );
    let read = lenient(&text);
    assert_eq!(
        read.events[0].status,
        EventStatus::Confirmed,
        "the series stays"
    );
    assert_eq!(read.cancellations.len(), 2);
    let instance = EventTime::Utc(
        NaiveDate::from_ymd_opt(2025, 3, 12)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
            .and_utc(),
    );
    assert_eq!(read.cancellations[0].recurrence_id, Some(instance));
    // The series has no override of that instance: a cancelled one is added.
    assert_eq!(read.cancellations[0].cancelled_in_file, 1);
    assert_eq!(read.events.len(), 2);
    let cancelled = &read.events[1];
    assert_eq!(cancelled.status, EventStatus::Cancelled);
    assert_eq!(cancelled.recurrence_id, Some(instance));
    assert_eq!(cancelled.series_id, Some(read.events[0].id));
    // The series no longer has that instance.
    let from = Utc.with_ymd_and_hms(2025, 3, 10, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2025, 3, 20, 0, 0, 0).unwrap();
    let blocked =
        lifeos_core::recurrence::blocked_time(&read.events, chrono_tz::UTC, from, to).unwrap();
    let days: Vec<u32> = blocked
        .entries
        .iter()
        .map(|b| chrono::Datelike::day(&b.start))
        .collect();
    assert_eq!(days, [10, 11, 13, 14]);
    // Not in this file: for the caller to find among the stored events.
    assert_eq!(read.cancellations[1].uid, "elsewhere@x");
    assert_eq!(read.cancellations[1].cancelled_in_file, 0);
}

#[test]
fn a_cancel_without_uid_is_skipped_with_its_reason() {
    let read = lenient(&calendar("CANCEL", &[&["SUMMARY:who?"]]));
    assert!(read.cancellations.is_empty());
    assert_eq!(read.skipped.len(), 1);
    assert!(read.skipped[0].message.contains("without UID"));
}
