//! Recurrence expansion benchmarks (issue 3).
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]
//!
//! - `recurrence/expand/weekly_5_byday_year`: one year of a weekly series with five BYDAY.
//! - `recurrence/expand/1000_series_7_days`: the 1,000 generated series of
//!   `benches/data/series_1000.jsonl` (tools/recurrence/gen_cases.py, seed 42) expanded into
//!   one 7-day window. Compare with `tools/recurrence/time_dateutil.py` on the same file.

use std::hint::black_box;

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use lifeos_core::EventTime;
use lifeos_core::recurrence::{Series, Window, parse_case_json};

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

criterion_group!(benches, weekly_year, thousand_series);
criterion_main!(benches);
