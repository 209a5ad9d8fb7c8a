//! Plan My Day on the embedded SQLite default: the README's main job.
//!
//! ```sh
//! cargo run --example plan_my_day                       # ./lifeos.db, planned at the clock's now
//! cargo run --example plan_my_day -- --db /tmp/me.db --now 2026-03-09T13:30:00Z
//! cargo run --example plan_my_day -- --import work.ics
//! cargo run --example plan_my_day -- --add "Call the bank" --priority 2 --minutes 20 --due 2026-03-09T21:00:00Z
//! cargo run --example plan_my_day -- --week --days 14 --max-chunk 60   # Plan My Week
//! ```
//!
//! Opens (creating if needed) a SQLite file, seeds a realistic demo week on first run, imports
//! `.ics` files and adds tasks when asked, plans today in the user's zone, saves the scheduled
//! times (each with its `task.scheduled` event, in one transaction) and prints the timeline.
//! With `--week`, plans the next days instead (tasks in chunks, the stored blocks kept where
//! they still fit) and prints them day by day.

mod demo;
mod demo_ids;
mod skipped;
mod timeline;
mod week_view;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use clap::Parser;
use lifeos::core::{NewTask, UserId};
use lifeos::store::{ManualClock, SqliteStore, StoreOptions};
use lifeos::{IcsImportOptions, ImportReport, LifeOs, PlanDayOptions, PlanWeekOptions};
use lifeos_examples::printable;
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
    #[arg(
        long,
        requires = "add",
        default_value_t = 1,
        allow_negative_numbers = true
    )]
    priority: i64,
    /// Estimated minutes of the added task, 1 to 1440 (up to 20,160 with --max-chunk).
    #[arg(long, requires = "add", allow_negative_numbers = true)]
    minutes: Option<i64>,
    /// Plan the next days (see --days) instead of today, and print them day by day.
    #[arg(long)]
    week: bool,
    /// Days planned with --week, 1 to 14.
    #[arg(long, requires = "week", default_value_t = 7)]
    days: u8,
    /// Longest sitting in minutes for the added task and, on first run, the demo's tasks
    /// (longer ones are planned in chunks; the demo then adds a 10-hour task too).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    max_chunk: Option<i64>,
    /// Due instant of the added task (RFC 3339).
    #[arg(long, requires = "add")]
    due: Option<DateTime<Utc>>,
    /// The demo user's IANA zone, used when the database is first created.
    /// (Default: America/New_York.)
    #[arg(long)]
    tz: Option<String>,
    /// After planning, write all your data (the GDPR export document, JSON) to this file.
    #[arg(long, value_name = "PATH")]
    export: Option<PathBuf>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lifeos_examples::Report> {
    let args = Args::parse();
    // The example is where the real clock enters: the library only ever receives `now`.
    #[allow(clippy::disallowed_methods)]
    let now = args.now.unwrap_or_else(Utc::now);
    // The store keeps instants as i64 nanoseconds (1677-09-22..2262-04-11); the demo week
    // and the plan reach a few days either side of `now`.
    let (earliest, latest) = (
        DateTime::parse_from_rfc3339("1678-01-01T00:00:00Z").map(|t| t.to_utc()),
        DateTime::parse_from_rfc3339("2262-01-01T00:00:00Z").map(|t| t.to_utc()),
    );
    if let (Ok(earliest), Ok(latest)) = (earliest, latest)
        && !(earliest..latest).contains(&now)
    {
        return Err(format!(
            "--now {}: must be between 1678-01-01 and 2262-01-01, the instants LifeOS stores",
            now.to_rfc3339()
        )
        .into());
    }
    let clock = Arc::new(ManualClock::with_step(now, Duration::zero()));
    let ids = demo_ids::DemoIds::from_os();
    let options = StoreOptions::new().clock(clock.clone()).rng(ids.clone());
    let store = Arc::new(SqliteStore::open(&args.db, options).await.map_err(|e| {
        // The store's error and its causes (sqlx's reason), after the file's name.
        let mut message = format!("{}: {e}", args.db.display());
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            message.push_str(&format!(": {c}"));
            cause = c.source();
        }
        message
    })?);
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
        Ok(profile) => {
            if let Some(tz) = &args.tz
                && *tz != profile.preferences.timezone.name()
            {
                println!(
                    "Note: --tz {} is used only when a database is created; {} plans in {}.",
                    printable(tz),
                    args.db.display(),
                    profile.preferences.timezone
                );
            }
        }
        Err(e) if e.is_not_found() => {
            // Another run starting at the same moment may seed first: then this one
            // plans what it seeded.
            let tz = args.tz.as_deref().unwrap_or("America/New_York");
            // The demo's ids from a fixed seed: the same `--now` prints the same plan on
            // every new database.
            let seeded = ids
                .fixed_while(demo::seed(&app, user, tz, now, args.max_chunk))
                .await?;
            if let Some(profile) = seeded {
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
        let bytes = read_bounded(path)?;
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
            max_chunk_minutes: args.max_chunk,
            due_date: args.due,
            ..NewTask::titled(title.as_str())
        };
        let task = app.add_task(user, new).await?;
        println!("Added \"{}\".", printable(&task.title));
    }

    if args.week {
        let options = PlanWeekOptions::new().horizon_days(args.days);
        let week = app.plan_week(user, None, now, options).await?;
        drop(turn);
        if let Some(path) = &args.export {
            let document = app.export(user).await?;
            write_export(path, &document)?;
        }
        let printed = (|| -> std::io::Result<()> {
            let mut out = std::io::stdout().lock();
            week_view::print(&mut out, &week)?;
            writeln!(out)?;
            writeln!(
                out,
                "Saved {} block change(s) to {}.",
                week.changed_blocks(),
                args.db.display()
            )?;
            out.flush()
        })();
        store.close().await;
        return match printed {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => Ok(other?),
        };
    }

    let day = app.plan_day(user, None, now, PlanDayOptions::new()).await?;
    drop(turn);

    if let Some(path) = &args.export {
        let document = app.export(user).await?;
        write_export(path, &document)?;
    }

    // The plan is saved; a reader that stops early (`| head`) closes the pipe, which is
    // not an error of ours: stop printing quietly.
    let printed = (|| -> std::io::Result<()> {
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
            writeln!(out, "Warning: {}", printable(&unreadable.warning()))?;
        }
        for skipped in &day.skipped_events {
            writeln!(out, "Warning: {}", printable(&skipped.warning()))?;
        }
        for cut in &day.truncated_events {
            writeln!(out, "Warning: {}", printable(&cut.warning()))?;
        }
        writeln!(
            out,
            "Saved {} schedule change(s) to {}.",
            day.changes.len(),
            args.db.display()
        )?;
        if let Some(path) = &args.export {
            writeln!(out, "Exported your data to {}.", path.display())?;
        }
        out.flush()
    })();
    store.close().await;
    match printed {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Writes the export document beside its destination first and then renames it, so an
/// interrupted run never leaves half a file under the name asked for.
fn write_export(path: &Path, document: &serde_json::Value) -> Result<(), String> {
    let cannot = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut text = serde_json::to_string_pretty(document).map_err(|e| e.to_string())?;
    text.push('\n');
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    std::fs::write(&partial, text).map_err(cannot)?;
    std::fs::rename(&partial, path).map_err(cannot)
}

/// The bytes of a calendar file, read through the import's size bound: a larger file (or a
/// device such as `/dev/zero`) is refused after reading one byte past the bound.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let limit = lifeos::core::ical::MAX_FILE_BYTES;
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > limit {
        return Err(format!(
            "{}: larger than {} MiB, the most one import reads",
            path.display(),
            limit / (1024 * 1024)
        ));
    }
    Ok(bytes)
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

/// `Imported N events from PATH.`, then `Skipped K events:` with one line per reason.
fn print_import(path: &Path, report: &ImportReport) {
    let events = skipped::events;
    println!(
        "Imported {} from {}.",
        events(report.written()),
        path.display()
    );
    if report.skipped > 0 {
        println!("Skipped {}:", events(report.skipped));
        for reason in skipped::reasons(&report.errors) {
            println!("  {reason}");
        }
    }
    for warning in &report.warnings {
        println!(
            "Warning, {}{}",
            line_of(warning),
            printable(&warning.message)
        );
    }
}
