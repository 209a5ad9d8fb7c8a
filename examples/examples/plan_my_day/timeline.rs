//! The day as a person reads it: meetings and planned tasks in time order, with the reason
//! for each placement, what did not fit and why, insights and warnings.

use std::io::{self, Write};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use lifeos::core::Task;
use lifeos::core::plan::{PlanDayRequest, PlanDayResponse};
use lifeos_examples::{clock, printable, span};

/// Everything the timeline shows.
pub struct Day<'a> {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub working_day: bool,
    pub truncated: bool,
    pub request: &'a PlanDayRequest,
    pub plan: &'a PlanDayResponse,
    pub tasks: &'a [Task],
}

enum Entry<'a> {
    Meeting {
        title: &'a str,
        busy: bool,
    },
    Task {
        title: &'a str,
        priority: u8,
        minutes: i64,
        rationale: &'a str,
    },
}

fn rank<'a>(entry: &Entry<'a>) -> (u8, &'a str) {
    match entry {
        Entry::Meeting { title, .. } => (0, title),
        Entry::Task { title, .. } => (1, title),
    }
}

/// Writes the timeline.
pub fn print(out: &mut impl Write, day: &Day<'_>) -> io::Result<()> {
    let title_of = |id: uuid::Uuid| {
        day.tasks
            .iter()
            .find(|t| *t.id.as_uuid() == id)
            .map_or("(unknown task)", |t| t.title.as_str())
    };
    let day_start =
        lifeos::core::time::resolve_local(day.today.and_time(chrono::NaiveTime::MIN), day.tz);
    let day_end = lifeos::core::time::resolve_local(
        (day.today + chrono::Days::new(1)).and_time(chrono::NaiveTime::MIN),
        day.tz,
    );

    writeln!(
        out,
        "Plan My Day · {} · {} · now {}",
        day.today.format("%A %-d %B %Y"),
        day.tz,
        clock(day.now, day.tz)
    )?;
    writeln!(out)?;

    let all_day: Vec<&str> = day
        .request
        .blocked_time
        .iter()
        .filter(|b| b.is_all_day && b.start < day_end && b.end > day_start)
        .map(|b| b.title.as_str())
        .collect();
    for title in &all_day {
        writeln!(out, "  all day      ○ {}", printable(title))?;
    }

    let mut entries: Vec<(DateTime<Utc>, DateTime<Utc>, Entry<'_>)> = Vec::new();
    for b in &day.request.blocked_time {
        if !b.is_all_day && b.start < day_end && b.end > day_start && b.start < b.end {
            entries.push((
                b.start,
                b.end,
                Entry::Meeting {
                    title: &b.title,
                    busy: b.is_busy(),
                },
            ));
        }
    }
    for s in &day.plan.scheduled_tasks {
        let task = day.request.tasks.iter().find(|t| t.id == s.task_id);
        entries.push((
            s.start_time,
            s.end_time,
            Entry::Task {
                title: title_of(s.task_id),
                priority: task.map_or(0, |t| t.priority),
                minutes: (s.end_time - s.start_time).num_minutes(),
                rationale: &s.rationale,
            },
        ));
    }
    // Meetings before tasks at the same start; then by title, for a stable order.
    entries.sort_by(|a, b| (a.0, a.1, rank(&a.2)).cmp(&(b.0, b.1, rank(&b.2))));

    if entries.is_empty() {
        writeln!(out, "  Nothing on the calendar and nothing planned.")?;
    }
    for (start, end, entry) in &entries {
        let span = span(*start, *end, (day_start, day_end), day.tz);
        match entry {
            Entry::Meeting { title, busy } => {
                let note = if *busy { "" } else { "  (free)" };
                writeln!(out, "  {span}  ■ {}{note}", printable(title))?;
            }
            Entry::Task {
                title,
                priority,
                minutes,
                rationale,
            } => {
                writeln!(
                    out,
                    "  {span}  ▸ {} · P{priority} · {minutes} min",
                    printable(title)
                )?;
                writeln!(out, "               {}", printable(rationale))?;
            }
        }
    }

    if !day.plan.unscheduled_tasks.is_empty() {
        writeln!(out)?;
        writeln!(out, "Not planned today")?;
        // The planner lists them in task-id order, and ids are random: by title instead,
        // so the same day prints the same lines on any database.
        let mut unscheduled: Vec<_> = day.plan.unscheduled_tasks.iter().collect();
        unscheduled.sort_by(|a, b| {
            (title_of(a.task_id), &a.reason).cmp(&(title_of(b.task_id), &b.reason))
        });
        for u in unscheduled {
            writeln!(
                out,
                "  • {} — {} [{}]",
                printable(title_of(u.task_id)),
                printable(&u.reason),
                u.code
            )?;
        }
    }
    if !day.plan.insights.is_empty() {
        writeln!(out)?;
        writeln!(out, "Insights")?;
        for insight in &day.plan.insights {
            writeln!(out, "  • {}", printable(insight))?;
        }
    }
    let mut warnings: Vec<String> = day.plan.warnings.clone();
    if !day.working_day {
        warnings.push(format!(
            "{} is not one of your working days.",
            day.today.format("%A")
        ));
    }
    if day.truncated {
        warnings.push(
            "A recurring event has more instances than LifeOS expands; some may be missing.".into(),
        );
    }
    // Task warnings come in task-id order, and ids are random: sorted, so the same day
    // prints the same lines on any database.
    warnings.sort();
    if !warnings.is_empty() {
        writeln!(out)?;
        writeln!(out, "Warnings")?;
        for warning in &warnings {
            writeln!(out, "  ! {}", printable(warning))?;
        }
    }
    writeln!(out)?;
    Ok(())
}
