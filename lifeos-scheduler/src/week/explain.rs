//! From a week plan to the response: chunk numbering, codes judged against the final plan,
//! rationales, reasons, insights (focus per day against the cap) and warnings. Every
//! sentence states facts of this week.

use lifeos_core::plan::{PlanWeekResponse, UnscheduledCode, UnscheduledTask, WeekScheduledTask};

use super::model::{Kind, Week, merge};
use super::search::Plan;
use crate::conflicts::{Conflict, Conflicts, NAMED, Warned, and_list, event_name};
use crate::explain::{minutes_text, priority_words};
use crate::model::{grid_points, instant};

fn name(week: &Week, c: usize) -> String {
    let t = &week.tasks[c];
    if t.title.is_empty() {
        t.id.to_string()
    } else {
        format!("\"{}\"", t.title)
    }
}

/// A block of the response: (start, end, task).
type Block = (i64, i64, usize);

/// Builds the response for `plan`.
pub(crate) fn respond(week: &Week, plan: &Plan) -> PlanWeekResponse {
    let n = week.tasks.len();
    let mut per_task: Vec<Vec<(i64, i64)>> = vec![Vec::new(); n];
    for (c, t) in week.tasks.iter().enumerate() {
        match t.kind {
            Kind::Pinned(s, _) => per_task[c].push((s, s + t.minutes * 60)),
            Kind::Free => {
                for &(slot, m) in &plan.blocks[c] {
                    let g = week.grid[slot];
                    per_task[c].push((g, g + m * 60));
                }
                per_task[c].sort_unstable();
            }
            Kind::NotActionable => {}
        }
    }
    let mut blocks: Vec<Block> = Vec::new();
    for (c, list) in per_task.iter().enumerate() {
        blocks.extend(list.iter().map(|&(s, e)| (s, e, c)));
    }
    blocks.sort_unstable_by_key(|&(s, _, c)| (s, week.tasks[c].id));

    let mut scheduled = Vec::with_capacity(blocks.len());
    for &(s, e, c) in &blocks {
        let list = &per_task[c];
        let chunk = list.iter().position(|&(bs, _)| bs == s).unwrap_or(0);
        let placed: i64 = list.iter().map(|&(bs, be)| (be - bs) / 60).sum();
        let remaining = (week.tasks[c].minutes - placed).max(0);
        scheduled.push(WeekScheduledTask {
            task_id: week.tasks[c].id,
            chunk: u32::try_from(chunk).unwrap_or(0),
            chunk_count: u32::try_from(list.len()).unwrap_or(0),
            remaining_minutes: u32::try_from(remaining).unwrap_or(0),
            start_time: instant(s),
            end_time: instant(e),
            rationale: rationale(week, c, s, e, chunk, list.len(), remaining),
        });
    }
    let occ: Vec<(i64, i64)> = merge(
        blocks
            .iter()
            .filter(|b| week.tasks[b.2].kind == Kind::Free)
            .map(|b| (b.0, b.1))
            .collect(),
    );
    let codes = Codes::new(week);
    let mut unscheduled = Vec::new();
    let mut code_of = vec![None; n];
    for c in 0..n {
        if !per_task[c].is_empty() {
            continue;
        }
        let (code, reason) = codes.code(week, plan, &occ, c);
        code_of[c] = Some(code);
        unscheduled.push(UnscheduledTask {
            task_id: week.tasks[c].id,
            reason,
            code,
        });
    }
    PlanWeekResponse {
        scheduled_tasks: scheduled,
        unscheduled_tasks: unscheduled,
        insights: insights(week, &blocks, &per_task),
        warnings: warnings(week, &code_of),
    }
}

