//! Tasks in chunks and their planned blocks (`PLANNER-WEEK.md`).
//!
//! A task whose `max_chunk_minutes` is below its estimate (and which has no pin) is
//! **chunked**: the week planner places it as several blocks, at most one per local date,
//! each `min_chunk_minutes..=max_chunk_minutes` long. Only a chunked task may be estimated
//! above one day, up to [`ESTIMATE_MAX_CHUNKED_MINUTES`]. What the planner chose is kept as
//! [`PlannedBlock`]s on the task ([`crate::Task::planned_blocks`]).
//!
//! ```
//! use lifeos_core::NewTask;
//!
//! let report = NewTask {
//!     estimated_minutes: Some(1800),
//!     max_chunk_minutes: Some(120),
//!     ..NewTask::titled("Write the report")
//! };
//! assert!(report.validate().is_ok());
//!
//! // Thirty hours in one sitting is more than a day allows.
//! let err = NewTask { max_chunk_minutes: None, ..report }.validate().unwrap_err();
//! assert_eq!(err.field(), Some("estimated_minutes"));
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Validator};
use crate::task::ESTIMATE_MAX_MINUTES;

/// Longest estimate of a chunked task, in minutes (two weeks).
pub const ESTIMATE_MAX_CHUNKED_MINUTES: i64 = 20_160;
/// Shortest chunk limit, in minutes.
pub const CHUNK_MIN_MINUTES: i64 = 5;
/// Longest chunk limit, in minutes (one day).
pub const CHUNK_MAX_MINUTES: i64 = 1440;
/// Most planned blocks on one task (two weeks of two sittings a day).
pub const PLANNED_BLOCKS_MAX: usize = 28;

/// One planned sitting of a task: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedBlock {
    /// Start (inclusive).
    pub start: DateTime<Utc>,
    /// End (exclusive), after `start`.
    pub end: DateTime<Utc>,
}

impl PlannedBlock {
    /// The block `[start, end)`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        PlannedBlock { start, end }
    }

    /// Its length in whole minutes.
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// The blocks sorted by start, checked: at most [`PLANNED_BLOCKS_MAX`], each ending
/// after it starts, none overlapping another.
///
/// # Errors
/// [`Error::Invalid`] naming `planned_blocks` (too many) or `planned_blocks[i]` (in the
/// sorted order), listing every problem.
pub fn sorted_blocks(blocks: &[PlannedBlock]) -> Result<Vec<PlannedBlock>, Error> {
    let mut sorted = blocks.to_vec();
    sorted.sort_unstable();
    let mut v = Validator::new();
    v.check(
        sorted.len() <= PLANNED_BLOCKS_MAX,
        "planned_blocks",
        format!("{} blocks", sorted.len()),
        "at most 28 blocks",
    );
    for (i, b) in sorted.iter().enumerate() {
        v.check(
            b.end > b.start,
            format!("planned_blocks[{i}].end"),
            b.end.to_rfc3339(),
            "after the block's start",
        );
        if i > 0 {
            let before = sorted[i - 1];
            v.check(
                b.start >= before.end,
                format!("planned_blocks[{i}].start"),
                b.start.to_rfc3339(),
                "at or after the end of the block before (blocks may not overlap)",
            );
        }
    }
    v.finish(sorted)
}

/// Checks one chunk limit on its own: a multiple of 5 in 5..=1440.
pub(crate) fn check_chunk_limit(v: &mut Validator, field: &str, minutes: Option<i64>) {
    if let Some(m) = minutes {
        v.check(
            (CHUNK_MIN_MINUTES..=CHUNK_MAX_MINUTES).contains(&m) && m % 5 == 0,
            field,
            m,
            "a multiple of 5 in 5..=1440",
        );
    }
}

/// Checks an estimate on its own: 1..=20160 minutes.
pub(crate) fn check_estimate_range(v: &mut Validator, estimate: Option<i64>) {
    if let Some(m) = estimate {
        v.check(
            (1..=ESTIMATE_MAX_CHUNKED_MINUTES).contains(&m),
            "estimated_minutes",
            m,
            "an integer in 1..=1440, or up to 20160 when chunked (max_chunk_minutes below it)",
        );
    }
}

