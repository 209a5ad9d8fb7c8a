//! LifeOS "Plan My Day": a deterministic, near-optimal day planner and its independent
//! validator, over the wire types of [`lifeos_core::plan`] (the contract is `PLANNER.md`).
//!
//! ```
//! use lifeos_core::plan::PlanDayRequest;
//! use lifeos_scheduler::{plan_day, validate};
//!
//! let request = PlanDayRequest::from_json(
//!     r#"{"timezone": "Europe/Berlin", "today": "2026-03-09",
//!         "currentTime": "2026-03-09T06:00:00Z",
//!         "tasks": [{"id": "7e57d004-2b97-0e7a-b45f-5387367791cd", "title": "Report",
//!                    "priority": 3, "estimatedMinutes": 90}],
//!         "blockedTime": [{"title": "Standup", "start": "2026-03-09T08:00:00Z",
//!                          "end": "2026-03-09T08:15:00Z"}]}"#,
//! )?;
//! let plan = plan_day(&request)?;
//! assert_eq!(plan.scheduled_tasks.len(), 1);
//! // 90 minutes, weight 8, in peak hours: 8 * 90 * 5 quarter points.
//! assert_eq!(validate(&request, &plan).map(|s| s.quarter_points), Ok(3600));
//! # Ok::<(), lifeos_core::plan::PlanError>(())
//! ```
//!
//! # Overview
//!
//! - [`plan_day`] normalises the request to integer seconds on the 5-minute local grid,
//!   solves small days exactly with a dynamic program over the grid (state: slot and set of
//!   placed tasks), and larger ones with a greedy start improved by large-neighbourhood
//!   search whose neighbourhoods the same program solves exactly, under fixed work budgets.
//! - [`validate`] checks a response against every rule of `PLANNER.md` and returns its
//!   [`Score`]. It shares nothing with the planner but the wire types.
//! - [`plan_week`] plans a horizon of days (`PLANNER-WEEK.md`): tasks in chunks, per-date
//!   focus caps, the delay term and the keep bonus of a `previousPlan`, on the day planner's
//!   grid; each task by an exact best insertion, then large-neighbourhood search under a
//!   work budget. [`validate_week`] checks a week response against that contract alone.
//!
//! # Errors
//!
//! [`plan_day`] returns a [`PlanError`] naming each bad field of a request built in code
//! (requests read with [`PlanDayRequest::from_json`] are already checked).

mod explain;
mod model;
mod search;
mod validate;
mod week;

pub use lifeos_core::plan::{PlanDayRequest, PlanDayResponse, PlanError};
pub use lifeos_core::plan::{PlanWeekRequest, PlanWeekResponse};
pub use validate::{Score, Violation, validate};
pub use week::{plan_week, validate_week};

use lifeos_core::time::ClockTime;

/// Plans the day of `request`: pure and deterministic (the same request, with its tasks or
/// events in any order, gives byte-identical JSON).
///
/// # Errors
/// [`PlanError`] when the request breaks a rule of `PLANNER.md` (a request built in code
/// can hold values the JSON reader would refuse).
pub fn plan_day(request: &PlanDayRequest) -> Result<PlanDayResponse, PlanError> {
    if !looks_valid(request) {
        // Recheck through the JSON reader so the errors name fields exactly as it does.
        let value = serde_json::to_value(request)
            .map_err(|e| PlanError::single("", format!("unserialisable request: {e}")))?;
        PlanDayRequest::from_value(&value)?;
        return Err(PlanError::single("", "invalid request"));
    }
    let day = model::Day::new(request);
    let plan = search::search(&day);
    Ok(explain::respond(&day, &plan))
}

fn looks_valid(r: &PlanDayRequest) -> bool {
    let p = &r.preferences;
    let day_end = ClockTime::new(24, 0);
    let prefs = Some(p.workday_start) < day_end
        && Some(p.peak_hours_start) < day_end
        && p.workday_end > p.workday_start
        && p.peak_hours_end > p.peak_hours_start
        && p.max_focus_hours.is_finite()
        && (0.0..=24.0).contains(&p.max_focus_hours)
        && p.meeting_buffer_minutes <= 1440;
    let mut ids: Vec<uuid::Uuid> = r.tasks.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    let unique = ids.windows(2).all(|w| w[0] != w[1]);
    let tasks = r.tasks.iter().all(|t| {
        t.priority <= 3
            && (1..=1440).contains(&t.estimated_minutes)
            && t.pinned_start
                .is_none_or(|s| s.timestamp_subsec_nanos() == 0)
    });
    let events = r.blocked_time.iter().all(|e| e.end >= e.start);
    prefs && unique && tasks && events && acyclic(r, &ids)
}

fn acyclic(r: &PlanDayRequest, sorted_ids: &[uuid::Uuid]) -> bool {
    let n = r.tasks.len();
    let pos = |id: &uuid::Uuid| sorted_ids.binary_search(id).ok();
    let mut order_of = vec![0; n];
    for (i, t) in r.tasks.iter().enumerate() {
        if let Some(k) = pos(&t.id) {
            order_of[k] = i;
        }
    }
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, t) in r.tasks.iter().enumerate() {
        let mut deps: Vec<usize> = t
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