fn rationale(
    week: &Week,
    c: usize,
    s: i64,
    e: i64,
    chunk: usize,
    count: usize,
    remaining: i64,
) -> String {
    let t = &week.tasks[c];
    let mut head = format!("Priority {}", t.priority);
    if let Some(d) = t.due {
        if d < week.now {
            head.push_str(", overdue");
        } else {
            head.push_str(&format!(
                ", due {}",
                instant(d).with_timezone(&week.tz).format("%a %b %-d %H:%M")
            ));
        }
        if t.hard {
            head.push_str(" (hard deadline)");
        }
    } else {
        head = priority_words(t.priority).to_owned();
    }
    let mut parts = Vec::new();
    if count > 1 || t.split.is_some() {
        parts.push(format!("part {} of {count}", chunk + 1));
    }
    let k = week
        .days
        .iter()
        .position(|d| s >= d.start && s < d.end)
        .unwrap_or(0);
    let day = &week.days[k];
    if let Kind::Pinned(..) = t.kind {
        parts.push(format!("pinned by you at {}", week.when(s)));
    } else if t.priority >= 2 && s >= day.peak_start && e <= day.peak_end {
        parts.push(format!("in peak hours, {}", week.when(s)));
    } else {
        parts.push(format!("at {}", week.when(s)));
    }
    if t.kept(s, e) {
        parts.push("kept from your last plan".to_owned());
    }
    if !t.hard && t.due.is_some_and(|d| e > d && d >= week.now) {
        parts.push("ends after its due time".to_owned());
    }
    if !t.deps.is_empty() && t.kind == Kind::Free {
        parts.push("after its dependencies".to_owned());
    }
    if remaining > 0 {
        parts.push(format!("{} left for a later plan", minutes_text(remaining)));
    }
    format!("{head}: {}", parts.join(", "))
}

/// What the codes need of the week: each day's longest block from a grid start of its cut
/// window (weekday working, events ignored) and the events alone, merged with buffers.
struct Codes {
    open_len: Vec<i64>,
    events: Vec<(i64, i64)>,
}

impl Codes {
    fn new(week: &Week) -> Codes {
        let open_len = week
            .days
            .iter()
            .map(|d| {
                if !d.weekday_working || d.win_start >= d.win_end {
                    return 0;
                }
                // The first grid start lies within the first 10 minutes (a DST jump aside).
                let to = d.win_end.min(d.win_start + 3 * 3600);
                grid_points(week.tz, d.win_start, to)
                    .first()
                    .map_or(0, |&g| (d.win_end - g) / 60)
            })
            .collect();
        let events = merge(
            week.events
                .iter()
                .map(|e| (e.start - week.buffer, e.end + week.buffer))
                .collect(),
        );
        Codes { open_len, events }
    }

    fn code(
        &self,
        week: &Week,
        plan: &Plan,
        occ: &[(i64, i64)],
        c: usize,
    ) -> (UnscheduledCode, String) {
        let t = &week.tasks[c];
        if t.kind == Kind::NotActionable {
            let why = if t.status_closed {
                format!("It is {}: nothing to plan.", t.status_word)
            } else {
                "It is pinned outside the planned days.".to_owned()
            };
            return (UnscheduledCode::NotActionable, why);
        }
        let blocker = t.deps.iter().find(|&&d| match week.tasks[d].kind {
            Kind::NotActionable => true,
            Kind::Pinned(..) => false,
            Kind::Free => !plan.full(week, d),
        });
        if let Some(&d) = blocker {
            return (
                UnscheduledCode::Blocked,
                format!(
                    "Waits for {}, which is not scheduled in full in these days.",
                    name(week, d)
                ),
            );
        }
        if !placeable(week, c, &self.open_len) {
            return (
                UnscheduledCode::TooLong,
                format!(
                    "Needs {} but no workday window of the planned days holds it under its chunk limits.",
                    minutes_text(t.minutes)
                ),
            );
        }
        if t.hard {
            let lens = self.longest(week, c, &self.events, &[], i64::MIN);
            if !placeable(week, c, &lens) {
                let due = t.due.map_or_else(String::new, |d| week.when(d));
                return (
                    UnscheduledCode::Deadline,
                    format!("No placement clear of meetings ends by its hard deadline ({due})."),
                );
            }
        }
        let mut lo = t.earliest;
        for &d in &t.deps {
            for &(slot, m) in &plan.blocks[d] {
                lo = lo.max(week.grid[slot] + m * 60);
            }
        }
        let lens = self.longest(week, c, &week.forbidden, occ, lo);
        if placeable(week, c, &lens) {
            let left: Vec<String> = week
                .days
                .iter()
                .filter(|d| d.working() && d.slots.0 < d.slots.1)
                .map(|d| {
                    let used: i64 = plan
                        .blocks
                        .iter()
                        .flatten()
                        .filter(|b| week.grid[b.0] >= d.start && week.grid[b.0] < d.end)
                        .map(|b| b.1)
                        .sum();
                    (d.cap_left - used).max(0)
                })
                .map(minutes_text)
                .collect();
            return (
                UnscheduledCode::FocusCap,
                format!(
                    "Needs {} but the focus cap of {} a day leaves too little (left per working day: {}).",
                    minutes_text(t.minutes),
                    minutes_text(week.cap),
                    left.join(", ")
                ),
            );
        }
        (
            UnscheduledCode::NoSlot,
            format!(
                "No free {} is left around meetings, their buffers and the blocks already placed.",
                minutes_text(t.lengths().0)
            ),
        )
    }

