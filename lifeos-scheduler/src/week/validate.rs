//! An independent check of a week response against `PLANNER-WEEK.md`: every hard rule, the
//! grid, the chunk rules and numbering, the codes that are determined (`not_actionable`,
//! `blocked`; the rest only by membership) and the score. Written from the contract alone;
//! it shares nothing with the planner but the wire types.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use lifeos_core::TaskStatus;
use lifeos_core::plan::{PlanWeekRequest, PlanWeekResponse, PlanWeekTask, UnscheduledCode};
use lifeos_core::time::{ClockTime, resolve_local};
use uuid::Uuid;

use crate::validate::{Score, Violation};

/// A response block as checked: (start, end, chunk, chunkCount, remainingMinutes).
type Entry = (DateTime<Utc>, DateTime<Utc>, u32, u32, u32);

struct DayCx {
    date: NaiveDate,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    win: (DateTime<Utc>, DateTime<Utc>),
    peak: (DateTime<Utc>, DateTime<Utc>),
    working: bool,
}

fn at(date: NaiveDate, clock: ClockTime, tz: Tz) -> DateTime<Utc> {
    let mut date = date;
    let mut m = u32::from(clock.minutes());
    if m >= 1440 {
        date = date.succ_opt().unwrap_or(date);
        m -= 1440;
    }
    let time = NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or(NaiveTime::MIN);
    resolve_local(date.and_time(time), tz)
}

fn open(t: &PlanWeekTask) -> bool {
    matches!(t.task.status, TaskStatus::Pending | TaskStatus::InProgress)
}

