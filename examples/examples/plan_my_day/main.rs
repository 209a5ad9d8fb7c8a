//! Plan My Day on the embedded SQLite default: the README's main job.
//!
//! ```sh
//! cargo run --example plan_my_day                       # ./lifeos.db, planned at the clock's now
//! cargo run --example plan_my_day -- --db /tmp/me.db --now 2026-03-09T13:30:00Z
//! cargo run --example plan_my_day -- --import work.ics
//! cargo run --example plan_my_day -- --add "Call the bank" --priority 2 --minutes 20 --due 2026-03-09T21:00:00Z
//! ```
//!
//! Opens (creating if needed) a SQLite file, seeds a realistic demo week on first run, imports
//! `.ics` files and adds tasks when asked, plans today in the user's zone, saves the scheduled
//! times (each with its `task.scheduled` event, in one transaction) and prints the timeline.

mod demo;
mod timeline;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use clap::Parser;
use lifeos::core::{NewTask, UserId};
use lifeos::store::{ManualClock, SqliteStore, StoreOptions};
use lifeos::{IcsImportOptions, ImportReport, LifeOs, PlanDayOptions};
use rand_core::SeedableRng;

/// The one local user of the demo database.
const DEMO_USER: uuid::Uuid = uuid::uuid!("0192f000-0000-7000-8000-00000000d1a7");

#[derive(Debug, Parser)]
#[command(about = "Plan today around your meetings, and show why.")]
struct Args {
    /// SQLite database file (created if missing).
    #[arg(long, default_value = "./lifeos.db")]
    db: PathBuf,
    /// Plan as if it were this instant (RFC 3339); default: the clock.
    #[arg(long)]
    now: Option<DateTime<Utc>>,
    /// Import the events of an iCalendar file before planning (repeatable).
    #[arg(long, value_name = "FILE.ics")]
    import: Vec<PathBuf>,
    /// Add a task with this title before planning.
    #[arg(long, value_name = "TITLE")]
    add: Option<String>,
    /// Priority of the added task, 0 (lowest) to 3.
    #[arg(long, requires = "add", default_value_t = 1)]
    priority: i64,
    /// Estimated minutes of the added task, 1 to 1440.
    #[arg(long, requires = "add")]
    minutes: Option<i64>,
    /// Due instant of the added task (RFC 3339).
    #[arg(long, requires = "add")]
    due: Option<DateTime<Utc>>,
    /// The demo user's IANA zone, used when the database is first created.
    #[arg(long, default_value = "America/New_York")]
    tz: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lifeos_examples::Report> {
    let args = Args::parse();
    // The example is where the real clock enters: the library only ever receives `now`.
    #[allow(clippy::disallowed_methods)]
    let now = args.now.unwrap_or_else(Utc::now);
    let clock = Arc::new(ManualClock::with_step(now, Duration::zero()));
    let options = StoreOptions::new()
        .clock(clock.clone())
        .rng(rand_chacha::ChaCha20Rng::from_os_rng());
    let store = Arc::new(SqliteStore::open(&args.db, options).await?);
    let app = LifeOs::builder(store.clone())
        .clock(clock)
        .rng(rand_chacha::ChaCha20Rng::from_os_rng())
        .build();
    let user = UserId::from_uuid(DEMO_USER);

    // Runs on one file take turns from here to the saved plan: the store never saves a
    // plan over data that changed since it was read (it would replan, then give up after
    // three tries), and taking turns lets every one of many runs started together
    // succeed. A lock file beside the database (SQLite's own locks are held only per
    // transaction); the operating system releases it when the process ends.
    let turn = take_turn(&args.db)?;

    match app.store().get_profile(user).await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => {
            // Another run starting at the same moment may seed first: then this one
            // plans what it seeded.
            if let Some(profile) = demo::seed(&app, user, &args.tz, now).await? {
                println!(
                    "Seeded a demo week in {} for {}.",
                    args.db.display(),
                    profile.preferences.timezone
                );
            }
        }
        Err(e) => return Err(e.into()),
    }

    for path in &args.import {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let report = app
            .import_ics(user, bytes, IcsImportOptions::new())
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        print_import(path, &report);
    }

    if let Some(title) = &args.add {
        let new = NewTask {
            priority: args.priority,
            estimated_minutes: args.minutes,
            due_date: args.due,
            ..NewTask::titled(title.as_str())
        };
        let task = app.add_task(user, new).await?;
        println!("Added \"{}\".", task.title);
    }

    let day = app.plan_day(user, None, now, PlanDayOptions::new()).await?;
    drop(turn);

    let mut out = std::io::stdout().lock();
    timeline::print(
        &mut out,
        &timeline::Day {
            today: day.date,
            now,
            tz: day.timezone,
            working_day: day.working_day,
            truncated: day.truncated,
            request: &day.request,
            plan: &day.response,
            tasks: &day.tasks,
        },
    )?;
    for unreadable in &day.unreadable_events {
        println!("Warning: {}", unreadable.warning());
    }
    for skipped in &day.skipped_events {
        println!("Warning: {}", skipped.warning());
    }
    println!(
        "Saved {} schedule change(s) to {}.",
        day.changes.len(),
        args.db.display()
    );
    store.close().await;
    Ok(())
}

/// This run's turn on the database at `db`: an exclusive lock on `<db>.lock`, waited for.
fn take_turn(db: &Path) -> Result<std::fs::File, lifeos_examples::Report> {
    let mut path = db.as_os_str().to_owned();
    path.push(".lock");
    let path = PathBuf::from(path);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    file.lock()
        .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    Ok(file)
}

/// `line N: `, or nothing for a problem tied to no line (a whole event).
fn line_of(problem: &lifeos::ImportProblem) -> String {
    if problem.line == 0 {
        String::new()
    } else {
        format!("line {}: ", problem.line)
    }
}

/// `Imported N events from PATH.`, then what was skipped and why, one line each.
fn print_import(path: &Path, report: &ImportReport) {
    let events = |n: usize| {
        if n == 1 {
            "1 event".to_owned()
        } else {
            format!("{n} events")
        }
    };
    println!(
        "Imported {} from {}.",
        events(report.written()),
        path.display()
    );
    if report.skipped > 0 {
        println!("Skipped {}:", events(report.skipped));
        for problem in &report.errors {
            println!("  {}{}", line_of(problem), problem.message);
        }
    }
    for warning in &report.warnings {
        println!("Warning, {}{}", line_of(warning), warning.message);
    }
}