    /// Each day's longest block for task `c` from a grid start against `forbidden` and
    /// `occ`, starting at or after `lo`, ending by a hard deadline.
    fn longest(
        &self,
        week: &Week,
        c: usize,
        forbidden: &[(i64, i64)],
        occ: &[(i64, i64)],
        lo: i64,
    ) -> Vec<i64> {
        let t = &week.tasks[c];
        let due = if t.hard {
            t.due.unwrap_or(i64::MAX)
        } else {
            i64::MAX
        };
        week.days
            .iter()
            .map(|d| {
                let mut best = 0;
                for &g in &week.grid[d.slots.0..d.slots.1] {
                    if g < lo {
                        continue;
                    }
                    let mut end = d.win_end.min(due);
                    let mut inside = false;
                    for list in [forbidden, occ] {
                        let i = list.partition_point(|&(_, e)| e <= g);
                        if let Some(&(s, _)) = list.get(i) {
                            inside |= s <= g;
                            end = end.min(s);
                        }
                    }
                    if !inside {
                        best = best.max((end - g) / 60);
                    }
                }
                best
            })
            .collect()
    }
}

/// Whether task `c` fits days whose longest blocks are `lens` minutes, under its chunk rules.
fn placeable(week: &Week, c: usize, lens: &[i64]) -> bool {
    let t = &week.tasks[c];
    match t.split {
        None => lens.iter().any(|&l| l >= t.minutes),
        Some((min, _)) if t.progress => lens.iter().any(|&l| l >= min),
        Some((min, max)) => {
            let mut caps: Vec<i64> = lens
                .iter()
                .map(|&l| (l / 5 * 5).min(max))
                .filter(|&l| l >= min)
                .collect();
            caps.sort_unstable_by(|a, b| b.cmp(a));
            let mut sum = 0;
            for (i, l) in caps.iter().enumerate() {
                sum += l;
                let n = i as i64 + 1;
                if n * min <= t.minutes && t.minutes <= sum {
                    return true;
                }
            }
            false
        }
    }
}

