//! Recurrence expansion benchmarks (issue 3).
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]
//!
//! - `recurrence/expand/weekly_5_byday_year`: one year of a weekly series with five BYDAY.
//! - `recurrence/expand/1000_series_7_days`: the 1,000 generated series of
//!   `benches/data/series_1000.jsonl` (tools/recurrence/gen_cases.py, seed 42) expanded into
//!   one 7-day window. Compare with `tools/recurrence/time_dateutil.py` on the same file.
//! - `recurrence/blocked_time/events_30000`: a day's `blockedTime` from 30,000 events (a
//!   year of one-off meetings, 100 daily series with 100 moved instances each), as a plan
//!   after a large import reads it (issue 13: 25 s when each series scanned every event).
//! - `recurrence/expand/daily_5000_overrides_5000_exdates`: twenty years of a daily series
//!   with 5,000 moved instances and 5,000 removed ones (a long-lived calendar's standup),
//!   expanded over one week: each instance used to be looked up in every override and
//!   EXDATE (quadratic).

use std::hint::black_box;

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use lifeos_core::recurrence::{Series, Window, blocked_time, parse_case_json};
use lifeos_core::{
    CalendarEvent, CalendarEventId, EventStatus, EventTime, Provider, RecurrenceRange,
    Transparency, UserId,
};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

const SERIES_1000: &str = include_str!("../data/series_1000.jsonl");

fn weekly_year(c: &mut Criterion) {
    let local = NaiveDate::from_ymd_opt(2025, 1, 6)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .unwrap_or_default();
    let start = EventTime::Zoned {
        local,
        tz: chrono_tz::Europe::Berlin,
    };
    let series = match Series::new(start, Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let window = Window::Instants {
        from: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        to: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    };
    let check = series.expand(&window).unwrap();
    assert_eq!(check.occurrences.len(), 258);
    assert!(!check.truncated);
    c.bench_function("recurrence/expand/weekly_5_byday_year", |b| {
        b.iter(|| {
            series
                .expand(black_box(&window))
                .map(|e| e.occurrences.len())
        })
    });
}

fn thousand_series(c: &mut Criterion) {
    let cases: Vec<(Series, Window)> = SERIES_1000
        .lines()
        .map(|l| parse_case_json(l).unwrap())
        .collect();
    assert_eq!(cases.len(), 1000);
    let run = |cases: &[(Series, Window)]| -> usize {
        cases
            .iter()
            .map(|(s, w)| s.expand(w).map(|e| e.occurrences.len()).unwrap_or(0))
            .sum()
    };
    let total = run(&cases);
    // tools/recurrence/time_dateutil.py counts the same 2,554 with python-dateutil.
    assert_eq!(total, 2554);
    c.bench_function("recurrence/expand/1000_series_7_days", |b| {
        b.iter(|| run(black_box(&cases)))
    });
}

/// A one-hour event at `local` (Europe/Berlin), repeating by `rrule` when given.
fn event(
    rng: &mut ChaCha8Rng,
    title: String,
    local: chrono::NaiveDateTime,
    rrule: Option<&str>,
) -> CalendarEvent {
    let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let at = |t| EventTime::Zoned {
        local: t,
        tz: chrono_tz::Europe::Berlin,
    };
    CalendarEvent {
        id: CalendarEventId::generate(now, rng),
        user_id: UserId::generate(now, rng),
        provider: Provider::Ics,
        external_id: None,
        title,
        description: None,
        location: None,
        start: at(local),
        end: at(local + chrono::Duration::hours(1)),
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

fn many_overrides(c: &mut Criterion) {
    let tz = chrono_tz::Europe::Berlin;
    let day0 = NaiveDate::from_ymd_opt(2010, 1, 4)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let at = |local| EventTime::Zoned { local, tz };
    let mut series = Series::new(at(day0), Some("FREQ=DAILY;COUNT=7300")).unwrap();
    for k in 0..5000 {
        let original = day0 + chrono::Duration::days(k);
        series
            .overrides
            .push(lifeos_core::recurrence::Override::new(
                at(original),
                at(original + chrono::Duration::hours(1)),
            ));
    }
    series.exdates = (5000..10_000)
        .map(|k| at(day0 + chrono::Duration::days(k / 2)))
        .collect();
    let window = Window::Instants {
        from: Utc.with_ymd_and_hms(2025, 6, 2, 0, 0, 0).unwrap(),
        to: Utc.with_ymd_and_hms(2025, 6, 9, 0, 0, 0).unwrap(),
    };
    let check = series.expand(&window).unwrap();
    assert_eq!(check.occurrences.len(), 7);
    c.bench_function("recurrence/expand/daily_5000_overrides_5000_exdates", |b| {
        b.iter(|| {
            series
                .expand(black_box(&window))
                .map(|e| e.occurrences.len())
        })
    });
}

fn thirty_thousand_events(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let day0 = NaiveDate::from_ymd_opt(2025, 1, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    let mut events = Vec::new();
    for s in 0..100 {
        let start = day0 + chrono::Duration::minutes(5 * s);
        let master = event(&mut rng, format!("Series {s}"), start, Some("FREQ=DAILY"));
        for k in 0..100 {
            let original = start + chrono::Duration::days(3 * k);
            let mut moved = event(
                &mut rng,
                format!("Series {s} moved"),
                original + chrono::Duration::hours(2),
                None,
            );
            moved.series_id = Some(master.id);
            moved.recurrence_id = Some(EventTime::Zoned {
                local: original,
                tz: chrono_tz::Europe::Berlin,
            });
            events.push(moved);
        }
        events.push(master);
    }
    let mut i = 0;
    while events.len() < 30_000 {
        let local = day0 + chrono::Duration::minutes(17 * i);
        events.push(event(&mut rng, format!("Meeting {i}"), local, None));
        i += 1;
    }
    let tz = chrono_tz::Europe::Berlin;
    let from = Utc.with_ymd_and_hms(2025, 6, 2, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2025, 6, 3, 0, 0, 0).unwrap();
    let check = blocked_time(&events, tz, from, to).unwrap();
    assert!(!check.truncated && check.skipped.is_empty());
    assert!(check.entries.len() > 100, "{}", check.entries.len());
    c.bench_function("recurrence/blocked_time/events_30000", |b| {
        b.iter(|| blocked_time(black_box(&events), tz, from, to))
    });
}

criterion_group!(
    benches,
    weekly_year,
    thousand_series,
    many_overrides,
    thirty_thousand_events
);
criterion_main!(benches);
