//! `plan_my_day` as a process. Ten started together on one new database file, round after
//! round: every run succeeds, the demo is seeded once, and no two saved task slots
//! overlap (pinned tasks aside). And `--import` of a file with unreadable events: it
//! exits 0 and says what was skipped, one line per reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use lifeos::core::UserId;
use lifeos::store::prelude::*;
use lifeos::store::{SqliteStore, StoreOptions, TaskQuery};

/// The demo user of `plan_my_day`.
const DEMO_USER: uuid::Uuid = uuid::uuid!("0192f000-0000-7000-8000-00000000d1a7");
const PROCESSES: usize = 10;
const ROUNDS: usize = 4;

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

#[test]
fn ten_processes_on_one_new_file_all_succeed_seed_once_and_never_overlap() {
    let bin = plan_my_day();
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for round in 0..ROUNDS {
        let db = dir.path().join(format!("round-{round}.db"));
        let children: Vec<_> = (0..PROCESSES)
            .map(|i| {
                Command::new(&bin)
                    .arg("--db")
                    .arg(&db)
                    .args(["--now", "2026-03-09T13:02:00Z"])
                    .args(["--add", &format!("Errand {i}"), "--minutes", "20"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let mut seeded = 0;
        for (i, out) in outputs.iter().enumerate() {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "round {round}, process {i}: {}\n{stdout}",
                String::from_utf8_lossy(&out.stderr)
            );
            seeded += usize::from(stdout.starts_with("Seeded a demo week"));
        }
        assert_eq!(seeded, 1, "round {round}: the demo is seeded exactly once");

        rt.block_on(async {
            let store = SqliteStore::open(&db, StoreOptions::new()).await.unwrap();
            let me = UserId::from_uuid(DEMO_USER);
            let tasks = store.list_all_tasks(me, &TaskQuery::new()).await.unwrap();
            let count = |title: &str| tasks.iter().filter(|t| t.title == title).count();
            assert_eq!(count("Write Q3 report"), 1, "round {round}: one demo");
            for i in 0..PROCESSES {
                assert_eq!(count(&format!("Errand {i}")), 1, "round {round}");
            }
            let mut slots: Vec<_> = tasks
                .iter()
                .filter(|t| t.pinned_start.is_none() && t.deleted_at.is_none())
                .filter_map(|t| Some((t.scheduled_start?, t.scheduled_end?, t.title.clone())))
                .collect();
            slots.sort();
            assert!(!slots.is_empty());
            for pair in slots.windows(2) {
                assert!(pair[0].1 <= pair[1].0, "round {round}: overlap {pair:?}");
            }
            store.close().await;
        });
    }
}

#[test]
fn an_import_with_skipped_events_exits_0_and_lists_them_per_reason() {
    let bin = plan_my_day();
    let dir = tempfile::tempdir().unwrap();
    let ics = dir.path().join("mixed.ics");
    let lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "BEGIN:VEVENT",
        "UID:ok@x",
        "SUMMARY:Dentist",
        "DTSTART:20260309T150000Z",
        "DTEND:20260309T160000Z",
        "END:VEVENT",
        "BEGIN:VEVENT", // line 9
        "UID:a@x",
        "SUMMARY:No start",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:b@x",
        "DTSTART:2026-03-09", // line 15
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:c@x",
        "DTSTART:tomorrow", // line 19
        "END:VEVENT",
        "BEGIN:VEVENT", // line 21
        "UID:d@x",
        "END:VEVENT",
        "END:VCALENDAR",
        "BEGIN:VCALENDAR",
        "METHOD:REPLY",
        "BEGIN:VEVENT", // line 27
        "UID:r@x",
        "DTSTART:20260309T150000Z",
        "END:VEVENT",
        "END:VCALENDAR",
    ];
    std::fs::write(&ics, lines.join("\r\n") + "\r\n").unwrap();
    let out = Command::new(&bin)
        .arg("--db")
        .arg(dir.path().join("me.db"))
        .args(["--now", "2026-03-09T13:02:00Z", "--import"])
        .arg(&ics)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = format!(
        "Imported 1 event from {}.\n\
         Skipped 5 events:\n\
         \x20 VEVENT without DTSTART: 2 events (lines 9, 21)\n\
         \x20 DTSTART: \"…\" is not a date or date-time: 2 events (lines 15, 19)\n\
         \x20 METHOD:REPLY answers an invitation and changes no event: 1 event (line 27)\n",
        ics.display()
    );
    assert!(stdout.contains(&expected), "{stdout}");
    // The imported event is planned around.
    assert!(stdout.contains("Dentist"), "{stdout}");
}
