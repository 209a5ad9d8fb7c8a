//! Plan My Week (`PLANNER-WEEK.md`): a horizon of days, tasks in chunks, per-date focus
//! caps, the delay term and the keep bonus of a previous plan.
//!
//! [`plan_week`] normalises the request onto one 5-minute local grid over the working days
//! (the day planner's grid and wall times), places each task by an exact best insertion
//! (for a split task a program over the days for its chunk lengths) and improves the plan by
//! large-neighbourhood search under a fixed work budget. [`validate_week`] checks a
//! response against the contract alone and returns its score. [`plan_week_not_before`]
//! adds a workflow's bounds beside the request: tasks whose blocks may not start before an
//! instant.

mod explain;
mod model;
mod not_before;
mod search;
mod validate;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lifeos_core::plan::{PlanError, PlanWeekRequest, PlanWeekResponse};
use lifeos_core::time::ClockTime;

pub use validate::validate_week;

/// Plans the week of `request`: pure and deterministic (the same request, with its tasks,
/// events or previous blocks in any order, gives byte-identical JSON).
///
/// # Errors
/// [`PlanError`] when the request breaks a rule of `PLANNER-WEEK.md` (a request built in
/// code can hold values the JSON reader would refuse).
pub fn plan_week(request: &PlanWeekRequest) -> Result<PlanWeekResponse, PlanError> {
    plan_week_not_before(request, &BTreeMap::new())
}

/// Plans the week of `request` as [`plan_week`] does, with every block of each task named
/// in `not_before` starting at or after its instant: the planner trims that task's windows
/// (the wire contract is unchanged, so the bounds are a parameter beside the request). An
/// empty map gives [`plan_week`]'s answer byte for byte.
///
/// Ids that name no task of the request are ignored (as `previousPlan` entries and
/// `dependsOn` ids naming no task are). A task pinned in the horizon keeps its pin, which is
/// exempt from windows; a task that is not actionable stays `not_actionable`. A task that
/// no longer fits after its instant is unscheduled with the usual codes.
///
/// ```
/// use std::collections::BTreeMap;
/// use lifeos_scheduler::{PlanWeekRequest, plan_week_not_before};
///
/// let request = PlanWeekRequest::from_json(r#"{"timezone": "UTC", "today": "2026-03-09",
///     "currentTime": "2026-03-09T07:00:00Z", "horizonDays": 2,
///     "tasks": [{"id": "00000000-0000-4000-8000-000000000001", "estimatedMinutes": 60}]}"#)?;
/// let id = request.tasks[0].task.id;
/// let tomorrow = "2026-03-10T00:00:00Z".parse()?;
/// let plan = plan_week_not_before(&request, &BTreeMap::from([(id, tomorrow)]))?;
/// assert!(plan.scheduled_tasks.iter().all(|s| s.start_time >= tomorrow));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`PlanError`] as [`plan_week`].
pub fn plan_week_not_before(
    request: &PlanWeekRequest,
    not_before: &BTreeMap<uuid::Uuid, DateTime<Utc>>,
) -> Result<PlanWeekResponse, PlanError> {
    if !looks_valid(request) {
        // Recheck through the JSON reader so the errors name fields exactly as it does.
        let value = serde_json::to_value(request)
            .map_err(|e| PlanError::single("", format!("unserialisable request: {e}")))?;
        PlanWeekRequest::from_value(&value)?;
        return Err(PlanError::single("", "invalid request"));
    }
    let mut week = model::Week::new(request);
    not_before::apply(&mut week, not_before);
    let plan = search::search(&week);
    Ok(explain::respond(&week, &plan))
}

fn looks_valid(r: &PlanWeekRequest) -> bool {
    let p = &r.preferences.day;
    let day_end = ClockTime::new(24, 0);
    let prefs = Some(p.workday_start) < day_end
        && Some(p.peak_hours_start) < day_end
        && p.workday_end > p.workday_start
        && p.peak_hours_end > p.peak_hours_start
        && p.max_focus_hours.is_finite()
        && (0.0..=24.0).contains(&p.max_focus_hours)
        && p.meeting_buffer_minutes <= 1440
        && (1..=lifeos_core::plan::week::MAX_HORIZON_DAYS).contains(&r.horizon_days)
        && !r.preferences.working_days.iso_days().is_empty();
    let mut ids: Vec<uuid::Uuid> = r.tasks.iter().map(|t| t.task.id).collect();
    ids.sort_unstable();
    let unique = ids.windows(2).all(|w| w[0] != w[1]);
    let tasks = r.tasks.iter().all(|wt| {
        let t = &wt.task;
        let chunk_ok = |v: Option<u32>| v.is_none_or(|m| (5..=1440).contains(&m) && m % 5 == 0);
        let minutes_ok = match wt.chunk_range() {
            Some((lo, hi)) => {
                (1..=lifeos_core::plan::week::MAX_SPLIT_MINUTES).contains(&t.estimated_minutes)
                    && t.estimated_minutes % 5 == 0
                    && lo <= hi
                    && t.estimated_minutes.div_ceil(hi) * lo <= t.estimated_minutes
            }
            None => (1..=1440).contains(&t.estimated_minutes),
        };
        t.priority <= 3
            && minutes_ok
            && chunk_ok(wt.min_chunk_minutes)
            && chunk_ok(wt.max_chunk_minutes)
            && t.pinned_start
                .is_none_or(|s| s.timestamp_subsec_nanos() == 0)
    });
    let events = r.blocked_time.iter().all(|e| e.end >= e.start);
    let previous = r.previous_plan.iter().all(|b| b.end_time > b.start_time);
    prefs && unique && tasks && events && previous && acyclic(r, &ids)
}

/// Whether the dependencies among the request's tasks form no cycle (Kahn's algorithm).
fn acyclic(r: &PlanWeekRequest, sorted_ids: &[uuid::Uuid]) -> bool {
    let n = r.tasks.len();
    let pos = |id: &uuid::Uuid| sorted_ids.binary_search(id).ok();
    let mut order_of = vec![0; n];
    for (i, t) in r.tasks.iter().enumerate() {
        if let Some(k) = pos(&t.task.id) {
            order_of[k] = i;
        }
    }
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, t) in r.tasks.iter().enumerate() {
        let mut deps: Vec<usize> = t
            .task
            .depends_on
            .iter()
            .filter_map(&pos)
            .map(|k| order_of[k])
            .collect();
        deps.sort_unstable();
        deps.dedup();
        for d in deps {
            out[d].push(i);
            indeg[i] += 1;
        }
    }
    let mut queue: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut seen = 0;
    while let Some(v) = queue.pop() {
        seen += 1;
        for &w in &out[v] {
            indeg[w] -= 1;
            if indeg[w] == 0 {
                queue.push(w);
            }
        }
    }
    seen == n
}
