//! What real generators write that RFC 5545 does not allow, read leniently (issue 14): each
//! rule a fixture, with the warning where data is changed, and the strict import refusing
//! what the lenient one warns about.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use lifeos_core::ical::{ImportOptions, Imported, import, import_lenient};
use lifeos_core::{Error, EventTime, Provider, UserId};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()
}

fn options(rng: &mut ChaCha8Rng) -> ImportOptions {
    ImportOptions::new(UserId::generate(now(), rng), Provider::Ics, now())
}

fn lenient(text: &str) -> Imported {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let opts = options(&mut rng);
    import_lenient(text, &opts, &mut rng).unwrap()
}

fn strict_error_line(text: &str) -> usize {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let opts = options(&mut rng);
    match import(text, &opts, &mut rng) {
        Err(Error::Ical { line, .. }) => line,
        other => panic!("expected an iCalendar error, got {other:?}"),
    }
}

/// A calendar of one event whose body lines are `body` (joined with CRLF).
fn calendar(body: &[&str]) -> String {
    let mut lines = vec!["BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:a@x"];
    lines.extend_from_slice(body);
    lines.extend_from_slice(&["END:VEVENT", "END:VCALENDAR"]);
    lines.join("\r\n") + "\r\n"
}

/// The `UID`s of the events read, in order.
fn uids(read: &Imported) -> Vec<String> {
    read.events
        .iter()
        .map(|e| e.external_id.clone().unwrap())
        .collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let text = format!(
        "\u{feff}{}",
        calendar(&["DTSTART:20250310T090000Z", "SUMMARY:Mark"])
    );
    let read = lenient(&text);
    assert_eq!(read.events.len(), 1);
    assert_eq!(read.events[0].title, "Mark");
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
}

#[test]
fn escaped_separators_inside_a_parameter_value_belong_to_it() {
    // Apple's structured location: `\,` and `\;` inside an unquoted parameter value.
    let text = calendar(&[
        "DTSTART:20250310T090000Z",
        "X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS=1 Main St\\, Springfield\\; USA;X-TITLE=Office:geo:1,2",
        "ATTENDEE;CN=Doe\\, Jane;PARTSTAT=ACCEPTED:mailto:jane@x",
        "SUMMARY:Visit",
    ]);
    let read = lenient(&text);
    assert_eq!(read.events.len(), 1, "{:?}", read.skipped);
    assert_eq!(
        read.events[0].attendees[0].name.as_deref(),
        Some("Doe, Jane")
    );
    assert_eq!(
        read.events[0].attendees[0].response,
        lifeos_core::AttendeeResponse::Accepted
    );
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
}

#[test]
fn text_after_the_calendar_is_skipped_with_a_warning() {
    let text = calendar(&["DTSTART:20250310T090000Z"]) + "some trailer\r\nX-JUNK:1\r\n";
    let read = lenient(&text);
    assert_eq!(read.events.len(), 1);
    assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
    assert_eq!(read.warnings[0].line, 8);
    assert!(read.warnings[0].message.contains("outside any component"));
    assert_eq!(strict_error_line(&text), 8);
}

#[test]
fn an_unreadable_line_of_a_property_lifeos_does_not_use_is_skipped() {
    let text = calendar(&[
        "DTSTART:20250310T090000Z",
        "X-WR-WEIRD;BROKEN PARAM",
        "ORGANIZER;CN=\"unterminated:mailto:o@x",
        "SUMMARY:Kept",
    ]);
    let read = lenient(&text);
    assert_eq!(read.events.len(), 1, "{:?}", read.skipped);
    assert_eq!(read.events[0].title, "Kept");
    let lines: Vec<usize> = read.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [6, 7]);
    assert_eq!(strict_error_line(&text), 6);
}

#[test]
fn an_unreadable_line_of_a_property_lifeos_uses_skips_only_its_event() {
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:bad@x\r\nDTSTART;TZID=\"Europe/Berlin:20250310T090000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:good@x\r\nDTSTART:20250310T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let read = lenient(text);
    assert_eq!(read.events.len(), 1);
    assert_eq!(read.events[0].external_id.as_deref(), Some("good@x"));
    assert_eq!(read.skipped.len(), 1);
    assert_eq!(read.skipped[0].line, 4);
    assert_eq!(read.skipped[0].uid.as_deref(), Some("bad@x"));
}

