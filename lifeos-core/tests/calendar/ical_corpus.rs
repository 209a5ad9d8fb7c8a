//! The real-world corpus (issue 14): .ics test files of other calendar projects
//! (`tests/data/ical_corpus/`, origins in its `SOURCES.md`), read by the lenient import and
//! checked against what the Python `icalendar` package and `recurring-ical-events` read
//! from the same files (`expected.jsonl`, written by `tools/ical_corpus/gen_expected.py`).

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use lifeos_core::ical::{ImportOptions, Imported, import_lenient};
use lifeos_core::{EventTime, Provider, UserId};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use serde_json::Value;

/// Methods whose events answer an invitation (RFC 5546): they change no event.
const ANSWERS: [&str; 4] = ["REPLY", "COUNTER", "REFRESH", "DECLINECOUNTER"];

/// The share of events with a start, outside iTIP answers, that must be imported.
const MIN_SHARE: f64 = 0.98;

pub(super) fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ical_corpus")
}

/// One file of the corpus and what the Python implementations read from it.
pub(super) struct Record {
    pub(super) file: String,
    pub(super) bytes: u64,
    pub(super) expected: Value,
}

pub(super) fn records() -> (Value, Vec<Record>) {
    let text = std::fs::read_to_string(corpus_dir().join("expected.jsonl")).unwrap();
    let mut lines = text.lines();
    let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let records = lines
        .map(|line| {
            let expected: Value = serde_json::from_str(line).unwrap();
            Record {
                file: expected["file"].as_str().unwrap().to_string(),
                bytes: expected["bytes"].as_u64().unwrap(),
                expected,
            }
        })
        .collect();
    (header, records)
}

/// Imports a file as the `lifeos` crate reads it (invalid UTF-8 replaced by U+FFFD), inside
/// a `VCALENDAR` when `wrap` (a file of bare components, which LifeOS refuses as it is).
pub(super) fn import_file(
    bytes: &[u8],
    wrap: bool,
) -> std::thread::Result<Result<Imported, lifeos_core::Error>> {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    if wrap {
        text = format!(
            "BEGIN:VCALENDAR\r\n{}\r\nEND:VCALENDAR\r\n",
            text.trim_end()
        );
    }
    let now = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let options = ImportOptions::new(UserId::generate(now, &mut rng), Provider::Ics, now);
    catch_unwind(AssertUnwindSafe(|| {
        import_lenient(&text, &options, &mut rng)
    }))
}

/// A RECURRENCE-ID as the generator writes it: an instant with `Z` when it has a zone,
/// else the local date or date-time.
fn recurrence_key(t: &EventTime) -> String {
    match t {
        EventTime::Date(d) => d.format("%Y%m%d").to_string(),
        EventTime::Floating(t) => t.format("%Y%m%dT%H%M%S").to_string(),
        EventTime::Zoned { .. } | EventTime::Utc(_) => {
            t.to_utc(Tz::UTC).format("%Y%m%dT%H%M%SZ").to_string()
        }
    }
}

/// What became of one VEVENT that `icalendar` reads.
#[derive(Debug, Clone, PartialEq)]
enum Fate {
    Imported,
    Cancellation,
    Skipped(String),
    Missing,
}

/// What LifeOS did with a file's VEVENTs, to be matched with `icalendar`'s list.
struct Outcome {
    imported: Vec<(Option<String>, Option<String>, bool)>,
    cancellations: Vec<(String, Option<String>, bool)>,
    skipped: Vec<(Option<String>, String, bool)>,
}

impl Outcome {
    fn of(read: &Imported) -> Outcome {
        Outcome {
            imported: read
                .events
                .iter()
                .map(|e| {
                    (
                        e.external_id.clone(),
                        e.recurrence_id.as_ref().map(recurrence_key),
                        false,
                    )
                })
                .collect(),
            cancellations: read
                .cancellations
                .iter()
                .map(|c| {
                    (
                        c.uid.clone(),
                        c.recurrence_id.as_ref().map(recurrence_key),
                        false,
                    )
                })
                .collect(),
            skipped: read
                .skipped
                .iter()
                .map(|s| (s.uid.clone(), s.message.clone(), false))
                .collect(),
        }
    }

    /// Matches one VEVENT by UID and RECURRENCE-ID, else by UID alone (a RECURRENCE-ID the
    /// two read in different zones), in document order, looking first where its calendar's
    /// METHOD sends it; each LifeOS record is used once.
    fn take(&mut self, uid: Option<&str>, rid: Option<&str>, method: &str) -> Fate {
        let found = if ANSWERS.contains(&method) {
            self.skipped(uid)
        } else if method == "CANCEL" {
            self.cancellation(uid, Some(rid))
                .or_else(|| self.cancellation(uid, None))
                .or_else(|| self.skipped(uid))
        } else {
            self.imported(uid, Some(rid))
                .or_else(|| self.skipped(uid))
                .or_else(|| self.imported(uid, None))
        };
        found
            .or_else(|| self.skipped(uid))
            .or_else(|| self.imported(uid, None))
            .or_else(|| self.cancellation(uid, None))
            .unwrap_or(Fate::Missing)
    }

