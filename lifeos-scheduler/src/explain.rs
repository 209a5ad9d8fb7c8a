//! From a plan to the response: codes judged against the final plan, rationales, reasons,
//! insights and warnings. Every sentence states facts of this day.

use lifeos_core::plan::{PlanDayResponse, ScheduledTask, UnscheduledCode, UnscheduledTask};

use crate::conflicts::{Conflict, Conflicts, NAMED, Warned, and_list, event_name};
use crate::model::{Day, Kind, instant};
use crate::search::Plan;

/// How a priority reads in a rationale (shared with the week planner).
pub(crate) fn priority_words(p: u8) -> &'static str {
    match p {
        3 => "Top priority",
        2 => "High priority",
        1 => "Medium priority",
        _ => "Low priority",
    }
}

/// A duration as people write it: `45 min`, `2 h`, `1 h 30 min`.
pub(crate) fn minutes_text(m: i64) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Builds the response for `plan`.
pub(crate) fn respond(day: &Day, plan: &Plan) -> PlanDayResponse {
    let n = day.tasks.len();
    // Blocks of every scheduled task (pinned included).
    let mut blocks: Vec<(i64, i64, usize)> = Vec::new();
    for (c, t) in day.tasks.iter().enumerate() {
        match (t.kind, plan.slot[c]) {
            (Kind::Pinned(s), _) => blocks.push((s, s + t.dur, c)),
            (Kind::Free, Some(k)) => {
                let g = day.grid[k as usize];
                blocks.push((g, g + t.dur, c));
            }
            _ => {}
        }
    }
    blocks.sort_unstable_by_key(|&(s, _, c)| (s, day.tasks[c].id));
    let taken = Taken::new(n, &blocks);
    let conflicts = Conflicts::new(
        &day.events,
        day.tasks
            .iter()
            .enumerate()
            .filter_map(|(c, t)| match t.kind {
                Kind::Pinned(s) => Some((s, s + t.dur, c)),
                _ => None,
            }),
    );
    let scheduled_of = |c: usize| taken.end[c];
    let used: i64 = blocks.iter().map(|b| day.tasks[b.2].minutes).sum();
    let cap_left_now = (day.cap - used).max(0);

    let mut scheduled = Vec::new();
    for &(s, e, c) in &blocks {
        scheduled.push(ScheduledTask {
            task_id: day.tasks[c].id,
            start_time: instant(s),
            end_time: instant(e),
            rationale: rationale(day, &conflicts, &blocks, c, s, e),
        });
    }

    let mut unscheduled = Vec::new();
    let mut codes = vec![None; n];
    for (c, code_slot) in codes.iter_mut().enumerate() {
        if scheduled_of(c).is_some() {
            continue;
        }
        let (code, reason) = code_for(day, plan, &taken, cap_left_now, c);
        *code_slot = Some(code);
        unscheduled.push(UnscheduledTask {
            task_id: day.tasks[c].id,
            reason,
            code,
        });
    }
    let insights = insights(day, &blocks, used);
    let warnings = warnings(day, &conflicts, &codes);
    PlanDayResponse {
        scheduled_tasks: scheduled,
        unscheduled_tasks: unscheduled,
        insights,
        warnings,
        refinement: None,
    }
}

fn rationale(
    day: &Day,
    conflicts: &Conflicts,
    blocks: &[(i64, i64, usize)],
    c: usize,
    s: i64,
    e: i64,
) -> String {
    let t = &day.tasks[c];
    let mut head = priority_words(t.priority).to_owned();
    if let Some(d) = t.due {
        if d < day.now {
            head.push_str(", overdue");
        } else if t.urgent {
            head.push_str(", due today");
        } else {
            head.push_str(&format!(
                ", due {}",
                instant(d).with_timezone(&day.tz).format("%b %-d")
            ));
        }
        if t.hard {
            head.push_str(" (hard deadline)");
        }
    }
    if let Kind::Pinned(_) = t.kind {
        let mut text = format!("{head}: pinned by you at {}", day.hhmm(s));
        let (count, first) = conflicts.events(s, e, NAMED);
        if count > 0 {
            let clash: Vec<&str> = first
                .iter()
                .map(|&i| day.events[i].title.as_str())
                .collect();
            text.push_str(&format!(", overlapping {}", quote_list(&clash)));
            if count > clash.len() {
                text.push_str(&format!(" and {} more", count - clash.len()));
            }
        }
        return text;
    }
    let mut parts = Vec::new();
    if t.priority >= 2 && day.in_peak(c, s) {
        parts.push(format!("placed in peak hours at {}", day.hhmm(s)));
    } else {
        parts.push(format!("placed at {}", day.hhmm(s)));
    }
    // What it follows: the latest event end, or task block end, at or before its start.
    let prev_event = day
        .events
        .iter()
        .filter(|ev| ev.end + day.buffer <= s && ev.end > day.day_start)
        .max_by_key(|ev| (ev.end, std::cmp::Reverse(ev.title.clone())));
    let prev_block = blocks
        .iter()
        .filter(|b| b.1 <= s && b.2 != c)
        .max_by_key(|b| b.1);
    match (prev_event, prev_block) {
        (Some(ev), b) if b.is_none_or(|b| ev.end >= b.1) => {
            let gap = (s - ev.end) / 60;
            let name = if ev.title.is_empty() {
                "a meeting"
            } else {
                ev.title.as_str()
            };
            parts.push(format!("{gap} min after {name}"));
        }
        (_, Some(b)) if b.1 == s => {
            let name = &day.tasks[b.2].title;
            if name.is_empty() {
                parts.push("right after the previous task".to_owned());
            } else {
                parts.push(format!("right after \"{name}\""));
            }
        }
        _ => {
            if s == day.grid.first().copied().unwrap_or(s) {
                parts.push("at the start of the open day".to_owned());
            }
        }
    }
    if let Some(d) = t.due
        && !t.hard
        && e > d
        && d >= day.now
    {
        parts.push("ends after its due time".to_owned());
    }
    if !t.deps.is_empty() {
        parts.push("after its dependencies".to_owned());
    }
    format!("{head}: {}", parts.join(", "))
}

fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| {
            if s.is_empty() {
                "an event".to_owned()
            } else {
                format!("\"{s}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Scheduled blocks as the codes see them: each task's end, and their union, merged.
struct Taken {
    end: Vec<Option<i64>>,
    union: Vec<(i64, i64)>,
}

impl Taken {
    fn new(n: usize, blocks: &[(i64, i64, usize)]) -> Taken {
        let mut end = vec![None; n];
        let mut union: Vec<(i64, i64)> = Vec::new();
        for &(s, e, c) in blocks {
            end[c] = Some(e);
            match union.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => union.push((s, e)),
            }
        }
        Taken { end, union }
    }
}

fn free_start_ok(day: &Day, c: usize, g: i64, taken: &Taken) -> bool {
    let t = &day.tasks[c];
    let e = g + t.dur;
    if t.deps.iter().any(|&d| taken.end[d].is_none_or(|de| de > g)) {
        return false;
    }
    let i = taken.union.partition_point(|&(_, be)| be <= g);
    !(i < taken.union.len() && taken.union[i].0 < e)
}

fn code_for(
    day: &Day,
    plan: &Plan,
    taken: &Taken,
    cap_left: i64,
    c: usize,
) -> (UnscheduledCode, String) {
    let t = &day.tasks[c];
    if t.kind == Kind::NotActionable {
        let why = if t.status_closed {
            format!("It is {}: nothing to plan.", t.status_word)
        } else {
            "It is pinned to another day.".to_owned()
        };
        return (UnscheduledCode::NotActionable, why);
    }
    let blocker = t.deps.iter().find(|&&d| match day.tasks[d].kind {
        Kind::NotActionable => true,
        Kind::Pinned(_) => false,
        Kind::Free => plan.slot[d].is_none(),
    });
    if let Some(&d) = blocker {
        let name = &day.tasks[d].title;
        let name = if name.is_empty() {
            day.tasks[d].id.to_string()
        } else {
            format!("\"{name}\"")
        };
        return (
            UnscheduledCode::Blocked,
            format!("Waits for {name}, which is not scheduled today."),
        );
    }
    let fits_window = day.grid.first().is_some_and(|&g| g + t.dur <= day.win_end);
    if !fits_window {
        let open = (day.win_end - day.grid.first().copied().unwrap_or(day.win_end)).max(0) / 60;
        return (
            UnscheduledCode::TooLong,
            format!(
                "Needs {}, but only {} of the workday is left to start on.",
                minutes_text(t.minutes),
                minutes_text(open)
            ),
        );
    }
    if t.hard {
        let d = t.due.unwrap_or(i64::MAX);
        let any = day.all_day_busy.is_none()
            && day.grid.iter().any(|&g| {
                let e = g + t.dur;
                e <= day.win_end
                    && e <= d
                    && !day
                        .events
                        .iter()
                        .any(|ev| g < ev.end + day.buffer && e > ev.start - day.buffer)
            });
        if !any {
            return (
                UnscheduledCode::Deadline,
                format!(
                    "No start in today's open workday ends by its hard deadline ({}) clear of meetings.",
                    day.when(d)
                ),
            );
        }
    }
    let slot = t
        .starts
        .iter()
        .any(|&k| free_start_ok(day, c, day.grid[k as usize], taken));
    if slot && t.minutes > cap_left {
        return (
            UnscheduledCode::FocusCap,
            format!(
                "Needs {} but only {} of the {} focus cap is left.",
                minutes_text(t.minutes),
                minutes_text(cap_left),
                minutes_text(day.cap)
            ),
        );
    }
    (
        UnscheduledCode::NoSlot,
        format!(
            "No free {} slot is left around meetings, their buffers and the tasks already placed.",
            minutes_text(t.minutes)
        ),
    )
}

/// Seconds of `[from, to)` that busy timed events cover: their union, so two meetings at
/// the same hour count once.
fn busy_seconds(day: &Day, from: i64, to: i64) -> i64 {
    let (mut total, mut reached) = (0, from);
    // Events come sorted by start: each adds only what lies past the furthest end so far.
    for e in &day.events {
        let (s, t) = (e.start.max(reached), e.end.min(to));
        if t > s {
            total += t - s;
        }
        reached = reached.max(e.end);
    }
    total
}

fn insights(day: &Day, blocks: &[(i64, i64, usize)], used: i64) -> Vec<String> {
    let mut out = Vec::new();
    let ws = day.work_start;
    let we = day.win_end;
    let meeting_secs = busy_seconds(day, ws, we);
    let meetings = day
        .events
        .iter()
        .filter(|e| e.end > ws && e.start < we)
        .count();
    out.push(format!(
        "{meetings} meeting{} today, {} of the workday.",
        if meetings == 1 { "" } else { "s" },
        minutes_text(meeting_secs / 60)
    ));
    let open: Vec<usize> = (0..day.tasks.len())
        .filter(|&c| day.tasks[c].kind != Kind::NotActionable)
        .collect();
    // Each task has at most one block: count the blocks, not tasks times blocks.
    let planned = blocks
        .iter()
        .filter(|b| day.tasks[b.2].kind != Kind::NotActionable)
        .count();
    let backlog: i64 = open.iter().map(|&c| day.tasks[c].minutes).sum();
    out.push(format!(
        "{planned} of {} open tasks fit today: {} of {} of work.",
        open.len(),
        minutes_text(used),
        minutes_text(backlog)
    ));
    out.push(format!(
        "{} of focus time planned of a {} cap; {} left.",
        minutes_text(used),
        minutes_text(day.cap),
        minutes_text((day.cap - used).max(0))
    ));
    let peak_tasks = blocks
        .iter()
        .filter(|b| b.0 >= day.peak_start && b.1 <= day.peak_end && day.tasks[b.2].priority >= 2)
        .count();
    if peak_tasks > 0 {
        out.push(format!(
            "{peak_tasks} high-priority block{} in peak hours.",
            if peak_tasks == 1 { "" } else { "s" }
        ));
    }
    out
}

/// How a task is named in a sentence: its quoted title, or its id.
fn task_name(day: &Day, c: usize) -> String {
    let t = &day.tasks[c];
    if t.title.is_empty() {
        t.id.to_string()
    } else {
        format!("\"{}\"", t.title)
    }
}

/// The one warning of pinned task `c`, at `[s, e)`, that overlaps `count` events and other
/// pinned blocks: the first few named, the rest counted.
fn conflict_warning(
    day: &Day,
    conflicts: &Conflicts,
    c: usize,
    s: i64,
    e: i64,
    count: usize,
) -> String {
    let named: Vec<String> = conflicts
        .first(c, s, e, NAMED)
        .into_iter()
        .map(|x| match x {
            Conflict::Event(i) => event_name(&day.events, i),
            Conflict::Pinned(o) => format!("pinned {}", task_name(day, o)),
        })
        .collect();
    format!(
        "Pinned {} at {} overlaps {}.",
        task_name(day, c),
        day.hhmm(s),
        and_list(&named, count.saturating_sub(named.len()))
    )
}

fn warnings(day: &Day, conflicts: &Conflicts, codes: &[Option<UnscheduledCode>]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(title) = &day.all_day_busy {
        let name = if title.is_empty() {
            "a busy all-day event".to_owned()
        } else {
            format!("\"{title}\"")
        };
        out.push(format!(
            "Out of office: {name} blocks the whole day; only pinned tasks are planned."
        ));
    }
    let mut warned = Warned::default();
    for (c, t) in day.tasks.iter().enumerate() {
        let name = task_name(day, c);
        if t.kind != Kind::NotActionable && t.due.is_some_and(|d| d < day.now) {
            out.push(format!("{name} is overdue."));
        }
        if let Kind::Pinned(s) = t.kind {
            let e = s + t.dur;
            let count = conflicts.count(s, e);
            if count > 0 && warned.admit() {
                out.push(conflict_warning(day, conflicts, c, s, e, count));
            }
            // A pinned block under way is work in progress (the workflow sends a block
            // under way pinned): only one already over is worth a word.
            if e <= day.now {
                out.push(format!(
                    "Pinned {name} ended before now ({}–{}).",
                    day.hhmm(s),
                    day.hhmm(e)
                ));
            }
            if s < day.work_start || e > day.win_end.max(day.work_start) {
                out.push(format!("Pinned {name} lies outside the workday."));
            }
        }
        if codes[c] == Some(UnscheduledCode::Deadline) {
            out.push(format!("{name} cannot meet its hard deadline today."));
        }
    }
    out.extend(warned.summary());
    let open_minutes: i64 = day
        .tasks
        .iter()
        .filter(|t| t.kind != Kind::NotActionable)
        .map(|t| t.minutes)
        .sum();
    if open_minutes > day.cap {
        out.push(format!(
            "More work than capacity: {} of open tasks against a {} focus cap.",
            minutes_text(open_minutes),
            minutes_text(day.cap)
        ));
    }
    out
}
