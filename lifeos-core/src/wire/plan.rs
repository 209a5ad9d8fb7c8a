//! The answers of `POST /ai/plan-day` and `POST /ai/plan-week`: the planner's response
//! plus `saved`.

use serde::{Deserialize, Serialize};

use crate::plan::{PlanDayResponse, PlanWeekResponse};

/// PLANNER.md's day plan (camelCase, as the planner writes it) plus `saved`: the tasks
/// whose times were written (0 for a dry run).
///
/// ```
/// # use lifeos_core::wire::PlannedDay;
/// let p: PlannedDay = serde_json::from_str(r#"{"scheduledTasks":[],"unscheduledTasks":[],
///   "insights":[],"warnings":[],"saved":0}"#).unwrap();
/// assert_eq!(p.saved, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedDay {
    /// The plan.
    #[serde(flatten)]
    pub plan: PlanDayResponse,
    /// How many tasks' times were saved.
    pub saved: u32,
}

/// PLANNER-WEEK.md's week plan (camelCase) plus `saved`: the blocks added, moved or removed
/// (0 for a dry run).
///
/// ```
/// # use lifeos_core::wire::PlannedWeek;
/// let p: PlannedWeek = serde_json::from_str(r#"{"scheduledTasks":[],"unscheduledTasks":[],
///   "insights":[],"warnings":[],"saved":2}"#).unwrap();
/// assert_eq!(p.saved, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedWeek {
    /// The plan.
    #[serde(flatten)]
    pub plan: PlanWeekResponse,
    /// How many blocks were saved (added, moved or removed).
    pub saved: u32,
}
