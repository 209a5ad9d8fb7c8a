//! A week request normalised to integer seconds since the Unix epoch: each day's window,
//! peak hours and focus cap, one 5-minute local grid over the working days, the merged
//! forbidden time (events with their buffers, pinned blocks), and each task's chunk limits,
//! weight, dependencies and previous blocks. Built on the day model's grid and wall times.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use lifeos_core::plan::PlanWeekRequest;
use lifeos_core::time::resolve_local;
use uuid::Uuid;

use crate::model::{Event, grid_points, instant, secs_ceil, secs_floor, wall};

/// What the planner may do with a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Completed, cancelled, or pinned outside the horizon: always unscheduled.
    NotActionable,
    /// Actionable and pinned in the horizon: one block at this second on day `k`.
    Pinned(i64, usize),
    /// Actionable and free to place.
    Free,
}

/// One task, normalised.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    pub id: Uuid,
    pub title: String,
    pub priority: u8,
    /// The estimate, in minutes.
    pub minutes: i64,
    /// `W * U`.
    pub wu: i64,
    pub due: Option<i64>,
    pub hard: bool,
    pub kind: Kind,
    /// `(min, max)` chunk minutes of a split task.
    pub split: Option<(i64, i64)>,
    /// A split task that may leave minutes for a later plan (U = 1).
    pub progress: bool,
    pub status_closed: bool,
    pub status_word: &'static str,
    /// Indexes of the actionable tasks this one depends on.
    pub deps: Vec<usize>,
    /// Indexes of the tasks depending on this one.
    pub dependents: Vec<usize>,
    /// Earliest start from pinned dependencies.
    pub earliest: i64,
    /// Whether a dependency is pinned outside the horizon (never done).
    pub dep_never: bool,
    /// Previous blocks of this task, `(start, end)` in whole seconds, sorted.
    pub keep: Vec<(i64, i64)>,
}

impl Task {
    /// Shortest and longest block (the estimate twice when unsplit).
    pub(crate) fn lengths(&self) -> (i64, i64) {
        self.split.unwrap_or((self.minutes, self.minutes))
    }

    /// Whether `[s, e)` reproduces a previous block.
    pub(crate) fn kept(&self, s: i64, e: i64) -> bool {
        self.keep.binary_search(&(s, e)).is_ok()
    }
}

/// One day of the horizon.
#[derive(Debug, Clone)]
pub(crate) struct Day {
    pub date: NaiveDate,
    pub start: i64,
    pub end: i64,
    pub win_start: i64,
    pub win_end: i64,
    pub peak_start: i64,
    pub peak_end: i64,
    /// Its weekday is a working day (all-day events aside).
    pub weekday_working: bool,
    /// The title of a busy all-day event over it, if one.
    pub all_day: Option<String>,
    /// Grid slots of this day: `grid[slots.0..slots.1]` (empty unless working).
    pub slots: (usize, usize),
    /// Minutes of blocks pinned on this date.
    pub pinned_minutes: i64,
    /// Minutes left for non-pinned blocks.
    pub cap_left: i64,
}

impl Day {
    pub(crate) fn working(&self) -> bool {
        self.weekday_working && self.all_day.is_none()
    }
}

/// The whole week, normalised.
#[derive(Debug, Clone)]
pub(crate) struct Week {
    pub tz: Tz,
    pub now: i64,
    pub days: Vec<Day>,
    pub cap: i64,
    pub buffer: i64,
    /// Grid instants of all working days, ascending.
    pub grid: Vec<i64>,
    /// Day index of each grid slot.
    pub slot_day: Vec<usize>,
    pub events: Vec<Event>,
    /// Tasks sorted by id.
    pub tasks: Vec<Task>,
    /// Merged forbidden intervals for non-pinned blocks: events with buffers, pinned blocks.
    pub forbidden: Vec<(i64, i64)>,
}