/// The effort fields of a task as they will be stored, checked together (each already in
/// its own range, see [`check_chunk_limit`] and [`check_estimate_range`]): a task is
/// chunked when `max` is below the estimate (default 30) and it has no pin; only then may
/// the estimate exceed 1440, and then it must be a multiple of 5 that some number n of
/// chunks of `min..=max` minutes sums to, with `min` (default min(30, max)) at most `max`.
pub(crate) fn check_effort(
    v: &mut Validator,
    estimate: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
    pinned: bool,
) {
    let in_range = |m: Option<i64>| {
        m.is_none_or(|m| (CHUNK_MIN_MINUTES..=CHUNK_MAX_MINUTES).contains(&m) && m % 5 == 0)
    };
    if !in_range(min)
        || !in_range(max)
        || estimate.is_some_and(|m| !(1..=ESTIMATE_MAX_CHUNKED_MINUTES).contains(&m))
    {
        return; // reported by the field's own check
    }
    let minutes = estimate.unwrap_or(30);
    let chunk_max = max.filter(|&max| !pinned && max < minutes);
    let Some(max) = chunk_max else {
        v.check(
            minutes <= ESTIMATE_MAX_MINUTES,
            "estimated_minutes",
            minutes,
            if pinned {
                "at most 1440 for a pinned task (a pin is one sitting)"
            } else {
                "at most 1440 unless chunked (set max_chunk_minutes below the estimate)"
            },
        );
        return;
    };
    let min = min.unwrap_or(max.min(30));
    if min > max {
        v.check(false, "min_chunk_minutes", min, "at most max_chunk_minutes");
        return;
    }
    if minutes % 5 != 0 {
        v.check(
            false,
            "estimated_minutes",
            minutes,
            "a multiple of 5 for a chunked task",
        );
        return;
    }
    // The fewest chunks is ⌈estimate / max⌉; some n works exactly when that one does.
    let n = (minutes + max - 1) / max;
    v.check(
        n * min <= minutes,
        "min_chunk_minutes",
        min,
        "small enough that whole chunks of min..=max minutes sum to the estimate",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 9, h, m, 0).unwrap()
    }

    fn effort(estimate: i64, min: Option<i64>, max: Option<i64>) -> Vec<String> {
        let mut v = Validator::new();
        check_effort(&mut v, Some(estimate), min, max, false);
        match v.finish(()) {
            Ok(()) => Vec::new(),
            Err(e) => e.validation().unwrap().fields().map(String::from).collect(),
        }
    }

    #[test]
    fn effort_rules_name_the_field_at_fault() {
        assert!(effort(600, Some(60), Some(120)).is_empty());
        assert!(effort(20_160, None, Some(1440)).is_empty());
        assert_eq!(effort(2000, None, None), ["estimated_minutes"]);
        assert_eq!(effort(601, None, Some(120)), ["estimated_minutes"]);
        assert_eq!(effort(600, Some(150), Some(120)), ["min_chunk_minutes"]);
        // 130 in chunks of 100..=120: two chunks are at least 200.
        assert_eq!(effort(130, Some(100), Some(120)), ["min_chunk_minutes"]);
        // Not chunked (max above the estimate): the limits are only ranges.
        assert!(effort(90, Some(60), Some(120)).is_empty());
    }

    #[test]
    fn blocks_are_sorted_and_overlaps_refused() {
        let a = PlannedBlock::new(at(8, 0), at(9, 0));
        let b = PlannedBlock::new(at(10, 0), at(11, 0));
        assert_eq!(sorted_blocks(&[b, a]).unwrap(), [a, b]);
        let c = PlannedBlock::new(at(8, 30), at(9, 30));
        let err = sorted_blocks(&[a, c]).unwrap_err();
        assert_eq!(err.field(), Some("planned_blocks[1].start"));
        let empty = PlannedBlock::new(at(8, 0), at(8, 0));
        assert_eq!(
            sorted_blocks(&[empty]).unwrap_err().field(),
            Some("planned_blocks[0].end")
        );
        let many: Vec<PlannedBlock> = (0..29)
            .map(|i| PlannedBlock::new(at(0, i), at(0, i) + chrono::Duration::seconds(30)))
            .collect();
        assert_eq!(
            sorted_blocks(&many).unwrap_err().field(),
            Some("planned_blocks")
        );
    }
}
