//! Importing 30,000 calendar events into a SQLite file through the application layer, and
//! planning the day after (issue 13, item 7): two wall-clock figures, printed. Each run
//! uses a fresh file, so the import is a first import (every event created).
//!
//! ```sh
//! cargo bench -p lifeos-benches --bench import_30k            # 30,000 events
//! cargo bench -p lifeos-benches --bench import_30k -- 5000    # another count
//! ```
//!
//! The events are deterministic: 29,700 one-off events spread over ten years and 300
//! weekly series, a third of them in the planned week, in New York time.

#![allow(missing_docs)]
#![allow(clippy::disallowed_methods)] // a bench measures with the real clock

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use lifeos::core::{NewProfile, PreferencesPatch, UserId};
use lifeos::store::{ManualClock, SqliteStore, StoreOptions};
use lifeos::{IcsImportOptions, LifeOs, PlanDayOptions};
use rand_core::SeedableRng;

fn calendar(events: usize) -> String {
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//LifeOS//bench//EN\r\n");
    let first = NaiveDate::from_ymd_opt(2020, 1, 6).unwrap_or_default();
    let series = events / 100;
    for i in 0..events {
        // Spread one-offs over ten years at working hours; series start in early 2026.
        let (day, recurring) = if i < series {
            (2_200 + (i % 7) as u64, true)
        } else {
            ((i * 7919 % 3_650) as u64, false)
        };
        let date = first + chrono::Days::new(day);
        let hour = 8 + (i % 9);
        let minute = (i % 4) * 15;
        let _ = write!(
            ics,
            "BEGIN:VEVENT\r\nUID:bench-{i}@lifeos.invalid\r\nDTSTAMP:20260101T000000Z\r\n\
             DTSTART;TZID=America/New_York:{}T{hour:02}{minute:02}00\r\n\
             DURATION:PT{}M\r\nSUMMARY:Bench event {i}\r\n{}END:VEVENT\r\n",
            date.format("%Y%m%d"),
            15 + (i % 4) * 15,
            if recurring {
                "RRULE:FREQ=WEEKLY;COUNT=200\r\n"
            } else {
                ""
            },
        );
    }
    ics.push_str("END:VCALENDAR\r\n");
    ics
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; the first other argument is the event count.
    let count = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(30_000);
    let dir = std::env::temp_dir().join(format!("lifeos-import-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("import.db");
    let now: DateTime<Utc> = Utc
        .with_ymd_and_hms(2026, 3, 9, 13, 0, 0)
        .single()
        .ok_or("now")?;
    let clock = Arc::new(ManualClock::with_step(now, Duration::zero()));
    let store = Arc::new(
        SqliteStore::open(
            &path,
            StoreOptions::new()
                .clock(clock.clone())
                .rng(rand_chacha::ChaCha20Rng::seed_from_u64(1)),
        )
        .await?,
    );
    let app = LifeOs::builder(store.clone())
        .clock(clock)
        .rng(rand_chacha::ChaCha20Rng::seed_from_u64(2))
        .build();
    let user = UserId::from_uuid(uuid::Uuid::from_u128(
        0x0192_f000_0000_7000_8000_0000_0000_0b1e,
    ));
    app.store()
        .create_profile(
            user,
            NewProfile {
                email: "bench@lifeos.invalid".into(),
                name: None,
                avatar_url: None,
                preferences: PreferencesPatch {
                    timezone: Some("America/New_York".into()),
                    ..PreferencesPatch::default()
                },
            },
        )
        .await?;
    let text = calendar(count);

    let started = Instant::now();
    let report = app
        .import_ics(user, text.as_bytes(), IcsImportOptions::new())
        .await?;
    let import = started.elapsed();
    println!(
        "import of {count} events ({:.1} MB): {:.2} s ({} created, {} skipped)",
        text.len() as f64 / 1e6,
        import.as_secs_f64(),
        report.imported,
        report.skipped
    );

    let started = Instant::now();
    let day = app
        .plan_day(user, None, now, PlanDayOptions::new().dry_run(true))
        .await?;
    let plan = started.elapsed();
    println!(
        "plan of the day after ({} busy blocks in the day's window): {:.1} ms",
        day.request.blocked_time.len(),
        plan.as_secs_f64() * 1e3
    );
    store.close().await;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
