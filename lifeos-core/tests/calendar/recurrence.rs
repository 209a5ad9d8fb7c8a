//! Recurrence semantics, bounds and the blocked-time helper.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use lifeos_core::recurrence::{Series, Window, blocked_time, expand_json_line};
use lifeos_core::{
    CalendarEvent, CalendarEventId, Error, EventStatus, EventTime, Provider, RecurrenceRange,
    Transparency, UserId,
};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use serde_json::Value;

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn instants(series: &Series, from: &str, to: &str) -> (Vec<String>, bool) {
    let e = series
        .expand(&Window::Instants {
            from: utc(from),
            to: utc(to),
        })
        .unwrap();
    let v = e
        .occurrences
        .iter()
        .map(|o| {
            o.start
                .to_utc(Tz::UTC)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        })
        .collect();
    (v, e.truncated)
}

fn ny(s: &str) -> EventTime {
    EventTime::Zoned {
        local: local(s),
        tz: chrono_tz::America::New_York,
    }
}

#[test]
fn dtstart_counts_even_when_the_rule_skips_it() {
    // A Monday rule starting on a Sunday: the Sunday is the first of the three.
    let s = Series::new(ny("2025-01-05 09:00"), Some("FREQ=WEEKLY;BYDAY=MO;COUNT=3")).unwrap();
    let (v, _) = instants(&s, "2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z");
    assert_eq!(
        v,
        [
            "2025-01-05T14:00:00Z",
            "2025-01-06T14:00:00Z",
            "2025-01-13T14:00:00Z"
        ]
    );
}

#[test]
fn gap_times_are_kept_and_resolved_forward() {
    let s = Series::new(ny("2025-03-08 02:30"), Some("FREQ=DAILY;COUNT=3")).unwrap();
    let (v, _) = instants(&s, "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z");
    assert_eq!(
        v,
        [
            "2025-03-08T07:30:00Z",
            "2025-03-09T07:30:00Z",
            "2025-03-10T06:30:00Z"
        ]
    );
}

#[test]
fn until_forms_on_a_date_series() {
    let start = EventTime::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    let window = Window::Local {
        from: local("2024-01-01 00:00"),
        to: local("2024-02-01 00:00"),
    };
    let last = |rule: &str| {
        let s = Series::new(start, Some(rule)).unwrap();
        s.expand(&window).unwrap().occurrences.last().unwrap().start
    };
    let date = |d| EventTime::Date(NaiveDate::from_ymd_opt(2024, 1, d).unwrap());
    assert_eq!(last("FREQ=DAILY;UNTIL=20240104T230000Z"), date(4));
    assert_eq!(last("FREQ=DAILY;UNTIL=20240105T000000Z"), date(5));
    assert_eq!(last("FREQ=DAILY;UNTIL=20240105"), date(5));
}

#[test]
fn until_before_dtstart_is_empty_not_an_error() {
    let s = Series::new(
        ny("2025-01-05 09:00"),
        Some("FREQ=DAILY;UNTIL=20240101T000000Z"),
    )
    .unwrap();
    let (v, t) = instants(&s, "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z");
    assert!(v.is_empty() && !t);
}

#[test]
fn errors_name_the_part() {
    let err = Series::new(ny("2025-01-05 09:00"), Some("FREQ=MONTHLY;BYMONTHDAY=32")).unwrap_err();
    assert!(
        matches!(&err, Error::Recurrence { part, .. } if part == "BYMONTHDAY=32"),
        "{err}"
    );
    let date = EventTime::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    assert!(Series::new(date, Some("FREQ=HOURLY")).is_err());
}