/// Sorted, disjoint union of intervals.
pub(crate) fn merge(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.retain(|&(s, e)| e > s);
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

impl Week {
    /// Normalises a request (already checked).
    pub(crate) fn new(req: &PlanWeekRequest) -> Week {
        let tz = req.timezone;
        let p = &req.preferences.day;
        let now = secs_ceil(req.current_time);
        let midnight = |d: NaiveDate| secs_floor(resolve_local(d.and_time(NaiveTime::MIN), tz));
        let h = usize::from(req.horizon_days.max(1));
        let mut days = Vec::with_capacity(h);
        for k in 0..h {
            let date = req.date(k as u8).unwrap_or(req.today);
            let start = midnight(date);
            let end = date.succ_opt().map_or(start + 86_400, midnight);
            let work_start = wall(date, p.workday_start, tz);
            days.push(Day {
                date,
                start,
                end,
                win_start: work_start.max(now),
                win_end: wall(date, p.workday_end, tz),
                peak_start: wall(date, p.peak_hours_start, tz),
                peak_end: wall(date, p.peak_hours_end, tz),
                weekday_working: req.preferences.working_days.contains(date.weekday()),
                all_day: None,
                slots: (0, 0),
                pinned_minutes: 0,
                cap_left: 0,
            });
        }
        let horizon_end = days.last().map_or(now, |d| d.end);
        let buffer = i64::from(p.meeting_buffer_minutes) * 60;
        let cap = p.focus_cap_minutes();

        let mut events = Vec::new();
        for e in &req.blocked_time {
            if e.start == e.end || !e.is_busy() {
                continue;
            }
            if e.is_all_day {
                let (s, en) = (secs_floor(e.start), secs_ceil(e.end));
                for d in &mut days {
                    if s < d.end && en > d.start {
                        let title = e.title.clone();
                        d.all_day = match d.all_day.take() {
                            Some(t) if t <= title => Some(t),
                            _ => Some(title),
                        };
                    }
                }
            } else {
                events.push(Event {
                    start: secs_floor(e.start),
                    end: secs_ceil(e.end),
                    title: e.title.clone(),
                });
            }
        }
        events.sort_by(|a, b| (a.start, a.end, &a.title).cmp(&(b.start, b.end, &b.title)));

        let mut order: Vec<usize> = (0..req.tasks.len()).collect();
        order.sort_by_key(|&i| req.tasks[i].task.id);
        let index: HashMap<Uuid, usize> = order
            .iter()
            .enumerate()
            .map(|(c, &i)| (req.tasks[i].task.id, c))
            .collect();
        let day_of = |s: i64| days.iter().position(|d| s >= d.start && s < d.end);
        let mut tasks: Vec<Task> = order
            .iter()
            .map(|&i| {
                let wt = &req.tasks[i];
                let t = &wt.task;
                let minutes = i64::from(t.estimated_minutes);
                let urgent = t.due_date.is_some_and(|d| d <= instant(horizon_end));
                let w = [1, 2, 4, 8][usize::from(t.priority.min(3))];
                let kind = if !t.is_open() {
                    Kind::NotActionable
                } else {
                    match t.pinned_start {
                        Some(ps) => match day_of(secs_floor(ps)) {
                            Some(k) => Kind::Pinned(secs_floor(ps), k),
                            None => Kind::NotActionable,
                        },
                        None => Kind::Free,
                    }
                };
                let split = wt
                    .chunk_range()
                    .map(|(lo, hi)| (i64::from(lo), i64::from(hi)));
                Task {
                    id: t.id,
                    title: t.title.clone(),
                    priority: t.priority.min(3),
                    minutes,
                    wu: w * if urgent { 2 } else { 1 },
                    due: t.due_date.map(secs_floor),
                    hard: t.hard_deadline && t.due_date.is_some(),
                    kind,
                    split,
                    progress: split.is_some() && !urgent,
                    status_closed: !t.is_open(),
                    status_word: t.status.as_str(),
                    deps: Vec::new(),
                    dependents: Vec::new(),
                    earliest: i64::MIN,
                    dep_never: false,
                    keep: Vec::new(),
                }
            })
            .collect();
        for (c, &i) in order.iter().enumerate() {
            let mut deps: Vec<usize> = req.tasks[i]
                .task
                .depends_on
                .iter()
                .filter_map(|d| index.get(d).copied())
                .filter(|&d| req.tasks[order[d]].task.is_open())
                .collect();
            deps.sort_unstable();
            deps.dedup();
            for &d in &deps {
                match tasks[d].kind {
                    Kind::NotActionable => tasks[c].dep_never = true,
                    Kind::Pinned(s, _) => {
                        let end = s + tasks[d].minutes * 60;
                        tasks[c].earliest = tasks[c].earliest.max(end);
                    }
                    Kind::Free => {}
                }
            }
            for &d in &deps {
                tasks[d].dependents.push(c);
            }
            tasks[c].deps = deps;
        }
        for b in &req.previous_plan {
            if b.start_time.timestamp_subsec_nanos() != 0
                || b.end_time.timestamp_subsec_nanos() != 0
            {
                continue;
            }
            if let Some(&c) = index.get(&b.task_id)
                && tasks[c].kind != Kind::NotActionable
            {
                tasks[c]
                    .keep
                    .push((b.start_time.timestamp(), b.end_time.timestamp()));
            }
        }
        for t in &mut tasks {
            t.keep.sort_unstable();
            t.keep.dedup();
        }

        let mut forbidden: Vec<(i64, i64)> = events
            .iter()
            .map(|e| (e.start - buffer, e.end + buffer))
            .collect();
        for t in &tasks {
            if let Kind::Pinned(s, k) = t.kind {
                days[k].pinned_minutes += t.minutes;
                forbidden.push((s, s + t.minutes * 60));
            }
        }
        let forbidden = merge(forbidden);
        let mut grid = Vec::new();
        let mut slot_day = Vec::new();
        for (k, d) in days.iter_mut().enumerate() {
            d.cap_left = (cap - d.pinned_minutes).max(0);
            let from = grid.len();
            if d.working() && d.win_start < d.win_end {
                let points = grid_points(tz, d.win_start, d.win_end);
                slot_day.extend(std::iter::repeat_n(k, points.len()));
                grid.extend(points);
            }
            d.slots = (from, grid.len());
        }
        Week {
            tz,
            now,
            days,
            cap,
            buffer,
            grid,
            slot_day,
            events,
            tasks,
            forbidden,
        }
    }

    /// Score of one block of task `c` (quarter points), delay aside.
    pub(crate) fn block_value(&self, c: usize, start: i64, minutes: i64, k: usize) -> i64 {
        self.tasks[c].wu * minutes * self.block_factor(c, start, k).of(minutes)
    }

    /// The factor of [`Week::block_value`] for blocks of task `c` starting at grid instant
    /// `start` on day `k`, whatever their length (a split task tries every chunk length at
    /// every slot: what does not depend on the length is worked out once).
    pub(crate) fn block_factor(&self, c: usize, start: i64, k: usize) -> BlockFactor<'_> {
        let t = &self.tasks[c];
        let d = &self.days[k];
        let peak_within = if t.priority >= 2 && start >= d.peak_start {
            d.peak_end - start
        } else {
            -1
        };
        let on_time_within = match t.due {
            Some(due) if !t.hard => due - start,
            _ => i64::MAX,
        };
        BlockFactor {
            peak_within,
            on_time_within,
            task: t,
            start,
        }
    }

    /// The delay term of a task whose blocks are `(minutes, day)`.
    pub(crate) fn delay(&self, c: usize, weighted_minutes: i64) -> i64 {
        self.tasks[c].wu * ((weighted_minutes + 59).div_euclid(60))
    }

    /// Local weekday and time of an instant: `Tue 14:30`.
    pub(crate) fn when(&self, secs: i64) -> String {
        instant(secs)
            .with_timezone(&self.tz)
            .format("%a %H:%M")
            .to_string()
    }
}

/// A block's score factor `4 + peak - 2 * late + keep` (PLANNER-WEEK.md's score), for one
/// task and start: see [`Week::block_factor`].
pub(crate) struct BlockFactor<'a> {
    /// Longest block (seconds) still inside the peak hours, or -1 when none is.
    peak_within: i64,
    /// Longest block (seconds) that ends by a soft due date (`i64::MAX`: none is late).
    on_time_within: i64,
    task: &'a Task,
    start: i64,
}

impl BlockFactor<'_> {
    /// The factor of a block of `minutes`.
    pub(crate) fn of(&self, minutes: i64) -> i64 {
        let len = minutes * 60;
        let peak = len <= self.peak_within;
        let late = len > self.on_time_within;
        let keep = self.task.kept(self.start, self.start + len);
        4 + i64::from(peak) - 2 * i64::from(late) + i64::from(keep)
    }
}