    /// An unused imported event with this UID (and RECURRENCE-ID, when `rid` is given).
    fn imported(&mut self, uid: Option<&str>, rid: Option<Option<&str>>) -> Option<Fate> {
        let e = self.imported.iter_mut().find(|(u, r, used)| {
            !*used && u.as_deref() == uid && rid.is_none_or(|rid| r.as_deref() == rid)
        })?;
        e.2 = true;
        Some(Fate::Imported)
    }

    /// An unused cancellation with this UID (and RECURRENCE-ID, when `rid` is given).
    fn cancellation(&mut self, uid: Option<&str>, rid: Option<Option<&str>>) -> Option<Fate> {
        let c = self.cancellations.iter_mut().find(|(u, r, used)| {
            !*used && uid == Some(u.as_str()) && rid.is_none_or(|rid| r.as_deref() == rid)
        })?;
        c.2 = true;
        Some(Fate::Cancellation)
    }

    /// An unused skipped event with this UID.
    fn skipped(&mut self, uid: Option<&str>) -> Option<Fate> {
        let s = self
            .skipped
            .iter_mut()
            .find(|(u, _, used)| !*used && u.as_deref() == uid)?;
        s.2 = true;
        Some(Fate::Skipped(s.1.clone()))
    }

    fn unmatched(&self) -> usize {
        self.imported.iter().filter(|r| !r.2).count()
            + self.cancellations.iter().filter(|r| !r.2).count()
            + self.skipped.iter().filter(|r| !r.2).count()
    }
}

/// A skip reason without its line numbers and quoted values, to group alike reasons.
fn reason_group(message: &str) -> String {
    let mut out = String::new();
    let mut in_digits = false;
    for ch in message.chars() {
        if ch.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(ch);
        }
    }
    out.chars().take(120).collect()
}

