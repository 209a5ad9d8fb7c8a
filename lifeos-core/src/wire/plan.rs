//! The answer of `POST /ai/plan-day`: PLANNER.md's response plus `saved`.

use serde::{Deserialize, Serialize};

use crate::plan::PlanDayResponse;

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
