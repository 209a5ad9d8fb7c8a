//! RRULE parsing plus expansion: no panic, no hang; parse, print and re-parse agree.
#![no_main]

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use lifeos_core::EventTime;
use lifeos_core::recurrence::{RecurrenceRule, Series, Window};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if let Ok(rule) = text.parse::<RecurrenceRule>() {
        let printed = rule.canonical();
        let again: RecurrenceRule = printed.parse().unwrap_or_else(|e| panic!("{printed}: {e}"));
        assert!(again.same_parts(&rule), "{printed}");
        assert_eq!(again.canonical(), printed);
        let reread: RecurrenceRule = rule.as_str().parse().unwrap_or_else(|e| panic!("{rule}: {e}"));
        assert_eq!(reread, rule, "{rule}");
    }
    let local = NaiveDate::from_ymd_opt(2024, 3, 10)
        .and_then(|d| d.and_hms_opt(2, 30, 0))
        .unwrap_or_default();
    let (start, window) = match selector % 4 {
        0 => (
            EventTime::Zoned { local, tz: chrono_tz::America::New_York },
            Window::Instants {
                from: Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
                to: Utc.with_ymd_and_hms(2031, 1, 1, 0, 0, 0).unwrap(),
            },
        ),
        1 => (
            EventTime::Utc(local.and_utc()),
            Window::Instants {
                from: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
                to: Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap(),
            },
        ),
        2 => (
            EventTime::Floating(local),
            Window::Local { from: local, to: local + Duration::days(400) },
        ),
        _ => (
            EventTime::Date(local.date()),
            Window::Local { from: local - Duration::days(30), to: local + Duration::days(3000) },
        ),
    };
    if let Ok(series) = Series::new(start, Some(text)) {
        let _ = series.expand(&window);
        let _ = series.expand_overlapping(&window);
    }
});
