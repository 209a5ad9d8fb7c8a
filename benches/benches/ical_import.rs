//! iCalendar import benchmarks (issue 14): files whose `TZID`s name no zone, so each
//! `VTIMEZONE` definition is matched against the IANA zones.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]
#![allow(clippy::disallowed_methods)] // a bench measures with the real clock
//!
//! - `ical/import/khal_part1`: khal's `part1.ics` (1.9 KB, five custom `VTIMEZONE`s such
//!   as `Europe_Amsterdam`, two events with `RDATE`s in them).
//! - `ical/import/khal_lots_of_timezones`: khal's `cal_lots_of_timezones.ics` (2.6 KB).
//!
//! Each prints its time per MB, the figure issue 14 bounds (a second per MB).
//!
//! ```sh
//! cargo bench -p lifeos-benches --bench ical_import
//! ```

use std::hint::black_box;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use lifeos_core::ical::{ImportOptions, import_lenient};
use lifeos_core::{Provider, UserId};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

const KHAL_PART1: &str = include_str!("../../lifeos-core/tests/data/ical_corpus/khal/part1.ics");
const KHAL_LOTS: &str =
    include_str!("../../lifeos-core/tests/data/ical_corpus/khal/cal_lots_of_timezones.ics");

fn import_file(c: &mut Criterion, name: &str, text: &str, events: usize) {
    let now = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let options = ImportOptions::new(UserId::generate(now, &mut rng), Provider::Ics, now);
    let read = import_lenient(text, &options, &mut rng).unwrap();
    assert_eq!(read.events.len(), events, "{name}");
    assert!(read.skipped.is_empty(), "{name}: {:?}", read.skipped);
    c.bench_function(&format!("ical/import/{name}"), |b| {
        b.iter(|| black_box(import_lenient(black_box(text), &options, &mut rng).unwrap()))
    });
    // The figure issue 14 names: seconds per MB (the best of 20 runs).
    let best = (0..20)
        .map(|_| {
            let started = Instant::now();
            black_box(import_lenient(text, &options, &mut rng).unwrap());
            started.elapsed()
        })
        .min()
        .unwrap_or_default();
    println!(
        "ical/import/{name}: {:.4} s per MB ({} bytes)",
        best.as_secs_f64() / (text.len() as f64 / 1e6),
        text.len()
    );
}

fn benches(c: &mut Criterion) {
    import_file(c, "khal_part1", KHAL_PART1, 2);
    import_file(c, "khal_lots_of_timezones", KHAL_LOTS, 3);
}

criterion_group!(ical, benches);
criterion_main!(ical);