#[test]
fn an_empty_rrule_is_no_recurrence() {
    let text = calendar(&["DTSTART:20250310T090000Z", "RRULE:"]);
    let read = lenient(&text);
    assert_eq!(read.events.len(), 1);
    assert_eq!(read.events[0].rrule, None);
    assert_eq!(read.warnings.len(), 1);
    assert_eq!(read.warnings[0].line, 6);
    assert!(read.warnings[0].message.contains("empty RRULE"));
}

#[test]
fn a_date_written_with_a_utc_mark_is_a_date() {
    let text = calendar(&["DTSTART:20131210Z", "DTEND:20131211Z"]);
    let read = lenient(&text);
    assert_eq!(read.events.len(), 1, "{:?}", read.skipped);
    assert_eq!(read.events[0].start, EventTime::Date(date(2013, 12, 10)));
    assert_eq!(read.events[0].end, EventTime::Date(date(2013, 12, 11)));
    let lines: Vec<usize> = read.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [5, 6]);
}

#[test]
fn an_end_before_the_start_is_a_zero_length_event() {
    let text = calendar(&["DTSTART:20250310T090000Z", "DTEND:20250310T080000Z"]);
    let read = lenient(&text);
    assert_eq!(read.events.len(), 1, "{:?}", read.skipped);
    assert_eq!(read.events[0].end, read.events[0].start);
    assert_eq!(read.warnings.len(), 1);
    assert_eq!(read.warnings[0].line, 6);
    assert!(read.warnings[0].message.contains("zero-length"));
    assert_eq!(strict_error_line(&text), 6);
}

#[test]
fn a_date_start_with_a_date_time_end_is_all_day() {
    // Midnight ends on its own day; a later time on the day after; never before the next day.
    for (end, expected) in [
        ("20250312T000000", date(2025, 3, 12)),
        ("20250311T150000", date(2025, 3, 12)),
        ("20250310T000000", date(2025, 3, 11)),
        ("20250312T101500Z", date(2025, 3, 13)),
    ] {
        let dtend = format!("DTEND:{end}");
        let text = calendar(&["DTSTART;VALUE=DATE:20250310", &dtend]);
        let read = lenient(&text);
        assert_eq!(read.events.len(), 1, "{end}: {:?}", read.skipped);
        assert_eq!(read.events[0].start, EventTime::Date(date(2025, 3, 10)));
        assert_eq!(read.events[0].end, EventTime::Date(expected), "{end}");
        assert_eq!(read.warnings.len(), 1, "{end}");
        assert!(read.warnings[0].message.contains("all-day"), "{end}");
    }
}

#[test]
fn the_gregorian_scale_is_read_and_other_scales_are_skipped() {
    let text = calendar(&[
        "DTSTART:20250131T090000Z",
        "RRULE:RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=OMIT;COUNT=3",
    ]);
    let read = lenient(&text);
    assert_eq!(read.events.len(), 1, "{:?}", read.skipped);
    assert_eq!(
        read.events[0]
            .rrule
            .as_ref()
            .map(|r| r.as_str().to_string()),
        Some("FREQ=MONTHLY;COUNT=3".to_string())
    );
    for rule in [
        "RRULE:RSCALE=HEBREW;FREQ=YEARLY",
        "RRULE:RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=FORWARD",
    ] {
        let read = lenient(&calendar(&["DTSTART:20250131T090000Z", rule]));
        assert!(read.events.is_empty(), "{rule}");
        assert_eq!(read.skipped.len(), 1, "{rule}");
        assert_eq!(read.skipped[0].line, 6, "{rule}");
    }
}

#[test]
fn text_with_no_calendar_at_all_is_an_error() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let opts = options(&mut rng);
    for text in [
        "",
        "hello\r\n",
        "BEGIN:VEVENT\r\nDTSTART:20250310T090000Z\r\nEND:VEVENT\r\n",
    ] {
        assert!(
            matches!(
                import_lenient(text, &opts, &mut rng),
                Err(Error::Ical { .. })
            ),
            "{text:?}"
        );
    }
}