#[test]
fn corpus_data_matches_the_pinned_zone_release() {
    let (header, records) = records();
    assert_eq!(
        header["tzdb"].as_str().unwrap(),
        chrono_tz::IANA_TZDB_VERSION
    );
    // Every file of the corpus has its expected record, and the other way round.
    let mut on_disk = Vec::new();
    for sub in std::fs::read_dir(corpus_dir()).unwrap() {
        let sub = sub.unwrap().path();
        if sub.is_dir() {
            for f in std::fs::read_dir(&sub).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "ics") {
                    let rel = f.strip_prefix(corpus_dir()).unwrap();
                    on_disk.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    on_disk.sort();
    let listed: Vec<_> = records.iter().map(|r| r.file.clone()).collect();
    assert_eq!(on_disk, listed, "regenerate expected.jsonl");
    let sources = std::fs::read_to_string(corpus_dir().join("SOURCES.md")).unwrap();
    for file in &listed {
        let name = file.rsplit('/').next().unwrap();
        assert!(
            sources.contains(&format!("`{name}`")),
            "{file} has no origin in SOURCES.md"
        );
    }
}

/// What LifeOS made of the corpus, measured against `icalendar`.
#[derive(Default)]
struct Survey {
    files: usize,
    bytes: u64,
    time: Duration,
    slowest: (f64, String),
    vevents: usize,
    eligible: usize,
    eligible_imported: usize,
    reasons: BTreeMap<String, usize>,
    not_imported: Vec<String>,
    failures: Vec<String>,
    lifeos_only: usize,
    icalendar_refused: usize,
    bare_files: usize,
}

impl Survey {
    fn share(&self) -> f64 {
        self.eligible_imported as f64 / self.eligible.max(1) as f64
    }

    fn megabytes(&self) -> f64 {
        self.bytes as f64 / 1e6
    }

    fn print(&self) {
        println!(
            "corpus: {} files, {:.3} MB, {} VEVENTs read by icalendar ({} files it refuses; \
             {} files of bare components refused by LifeOS, read inside a VCALENDAR), \
             {} more VEVENTs read only by LifeOS",
            self.files,
            self.megabytes(),
            self.vevents,
            self.icalendar_refused,
            self.bare_files,
            self.lifeos_only
        );
        println!(
            "imported {} of {} events with a start outside iTIP answers: {:.2}%",
            self.eligible_imported,
            self.eligible,
            self.share() * 100.0
        );
        println!(
            "time: {:.1} ms in all, {:.3} s per MB; slowest file {:.3} s per MB ({})",
            self.time.as_secs_f64() * 1e3,
            self.time.as_secs_f64() / self.megabytes(),
            self.slowest.0,
            self.slowest.1
        );
        println!("skipped, by reason:");
        for (reason, n) in &self.reasons {
            println!("  {n:4}  {reason}");
        }
        println!("not imported:");
        for line in &self.not_imported {
            println!("  {line}");
        }
    }
}

/// Imports every file of the corpus and matches what LifeOS read with `icalendar`'s list.
#[allow(clippy::disallowed_methods)] // the import's wall-clock time is measured
fn survey() -> Survey {
    let (_, records) = records();
    let mut s = Survey {
        files: records.len(),
        ..Survey::default()
    };
    for record in &records {
        let bytes = std::fs::read(corpus_dir().join(&record.file)).unwrap();
        assert_eq!(bytes.len() as u64, record.bytes, "{} changed", record.file);
        s.bytes += record.bytes;
        let bare = record.expected["vcalendar"] == Value::Bool(false);
        if bare {
            // Not a calendar to icalendar. Text with no VCALENDAR at all is refused with
            // an error (issue 14, API.md); a VCALENDAR cut short (never closed) is read
            // leniently, its repair a warning. Either way it is read below as the VEVENTs
            // of one.
            let opened = String::from_utf8_lossy(&bytes)
                .to_ascii_uppercase()
                .contains("BEGIN:VCALENDAR");
            match (import_file(&bytes, false), opened) {
                (Ok(Err(_)), false) => s.bare_files += 1,
                (Ok(Ok(read)), true) if !read.warnings.is_empty() => s.bare_files += 1,
                (Ok(Ok(_)), false) => s
                    .failures
                    .push(format!("{}: no VCALENDAR, yet read", record.file)),
                (Ok(Ok(_)), true) => s.failures.push(format!(
                    "{}: a VCALENDAR icalendar cannot close, read without a warning",
                    record.file
                )),
                (Ok(Err(e)), true) => s.failures.push(format!(
                    "{}: a VCALENDAR cut short is refused: {e}",
                    record.file
                )),
                (Err(_), _) => s
                    .failures
                    .push(format!("{}: the import panicked", record.file)),
            }
        }
        // The fastest of three runs: what the import costs, without the other tests and
        // builds that share the machine.
        let started = Instant::now();
        let result = import_file(&bytes, bare);
        let mut took = started.elapsed();
        for _ in 0..2 {
            let again = Instant::now();
            let _ = import_file(&bytes, bare);
            took = took.min(again.elapsed());
        }
        s.time += took;
        let per_mb = took.as_secs_f64() / (record.bytes.max(1) as f64 / 1e6);
        if per_mb > s.slowest.0 {
            s.slowest = (per_mb, record.file.clone());
        }
        let Ok(result) = result else {
            s.failures
                .push(format!("{}: the import panicked", record.file));
            continue;
        };
        let Some(expected) = record.expected["vevents"].as_array() else {
            // icalendar cannot read the file at all: only "no panic" is asked of LifeOS.
            s.icalendar_refused += 1;
            continue;
        };
        let mut outcome = match &result {
            Ok(read) => Some(Outcome::of(read)),
            Err(e) => {
                if !expected.is_empty() {
                    *s.reasons
                        .entry(format!("file refused: {}", reason_group(&e.to_string())))
                        .or_default() += expected.len();
                }
                None
            }
        };
        for v in expected {
            s.vevents += 1;
            let uid = v["uid"].as_str();
            let rid = v["recurrence_id"].as_str();
            let method = v["method"].as_str().unwrap_or("");
            let fate = match &mut outcome {
                Some(o) => o.take(uid, rid, method),
                None => Fate::Skipped("file refused".into()),
            };
            match &fate {
                Fate::Missing => s.failures.push(format!(
                    "{}: VEVENT UID {uid:?} RECURRENCE-ID {rid:?} neither imported nor skipped",
                    record.file
                )),
                Fate::Skipped(reason) if outcome.is_some() => {
                    *s.reasons.entry(reason_group(reason)).or_default() += 1;
                }
                _ => {}
            }
            if v["has_start"].as_bool().unwrap() && !ANSWERS.contains(&method) {
                s.eligible += 1;
                if matches!(fate, Fate::Imported | Fate::Cancellation) {
                    s.eligible_imported += 1;
                } else {
                    s.not_imported
                        .push(format!("{} UID {uid:?}: {fate:?}", record.file));
                }
            }
        }
        s.lifeos_only += outcome.as_ref().map_or(0, Outcome::unmatched);
    }
    s
}

#[test]
fn every_event_icalendar_reads_is_imported_or_skipped_with_a_reason() {
    let s = survey();
    s.print();
    assert!(s.files >= 100, "only {} files", s.files);
    assert!(s.failures.is_empty(), "{}", s.failures.join("\n"));
    // A second per MB (a debug build takes about a seventh of it, a release build a thirtieth),
    // asked of the corpus as a whole: a small file's time is mostly fixed costs.
    assert!(
        s.time.as_secs_f64() <= s.megabytes().max(0.1),
        "{:.3} s for {:.3} MB",
        s.time.as_secs_f64(),
        s.megabytes()
    );
}

/// Issue 14's bar: at least 98% of the events with a start, outside iTIP answers, are
/// imported.
#[test]
fn at_least_98_percent_of_the_events_with_a_start_are_imported() {
    let s = survey();
    s.print();
    assert!(
        s.share() >= MIN_SHARE,
        "only {:.2}% imported:\n{}",
        s.share() * 100.0,
        s.not_imported.join("\n")
    );
}
