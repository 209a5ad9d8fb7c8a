//! Series as real files write them (issue 14's differential findings): several `RRULE`s,
//! `RDATE` periods on an event without `UID`, `THISANDFUTURE` overrides that change the
//! length, overrides that share a start, overrides without their master, and stale
//! overrides. Each a fixture, checked through the occurrences a user sees.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use lifeos_core::ical::{ImportOptions, Imported, import, import_lenient};
use lifeos_core::recurrence::occurrences;
use lifeos_core::{EventTime, Provider, UserId};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()
}

fn options(rng: &mut ChaCha8Rng) -> ImportOptions {
    ImportOptions::new(UserId::generate(now(), rng), Provider::Ics, now())
}

/// `events` (each a list of body lines) as one calendar, CRLF lines.
fn calendar(events: &[&[&str]]) -> String {
    let mut lines = vec!["BEGIN:VCALENDAR", "VERSION:2.0"];
    for body in events {
        lines.push("BEGIN:VEVENT");
        lines.extend_from_slice(body);
        lines.push("END:VEVENT");
    }
    lines.push("END:VCALENDAR");
    lines.join("\r\n") + "\r\n"
}

fn lenient(text: &str) -> Imported {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let opts = options(&mut rng);
    import_lenient(text, &opts, &mut rng).unwrap()
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// The (start, end) of every occurrence in `[from, to)`, read in UTC.
fn shown(read: &Imported, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(String, String)> {
    let found = occurrences(&read.events, Tz::UTC, from, to).unwrap();
    assert!(!found.truncated);
    let f = |t: DateTime<Utc>| t.format("%m-%d %H:%M").to_string();
    found
        .entries
        .iter()
        .map(|o| (f(o.start), f(o.end)))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn several_rrules_are_their_union() {
    // A Thursday series and the 2nd Monday of two months: the monthly rule's COUNT counts
    // its own Mondays (DTSTART, a Thursday, is not one), as python-dateutil reads it.
    let read = lenient(&calendar(&[&[
        "UID:u",
        "DTSTART:20230112T100000Z",
        "DTEND:20230112T110000Z",
        "RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=3",
        "RRULE:FREQ=MONTHLY;BYDAY=2MO;COUNT=2",
    ]]));
    assert_eq!(read.warnings, vec![]);
    assert_eq!(read.events.len(), 1);
    assert_eq!(
        read.events[0].rrule.as_ref().map(|r| r.as_str()),
        Some("FREQ=WEEKLY;BYDAY=TH;COUNT=3")
    );
    let starts: Vec<String> = shown(&read, utc(2023, 1, 1, 0, 0), utc(2023, 4, 1, 0, 0))
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(
        starts,
        [
            "01-12 10:00",
            "01-19 10:00",
            "01-26 10:00",
            "02-13 10:00",
            "03-13 10:00"
        ]
    );
}

#[test]
fn an_endless_further_rrule_keeps_its_first_thousand_instances_with_a_warning() {
    let read = lenient(&calendar(&[&[
        "UID:u",
        "DTSTART:20230112T100000Z",
        "RRULE:FREQ=WEEKLY;COUNT=2",
        "RRULE:FREQ=DAILY",
    ]]));
    assert_eq!(read.events[0].rdates.len(), 1000);
    assert_eq!(
        read.events[0].rdates.last(),
        Some(&EventTime::Utc(utc(2025, 10, 8, 10, 0)))
    );
    assert_eq!(read.warnings.len(), 1);
    assert_eq!(read.warnings[0].line, 7);
    assert!(
        read.warnings[0].message.contains("first 1000 instances"),
        "{:?}",
        read.warnings
    );
}

#[test]
fn an_unreadable_further_rrule_is_left_out_with_a_warning() {
    let read = lenient(&calendar(&[&[
        "UID:u",
        "DTSTART:20230112T100000Z",
        "RRULE:FREQ=WEEKLY;COUNT=2",
        "RRULE:FREQ=SOMETIMES",
    ]]));
    assert_eq!(read.events.len(), 1);
    assert!(read.events[0].rdates.is_empty());
    assert_eq!(read.warnings.len(), 1);
    assert!(read.warnings[0].message.contains("left out"));
}

#[test]
fn an_rdate_period_of_an_event_without_uid_keeps_its_own_length() {
    // recurring-ical-events' issue 113: the period lasts its own two hours.
    let read = lenient(&calendar(&[&[
        "DTSTART:20240912T120000Z",
        "DTEND:20240912T130000Z",
        "RDATE;VALUE=PERIOD:20240913T120000Z/PT2H,20240914T120000Z/20240914T130000Z",
    ]]));
    assert_eq!(
        read.events.len(),
        2,
        "the 2-hour period is an event of its own"
    );
    assert_eq!(
        read.events[0].rdates,
        vec![EventTime::Utc(utc(2024, 9, 14, 12, 0))]
    );
    assert_eq!(read.events[1].rdates, vec![]);
    assert_eq!(read.events[1].recurrence_id, None);
    assert_eq!(
        shown(&read, utc(2024, 9, 1, 0, 0), utc(2024, 10, 1, 0, 0)),
        pairs(&[
            ("09-12 12:00", "09-12 13:00"),
            ("09-13 12:00", "09-13 14:00"),
            ("09-14 12:00", "09-14 13:00"),
        ])
    );
}

#[test]
fn a_thisandfuture_override_gives_later_instances_its_length() {
    // RFC 5545 section 3.2.13: the new length applies to every later instance.
    let read = lenient(&calendar(&[
        &[
            "UID:u",
            "DTSTART:20240901T120000Z",
            "DTEND:20240901T140000Z",
            "RRULE:FREQ=DAILY;INTERVAL=2;COUNT=4",
        ],
        &[
            "UID:u",
            "RECURRENCE-ID;RANGE=THISANDFUTURE:20240903T120000Z",
            "DTSTART:20240903T090000Z",
            "DTEND:20240903T160000Z",
        ],
    ]));
    assert_eq!(
        shown(&read, utc(2024, 9, 1, 0, 0), utc(2024, 10, 1, 0, 0)),
        pairs(&[
            ("09-01 12:00", "09-01 14:00"),
            ("09-03 09:00", "09-03 16:00"),
            ("09-05 09:00", "09-05 16:00"),
            ("09-07 09:00", "09-07 16:00"),
        ])
    );
}

#[test]
fn overrides_moved_onto_one_start_are_each_shown() {
    // recurring-ical-events' test_same_events_at_same_time: four instances moved in pairs
    // onto two starts, one of them another instance's own start.
    let ov = |rid: &'static str, start: &'static str| -> Vec<String> {
        vec![
            "UID:u".into(),
            format!("RECURRENCE-ID:{rid}"),
            format!("DTSTART:{start}"),
        ]
    };
    let moved = [
        ov("20240923T120000Z", "20240924T120000Z"),
        ov("20240927T120000Z", "20240924T120000Z"),
        ov("20240925T120000Z", "20240926T120000Z"),
        ov("20240928T120000Z", "20240926T120000Z"),
    ];
    let master: &[&str] = &[
        "UID:u",
        "DTSTART:20240923T120000Z",
        "RRULE:FREQ=DAILY;UNTIL=20240928T120000Z",
    ];
    let moved: Vec<Vec<&str>> = moved
        .iter()
        .map(|o| o.iter().map(String::as_str).collect())
        .collect();
    let mut all: Vec<&[&str]> = vec![master];
    all.extend(moved.iter().map(Vec::as_slice));
    let read = lenient(&calendar(&all));
    let starts: Vec<String> = shown(&read, utc(2024, 9, 1, 0, 0), utc(2024, 10, 1, 0, 0))
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(
        starts,
        [
            "09-24 12:00",
            "09-24 12:00",
            "09-24 12:00",
            "09-26 12:00",
            "09-26 12:00",
            "09-26 12:00"
        ]
    );
}

#[test]
fn overrides_without_their_master_are_single_events() {
    // khal's event_dt_multi_recuid_no_master.ics: each instance carries the series' rule.
    let read = lenient(&calendar(&[
        &[
            "UID:u",
            "RRULE:FREQ=WEEKLY;UNTIL=20160925T053000",
            "RECURRENCE-ID:20140714T053000",
            "DTSTART:20140630T073000",
            "DURATION:PT4H30M",
        ],
        &[
            "UID:u",
            "RECURRENCE-ID:20140707T053000",
            "RRULE:FREQ=WEEKLY;UNTIL=20160925T053000",
            "DTSTART:20140707T083000",
            "DTEND:20140707T120000",
        ],
    ]));
    assert_eq!(read.events.len(), 2);
    assert!(read.events.iter().all(|e| e.series_id.is_none()));
    assert_eq!(
        shown(&read, utc(2014, 6, 1, 0, 0), utc(2016, 12, 1, 0, 0)),
        pairs(&[
            ("06-30 07:30", "06-30 12:00"),
            ("07-07 08:30", "07-07 12:00"),
        ])
    );
}

/// issue 253 of recurring-ical-events: the series was shortened (SEQUENCE:2, UNTIL before
/// the instance) after the instance was moved (SEQUENCE:1).
fn stale_override_calendar(override_sequence: &str) -> String {
    calendar(&[
        &[
            "UID:111",
            "DTSTART;VALUE=DATE:20240729",
            "DTEND;VALUE=DATE:20240804",
            "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
            "RECURRENCE-ID;VALUE=DATE:20240729",
            override_sequence,
        ],
        &[
            "UID:111",
            "DTSTART;VALUE=DATE:20240701",
            "DTEND;VALUE=DATE:20240708",
            "RRULE:FREQ=WEEKLY;UNTIL=20240720;INTERVAL=2;BYDAY=MO",
            "SEQUENCE:2",
        ],
    ])
}

#[test]
fn a_stale_override_is_skipped_with_its_reason() {
    let read = lenient(&stale_override_calendar("SEQUENCE:1"));
    assert_eq!(read.events.len(), 1);
    assert_eq!(read.skipped.len(), 1);
    assert_eq!(read.skipped[0].begin_line, 3);
    assert_eq!(read.skipped[0].uid.as_deref(), Some("111"));
    assert!(
        read.skipped[0]
            .message
            .contains("stale override (SEQUENCE:1)"),
        "{}",
        read.skipped[0].message
    );
    let starts: Vec<String> = shown(&read, utc(2024, 6, 1, 0, 0), utc(2024, 9, 1, 0, 0))
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(starts, ["07-01 00:00", "07-15 00:00"]);
    // The strict import refuses the file, naming the override's line.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let opts = options(&mut rng);
    match import(&stale_override_calendar("SEQUENCE:1"), &opts, &mut rng) {
        Err(lifeos_core::Error::Ical { line, .. }) => assert_eq!(line, 3),
        other => panic!("expected an iCalendar error, got {other:?}"),
    }
}

#[test]
fn an_override_as_new_as_its_master_is_kept() {
    // The same override with the master's SEQUENCE is a deliberate extra instance.
    let read = lenient(&stale_override_calendar("SEQUENCE:2"));
    assert_eq!(read.skipped, vec![]);
    assert_eq!(read.events.len(), 2);
    let starts: Vec<String> = shown(&read, utc(2024, 6, 1, 0, 0), utc(2024, 9, 1, 0, 0))
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(starts, ["07-01 00:00", "07-15 00:00", "07-29 00:00"]);
}
