//! An independent check of a response against `PLANNER.md`: every hard constraint, the
//! grid, the unscheduled codes and their order, and the score. Written from the contract
//! alone; it shares nothing with the planner but the wire types.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveTime, Offset, TimeZone, Timelike, Utc};
use lifeos_core::TaskStatus;
use lifeos_core::plan::{PlanDayRequest, PlanDayResponse, PlanTask, UnscheduledCode};
use lifeos_core::time::ClockTime;
use lifeos_core::time::resolve_local;
use uuid::Uuid;

/// A plan's score in quarter points: `Σ W·U·m·(4 + peak − 2·late)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score {
    /// The score, in quarter points.
    pub quarter_points: i64,
}

/// One broken rule of `PLANNER.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Which rule: `window`, `overlap`, `event`, `buffer`, `focus_cap`, `deadline`,
    /// `dependency`, `once`, `pinned`, `actionable`, `grid`, `length`, `order`, `code`.
    pub rule: &'static str,
    /// The task concerned, if one.
    pub task_id: Option<Uuid>,
    /// What is wrong.
    pub message: String,
}

struct Ctx<'a> {
    req: &'a PlanDayRequest,
    tz: chrono_tz::Tz,
    day_start: DateTime<Utc>,
    day_end: DateTime<Utc>,
    win_start: DateTime<Utc>,
    win_end: DateTime<Utc>,
    peak: (DateTime<Utc>, DateTime<Utc>),
    buffer: Duration,
    busy: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    all_day_busy: bool,
    tasks: BTreeMap<Uuid, &'a PlanTask>,
}

fn at(req: &PlanDayRequest, clock: ClockTime) -> DateTime<Utc> {
    let mut date = req.today;
    let mut m = u32::from(clock.minutes());
    if m >= 1440 {
        date = date.succ_opt().unwrap_or(date);
        m -= 1440;
    }
    let time = NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or(NaiveTime::MIN);
    resolve_local(date.and_time(time), req.timezone)
}

impl Ctx<'_> {
    fn actionable(&self, t: &PlanTask) -> bool {
        matches!(t.status, TaskStatus::Pending | TaskStatus::InProgress)
    }
    fn pinned_today(&self, t: &PlanTask) -> Option<DateTime<Utc>> {
        t.pinned_start
            .filter(|&p| self.actionable(t) && p >= self.day_start && p < self.day_end)
    }
    fn not_actionable(&self, t: &PlanTask) -> bool {
        !self.actionable(t) || (t.pinned_start.is_some() && self.pinned_today(t).is_none())
    }
    fn on_grid(&self, s: DateTime<Utc>) -> bool {
        let local = s.with_timezone(&self.tz);
        local.minute().is_multiple_of(5) && local.second() == 0 && local.nanosecond() == 0
    }
    /// Rules 1, 2 (events), 3 for a block.
    fn window_ok(&self, s: DateTime<Utc>, e: DateTime<Utc>) -> bool {
        s >= self.win_start && e <= self.win_end
    }
    fn events_ok(&self, s: DateTime<Utc>, e: DateTime<Utc>) -> bool {
        !self.all_day_busy
            && self
                .busy
                .iter()
                .all(|&(es, ee)| e + self.buffer <= es || ee + self.buffer <= s)
    }
    fn grid_starts(&self) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        if self.win_start >= self.win_end {
            return out;
        }
        let first = self.win_start;
        let off = self.tz.offset_from_utc_datetime(&first.naive_utc()).fix();
        let step = if off.local_minus_utc() % 60 == 0 {
            60
        } else {
            1
        };
        // Start from the whole second (and, when stepping by minutes, the whole minute) at
        // or after the window start.
        let mut t = DateTime::from_timestamp(first.timestamp(), 0).unwrap_or(first);
        if t < first {
            t += Duration::seconds(1);
        }
        if step == 60 {
            let r = t.timestamp().rem_euclid(60);
            if r != 0 {
                t += Duration::seconds(60 - r);
            }
        }
        while t < self.win_end {
            if self.on_grid(t) {
                out.push(t);
            }
            t += Duration::seconds(step);
        }
        out
    }
}

