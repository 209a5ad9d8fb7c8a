//! iCalendar import of Google, Outlook and Apple exports; export round trips.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use lifeos_core::ical::{ImportOptions, export, import};
use lifeos_core::recurrence::{Window, blocked_time};
use lifeos_core::{
    AttendeeResponse, CalendarEvent, Error, EventStatus, EventTime, Provider, RecurrenceRange,
    RecurrenceRule, Transparency, UserId,
};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()
}

fn load(text: &str) -> Vec<CalendarEvent> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let user = UserId::generate(now(), &mut rng);
    import(
        text,
        &ImportOptions::new(user, Provider::Ics, now()),
        &mut rng,
    )
    .unwrap()
}

/// The events with ids and import timestamps cleared and `series_id` replaced by the
/// master's position, so two imports can be compared.
fn normalized(events: &[CalendarEvent]) -> Vec<CalendarEvent> {
    let zero = lifeos_core::CalendarEventId::from_uuid(uuid::Uuid::nil());
    events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.series_id = e.series_id.map(|s| {
                let pos = events.iter().position(|m| m.id == s).unwrap();
                lifeos_core::CalendarEventId::from_uuid(uuid::Uuid::from_u128(pos as u128 + 1))
            });
            e.id = zero;
            e.created_at = now();
            e.updated_at = now();
            e.synced_at = None;
            e
        })
        .collect()
}

fn round_trips(events: &[CalendarEvent]) {
    let again = load(&export(events));
    assert_eq!(normalized(&again), normalized(events));
}

fn la(s: &str) -> EventTime {
    EventTime::Zoned {
        local: chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap(),
        tz: chrono_tz::America::Los_Angeles,
    }
}

