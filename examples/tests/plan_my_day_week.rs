//! `plan_my_day --week`: the demo's fortnight in chunks, kept as it is when planned again a
//! minute later, and moved little by one more task. (`plan_my_day_reproducible.rs` checks
//! that new databases print the same fortnight.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The built example (next to this test's own binary: `cargo test` builds the examples;
/// built here when a narrower command did not).
fn plan_my_day() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = dir
        .join("examples")
        .join(format!("plan_my_day{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "lifeos-examples",
                "--example",
                "plan_my_day",
            ])
            .status()
            .unwrap();
        assert!(status.success(), "building plan_my_day");
    }
    bin
}

fn run(bin: &Path, db: &Path, now: &str, extra: &[&str]) -> String {
    let out = Command::new(bin)
        .arg("--db")
        .arg(db)
        .args(["--now", now, "--week", "--days", "14"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(&db.display().to_string(), "DB")
}

/// The number in `Saved N block change(s)`.
fn saved(stdout: &str) -> usize {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Saved "))
        .unwrap_or_else(|| panic!("no Saved line in\n{stdout}"));
    line.split(' ').nth(1).unwrap().parse().unwrap()
}

#[test]
fn the_week_is_chunked_and_stays_put() {
    let bin = plan_my_day();
    let dir = tempfile::tempdir().unwrap();
    let chunked = ["--max-chunk", "60"];
    let db = dir.path().join("week.db");
    let out = run(&bin, &db, "2026-03-09T13:02:00Z", &chunked);
    assert!(
        out.contains("Plan My Week: Mon 9 Mar to Sun 22 Mar 2026"),
        "{out}"
    );
    // Fourteen days, the weekends free, the 10-hour demo task in ten one-hour parts.
    assert_eq!(out.matches("not a working day").count(), 4, "{out}");
    assert_eq!(
        out.matches("Write the design doc  (part ").count(),
        10,
        "{out}"
    );
    let blocks = saved(&out);
    let listed = out
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains('–'))
        .count();
    assert_eq!(blocks, listed, "{out}");

    // A minute later: every block kept, nothing written.
    let again = run(&bin, &db, "2026-03-09T13:03:00Z", &[]);
    assert_eq!(saved(&again), 0, "{again}");
    assert_eq!(again.matches("[kept]").count(), listed, "{again}");

    // One more task: it is placed and few others move.
    let added = run(
        &bin,
        &db,
        "2026-03-09T13:04:00Z",
        &["--add", "Quick call", "--minutes", "20"],
    );
    assert!(added.contains("Quick call"), "{added}");
    let changed = saved(&added);
    assert!((1..=3).contains(&changed), "{changed} changed\n{added}");
}
