//! The request normalised to integer seconds since the Unix epoch: the work window, the
//! 5-minute local grid, forbidden intervals and each task's statically feasible starts.

use chrono::{DateTime, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use lifeos_core::plan::PlanDayRequest;
use lifeos_core::time::ClockTime;
use lifeos_core::time::resolve_local;
use uuid::Uuid;

/// Seconds of the local grid step.
pub(crate) const GRID: i64 = 300;

/// What the planner may do with a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Completed, cancelled, or pinned to another day: always unscheduled.
    NotActionable,
    /// Actionable and pinned today: always scheduled at this second.
    Pinned(i64),
    /// Actionable and free to place.
    Free,
}

/// One task, normalised.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    pub id: Uuid,
    pub title: String,
    pub priority: u8,
    pub minutes: i64,
    pub dur: i64,
    /// `W * U * m`.
    pub wum: i64,
    pub urgent: bool,
    /// Due instant, floored to the second.
    pub due: Option<i64>,
    pub hard: bool,
    pub kind: Kind,
    /// Whether the status is completed or cancelled.
    pub status_closed: bool,
    /// The status' wire name.
    pub status_word: &'static str,
    /// Indexes (canonical) of the actionable tasks this one depends on.
    pub deps: Vec<usize>,
    /// Indexes of the tasks depending on this one.
    pub dependents: Vec<usize>,
    /// Earliest start from pinned dependencies.
    pub earliest: i64,
    /// Whether a dependency is pinned to another day (never done).
    pub dep_never: bool,
    /// Grid slot indexes this task may start at against events, pinned blocks, the window,
    /// its hard deadline and its pinned dependencies.
    pub starts: Vec<u32>,
    /// The best value of any of `starts` (0 when there is none), computed once: the
    /// greedy orders, the fill and the local search all rank tasks by it.
    pub best: i64,
}

/// A busy timed event, in seconds.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub start: i64,
    pub end: i64,
    pub title: String,
}

/// The whole day, normalised.
#[derive(Debug, Clone)]
pub(crate) struct Day {
    pub tz: Tz,
    pub day_start: i64,
    pub now: i64,
    pub win_start: i64,
    pub win_end: i64,
    pub work_start: i64,
    pub peak_start: i64,
    pub peak_end: i64,
    pub buffer: i64,
    pub cap: i64,
    /// Minutes left for non-pinned tasks.
    pub cap_left: i64,
    pub grid: Vec<i64>,
    pub all_day_busy: Option<String>,
    pub events: Vec<Event>,
    /// Tasks sorted by id.
    pub tasks: Vec<Task>,
    /// Forbidden intervals for non-pinned blocks, sorted by start: expanded events and
    /// pinned blocks.
    pub forbidden: Vec<(i64, i64)>,
}

pub(crate) fn secs_floor(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub(crate) fn secs_ceil(t: DateTime<Utc>) -> i64 {
    t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0)
}

