//! Import bounds (issue 13, item 7): a file, a line, a text and an event count each have a
//! limit with a clear error; an oversized line or text skips only its event.

use chrono::{DateTime, TimeZone, Utc};
use lifeos_core::ical::{
    ImportOptions, MAX_EVENTS, MAX_FILE_BYTES, MAX_LINE_BYTES, MAX_TEXT_BYTES, import_lenient,
};
use lifeos_core::{Error, Provider, UserId};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()
}

fn read(text: &str) -> Result<lifeos_core::ical::Imported, Error> {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let opts = ImportOptions::new(UserId::generate(now(), &mut rng), Provider::Ics, now());
    import_lenient(text, &opts, &mut rng)
}

fn event(uid: &str, extra: &str) -> String {
    format!("BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:20250310T090000Z\r\n{extra}END:VEVENT\r\n")
}

fn calendar(events: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n")
}

#[test]
fn a_file_over_the_size_bound_is_refused_before_it_is_read() {
    let filler = "X-PAD:".to_string() + &"a".repeat(1000) + "\r\n";
    let mut text = calendar(&event("a@x", ""));
    while text.len() <= MAX_FILE_BYTES {
        text.insert_str(text.len() - "END:VCALENDAR\r\n".len(), &filler);
    }
    let e = read(&text).unwrap_err();
    assert!(e.to_string().contains("larger than 50 MiB"), "{e}");
}

#[test]
fn an_oversized_line_or_text_skips_only_its_event() {
    let long_line = format!("DESCRIPTION:{}\r\n", "d".repeat(MAX_LINE_BYTES));
    let long_text = format!("SUMMARY:{}\r\n", "s".repeat(MAX_TEXT_BYTES + 1));
    let unused_long = format!("X-UNUSED:{}\r\n", "u".repeat(MAX_LINE_BYTES));
    let text = calendar(
        &(event("line@x", &long_line)
            + &event("text@x", &long_text)
            + &event("kept@x", &unused_long)),
    );
    let imported = read(&text).unwrap();
    let kept: Vec<_> = imported
        .events
        .iter()
        .map(|e| e.external_id.clone().unwrap())
        .collect();
    assert_eq!(kept, ["kept@x"]);
    let skipped: Vec<_> = imported
        .skipped
        .iter()
        .map(|s| (s.uid.clone().unwrap(), s.line, s.message.clone()))
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!((skipped[0].0.as_str(), skipped[0].1), ("line@x", 6));
    assert!(
        skipped[0].2.contains("longer than 1 MiB"),
        "{}",
        skipped[0].2
    );
    assert_eq!((skipped[1].0.as_str(), skipped[1].1), ("text@x", 11));
    assert!(
        skipped[1].2.contains("longer than 64 KiB"),
        "{}",
        skipped[1].2
    );
    // The unused property's line is skipped with a warning.
    assert_eq!(imported.warnings.len(), 1);
    assert_eq!(imported.warnings[0].line, 16);
}

#[test]
fn more_events_than_the_bound_is_an_error() {
    let one = event("u@x", "");
    let text = calendar(&one.repeat(MAX_EVENTS + 1));
    let e = read(&text).unwrap_err();
    assert!(e.to_string().contains("more than 100000 events"), "{e}");
}