#[test]
fn an_rdate_period_keeps_its_own_length() {
    // A 1 h event with two extra instances: 2 h (an end) and 30 min (a duration), and one
    // of the event's own length.
    let text = calendar(&[
        "DTSTART:20250310T090000Z",
        "DTEND:20250310T100000Z",
        "RDATE;VALUE=PERIOD:20250311T090000Z/20250311T110000Z,20250312T090000Z/PT30M",
        "RDATE;VALUE=PERIOD:20250313T090000Z/PT1H",
    ]);
    let read = lenient(&text);
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    assert_eq!(
        read.events.len(),
        3,
        "the series and two instances of their own length"
    );
    let from = Utc.with_ymd_and_hms(2025, 3, 10, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2025, 3, 14, 0, 0, 0).unwrap();
    let blocked =
        lifeos_core::recurrence::blocked_time(&read.events, chrono_tz::UTC, from, to).unwrap();
    let lengths: Vec<i64> = blocked
        .entries
        .iter()
        .map(|b| (b.end - b.start).num_minutes())
        .collect();
    assert_eq!(lengths, [60, 120, 30, 60]);
}

#[test]
fn a_missing_or_stray_end_is_repaired_with_a_warning() {
    // The first VEVENT never ends (the next BEGIN nests in it until END:VCALENDAR), a
    // stray END:VTODO, and the file is cut before its END:VCALENDAR.
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a@x\r\nDTSTART:20250310T090000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:b@x\r\nDTSTART:20250311T090000Z\r\nEND:VEVENT\r\n";
    let read = lenient(text);
    let uids = uids(&read);
    assert_eq!(uids, ["a@x", "b@x"]);
    let lines: Vec<usize> = read.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [2, 5, 7], "{:?}", read.warnings);
    assert!(
        read.warnings[1]
            .message
            .contains("END:VTODO closes no open component")
    );
    assert!(read.warnings[2].message.contains("never closed"));
    assert_eq!(strict_error_line(text), 2);
}

#[test]
fn an_unreadable_end_or_list_value_costs_only_itself() {
    let read = lenient(&calendar(&[
        "DTSTART:20250310T090000Z",
        "DTEND:2025-03-10 10:00",
        "RDATE:20250311T090000Z,tomorrow,20250312T090000Z",
    ]));
    assert_eq!(read.events.len(), 1, "{:?}", read.skipped);
    let e = &read.events[0];
    assert_eq!(e.end, e.start, "a date-time start's default length is zero");
    assert_eq!(e.rdates.len(), 2, "the unreadable value is left out");
    let lines: Vec<usize> = read.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [6, 7], "{:?}", read.warnings);
    assert!(read.warnings[0].message.contains("DTEND cannot be read"));
    // A date start keeps its day.
    let read = lenient(&calendar(&["DTSTART;VALUE=DATE:20250310", "DURATION:P1X"]));
    assert_eq!(read.events[0].end, EventTime::Date(date(2025, 3, 11)));
    assert_eq!(read.warnings.len(), 1);
}

#[test]
fn a_timed_end_of_another_kind_is_read_as_the_starts_kind() {
    let at = |d: u32, h: u32| date(2025, 3, d).and_hms_opt(h, 0, 0).unwrap();
    // A floating start with a UTC end: the end's wall-clock time.
    let read = lenient(&calendar(&[
        "DTSTART:20250310T090000",
        "DTEND:20250310T100000Z",
    ]));
    assert_eq!(read.events[0].end, EventTime::Floating(at(10, 10)));
    assert_eq!(read.warnings.len(), 1);
    assert!(
        read.warnings[0].message.contains("read as floating"),
        "{}",
        read.warnings[0].message
    );
    // A zoned start with a floating end: in the start's zone.
    let read = lenient(&calendar(&[
        "DTSTART;TZID=Europe/Berlin:20250310T090000",
        "DTEND:20250310T103000",
    ]));
    assert_eq!(
        read.events[0].end,
        EventTime::Zoned {
            local: date(2025, 3, 10).and_hms_opt(10, 30, 0).unwrap(),
            tz: chrono_tz::Europe::Berlin
        }
    );
    // A UTC start with a date end: that date's midnight, UTC.
    let read = lenient(&calendar(&[
        "DTSTART:20250310T090000Z",
        "DTEND;VALUE=DATE:20250311",
    ]));
    assert_eq!(read.events[0].end, EventTime::Utc(at(11, 0).and_utc()));
}