fn insights(week: &Week, blocks: &[Block], per_task: &[Vec<(i64, i64)>]) -> Vec<String> {
    let mut out = Vec::new();
    let per_day: Vec<String> = week
        .days
        .iter()
        .map(|d| {
            let m: i64 = blocks
                .iter()
                .filter(|b| b.0 >= d.start && b.0 < d.end)
                .map(|b| (b.1 - b.0) / 60)
                .sum();
            format!("{} {}", d.date.format("%a %b %-d"), minutes_text(m))
        })
        .collect();
    out.push(format!(
        "Focus per day against a cap of {}: {}.",
        minutes_text(week.cap),
        per_day.join(", ")
    ));
    let open: Vec<usize> = (0..week.tasks.len())
        .filter(|&c| week.tasks[c].kind != Kind::NotActionable)
        .collect();
    let planned = open.iter().filter(|&&c| !per_task[c].is_empty()).count();
    let placed: i64 = blocks.iter().map(|b| (b.1 - b.0) / 60).sum();
    let backlog: i64 = open.iter().map(|&c| week.tasks[c].minutes).sum();
    out.push(format!(
        "{planned} of {} open tasks planned: {} of {} of work.",
        open.len(),
        minutes_text(placed),
        minutes_text(backlog)
    ));
    let split = open
        .iter()
        .filter(|&&c| week.tasks[c].split.is_some() && per_task[c].len() > 1)
        .count();
    if split > 0 {
        out.push(format!(
            "{split} task{} spread over several days in chunks.",
            if split == 1 { "" } else { "s" }
        ));
    }
    let kept = blocks
        .iter()
        .filter(|b| week.tasks[b.2].kept(b.0, b.1))
        .count();
    if kept > 0 {
        out.push(format!(
            "{kept} block{} kept from your last plan.",
            if kept == 1 { "" } else { "s" }
        ));
    }
    out
}

fn warnings(week: &Week, codes: &[Option<UnscheduledCode>]) -> Vec<String> {
    let mut out = Vec::new();
    let conflicts = Conflicts::new(
        &week.events,
        week.tasks
            .iter()
            .enumerate()
            .filter_map(|(c, t)| match t.kind {
                Kind::Pinned(s, _) => Some((s, s + t.minutes * 60, c)),
                _ => None,
            }),
    );
    let mut warned = Warned::default();
    for d in &week.days {
        if let Some(title) = &d.all_day
            && d.weekday_working
        {
            let what = if title.is_empty() {
                "a busy all-day event".to_owned()
            } else {
                format!("\"{title}\"")
            };
            out.push(format!(
                "Out of office on {}: {what} blocks the day; only pinned tasks are planned.",
                d.date.format("%a %b %-d")
            ));
        }
    }
    for (c, t) in week.tasks.iter().enumerate() {
        let who = name(week, c);
        if t.kind != Kind::NotActionable && t.due.is_some_and(|d| d < week.now) {
            out.push(format!("{who} is overdue."));
        }
        if let Kind::Pinned(s, k) = t.kind {
            let e = s + t.minutes * 60;
            // PLANNER.md rule 7: one warning per pinned task naming up to 3 of its events
            // and other pinned blocks and counting the rest, for at most 100 tasks.
            let count = conflicts.count(s, e);
            if count > 0 && warned.admit() {
                let named: Vec<String> = conflicts
                    .first(c, s, e, NAMED)
                    .into_iter()
                    .map(|x| match x {
                        Conflict::Event(i) => event_name(&week.events, i),
                        Conflict::Pinned(o) => format!("pinned {}", name(week, o)),
                    })
                    .collect();
                out.push(format!(
                    "Pinned {who} at {} overlaps {}.",
                    week.when(s),
                    and_list(&named, count - named.len())
                ));
            }
            if !week.days[k].working() {
                out.push(format!(
                    "Pinned {who} is on a non-working day ({}).",
                    week.days[k].date.format("%a %b %-d")
                ));
            }
            // A pinned block under way is work in progress (the workflow sends a block
            // under way pinned): only one already over is worth a word.
            if e <= week.now {
                out.push(format!(
                    "Pinned {who} ended before now ({}–{}).",
                    week.when(s),
                    week.when(e)
                ));
            }
        }
        if codes[c] == Some(UnscheduledCode::Deadline) {
            out.push(format!("{who} cannot meet its hard deadline."));
        }
    }
    out.extend(warned.summary());
    let capacity: i64 = week
        .days
        .iter()
        .filter(|d| d.working())
        .map(|_| week.cap)
        .sum();
    let open_minutes: i64 = week
        .tasks
        .iter()
        .filter(|t| t.kind != Kind::NotActionable)
        .map(|t| t.minutes)
        .sum();
    if open_minutes > capacity {
        out.push(format!(
            "More work than capacity: {} of open tasks against {} of focus time on the working days.",
            minutes_text(open_minutes),
            minutes_text(capacity)
        ));
    }
    out
}
