//! The planner's wire types (`PLANNER.md`): serde only, no logic.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A calendar event already expanded from its recurrence, as the planner sees it
/// (`blockedTime` entries of a plan request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockedTime {
    /// What it is (shown in rationales).
    #[serde(default)]
    pub title: String,
    /// Start instant (an all-day event's local midnight).
    pub start: DateTime<Utc>,
    /// End instant, exclusive (an all-day event's next local midnight).
    pub end: DateTime<Utc>,
    /// Whether it is an all-day event.
    #[serde(default)]
    pub is_all_day: bool,
    /// Whether it blocks time; absent means true for timed and false for all-day events.
    #[serde(default)]
    pub busy: Option<bool>,
}

impl BlockedTime {
    /// Whether the entry blocks time, with PLANNER.md's default applied.
    pub fn is_busy(&self) -> bool {
        self.busy.unwrap_or(!self.is_all_day)
    }
}