#[test]
fn google_export() {
    let events = load(include_str!("../fixtures/google.ics"));
    assert_eq!(events.len(), 5);
    let standup = &events[0];
    assert_eq!(standup.title, "Team standup");
    assert_eq!(
        standup.external_id.as_deref(),
        Some("7kukuqrfedlm2f9t0vb0ofs1k1@google.com")
    );
    assert_eq!(standup.start, la("20250303T093000"));
    assert_eq!(
        standup.rrule.as_ref().map(RecurrenceRule::as_str),
        Some("FREQ=WEEKLY;WKST=SU;BYDAY=MO,WE,FR")
    );
    assert_eq!(standup.exdates.len(), 3);
    assert_eq!(
        standup.conference_url.as_deref(),
        Some("https://meet.google.com/abc-defg-hij")
    );
    assert_eq!(
        standup.description.as_deref(),
        Some(
            "Daily sync, short.\nJoin with Google Meet: https://meet.google.com/abc-defg-hij\n\nAgenda: blockers; demos"
        )
    );
    assert_eq!(standup.attendees.len(), 2);
    assert_eq!(standup.attendees[0].name.as_deref(), Some("Ana Lead"));
    assert_eq!(standup.attendees[0].response, AttendeeResponse::Accepted);
    assert_eq!(standup.attendees[1].name.as_deref(), Some("Doe, Jo"));
    assert!(standup.attendees[1].optional);
    let moved = &events[1];
    assert_eq!(moved.series_id, Some(standup.id));
    assert_eq!(moved.recurrence_id, Some(la("20250305T093000")));
    assert_eq!(events[2].status, EventStatus::Cancelled);
    assert_eq!(
        events[3].start,
        EventTime::Date(NaiveDate::from_ymd_opt(2025, 3, 17).unwrap())
    );
    assert_eq!(events[3].transparency, Transparency::Free);

    // 3-16 March: Monday the 3rd; Wednesday the 5th moved to 13:00; Friday the 7th, Monday
    // the 10th and Wednesday the 12th excluded; Friday the 14th cancelled.
    let tz = chrono_tz::America::Los_Angeles;
    let from = tz
        .with_ymd_and_hms(2025, 3, 3, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let to = tz
        .with_ymd_and_hms(2025, 3, 17, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let result = blocked_time(&events, tz, from, to).unwrap();
    let (blocks, truncated) = (result.entries, result.truncated);
    assert!(!truncated);
    let starts: Vec<_> = blocks
        .iter()
        .map(|b| (b.title.as_str(), b.start.to_rfc3339()))
        .collect();
    assert_eq!(
        starts,
        [
            ("Team standup", "2025-03-03T17:30:00+00:00".to_string()),
            (
                "Team standup (moved)",
                "2025-03-05T21:00:00+00:00".to_string()
            ),
        ]
    );
    round_trips(&events);
}

#[test]
fn outlook_export() {
    let events = load(include_str!("../fixtures/outlook.ics"));
    assert_eq!(events.len(), 4);
    let sprint = &events[0];
    assert_eq!(sprint.title, "Sprint planning");
    assert!(matches!(sprint.start, EventTime::Zoned { tz, .. } if tz == chrono_tz::Europe::Berlin));
    assert_eq!(sprint.exdates.len(), 2);
    assert!(
        sprint
            .external_id
            .as_deref()
            .unwrap()
            .ends_with("A1B2C3D4E5F60718293A4B5C6D7E8F9")
    );
    assert_eq!(
        sprint.conference_url.as_deref(),
        Some("https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0")
    );
    assert_eq!(events[1].series_id, Some(sprint.id));
    let ny = &events[2];
    assert!(matches!(ny.start, EventTime::Zoned { tz, .. } if tz == chrono_tz::America::New_York));
    assert_eq!(ny.status, EventStatus::Tentative);
    assert_eq!(ny.attendees[0].response, AttendeeResponse::Tentative);
    assert_eq!(events[3].transparency, Transparency::Free);
    let ics = export(&events);
    // Windows zone names come back out as IANA names with their VTIMEZONE.
    assert!(
        ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"),
        "{ics}"
    );
    round_trips(&events);
}

#[test]
fn apple_export() {
    let events = load(include_str!("../fixtures/apple.ics"));
    assert_eq!(events.len(), 4);
    let swim = &events[0];
    assert!(
        matches!(swim.start, EventTime::Zoned { tz, .. } if tz == chrono_tz::Australia::Sydney)
    );
    let later = &events[1];
    assert_eq!(later.recurrence_range, RecurrenceRange::ThisAndFuture);
    assert_eq!(later.series_id, Some(swim.id));
    // 02:30 on 7 April 2024 occurs twice in Sydney: the earlier instant (AEDT).
    let tz = chrono_tz::Australia::Sydney;
    let from = tz
        .with_ymd_and_hms(2024, 4, 1, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let to = tz
        .with_ymd_and_hms(2024, 5, 20, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let blocks = blocked_time(&events[..2], tz, from, to).unwrap().entries;
    let starts: Vec<_> = blocks.iter().map(|b| b.start.to_rfc3339()).collect();
    assert_eq!(
        starts,
        [
            "2024-04-06T15:30:00+00:00",
            "2024-04-13T16:30:00+00:00",
            "2024-04-20T16:30:00+00:00",
            "2024-04-27T16:30:00+00:00",
            "2024-05-04T20:30:00+00:00",
            "2024-05-11T20:30:00+00:00",
            "2024-05-18T20:30:00+00:00",
        ]
    );
    assert_eq!(blocks[0].end.to_rfc3339(), "2024-04-06T17:00:00+00:00");
    let birthday = &events[2];
    let series = lifeos_core::Series::from_rule(birthday.start, birthday.rrule.clone()).unwrap();
    let occ = series
        .expand(&Window::Local {
            from: NaiveDate::from_ymd_opt(2020, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
            to: NaiveDate::from_ymd_opt(2029, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        })
        .unwrap();
    assert_eq!(
        occ.occurrences.len(),
        3,
        "only leap years: 2020, 2024, 2028"
    );
    let focus = &events[3];
    assert!(matches!(focus.start, EventTime::Floating(_)));
    assert_eq!(focus.duration.map(|d| d.seconds), Some(5400));
    assert_eq!(focus.rdates.len(), 3);
    assert_eq!(
        focus.conference_url.as_deref(),
        Some("https://example.com/focus")
    );
    round_trips(&events);
}

#[test]
fn errors_name_the_line() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let user = UserId::generate(now(), &mut rng);
    let opts = ImportOptions::new(user, Provider::Ics, now());
    let bad_rule = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20250101T090000Z\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=32\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let e = import(bad_rule, &opts, &mut rng).unwrap_err();
    assert!(
        matches!(&e, Error::Ical { line: 5, message } if message.contains("BYMONTHDAY=32")),
        "{e}"
    );
    let bad_zone = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=Mars/Olympus:20250101T090000\nEND:VEVENT\nEND:VCALENDAR\n";
    let e = import(bad_zone, &opts, &mut rng).unwrap_err();
    assert!(matches!(e, Error::Ical { line: 3, .. }), "{e}");
    let unclosed = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20250101\n";
    assert!(import(unclosed, &opts, &mut rng).is_err());
}

mod round_trip {
    use super::*;
    use chrono::NaiveDateTime;
    use lifeos_core::Attendee;
    use proptest::prelude::*;

    const ZONES: [chrono_tz::Tz; 5] = [
        chrono_tz::America::New_York,
        chrono_tz::Europe::Berlin,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::Asia::Kathmandu,
        chrono_tz::UTC,
    ];

    fn naive() -> impl Strategy<Value = NaiveDateTime> {
        (0i64..(40 * 365 * 86400)).prop_map(|s| {
            DateTime::from_timestamp(946_684_800 + s, 0)
                .unwrap()
                .naive_utc()
        })
    }

    fn time_of(kind: u8) -> impl Strategy<Value = EventTime> {
        (naive(), 0..ZONES.len()).prop_map(move |(t, z)| match kind {
            0 => EventTime::Date(t.date()),
            1 => EventTime::Floating(t),
            2 => EventTime::Zoned {
                local: t,
                tz: ZONES[z],
            },
            _ => EventTime::Utc(t.and_utc()),
        })
    }

    fn any_time() -> impl Strategy<Value = EventTime> {
        (0u8..4).prop_flat_map(time_of)
    }

    fn text() -> impl Strategy<Value = String> {
        "[^\\p{Cc}]{0,30}|[a-z;,\\\\ ]{0,10}\n[a-z:;,]{0,10}"
    }

    fn attendee() -> impl Strategy<Value = Attendee> {
        (
            "[a-z0-9.]{1,12}@[a-z]{1,8}\\.com",
            proptest::option::of("[A-Za-z ,.;:]{1,20}"),
            prop_oneof![
                Just(AttendeeResponse::NeedsAction),
                Just(AttendeeResponse::Accepted),
                Just(AttendeeResponse::Declined),
                Just(AttendeeResponse::Tentative),
                Just(AttendeeResponse::Delegated),
            ],
            any::<bool>(),
        )
            .prop_map(|(email, name, response, optional)| {
                let mut a: Attendee =
                    serde_json::from_value(serde_json::json!({"email": email})).unwrap();
                a.name = name;
                a.response = response;
                a.optional = optional;
                a
            })
    }

    prop_compose! {
        fn event()(kind in 0u8..4)(
            start in time_of(kind),
            len in 0i64..(3 * 86400),
            nominal in any::<bool>(),
            rule in proptest::option::of(prop_oneof![
                Just("FREQ=DAILY;COUNT=3"),
                Just("FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20300101T000000Z"),
                Just("FREQ=MONTHLY;BYDAY=-1FR;INTERVAL=2"),
                Just("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
            ]),
            uid in proptest::option::of("[A-Za-z0-9@._-]{1,30}"),
            title in text(),
            description in proptest::option::of(text()),
            location in proptest::option::of(text()),
            rdates in proptest::collection::vec(any_time(), 0..3),
            exdates in proptest::collection::vec(any_time(), 0..3),
            recurrence_id in proptest::option::of(any_time()),
            future in any::<bool>(),
            status in prop_oneof![Just(EventStatus::Confirmed), Just(EventStatus::Tentative), Just(EventStatus::Cancelled)],
            free in any::<bool>(),
            attendees in proptest::collection::vec(attendee(), 0..3),
            url in proptest::option::of("https://[a-z]{1,10}\\.example/[a-z0-9%?=&]{0,20}"),
            etag in proptest::option::of("[^\\p{Cc}]{1,20}"),
            provider in prop_oneof![Just(Provider::Google), Just(Provider::Outlook), Just(Provider::Apple), Just(Provider::Ics), Just(Provider::Manual)],
            deleted in proptest::option::of(naive()),
        ) -> CalendarEvent {
            let end = match start {
                EventTime::Date(d) => EventTime::Date(d + chrono::Duration::days(len / 86400 + 1)),
                EventTime::Floating(t) => EventTime::Floating(t + chrono::Duration::seconds(len)),
                EventTime::Zoned { local, tz } => EventTime::Zoned { local: local + chrono::Duration::seconds(len), tz },
                EventTime::Utc(t) => EventTime::Utc(t + chrono::Duration::seconds(len)),
            };
            // Or a nominal DURATION: days in local time, then seconds; the end follows.
            let (days, seconds) = match start {
                EventTime::Date(_) => (len / 86400 + 1, 0),
                _ => (len / 86400, len % 86400),
            };
            let duration = nominal.then_some(lifeos_core::NominalDuration { days, seconds });
            let end = if !nominal {
                end
            } else {
                let (d, s) = (chrono::Duration::days(days), chrono::Duration::seconds(seconds));
                match start {
                    EventTime::Date(x) => EventTime::Date(x + d),
                    EventTime::Floating(t) => EventTime::Floating(t + d + s),
                    EventTime::Utc(t) => EventTime::Utc(t + d + s),
                    EventTime::Zoned { local, tz } => EventTime::Zoned {
                        local: (lifeos_core::time::resolve_local(local + d, tz) + s)
                            .with_timezone(&tz)
                            .naive_local(),
                        tz,
                    },
                }
            };
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let user = UserId::generate(now(), &mut rng);
            CalendarEvent {
                id: lifeos_core::CalendarEventId::generate(now(), &mut rng),
                user_id: user,
                provider,
                external_id: uid,
                title,
                description,
                location,
                start,
                end,
                duration,
                rrule: rule.map(|r| r.parse().unwrap()),
                rdates,
                exdates,
                series_id: None,
                recurrence_id,
                recurrence_range: if future && recurrence_id.is_some() { RecurrenceRange::ThisAndFuture } else { RecurrenceRange::ThisInstance },
                status,
                transparency: if free { Transparency::Free } else { Transparency::Busy },
                attendees,
                conference_url: url,
                etag,
                synced_at: None,
                created_at: now(),
                updated_at: now(),
                deleted_at: deleted.map(|d| d.and_utc()),
                version: 1,
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn import_of_export_is_identity(mut events in proptest::collection::vec(event(), 1..4)) {
            // UIDs are unique per event here (overrides are linked in the fixture tests).
            for (i, e) in events.iter_mut().enumerate() {
                e.external_id = e.external_id.take().map(|u| format!("{u}-{i}"));
            }
            let again = load(&export(&events));
            prop_assert_eq!(normalized(&again), normalized(&events));
        }
    }
}
