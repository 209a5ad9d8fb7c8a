//! The main job prints the same day, and the same fortnight with `--week`, byte for byte on
//! any new database: the demo's task ids come from a fixed seed (ties between equal plans
//! follow the ids), and nothing printed follows the order of ids added later.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Fresh databases compared (when ids were random, two warnings in id order made 8 runs
/// agree by chance with probability 1/128).
const RUNS: usize = 8;

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

/// What `plan_my_day` prints with `args` on a new database in `dir` named `name` (its path
/// replaced by `DB`, the one thing that differs by design).
fn fresh_run(bin: &Path, dir: &Path, name: &str, args: &[&str]) -> String {
    let db = dir.join(format!("{name}.db"));
    let out = Command::new(bin)
        .arg("--db")
        .arg(&db)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(&db.display().to_string(), "DB")
}

#[test]
fn the_same_week_prints_the_same_bytes_on_every_new_database() {
    let bin = plan_my_day();
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--now",
        "2026-03-09T13:02:00Z",
        "--week",
        "--days",
        "14",
        "--max-chunk",
        "60",
    ];
    let first = fresh_run(&bin, dir.path(), "week-0", &args);
    assert!(first.contains("Write the design doc  (part "), "{first}");
    for run in 1..4 {
        let again = fresh_run(&bin, dir.path(), &format!("week-{run}"), &args);
        assert_eq!(first, again, "run {run} printed another fortnight");
    }
}

#[test]
fn the_same_day_prints_the_same_bytes_on_every_new_database() {
    let bin = plan_my_day();
    let dir = tempfile::tempdir().unwrap();
    let mut first: Option<String> = None;
    for run in 0..RUNS {
        let args = ["--now", "2026-03-09T13:02:00Z"];
        let stdout = fresh_run(&bin, dir.path(), &format!("run-{run}"), &args);
        assert!(
            stdout.contains("Warnings"),
            "run {run}: the demo day has warnings\n{stdout}"
        );
        match &first {
            None => first = Some(stdout),
            Some(first) => assert_eq!(first, &stdout, "run {run} printed another day"),
        }
    }
}