/// Checks `response` against `request` and returns its score (blocks, delay and keep).
///
/// # Errors
/// Every violated rule of `PLANNER-WEEK.md`, each naming its rule: `window`, `overlap`,
/// `event`, `buffer`, `focus_cap`, `deadline`, `dependency`, `once`, `pinned`,
/// `actionable`, `grid`, `length`, `chunk`, `order`, `code`.
pub fn validate_week(
    request: &PlanWeekRequest,
    response: &PlanWeekResponse,
) -> Result<Score, Vec<Violation>> {
    let req = request;
    let tz = req.timezone;
    let p = &req.preferences.day;
    let mut all_day: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    let mut busy: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for e in &req.blocked_time {
        if e.start == e.end || !e.is_busy() {
            continue;
        }
        if e.is_all_day {
            all_day.push((e.start, e.end));
        } else {
            busy.push((e.start, e.end));
        }
    }
    let mut days = Vec::new();
    for k in 0..req.horizon_days.max(1) {
        let date = req.date(k).unwrap_or(req.today);
        let start = resolve_local(date.and_time(NaiveTime::MIN), tz);
        let end = date.succ_opt().map_or(start + Duration::days(1), |d| {
            resolve_local(d.and_time(NaiveTime::MIN), tz)
        });
        let working = req.preferences.working_days.contains(date.weekday())
            && !all_day.iter().any(|&(s, e)| s < end && e > start);
        days.push(DayCx {
            date,
            start,
            end,
            win: (
                at(date, p.workday_start, tz).max(req.current_time),
                at(date, p.workday_end, tz),
            ),
            peak: (
                at(date, p.peak_hours_start, tz),
                at(date, p.peak_hours_end, tz),
            ),
            working,
        });
    }
    let horizon_end = days.last().map_or(req.current_time, |d| d.end);
    let day_of = |t: DateTime<Utc>| days.iter().position(|d| t >= d.start && t < d.end);
    let buffer = Duration::minutes(i64::from(p.meeting_buffer_minutes));
    let cap = p.focus_cap_minutes();
    let tasks: BTreeMap<Uuid, &PlanWeekTask> = req.tasks.iter().map(|t| (t.task.id, t)).collect();
    let pinned_in = |t: &PlanWeekTask| {
        t.task
            .pinned_start
            .filter(|&s| open(t) && s >= days[0].start && s < horizon_end)
    };
    let not_actionable =
        |t: &PlanWeekTask| !open(t) || (t.task.pinned_start.is_some() && pinned_in(t).is_none());
    let previous: BTreeSet<(Uuid, DateTime<Utc>, DateTime<Utc>)> = req
        .previous_plan
        .iter()
        .map(|b| (b.task_id, b.start_time, b.end_time))
        .collect();

    let mut v: Vec<Violation> = Vec::new();
    let mut bad = |rule: &'static str, id: Option<Uuid>, message: String| {
        v.push(Violation {
            rule,
            task_id: id,
            message,
        });
    };

    // Rule 9 and the response's shape.
    let mut by_task: BTreeMap<Uuid, Vec<Entry>> = BTreeMap::new();
    for s in &response.scheduled_tasks {
        if !tasks.contains_key(&s.task_id) {
            bad("once", Some(s.task_id), "not a task of the request".into());
            continue;
        }
        by_task.entry(s.task_id).or_default().push((
            s.start_time,
            s.end_time,
            s.chunk,
            s.chunk_count,
            s.remaining_minutes,
        ));
    }
    let mut unscheduled: BTreeSet<Uuid> = BTreeSet::new();
    for u in &response.unscheduled_tasks {
        if !tasks.contains_key(&u.task_id) {
            bad("once", Some(u.task_id), "not a task of the request".into());
        } else if !unscheduled.insert(u.task_id) || by_task.contains_key(&u.task_id) {
            bad("once", Some(u.task_id), "appears more than once".into());
        }
    }
    for id in tasks.keys() {
        if !by_task.contains_key(id) && !unscheduled.contains(id) {
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
        .all(|w| w[0].task_id < w[1].task_id);
    if !sorted_s || !sorted_u {
        bad(
            "order",
            None,
            "arrays are not sorted as PLANNER.md says".into(),
        );
    }

    // Each task's blocks.
    let mut all_blocks: Vec<(DateTime<Utc>, DateTime<Utc>, bool, Uuid)> = Vec::new();
    let mut minutes_on: Vec<i64> = vec![0; days.len()];
    let mut pinned_on: Vec<i64> = vec![0; days.len()];
    let mut full: BTreeSet<Uuid> = BTreeSet::new();
    let mut score = 0i64;
    for (id, list) in &mut by_task {
        list.sort_unstable();
        let Some(wt) = tasks.get(id) else { continue };
        let t = &wt.task;
        let idv = Some(*id);
        let est = i64::from(t.estimated_minutes);
        let w = [1, 2, 4, 8][usize::from(t.priority.min(3))];
        let u = if t.due_date.is_some_and(|d| d <= horizon_end) {
            2
        } else {
            1
        };
        let wu = w * u;
        let range = wt.chunk_range();
        let progress = range.is_some() && u == 1;
        if not_actionable(wt) {
            bad(
                "actionable",
                idv,
                "a not actionable task is scheduled".into(),
            );
        }
        let total: i64 = list.iter().map(|b| (b.1 - b.0).num_minutes()).sum();
        let count = u32::try_from(list.len()).unwrap_or(u32::MAX);
        let pinned = pinned_in(wt);
        let mut weighted = 0i64;
        let mut dates = BTreeSet::new();
        for (i, &(s, e, chunk, chunk_count, remaining)) in list.iter().enumerate() {
            let len = e - s;
            let m = len.num_minutes();
            if u32::try_from(i).ok() != Some(chunk)
                || chunk_count != count
                || i64::from(remaining) != (est - total).max(0)
            {
                bad(
                    "chunk",
                    idv,
                    "chunk, chunkCount or remainingMinutes is wrong".into(),
                );
            }
            if len <= Duration::zero() || len != Duration::minutes(m) {
                bad("length", idv, "a block is not whole minutes long".into());
            }
            let Some(k) = day_of(s) else {
                bad("window", idv, "a block starts outside the horizon".into());
                continue;
            };
            let day = &days[k];
            if !dates.insert(day.date) && range.is_some() {
                bad("chunk", idv, "two chunks on one local date".into());
            }
            minutes_on[k] += m;
            weighted += m * k as i64;
            if pinned.is_some() {
                pinned_on[k] += m;
            } else {
                let local = s.with_timezone(&tz);
                if local.minute() % 5 != 0 || local.second() != 0 || s.nanosecond() != 0 {
                    bad("grid", idv, "start is off the 5-minute local grid".into());
                }
                if !day.working {
                    bad("window", idv, "a block on a non-working day".into());
                }
                if s < day.win.0 || e > day.win.1 {
                    bad("window", idv, "block outside its day's work window".into());
                }
                for &(es, ee) in &busy {
                    if s < ee && e > es {
                        bad("event", idv, "block overlaps a busy event".into());
                    } else if !(e + buffer <= es || ee + buffer <= s) {
                        bad("buffer", idv, "block inside a meeting buffer".into());
                    }
                }
                if t.hard_deadline && t.due_date.is_some_and(|d| e > d) {
                    bad("deadline", idv, "block ends after its hard deadline".into());
                }
                match range {
                    Some((lo, hi)) => {
                        if m % 5 != 0 || m < i64::from(lo) || m > i64::from(hi) {
                            bad(
                                "length",
                                idv,
                                format!("a chunk of {m} min is not in {lo}..={hi} in steps of 5"),
                            );
                        }
                    }
                    None => {
                        if list.len() != 1 || m != est {
                            bad(
                                "length",
                                idv,
                                "an unsplit task is one block of its estimate".into(),
                            );
                        }
                    }
                }
            }
            let peak = t.priority >= 2 && s >= day.peak.0 && e <= day.peak.1;
            let late = !t.hard_deadline && t.due_date.is_some_and(|d| e > d);
            let keep = previous.contains(&(*id, s, e));
            score += wu * m * (4 + i64::from(peak) - 2 * i64::from(late) + i64::from(keep));
            all_blocks.push((s, e, pinned.is_some(), *id));
        }
        if let Some(ps) = pinned {
            if list.len() != 1 || list[0].0 != ps || total != est {
                bad(
                    "pinned",
                    idv,
                    "pinned task not one block at its pinnedStart".into(),
                );
            }
        } else if total > est || (total != est && !progress) {
            bad(
                "length",
                idv,
                format!("blocks sum to {total} minutes of an estimate of {est}"),
            );
        }
        score -= wu * ((weighted + 59).div_euclid(60));
        if total == est {
            full.insert(*id);
        }
    }
    // Dependencies (rule 8), for non-pinned scheduled tasks.
    for (id, list) in &by_task {
        let Some(wt) = tasks.get(id) else { continue };
        if pinned_in(wt).is_some() {
            continue;
        }
        let Some(first) = list.first().map(|b| b.0) else {
            continue;
        };
        for d in &wt.task.depends_on {
            let Some(dt) = tasks.get(d) else { continue };
            if !open(dt) {
                continue;
            }
            let ok = !not_actionable(dt)
                && full.contains(d)
                && by_task
                    .get(d)
                    .is_some_and(|bs| bs.iter().all(|b| b.1 <= first));
            if !ok {
                bad(
                    "dependency",
                    Some(*id),
                    format!("dependency {d} is not done in full before its first block"),
                );
            }
        }
    }
    all_blocks.sort_unstable();
    for (i, a) in all_blocks.iter().enumerate() {
        for b in &all_blocks[i + 1..] {
            if b.0 >= a.1 {
                break;
            }
            if !(a.2 && b.2) {
                bad("overlap", Some(a.3), format!("overlaps task {}", b.3));
            }
        }
    }
    for (k, d) in days.iter().enumerate() {
        if minutes_on[k] > cap.max(pinned_on[k]) {
            bad(
                "focus_cap",
                None,
                format!(
                    "{} minutes planned on {} over a cap of {cap}",
                    minutes_on[k], d.date
                ),
            );
        }
    }
    for u in &response.unscheduled_tasks {
        let Some(wt) = tasks.get(&u.task_id) else {
            continue;
        };
        if pinned_in(wt).is_some() {
            bad(
                "pinned",
                Some(u.task_id),
                "a task pinned in the horizon is unscheduled".into(),
            );
            continue;
        }
        let blocked = wt
            .task
            .depends_on
            .iter()
            .filter_map(|d| tasks.get(d))
            .filter(|d| open(d))
            .any(|d| not_actionable(d) || !full.contains(&d.task.id));
        let fine = if not_actionable(wt) {
            u.code == UnscheduledCode::NotActionable
        } else if blocked {
            u.code == UnscheduledCode::Blocked
        } else {
            matches!(
                u.code,
                UnscheduledCode::TooLong
                    | UnscheduledCode::Deadline
                    | UnscheduledCode::FocusCap
                    | UnscheduledCode::NoSlot
            )
        };
        if !fine {
            bad(
                "code",
                Some(u.task_id),
                format!("code {} does not apply", u.code),
            );
        }
    }
    if v.is_empty() {
        Ok(Score {
            quarter_points: score,
        })
    } else {
        Err(v)
    }
}
