//! The `refinement` object of a day plan (`PLANNER.md`, "Refinement by a language model"):
//! what became of a model's proposal. Serde only; the scheduler fills it in.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most dropped entries listed; the rest are counted in [`Refinement::dropped_more`].
pub const DROPPED_LISTED: usize = 50;

/// What became of a refinement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefinementStatus {
    /// The repaired proposal replaced the deterministic plan.
    Accepted,
    /// The repaired proposal scored below the tolerance: the deterministic plan stands.
    Rejected,
    /// No model is configured: the deterministic plan stands.
    Unavailable,
    /// The model call or its reply failed: the deterministic plan stands.
    Failed,
}

impl RefinementStatus {
    /// The wire name (`accepted`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RefinementStatus::Accepted => "accepted",
            RefinementStatus::Rejected => "rejected",
            RefinementStatus::Unavailable => "unavailable",
            RefinementStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for RefinementStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why repair dropped one entry of the model's proposal (`PLANNER.md`'s repair steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DropReason {
    /// `taskId`, `startTime` or `endTime` is missing or unreadable.
    Unreadable,
    /// The task is not in the request.
    UnknownTask,
    /// The task is completed, cancelled or pinned to another day.
    NotActionable,
    /// A dependency of the task is never done today (rule 8 against the request).
    Blocked,
    /// The task is pinned: it stays at its `pinnedStart`.
    Pinned,
    /// The task was already proposed earlier in the reply.
    Repeated,
    /// The block lies outside the work window.
    OutsideWindow,
    /// The start is off the 5-minute local grid.
    OffGrid,
    /// The block's length is not the task's `estimatedMinutes`.
    WrongLength,
    /// The block overlaps a busy event (or a busy all-day event blocks today).
    Event,
    /// The block lies inside a meeting buffer.
    Buffer,
    /// The block overlaps a pinned task or an entry kept before it (double-booking).
    Overlap,
    /// The block ends after the task's hard deadline.
    Deadline,
    /// A dependency is not kept, or does not end before the block starts.
    Dependency,
    /// The block would exceed the focus cap.
    FocusCap,
}

impl DropReason {
    /// The wire name (`unknown_task`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Unreadable => "unreadable",
            DropReason::UnknownTask => "unknown_task",
            DropReason::NotActionable => "not_actionable",
            DropReason::Blocked => "blocked",
            DropReason::Pinned => "pinned",
            DropReason::Repeated => "repeated",
            DropReason::OutsideWindow => "outside_window",
            DropReason::OffGrid => "off_grid",
            DropReason::WrongLength => "wrong_length",
            DropReason::Event => "event",
            DropReason::Buffer => "buffer",
            DropReason::Overlap => "overlap",
            DropReason::Deadline => "deadline",
            DropReason::Dependency => "dependency",
            DropReason::FocusCap => "focus_cap",
        }
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of the proposal that repair dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DroppedEntry {
    /// The entry's task, `null` when its `taskId` was missing or unreadable.
    pub task_id: Option<Uuid>,
    /// Why it was dropped.
    pub reason: DropReason,
}

/// The `refinement` object: present only when refinement was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Refinement {
    /// What became of it.
    pub status: RefinementStatus,
    /// The model asked, `null` when none is configured.
    pub model: Option<String>,
    /// Tasks whose block in the returned plan differs from the deterministic plan's
    /// (0 unless accepted).
    pub moved: u32,
    /// The first [`DROPPED_LISTED`] entries repair dropped, in the order it dropped them.
    pub dropped: Vec<DroppedEntry>,
    /// How many more were dropped.
    pub dropped_more: u32,
    /// The deterministic plan's score, in quarter points.
    pub score_deterministic: i64,
    /// The returned plan's score, in quarter points.
    pub score_final: i64,
    /// Prompt tokens, as the API's `usage` says (0 when absent).
    pub tokens_in: u64,
    /// Completion tokens, as the API's `usage` says (0 when absent).
    pub tokens_out: u64,
    /// Whether the proposal came from a cache rather than a model call.
    pub cache_hit: bool,
    /// Time spent refining, model call included, in milliseconds.
    pub latency_ms: u64,
}

impl Refinement {
    /// A refinement with `status` that kept the deterministic plan of score `score`: no
    /// model, nothing moved or dropped, no tokens, no latency.
    pub fn new(status: RefinementStatus, score: i64) -> Self {
        Self {
            status,
            model: None,
            moved: 0,
            dropped: Vec::new(),
            dropped_more: 0,
            score_deterministic: score,
            score_final: score,
            tokens_in: 0,
            tokens_out: 0,
            cache_hit: false,
            latency_ms: 0,
        }
    }

    /// Records dropped entries: the first [`DROPPED_LISTED`] listed, the rest counted.
    pub fn set_dropped(&mut self, mut dropped: Vec<DroppedEntry>) {
        let more = dropped.len().saturating_sub(DROPPED_LISTED);
        dropped.truncate(DROPPED_LISTED);
        self.dropped = dropped;
        self.dropped_more = u32::try_from(more).unwrap_or(u32::MAX);
    }

    /// Every dropped entry, listed or not.
    pub fn dropped_total(&self) -> usize {
        self.dropped.len() + self.dropped_more as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_camel_case_and_model_null_is_written() {
        let mut r = Refinement::new(RefinementStatus::Failed, 120);
        r.set_dropped(vec![DroppedEntry {
            task_id: None,
            reason: DropReason::UnknownTask,
        }]);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"status":"failed","model":null,"moved":0,"dropped":[{"taskId":null,"reason":"unknown_task"}],"droppedMore":0,"scoreDeterministic":120,"scoreFinal":120,"tokensIn":0,"tokensOut":0,"cacheHit":false,"latencyMs":0}"#
        );
        assert_eq!(serde_json::from_str::<Refinement>(&json).unwrap(), r);
    }

    #[test]
    fn a_plan_without_refinement_prints_as_before() {
        let plain = crate::plan::PlanDayResponse::default();
        let json = serde_json::to_string(&plain).unwrap();
        assert_eq!(
            json,
            r#"{"scheduledTasks":[],"unscheduledTasks":[],"insights":[],"warnings":[]}"#
        );
        let mut refined = plain.clone();
        refined.refinement = Some(Refinement::new(RefinementStatus::Unavailable, 0));
        let back: crate::plan::PlanDayResponse =
            serde_json::from_str(&serde_json::to_string(&refined).unwrap()).unwrap();
        assert_eq!(back, refined);
        assert_eq!(
            serde_json::from_str::<crate::plan::PlanDayResponse>(&json).unwrap(),
            plain
        );
    }

    #[test]
    fn only_fifty_dropped_entries_are_listed() {
        let mut r = Refinement::new(RefinementStatus::Rejected, 0);
        let entry = DroppedEntry {
            task_id: Some(Uuid::nil()),
            reason: DropReason::Overlap,
        };
        r.set_dropped(vec![entry; 73]);
        assert_eq!((r.dropped.len(), r.dropped_more), (50, 23));
        assert_eq!(r.dropped_total(), 73);
    }
}
