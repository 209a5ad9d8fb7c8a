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
//! - [`refine`](refine::refine) lets a language model behind the [`Refiner`](refine::Refiner)
//!   trait propose a better day: its reply is repaired and accepted only within a score
//!   tolerance, so the answer always passes [`validate`] (`PLANNER.md`, "Refinement").
//!
//! # Errors
//!
//! [`plan_day`] returns a [`PlanError`] naming each bad field of a request, with the paths
//! and messages of the JSON reader: both run [`PlanDayRequest::check`], the one gate.

mod conflicts;
mod explain;
mod model;
pub mod refine;
mod search;
mod validate;
mod week;

pub use lifeos_core::plan::{PlanDayRequest, PlanDayResponse, PlanError};
pub use lifeos_core::plan::{PlanWeekRequest, PlanWeekResponse};
pub use validate::{Score, Violation, validate};
pub use week::{plan_week, plan_week_not_before, validate_week};

/// Plans the day of `request`: pure and deterministic (the same request, with its tasks or
/// events in any order, gives byte-identical JSON).
///
/// The request passes [`PlanDayRequest::check`] first, the one gate of `PLANNER.md`'s rules
/// (the JSON reader runs the same rules), so a request built in code gets the errors, paths
/// and messages the same request written as JSON would.
///
/// # Errors
/// [`PlanError`] when the request breaks a rule of `PLANNER.md`, naming every bad field.
pub fn plan_day(request: &PlanDayRequest) -> Result<PlanDayResponse, PlanError> {
    request.check()?;
    let day = model::Day::new(request);
    let plan = search::search(&day);
    Ok(explain::respond(&day, &plan))
}
