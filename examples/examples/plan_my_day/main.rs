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

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use clap::Parser;
use lifeos_core::event::{PlanGenerated, ScheduledBy};
use lifeos_core::ical::{self, ImportOptions};
use lifeos_core::recurrence::blocked_time;
use lifeos_core::{EventPayload, EventSource, NewTask, Provider, TaskPatch, UserId};
use lifeos_store::prelude::*;
use lifeos_store::{
    CalendarEventInput, ManualClock, SqliteStore, StoreOptions, TaskChange, TaskOp, TaskQuery,
};
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
    let (started, now) = (std::time::Instant::now(), args.now.unwrap_or_else(Utc::now));
    let options = StoreOptions::new()
        .clock(Arc::new(ManualClock::with_step(now, Duration::zero())))
        .rng(rand_chacha::ChaCha20Rng::from_os_rng());
    let store = SqliteStore::open(&args.db, options).await?;
    let user = UserId::from_uuid(DEMO_USER);

    let profile = match store.get_profile(user).await {
        Ok(profile) => profile,
        Err(e) if e.is_not_found() => {
            let profile = demo::seed(&store, user, &args.tz, now).await?;
            println!(
                "Seeded a demo week in {} for {}.",
                args.db.display(),
                profile.preferences.timezone
            );
            profile
        }
        Err(e) => return Err(e.into()),
    };
    let tz = profile.preferences.timezone;

    for path in &args.import {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut rng = rand_chacha::ChaCha20Rng::from_os_rng();
        let mut events = ical::import(
            &text,
            &ImportOptions::new(user, Provider::Ics, now),
            &mut rng,
        )
        .map_err(|e| format!("{}: {e}", path.display()))?;
        // Series masters first, so that their modified instances find them.
        events.sort_by_key(|e| e.recurrence_id.is_some());
        let count = events.len();
        for event in events {
            store
                .upsert_calendar_event(user, CalendarEventInput::from(event))
                .await?;
        }
        println!("Imported {count} events from {}.", path.display());
    }

    if let Some(title) = &args.add {
        let new = NewTask {
            priority: args.priority,
            estimated_minutes: args.minutes,
            due_date: args.due,
            ..NewTask::titled(title.as_str())
        };
        let task = store.create_task(user, new).await?;
        println!("Added \"{}\".", task.title);
    }

    // Today in the user's zone, and every event that can reach it (buffers reach up to a
    // day beyond the workday).
    let today = now.with_timezone(&tz).date_naive();
    let day_start = lifeos_core::time::resolve_local(today.and_time(chrono::NaiveTime::MIN), tz);
    let from = day_start - Duration::days(1);
    let to = day_start + Duration::days(2);
    let events = store.list_events_for_window(user, from, to).await?;
    let blocked = blocked_time(&events, tz, from, to)?;
    let tasks = store.list_all_tasks(user, &TaskQuery::actionable()).await?;

    let request = profile
        .preferences
        .plan_request(today, now, &tasks, blocked.entries);
    let plan = lifeos_scheduler::plan_day(&request)?;

    // Save: scheduled tasks get their new times; tasks planned earlier for today that no
    // longer fit lose theirs. One transaction, each change with its event.
    let mut changes: Vec<TaskChange> = plan
        .scheduled_tasks
        .iter()
        .map(|s| {
            let op = TaskOp::Schedule {
                start: s.start_time,
                end: s.end_time,
                by: ScheduledBy::Planner,
                rationale: Some(s.rationale.clone()),
            };
            TaskChange::new(lifeos_core::TaskId::from_uuid(s.task_id), None, op)
        })
        .collect();
    let day_end = lifeos_core::time::resolve_local(
        (today + chrono::Days::new(1)).and_time(chrono::NaiveTime::MIN),
        tz,
    );
    for task in &tasks {
        let was_today = task
            .scheduled_start
            .is_some_and(|s| s >= day_start && s < day_end);
        let still = plan
            .scheduled_tasks
            .iter()
            .any(|s| s.task_id == *task.id.as_uuid());
        if was_today && !still {
            let clear = TaskPatch {
                scheduled_start: Some(None),
                scheduled_end: Some(None),
                ..TaskPatch::default()
            };
            changes.push(TaskChange::new(task.id, None, TaskOp::Update(clear)));
        }
    }
    // Re-saving an unchanged plan would only add noise to the log.
    changes.retain(|change| match &change.op {
        TaskOp::Schedule { start, end, .. } => tasks
            .iter()
            .find(|t| t.id == change.task_id)
            .is_none_or(|t| t.scheduled_start != Some(*start) || t.scheduled_end != Some(*end)),
        _ => true,
    });
    let saved = changes.len();
    if !changes.is_empty() {
        store.change_tasks(user, changes).await?;
    }
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    store
        .record_event(
            user,
            EventSource::Ai,
            EventPayload::PlanGenerated(PlanGenerated {
                plan_date: today,
                tasks_scheduled: u32::try_from(plan.scheduled_tasks.len()).unwrap_or(u32::MAX),
                tasks_unscheduled: u32::try_from(plan.unscheduled_tasks.len()).unwrap_or(u32::MAX),
                tokens_used: 0,
                latency_ms,
            }),
        )
        .await?;

    let mut out = std::io::stdout().lock();
    timeline::print(
        &mut out,
        &timeline::Day {
            today,
            now,
            tz,
            working_day: profile.preferences.is_working_day(today),
            truncated: blocked.truncated,
            request: &request,
            plan: &plan,
            tasks: &tasks,
        },
    )?;
    println!("Saved {saved} schedule change(s) to {}.", args.db.display());
    store.close().await;
    Ok(())
}