pub(crate) fn instant(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn offset_at(tz: Tz, secs: i64) -> i64 {
    i64::from(
        tz.offset_from_utc_datetime(&instant(secs).naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

pub(crate) fn wall(today: NaiveDate, clock: ClockTime, tz: Tz) -> i64 {
    let minutes = i64::from(clock.minutes());
    let date = if minutes >= 1440 {
        today.succ_opt().unwrap_or(today)
    } else {
        today
    };
    let m = minutes % 1440;
    // Minutes below 1440 always form a valid time.
    let time =
        NaiveTime::from_num_seconds_from_midnight_opt((m * 60) as u32, 0).unwrap_or(NaiveTime::MIN);
    secs_floor(resolve_local(date.and_time(time), tz))
}

/// Grid instants (local minute % 5 == 0, second 0) in `[from, to)`.
pub(crate) fn grid_points(tz: Tz, from: i64, to: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut t = from;
    while t < to {
        let off = offset_at(tz, t);
        let r = (t + off).rem_euclid(GRID);
        let cand = if r == 0 { t } else { t + GRID - r };
        if offset_at(tz, cand) != off {
            // A transition in (t, cand]: jump to its first second.
            let (mut lo, mut hi) = (t, cand);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid) == off {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            t = hi;
            continue;
        }
        if cand < to {
            out.push(cand);
        }
        t = cand + 1;
    }
    out
}

impl Day {
    /// Normalises a request (already checked).
    pub(crate) fn new(req: &PlanDayRequest) -> Day {
        let tz = req.timezone;
        let p = &req.preferences;
        let midnight = |d: NaiveDate| secs_floor(resolve_local(d.and_time(NaiveTime::MIN), tz));
        let day_start = midnight(req.today);
        let day_end = req.today.succ_opt().map_or(day_start + 86_400, midnight);
        let now = secs_ceil(req.current_time);
        let work_start = wall(req.today, p.workday_start, tz);
        let work_end = wall(req.today, p.workday_end, tz);
        let win_start = work_start.max(now);
        let win_end = work_end;
        let peak_start = wall(req.today, p.peak_hours_start, tz);
        let peak_end = wall(req.today, p.peak_hours_end, tz);
        let buffer = i64::from(p.meeting_buffer_minutes) * 60;
        let cap = p.focus_cap_minutes();
        let today_start = resolve_local(req.today.and_time(NaiveTime::MIN), tz);
        let today_end = instant(day_end);

        let mut all_day_busy = None;
        let mut events = Vec::new();
        for e in &req.blocked_time {
            if e.start == e.end || !e.is_busy() {
                continue;
            }
            if e.is_all_day {
                if e.start < today_end && e.end > today_start {
                    let title = e.title.clone();
                    all_day_busy = match all_day_busy {
                        Some(t) if t <= title => Some(t),
                        _ => Some(title),
                    };
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
        order.sort_by_key(|&i| req.tasks[i].id);
        // Canonical index of an id: its place among the sorted ids. A binary search over
        // integers beats hashing each of a dense graph's hundreds of thousands of edges.
        let sorted: Vec<u128> = order.iter().map(|&i| req.tasks[i].id.as_u128()).collect();
        let index = |id: &Uuid| sorted.binary_search(&id.as_u128()).ok();
        let mut tasks: Vec<Task> = order
            .iter()
            .map(|&i| {
                let t = &req.tasks[i];
                let minutes = i64::from(t.estimated_minutes);
                let urgent = t.due_date.is_some_and(|d| d <= today_end);
                let w = [1, 2, 4, 8][usize::from(t.priority.min(3))];
                let kind = if !t.is_open() {
                    Kind::NotActionable
                } else {
                    match t.pinned_start {
                        Some(ps) if ps >= today_start && ps < today_end => {
                            Kind::Pinned(secs_floor(ps))
                        }
                        Some(_) => Kind::NotActionable,
                        None => Kind::Free,
                    }
                };
                Task {
                    id: t.id,
                    title: t.title.clone(),
                    priority: t.priority.min(3),
                    minutes,
                    dur: minutes * 60,
                    wum: w * if urgent { 2 } else { 1 } * minutes,
                    urgent,
                    due: t.due_date.map(secs_floor),
                    hard: t.hard_deadline && t.due_date.is_some(),
                    kind,
                    status_closed: !t.is_open(),
                    status_word: t.status.as_str(),
                    deps: Vec::new(),
                    dependents: Vec::new(),
                    earliest: i64::MIN,
                    dep_never: false,
                    starts: Vec::new(),
                    best: 0,
                }
            })
            .collect();
        // Dependencies on actionable tasks of the request (others count as done).
        for (c, &i) in order.iter().enumerate() {
            let mut deps: Vec<usize> = req.tasks[i]
                .depends_on
                .iter()
                .filter_map(index)
                .filter(|&d| req.tasks[order[d]].is_open())
                .collect();
            deps.sort_unstable();
            deps.dedup();
            for &d in &deps {
                match tasks[d].kind {
                    Kind::NotActionable => tasks[c].dep_never = true,
                    Kind::Pinned(s) => {
                        tasks[c].earliest = tasks[c].earliest.max(s + tasks[d].dur);
                    }
                    Kind::Free => {}
                }
            }
            for &d in &deps {
                tasks[d].dependents.push(c);
            }
            tasks[c].deps = deps;
        }

        let mut pinned_minutes = 0;
        let mut forbidden: Vec<(i64, i64)> = events
            .iter()
            .map(|e| (e.start - buffer, e.end + buffer))
            .collect();
        for t in &tasks {
            if let Kind::Pinned(s) = t.kind {
                pinned_minutes += t.minutes;
                forbidden.push((s, s + t.dur));
            }
        }
        forbidden.sort_unstable();
        let grid = if win_start < win_end {
            grid_points(tz, win_start, win_end)
        } else {
            Vec::new()
        };
        let mut day = Day {
            tz,
            day_start,
            now,
            win_start,
            win_end,
            work_start,
            peak_start,
            peak_end,
            buffer,
            cap,
            cap_left: (cap - pinned_minutes).max(0),
            grid,
            all_day_busy,
            events,
            tasks,
            forbidden,
        };
        for c in 0..day.tasks.len() {
            let starts = day.static_starts(c);
            let best = starts
                .iter()
                .map(|&k| day.value(c, day.grid[k as usize]))
                .max()
                .unwrap_or(0);
            day.tasks[c].starts = starts;
            day.tasks[c].best = best;
        }
        day
    }

    fn static_starts(&self, c: usize) -> Vec<u32> {
        let t = &self.tasks[c];
        if t.kind != Kind::Free || t.dep_never || self.all_day_busy.is_some() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut f = 0;
        for (k, &g) in self.grid.iter().enumerate() {
            let end = g + t.dur;
            if end > self.win_end {
                break;
            }
            if g < t.earliest || (t.hard && t.due.is_some_and(|d| end > d)) {
                continue;
            }
            while f < self.forbidden.len() && self.forbidden[f].1 <= g {
                f += 1;
            }
            // Forbidden intervals may overlap one another: scan those starting before `end`.
            let blocked = self.forbidden[f..]
                .iter()
                .take_while(|&&(s, _)| s < end)
                .any(|&(_, e)| e > g);
            if !blocked {
                out.push(k as u32);
            }
        }
        out
    }

    /// Score of task `c` (quarter points) when it starts at `start`.
    pub(crate) fn value(&self, c: usize, start: i64) -> i64 {
        let t = &self.tasks[c];
        let end = start + t.dur;
        let peak = t.priority >= 2 && start >= self.peak_start && end <= self.peak_end;
        let late = !t.hard && t.due.is_some_and(|d| end > d);
        t.wum * (4 + i64::from(peak) - 2 * i64::from(late))
    }

    /// Whether `start` lies in peak hours for the whole block of task `c`.
    pub(crate) fn in_peak(&self, c: usize, start: i64) -> bool {
        start >= self.peak_start && start + self.tasks[c].dur <= self.peak_end
    }

    /// Local `HH:MM` of an instant, with the date when it is not today.
    pub(crate) fn when(&self, secs: i64) -> String {
        if secs >= self.day_start && secs < self.day_start + 86_400 {
            self.hhmm(secs)
        } else {
            instant(secs)
                .with_timezone(&self.tz)
                .format("%b %-d %H:%M")
                .to_string()
        }
    }

    /// Local `HH:MM` of an instant.
    pub(crate) fn hhmm(&self, secs: i64) -> String {
        instant(secs)
            .with_timezone(&self.tz)
            .format("%H:%M")
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        s.parse::<DateTime<Utc>>().unwrap().timestamp()
    }

    #[test]
    fn grid_follows_local_time_across_a_gap() {
        // New York, 2026-03-08 01:50 to 03:10 local: 01:50, 01:55, then 03:00, 03:05.
        let tz = chrono_tz::America::New_York;
        let g = grid_points(tz, at("2026-03-08T06:50:00Z"), at("2026-03-08T07:10:00Z"));
        assert_eq!(g.len(), 4);
        assert_eq!(g[2] - g[1], GRID);
    }

    #[test]
    fn grid_in_a_zone_with_seconds_in_its_offset() {
        // Monrovia 1971: UTC-00:44:30.
        let tz = chrono_tz::Africa::Monrovia;
        let g = grid_points(tz, at("1971-06-01T09:00:00Z"), at("1971-06-01T09:10:00Z"));
        assert_eq!(
            g,
            vec![at("1971-06-01T09:04:30Z"), at("1971-06-01T09:09:30Z")]
        );
    }

    #[test]
    fn ceil_and_floor_of_fractional_instants() {
        let t: DateTime<Utc> = "2026-03-08T10:00:00.25Z".parse().unwrap();
        assert_eq!(secs_ceil(t) - secs_floor(t), 1);
    }
}
