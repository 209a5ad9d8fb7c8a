//! The week as a person reads it: day by day, each task's chunks with their times, the
//! focus planned against the cap, then what did not fit and why. Ordered by time and
//! title only, never by task id (ids are random), so the same week prints the same bytes.

use std::io::{self, Write};

use chrono::Datelike;
use lifeos::WeekPlan;
use lifeos::core::plan::week::WeekScheduledTask;
use lifeos_examples::{clock, printable};

/// `H h MM min` for a number of minutes.
fn hours(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

/// Writes the week.
pub fn print(out: &mut impl Write, week: &WeekPlan) -> io::Result<()> {
    let tz = week.timezone;
    let title_of = |id: uuid::Uuid| {
        week.tasks
            .iter()
            .find(|t| *t.id.as_uuid() == id)
            .map_or("(unknown task)", |t| t.title.as_str())
    };
    let last = week
        .date(week.horizon_days.saturating_sub(1))
        .unwrap_or(week.start_date);
    writeln!(
        out,
        "Plan My Week: {} to {} ({tz}), {} day(s)",
        week.start_date.format("%a %-d %b"),
        last.format("%a %-d %b %Y"),
        week.horizon_days
    )?;
    let prefs = &week.request.preferences;
    let cap = prefs.day.focus_cap_minutes();
    let local_date = |s: &WeekScheduledTask| s.start_time.with_timezone(&tz).date_naive();
    for k in 0..week.horizon_days {
        let Some(date) = week.date(k) else { break };
        let mut blocks: Vec<&WeekScheduledTask> = week
            .response
            .scheduled_tasks
            .iter()
            .filter(|s| local_date(s) == date)
            .collect();
        blocks.sort_by(|a, b| {
            (a.start_time, title_of(a.task_id)).cmp(&(b.start_time, title_of(b.task_id)))
        });
        let focus: i64 = blocks
            .iter()
            .map(|s| (s.end_time - s.start_time).num_minutes())
            .sum();
        writeln!(out)?;
        write!(out, "{}", date.format("%a %-d %b"))?;
        if prefs.working_days.contains(date.weekday()) {
            writeln!(out, "  focus {} of {}", hours(focus), hours(cap))?;
        } else if blocks.is_empty() {
            writeln!(out, "  not a working day")?;
        } else {
            writeln!(out, "  not a working day; pinned {}", hours(focus))?;
        }
        for s in blocks {
            let part = if s.chunk_count > 1 || s.remaining_minutes > 0 {
                format!("  (part {} of {})", s.chunk + 1, s.chunk_count)
            } else {
                String::new()
            };
            let kept = if s.rationale.contains("kept from your last plan") {
                "  [kept]"
            } else {
                ""
            };
            writeln!(
                out,
                "  {}–{}  {}{part}{kept}",
                clock(s.start_time, tz),
                clock(s.end_time, tz),
                printable(title_of(s.task_id)),
            )?;
        }
    }
    let mut left: Vec<(&str, String)> = week
        .response
        .unscheduled_tasks
        .iter()
        .filter(|u| u.code != lifeos::core::plan::UnscheduledCode::NotActionable)
        .map(|u| (title_of(u.task_id), format!("{} ({})", u.reason, u.code)))
        .collect();
    left.sort();
    let waiting: Vec<(&str, u32)> = progress(week);
    if !left.is_empty() || !waiting.is_empty() {
        writeln!(out)?;
        writeln!(out, "Did not fit:")?;
        for (title, why) in left {
            writeln!(out, "  {}: {}", printable(title), printable(&why))?;
        }
        for (title, minutes) in waiting {
            writeln!(
                out,
                "  {}: {} left for a later plan",
                printable(title),
                hours(i64::from(minutes))
            )?;
        }
    }
    Ok(())
}

/// Tasks placed in part, by title, with the minutes still to plan.
fn progress(week: &WeekPlan) -> Vec<(&str, u32)> {
    let mut out: Vec<(&str, u32)> = week
        .response
        .scheduled_tasks
        .iter()
        .filter(|s| s.remaining_minutes > 0 && s.chunk == 0)
        .filter_map(|s| {
            let task = week.tasks.iter().find(|t| *t.id.as_uuid() == s.task_id)?;
            Some((task.title.as_str(), s.remaining_minutes))
        })
        .collect();
    out.sort();
    out
}