#[test]
fn hostile_rules_are_bounded_and_flagged() {
    // A count that never ends, far from the window: walks until the iteration bound.
    let s = Series::new(
        ny("2025-01-05 09:00"),
        Some("FREQ=SECONDLY;COUNT=4000000000"),
    )
    .unwrap();
    let (v, t) = instants(&s, "2090-01-01T00:00:00Z", "2090-01-02T00:00:00Z");
    assert!(v.is_empty() && t);
    // A rule that matches often: output is capped.
    let s = Series::new(ny("2025-01-05 09:00"), Some("FREQ=MINUTELY")).unwrap();
    let (v, t) = instants(&s, "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
    assert_eq!(v.len(), 10_000);
    assert!(t);
    // 31 million candidates a year: cut short, quickly, without the memory.
    let all = |n: u32| (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let rule = format!(
        "FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR={};BYMINUTE={};BYSECOND={}",
        all(24),
        all(60),
        all(60)
    );
    for (from, to) in [
        ("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        ("2029-06-01T00:00:00Z", "2029-06-02T00:00:00Z"),
    ] {
        let s = Series::new(ny("2025-01-05 09:00"), Some(&rule)).unwrap();
        let (v, t) = instants(&s, from, to);
        assert_eq!(v.len(), 10_000);
        assert!(t);
        let counted = Series::new(
            ny("2025-01-05 09:00"),
            Some(&format!("{rule};COUNT=4000000000")),
        )
        .unwrap();
        let (_, t) = instants(&counted, from, to);
        assert!(t);
    }
    // A rule that never matches ends at year 9999 with DTSTART alone.
    let s = Series::new(
        ny("2025-01-05 09:00"),
        Some("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
    )
    .unwrap();
    let (v, t) = instants(&s, "2025-01-01T00:00:00Z", "9999-01-01T00:00:00Z");
    assert_eq!(v, ["2025-01-05T14:00:00Z"]);
    assert!(!t);
}

#[test]
fn seek_agrees_with_walking() {
    // The same rule with and without COUNT (COUNT forces a walk from DTSTART).
    for rule in [
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH;WKST=SU",
        "FREQ=MONTHLY;INTERVAL=5;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYWEEKNO=1,-1;BYDAY=MO",
        "FREQ=HOURLY;INTERVAL=7;BYHOUR=1,8,15",
        "FREQ=DAILY;INTERVAL=9",
    ] {
        let open = Series::new(ny("2019-03-10 02:30"), Some(rule)).unwrap();
        let counted = Series::new(
            ny("2019-03-10 02:30"),
            Some(&format!("{rule};COUNT=100000")),
        )
        .unwrap();
        let a = instants(&open, "2025-12-01T00:00:00Z", "2026-06-01T00:00:00Z");
        let b = instants(&counted, "2025-12-01T00:00:00Z", "2026-06-01T00:00:00Z");
        assert_eq!(a, b, "{rule}");
        assert!(!a.0.is_empty(), "{rule}");
    }
}

#[test]
fn expand_json_answers_the_issue_example() {
    let line = r#"{"id": "c1", "dtstart": {"kind": "zoned", "value": "20250307T023000", "tzid": "America/New_York"}, "rrule": "FREQ=DAILY;COUNT=5", "rdates": [{"kind": "utc", "value": "20250320T150000Z"}], "exdates": [{"kind": "zoned", "value": "20250308T023000", "tzid": "America/New_York"}], "overrides": [{"recurrence_id": {"kind": "zoned", "value": "20250309T023000", "tzid": "America/New_York"}, "dtstart": {"kind": "zoned", "value": "20250309T100000", "tzid": "America/New_York"}}], "window": {"start": "2025-03-01T00:00:00Z", "end": "2025-04-01T00:00:00Z"}, "output_kind": "instant"}"#;
    let out: Value = serde_json::from_str(&expand_json_line(line)).unwrap();
    assert_eq!(
        out["occurrences"],
        serde_json::json!([
            "2025-03-07T07:30:00Z",
            "2025-03-09T14:00:00Z",
            "2025-03-10T06:30:00Z",
            "2025-03-11T06:30:00Z",
            "2025-03-20T15:00:00Z"
        ])
    );
}

fn event(
    rng: &mut ChaCha8Rng,
    title: &str,
    start: EventTime,
    end: EventTime,
    rrule: Option<&str>,
) -> CalendarEvent {
    let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    CalendarEvent {
        id: CalendarEventId::generate(now, rng),
        user_id: UserId::generate(now, rng),
        provider: Provider::Ics,
        external_id: None,
        title: title.into(),
        description: None,
        location: None,
        start,
        end,
        duration: None,
        rrule: rrule.map(|r| r.parse().unwrap()),
        rdates: vec![],
        exdates: vec![],
        series_id: None,
        recurrence_id: None,
        recurrence_range: RecurrenceRange::ThisInstance,
        status: EventStatus::Confirmed,
        transparency: Transparency::Busy,
        attendees: vec![],
        conference_url: None,
        etag: None,
        synced_at: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        version: 1,
    }
}

#[test]
fn blocked_time_for_a_day() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let standup = event(
        &mut rng,
        "Standup",
        ny("2025-03-03 09:00"),
        ny("2025-03-03 09:15"),
        Some("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"),
    );
    // Tuesday's standup moved to 10:00, Wednesday's cancelled.
    let mut moved = event(
        &mut rng,
        "Standup (moved)",
        ny("2025-03-11 10:00"),
        ny("2025-03-11 10:30"),
        None,
    );
    moved.series_id = Some(standup.id);
    moved.recurrence_id = Some(ny("2025-03-11 09:00"));
    let mut cancelled = event(
        &mut rng,
        "Standup",
        ny("2025-03-12 09:00"),
        ny("2025-03-12 09:15"),
        None,
    );
    cancelled.series_id = Some(standup.id);
    cancelled.recurrence_id = Some(ny("2025-03-12 09:00"));
    cancelled.status = EventStatus::Cancelled;
    let d = |d| EventTime::Date(NaiveDate::from_ymd_opt(2025, 3, d).unwrap());
    let mut holiday = event(&mut rng, "Offsite", d(11), d(12), None);
    holiday.transparency = Transparency::Free;
    let mut gone = event(
        &mut rng,
        "Gone",
        ny("2025-03-11 13:00"),
        ny("2025-03-11 14:00"),
        None,
    );
    gone.status = EventStatus::Cancelled;
    let events = [standup, moved, cancelled, holiday, gone];
    let tz = chrono_tz::America::New_York;
    let day = |d: u32| {
        tz.with_ymd_and_hms(2025, 3, d, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    };

    let result = blocked_time(&events, tz, day(11), day(12)).unwrap();
    let (tuesday, truncated) = (result.entries, result.truncated);
    assert!(!truncated);
    let summary: Vec<_> = tuesday
        .iter()
        .map(|b| {
            (
                b.title.as_str(),
                b.start.to_rfc3339(),
                b.end.to_rfc3339(),
                b.is_all_day,
                b.busy,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Offsite",
                "2025-03-11T04:00:00+00:00".into(),
                "2025-03-12T04:00:00+00:00".into(),
                true,
                Some(false)
            ),
            (
                "Standup (moved)",
                "2025-03-11T14:00:00+00:00".into(),
                "2025-03-11T14:30:00+00:00".into(),
                false,
                Some(true)
            ),
        ]
    );
    let wednesday = blocked_time(&events, tz, day(12), day(13)).unwrap().entries;
    assert!(wednesday.is_empty(), "{wednesday:?}");
    let thursday = blocked_time(&events, tz, day(13), day(14)).unwrap().entries;
    assert_eq!(thursday.len(), 1);
    assert_eq!(thursday[0].start.to_rfc3339(), "2025-03-13T13:00:00+00:00");
}

#[test]
fn a_busy_series_cut_short_in_the_window_blocks_the_rest_of_it() {
    // Issue 13: FREQ=SECONDLY with no end stops after 10,000 instances (09:00:00 to
    // 11:46:40); the rest of the day looked free and tasks were planned over it.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let ping = event(
        &mut rng,
        "Ping",
        ny("2025-03-11 09:00"),
        EventTime::Zoned {
            local: local("2025-03-11 09:00") + chrono::Duration::seconds(1),
            tz: chrono_tz::America::New_York,
        },
        Some("FREQ=SECONDLY"),
    );
    let mut quiet = event(
        &mut rng,
        "Quiet",
        ny("2025-03-11 08:00"),
        ny("2025-03-11 08:01"),
        Some("FREQ=SECONDLY"),
    );
    quiet.transparency = Transparency::Free;
    let lunch = event(
        &mut rng,
        "Lunch",
        ny("2025-03-11 12:00"),
        ny("2025-03-11 13:00"),
        None,
    );
    let tz = chrono_tz::America::New_York;
    let from = utc("2025-03-11T04:00:00Z");
    let to = utc("2025-03-12T04:00:00Z");
    let events = [ping.clone(), quiet.clone(), lunch];
    let result = blocked_time(&events, tz, from, to).unwrap();
    assert!(result.truncated);
    let cut: Vec<_> = result
        .truncated_events
        .iter()
        .map(|t| (t.event_id, t.title.as_str(), t.from.to_rfc3339(), t.busy))
        .collect();
    assert_eq!(
        cut,
        [
            (ping.id, "Ping", "2025-03-11T15:46:40+00:00".into(), true),
            (quiet.id, "Quiet", "2025-03-11T14:46:40+00:00".into(), false),
        ]
    );
    assert!(result.truncated_events[0].warning().contains("\"Ping\""));
    // The busy one blocks from its cut to the window's end; the free one blocks nothing.
    let rest: Vec<_> = result
        .entries
        .iter()
        .filter(|b| b.end - b.start > chrono::Duration::hours(2))
        .map(|b| (b.title.as_str(), b.start, b.end, b.busy))
        .collect();
    assert_eq!(
        rest,
        [("Ping", utc("2025-03-11T15:46:40Z"), to, Some(true))]
    );
    // Lunch, inside the blocked rest, is still listed; the entries stay sorted.
    assert!(result.entries.iter().any(|b| b.title == "Lunch"));
    assert!(
        result
            .entries
            .windows(2)
            .all(|w| (w[0].start, w[0].end) <= (w[1].start, w[1].end))
    );
    // A window ending before the cut sees a complete expansion and no extra block.
    let morning = blocked_time(&events[..1], tz, from, utc("2025-03-11T14:00:00Z")).unwrap();
    assert!(!morning.truncated && morning.truncated_events.is_empty());
    assert_eq!(morning.entries.len(), 3600);
}

#[test]
fn extreme_windows_do_not_panic() {
    let s = Series::new(ny("1960-01-05 09:00"), Some("FREQ=YEARLY;INTERVAL=10")).unwrap();
    let e = s
        .expand(&Window::Instants {
            from: DateTime::<Utc>::MIN_UTC,
            to: DateTime::<Utc>::MAX_UTC,
        })
        .unwrap();
    assert_eq!(e.occurrences.len(), 804, "1960, 1970, ..., 9990");
    let e = s
        .expand_overlapping(&Window::Instants {
            from: DateTime::<Utc>::MIN_UTC,
            to: DateTime::<Utc>::MIN_UTC,
        })
        .unwrap();
    assert!(e.occurrences.is_empty());
    // A date series built by hand with a time rule gets the error `Series::new` gives.
    let mut d = Series::new(
        EventTime::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
        None,
    )
    .unwrap();
    d.rule = Some("FREQ=HOURLY".parse().unwrap());
    let w = Window::Local {
        from: local("2024-01-01 00:00"),
        to: local("2024-02-01 00:00"),
    };
    assert!(matches!(d.expand(&w), Err(Error::Recurrence { .. })));
}

#[test]
fn this_and_future_shifts_do_not_add_up_and_cancel_the_rest() {
    use lifeos_core::recurrence::Override;
    let mut s = Series::new(ny("2025-01-06 09:00"), Some("FREQ=DAILY;COUNT=8")).unwrap();
    let mut later = Override::new(ny("2025-01-08 09:00"), ny("2025-01-08 10:00"));
    later.range = RecurrenceRange::ThisAndFuture;
    let mut much_later = Override::new(ny("2025-01-10 09:00"), ny("2025-01-10 12:00"));
    much_later.range = RecurrenceRange::ThisAndFuture;
    let mut stop = Override::new(ny("2025-01-12 09:00"), ny("2025-01-12 09:00"));
    stop.range = RecurrenceRange::ThisAndFuture;
    stop.cancelled = true;
    s.overrides = vec![later, much_later, stop];
    let (v, _) = instants(&s, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z");
    assert_eq!(
        v,
        [
            "2025-01-06T14:00:00Z",
            "2025-01-07T14:00:00Z",
            "2025-01-08T15:00:00Z",
            "2025-01-09T15:00:00Z",
            "2025-01-10T17:00:00Z",
            "2025-01-11T17:00:00Z",
        ]
    );
}

#[test]
fn an_invalid_rule_is_refused_when_written_with_a_field_error() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let standup = event(
        &mut rng,
        "Standup",
        ny("2025-03-03 09:00"),
        ny("2025-03-03 09:15"),
        Some("FREQ=DAILY"),
    );
    // Reading: a stored or posted event with a malformed rule does not decode.
    let mut json = serde_json::to_value(&standup).unwrap();
    json["rrule"] = "FREQ=MONTHLY;BYMONTHDAY=32".into();
    let err = serde_json::from_value::<CalendarEvent>(json)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("rrule: "), "{err}");
    assert!(err.contains("BYMONTHDAY=32"), "{err}");

    // Validating: a well-formed rule that does not suit the start names `rrule` too.
    let d = |d| EventTime::Date(NaiveDate::from_ymd_opt(2025, 3, d).unwrap());
    let hourly = event(&mut rng, "Offsite", d(3), d(4), Some("FREQ=HOURLY"));
    let err = hourly.validate().unwrap_err();
    assert_eq!(err.field(), Some("rrule"));
    let problem = err.validation().unwrap().first();
    assert_eq!(problem.value, "FREQ=HOURLY");
    assert!(problem.expected.contains("FREQ=HOURLY"), "{problem}");
    assert!(standup.validate().is_ok());
}

#[test]
fn a_json_round_trip_keeps_the_rule_text() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let text = "freq=weekly;interval=1;byday=we;X-SOURCE=demo";
    let e = event(
        &mut rng,
        "Planning",
        ny("2025-03-05 10:00"),
        ny("2025-03-05 11:00"),
        Some(text),
    );
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["rrule"], text);
    let back: CalendarEvent = serde_json::from_value(json).unwrap();
    assert_eq!(back.rrule.as_ref().map(|r| r.as_str()), Some(text));
    assert_eq!(back, e);
}

#[test]
fn blocked_time_skips_an_event_whose_rule_does_not_suit_its_start() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let d = |d| EventTime::Date(NaiveDate::from_ymd_opt(2025, 3, d).unwrap());
    // Stored before rules were checked against their start.
    let legacy = event(&mut rng, "Legacy", d(3), d(4), Some("FREQ=HOURLY"));
    let standup = event(
        &mut rng,
        "Standup",
        ny("2025-03-03 09:00"),
        ny("2025-03-03 09:15"),
        Some("FREQ=DAILY"),
    );
    let tz = chrono_tz::America::New_York;
    let from = tz
        .with_ymd_and_hms(2025, 3, 11, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let result = blocked_time(
        &[legacy.clone(), standup],
        tz,
        from,
        from + chrono::Duration::days(1),
    )
    .unwrap();
    assert_eq!(result.entries.len(), 1);
    assert_eq!(result.entries[0].title, "Standup");
    assert_eq!(result.skipped.len(), 1);
    assert_eq!(result.skipped[0].event_id, legacy.id);
    assert_eq!(result.skipped[0].error.field(), Some("rrule"));
    assert!(result.skipped[0].warning().contains("Legacy"));
}