/// Checks `response` against `request` and returns its score.
///
/// # Errors
/// Every violated rule of `PLANNER.md`.
pub fn validate(
    request: &PlanDayRequest,
    response: &PlanDayResponse,
) -> Result<Score, Vec<Violation>> {
    let req = request;
    let tz = req.timezone;
    let day_start = resolve_local(req.today.and_time(NaiveTime::MIN), tz);
    let day_end = req
        .today
        .succ_opt()
        .map_or(day_start + Duration::days(1), |d| {
            resolve_local(d.and_time(NaiveTime::MIN), tz)
        });
    let p = &req.preferences;
    let win_start = at(req, p.workday_start).max(req.current_time);
    let win_end = at(req, p.workday_end);
    let mut busy = Vec::new();
    let mut all_day_busy = false;
    for e in &req.blocked_time {
        if e.start == e.end || !e.is_busy() {
            continue;
        }
        if e.is_all_day {
            all_day_busy |= e.start < day_end && e.end > day_start;
        } else {
            busy.push((e.start, e.end));
        }
    }
    let cx = Ctx {
        req,
        tz,
        day_start,
        day_end,
        win_start,
        win_end,
        peak: (at(req, p.peak_hours_start), at(req, p.peak_hours_end)),
        buffer: Duration::minutes(i64::from(p.meeting_buffer_minutes)),
        busy,
        all_day_busy,
        tasks: req.tasks.iter().map(|t| (t.id, t)).collect(),
    };
    let mut v: Vec<Violation> = Vec::new();
    let mut bad = |rule: &'static str, id: Option<Uuid>, message: String| {
        v.push(Violation {
            rule,
            task_id: id,
            message,
        });
    };

    // Rule 9 and the response's shape.
    let mut seen: BTreeSet<Uuid> = BTreeSet::new();
    for id in response
        .scheduled_tasks
        .iter()
        .map(|s| s.task_id)
        .chain(response.unscheduled_tasks.iter().map(|u| u.task_id))
    {
        if !cx.tasks.contains_key(&id) {
            bad("once", Some(id), "not a task of the request".into());
        } else if !seen.insert(id) {
            bad("once", Some(id), "appears more than once".into());
        }
    }
    for id in cx.tasks.keys() {
        if !seen.contains(id) {
            bad("once", Some(*id), "missing from the response".into());
        }
    }
    let sorted_s = response
        .scheduled_tasks
        .windows(2)
        .all(|w| (w[0].start_time, w[0].task_id) <= (w[1].start_time, w[1].task_id));
    let sorted_u = response
        .unscheduled_tasks
        .windows(2)
        .all(|w| w[0].task_id <= w[1].task_id);
    if !sorted_s || !sorted_u {
        bad(
            "order",
            None,
            "arrays are not sorted as PLANNER.md says".into(),
        );
    }

    // Blocks.
    let mut blocks: BTreeMap<Uuid, (DateTime<Utc>, DateTime<Utc>, bool)> = BTreeMap::new();
    let cap = p.focus_cap_minutes();
    let mut total = 0i64;
    let mut pinned_total = 0i64;
    let mut score = 0i64;
    for s in &response.scheduled_tasks {
        let Some(t) = cx.tasks.get(&s.task_id) else {
            continue;
        };
        let id = Some(t.id);
        let m = i64::from(t.estimated_minutes);
        if s.end_time - s.start_time != Duration::minutes(m) {
            bad(
                "length",
                id,
                "block length differs from estimatedMinutes".into(),
            );
        }
        if cx.not_actionable(t) {
            bad(
                "actionable",
                id,
                "a not actionable task is scheduled".into(),
            );
        }
        let pinned = cx.pinned_today(t);
        if let Some(ps) = pinned {
            if ps != s.start_time {
                bad("pinned", id, "pinned task not at its pinnedStart".into());
            }
            pinned_total += m;
        } else {
            if !cx.on_grid(s.start_time) {
                bad("grid", id, "start is off the 5-minute local grid".into());
            }
            if !cx.window_ok(s.start_time, s.end_time) {
                bad("window", id, "block outside the work window".into());
            }
            if cx.all_day_busy {
                bad("event", id, "a busy all-day event blocks today".into());
            }
            for &(es, ee) in &cx.busy {
                if s.start_time < ee && s.end_time > es {
                    bad("event", id, "block overlaps a busy event".into());
                } else if !(s.end_time + cx.buffer <= es || ee + cx.buffer <= s.start_time) {
                    bad("buffer", id, "block inside a meeting buffer".into());
                }
            }
            if t.hard_deadline && t.due_date.is_some_and(|d| s.end_time > d) {
                bad("deadline", id, "block ends after its hard deadline".into());
            }
            for d in &t.depends_on {
                let Some(dt) = cx.tasks.get(d) else { continue };
                if !cx.actionable(dt) {
                    continue;
                }
                let ok = response
                    .scheduled_tasks
                    .iter()
                    .find(|x| x.task_id == *d)
                    .is_some_and(|x| x.end_time <= s.start_time);
                if !ok {
                    bad(
                        "dependency",
                        id,
                        format!("dependency {d} is not done before it"),
                    );
                }
            }
        }
        total += m;
        blocks.insert(t.id, (s.start_time, s.end_time, pinned.is_some()));
        // Score.
        let w = [1, 2, 4, 8][usize::from(t.priority.min(3))];
        let u = if t.due_date.is_some_and(|d| d <= cx.day_end) {
            2
        } else {
            1
        };
        let peak = t.priority >= 2 && s.start_time >= cx.peak.0 && s.end_time <= cx.peak.1;
        let late = !t.hard_deadline && t.due_date.is_some_and(|d| s.end_time > d);
        score += w * u * m * (4 + i64::from(peak) - 2 * i64::from(late));
    }
    let list: Vec<_> = blocks.iter().collect();
    // Two pinned blocks may overlap: each pair with a non-pinned block is checked, so that
    // thousands of pinned blocks cost their number times the free ones, not its square.
    let free: Vec<usize> = (0..list.len()).filter(|&i| !list[i].1.2).collect();
    for (i, a) in list.iter().enumerate() {
        let later: Box<dyn Iterator<Item = usize>> = if a.1.2 {
            Box::new(free.iter().copied().filter(move |&j| j > i))
        } else {
            Box::new(i + 1..list.len())
        };
        for j in later {
            let b = list[j];
            let (x, y) = (a.1, b.1);
            if x.0 < y.1 && y.0 < x.1 {
                bad("overlap", Some(*a.0), format!("overlaps task {}", b.0));
            }
        }
    }
    if total > cap.max(pinned_total) {
        bad(
            "focus_cap",
            None,
            format!("{total} minutes planned over a cap of {cap}"),
        );
    }
    // Pinned-today tasks must be scheduled; codes of the unscheduled.
    let cap_left = (cap - total).max(0);
    let grid = cx.grid_starts();
    for u in &response.unscheduled_tasks {
        let Some(t) = cx.tasks.get(&u.task_id) else {
            continue;
        };
        if cx.pinned_today(t).is_some() {
            bad(
                "pinned",
                Some(t.id),
                "a task pinned to today is unscheduled".into(),
            );
            continue;
        }
        let expected = expected_code(&cx, t, &blocks, &grid, cap_left);
        if u.code != expected {
            bad(
                "code",
                Some(t.id),
                format!("code {} where {} applies", u.code, expected),
            );
        }
    }
    let _ = cx.req;
    if v.is_empty() {
        Ok(Score {
            quarter_points: score,
        })
    } else {
        Err(v)
    }
}