#[test]
fn a_vevent_begun_inside_an_open_one_ends_it() {
    // `a` never ends: the next BEGIN:VEVENT ends it (a VEVENT never holds one), so `b`
    // is read too instead of vanishing inside `a`.
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a@x\r\nDTSTART:20250310T090000Z\r\nBEGIN:VEVENT\r\nUID:b@x\r\nDTSTART:20250311T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let read = lenient(text);
    let uids = uids(&read);
    assert_eq!(uids, ["a@x", "b@x"], "{:?}", read.skipped);
    assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
    assert_eq!(read.warnings[0].line, 2);
    assert!(
        read.warnings[0]
            .message
            .contains("closed by BEGIN:VEVENT at line 5"),
        "{:?}",
        read.warnings
    );
    assert_eq!(strict_error_line(text), 2);
}

#[test]
fn a_component_nested_too_deeply_is_skipped_with_its_events() {
    // Twenty nested X-GARBAGE components (the last holding a VEVENT), then a good event.
    let mut lines = vec!["BEGIN:VCALENDAR".to_owned()];
    for i in 0..20 {
        lines.push(format!("BEGIN:X-GARBAGE-{i}"));
    }
    lines.extend(
        [
            "BEGIN:VEVENT",
            "UID:deep@x",
            "DTSTART:20250310T090000Z",
            "END:VEVENT",
        ]
        .map(String::from),
    );
    for i in (0..20).rev() {
        lines.push(format!("END:X-GARBAGE-{i}"));
    }
    lines.extend(
        [
            "BEGIN:VEVENT",
            "UID:good@x",
            "DTSTART:20250311T090000Z",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
        .map(String::from),
    );
    let text = lines.join("\r\n") + "\r\n";
    let read = lenient(&text);
    let uids = uids(&read);
    assert_eq!(uids, ["good@x"]);
    // The first component past the depth limit is X-GARBAGE-15 (line 17): skipped whole,
    // the VEVENT in it (line 22) reported with its BEGIN line.
    assert_eq!(read.skipped.len(), 1, "{:?}", read.skipped);
    assert_eq!(read.skipped[0].begin_line, 22);
    assert!(read.skipped[0].message.contains("nested deeper"));
    assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
    assert_eq!(read.warnings[0].line, 17);
    assert_eq!(strict_error_line(&text), 17);
}

mod hostile {
    use proptest::prelude::*;

    use super::*;

    /// Lines a broken file is made of: structure of every kind, real properties, junk.
    fn line() -> impl Strategy<Value = String> {
        let names = prop_oneof![
            Just("VCALENDAR"),
            Just("VEVENT"),
            Just("VTODO"),
            Just("VALARM"),
            Just("VTIMEZONE"),
            Just("STANDARD"),
            Just("X-JUNK"),
        ];
        prop_oneof![
            names.clone().prop_map(|n| format!("BEGIN:{n}")),
            names.prop_map(|n| format!("END:{n}")),
            Just("UID:u@x".to_owned()),
            Just("DTSTART:20250310T090000Z".to_owned()),
            Just("DTSTART;TZID=Europe/Berlin:20250310T090000".to_owned()),
            Just("RRULE:FREQ=DAILY;COUNT=3".to_owned()),
            Just("RECURRENCE-ID:20250311T090000Z".to_owned()),
            Just("METHOD:CANCEL".to_owned()),
            Just("TZID:Europe/Berlin".to_owned()),
            // Junk, not a continuation (a leading space would fold into the line before).
            "([!-~][ -~]{0,29})?",
            Just("BEGIN;X=\"unterminated:VEVENT".to_owned()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever the structure, the lenient reader answers (an error only for text with
        /// no VCALENDAR at all) and never panics; each `VEVENT` read or skipped is one it
        /// began.
        #[test]
        fn hostile_structure_never_panics(body in proptest::collection::vec(line(), 0..60)) {
            let text = format!("BEGIN:VCALENDAR\r\n{}\r\n", body.join("\r\n"));
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            let opts = options(&mut rng);
            let read = import_lenient(&text, &opts, &mut rng);
            let read = read.map_err(|e| format!("{e}"));
            prop_assert!(read.is_ok(), "{:?}", read);
            // Every event read, and every one skipped, is named by a line that begins one.
            let physical: Vec<&str> = text.split("\r\n").collect();
            let begins = |line: usize| physical.get(line.wrapping_sub(1)) == Some(&"BEGIN:VEVENT");
            if let Ok(read) = read {
                for e in &read.events {
                    let line = read.lines.get(&e.id).copied().unwrap_or(0);
                    prop_assert!(begins(line), "event at line {line}");
                }
                for s in &read.skipped {
                    prop_assert!(begins(s.begin_line), "skipped at line {}", s.begin_line);
                }
            }
        }
    }
}