fn expected_code(
    cx: &Ctx<'_>,
    t: &PlanTask,
    blocks: &BTreeMap<Uuid, (DateTime<Utc>, DateTime<Utc>, bool)>,
    grid: &[DateTime<Utc>],
    cap_left: i64,
) -> UnscheduledCode {
    if cx.not_actionable(t) {
        return UnscheduledCode::NotActionable;
    }
    let open_deps: Vec<&PlanTask> = t
        .depends_on
        .iter()
        .filter_map(|d| cx.tasks.get(d).copied())
        .filter(|d| cx.actionable(d))
        .collect();
    if open_deps.iter().any(|d| !blocks.contains_key(&d.id)) {
        return UnscheduledCode::Blocked;
    }
    let len = Duration::minutes(i64::from(t.estimated_minutes));
    if !grid.iter().any(|&g| g + len <= cx.win_end) {
        return UnscheduledCode::TooLong;
    }
    let deadline_ok =
        |g: DateTime<Utc>| !(t.hard_deadline && t.due_date.is_some_and(|d| g + len > d));
    if t.hard_deadline
        && t.due_date.is_some()
        && !grid
            .iter()
            .any(|&g| cx.window_ok(g, g + len) && cx.events_ok(g, g + len) && deadline_ok(g))
    {
        return UnscheduledCode::Deadline;
    }
    let slot = grid.iter().any(|&g| {
        let e = g + len;
        cx.window_ok(g, e)
            && cx.events_ok(g, e)
            && deadline_ok(g)
            && blocks.values().all(|b| e <= b.0 || b.1 <= g)
            && open_deps
                .iter()
                .all(|d| blocks.get(&d.id).is_some_and(|b| b.1 <= g))
    });
    if slot && i64::from(t.estimated_minutes) > cap_left {
        return UnscheduledCode::FocusCap;
    }
    UnscheduledCode::NoSlot
}
