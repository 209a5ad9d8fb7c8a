//! Acceptance: a repaired plan replaces the deterministic one only when it passes
//! `validate` and scores at least `(1 - tolerance)` times as much; and what an accepted
//! plan may carry from the model (a few clean insights, nothing else).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lifeos_core::plan::{PlanDayRequest, PlanDayResponse};
use uuid::Uuid;

use crate::validate::{Violation, validate};

/// Most model insights kept.
pub const MAX_MODEL_INSIGHTS: usize = 5;
/// Longest model insight kept, in characters.
pub const MAX_INSIGHT_CHARS: usize = 200;

/// The judgement of a repaired plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It replaces the deterministic plan; its score.
    Accept(i64),
    /// It scores below the tolerance; its score.
    BelowTolerance(i64),
    /// It breaks a rule (a repair bug; never expected).
    Invalid(Vec<Violation>),
}

/// Whether `score` is at least `(1 - tolerance)` times `base`.
pub(crate) fn within_tolerance(score: i64, base: i64, tolerance: f64) -> bool {
    // Scores are at most a few million quarter points: exact in f64.
    #[allow(clippy::cast_precision_loss)]
    let (score, base) = (score as f64, base as f64);
    score >= (1.0 - tolerance) * base
}

/// Judges `repaired` against the deterministic score `base`.
pub(crate) fn judge(
    request: &PlanDayRequest,
    repaired: &PlanDayResponse,
    base: i64,
    tolerance: f64,
) -> Verdict {
    match validate(request, repaired) {
        Err(violations) => Verdict::Invalid(violations),
        Ok(score) if within_tolerance(score.quarter_points, base, tolerance) => {
            Verdict::Accept(score.quarter_points)
        }
        Ok(score) => Verdict::BelowTolerance(score.quarter_points),
    }
}

type Block = (DateTime<Utc>, DateTime<Utc>);

fn blocks(plan: &PlanDayResponse) -> BTreeMap<Uuid, Block> {
    plan.scheduled_tasks
        .iter()
        .map(|s| (s.task_id, (s.start_time, s.end_time)))
        .collect()
}

/// Tasks whose block differs between two plans (scheduled in one only included).
pub(crate) fn moved(before: &PlanDayResponse, after: &PlanDayResponse) -> u32 {
    let (a, b) = (blocks(before), blocks(after));
    let differs = a
        .iter()
        .filter(|(id, block)| b.get(id) != Some(block))
        .count()
        + b.keys().filter(|id| !a.contains_key(id)).count();
    u32::try_from(differs).unwrap_or(u32::MAX)
}

/// Whether a character is a bidirectional formatting control (which can reorder the text
/// a person sees).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The model's insights fit to follow the planner's: control and bidi characters removed,
/// blanks skipped, each cut to [`MAX_INSIGHT_CHARS`] characters, at most
/// [`MAX_MODEL_INSIGHTS`].
pub fn sanitize_insights(raw: &[String]) -> Vec<String> {
    raw.iter()
        .map(|text| {
            let clean: String = text
                .chars()
                .filter(|&c| !c.is_control() && !is_bidi_control(c))
                .collect();
            clean
                .trim()
                .chars()
                .take(MAX_INSIGHT_CHARS)
                .collect::<String>()
        })
        .filter(|text| !text.trim().is_empty())
        .take(MAX_MODEL_INSIGHTS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insights_are_cleaned_cut_and_capped() {
        let raw: Vec<String> = [
            "ok\u{202E}txt\u{0007}",
            "   ",
            &"é".repeat(250),
            "a",
            "b",
            "c",
            "d",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let clean = sanitize_insights(&raw);
        assert_eq!(clean.len(), 5);
        assert_eq!(clean[0], "oktxt");
        assert_eq!(clean[1].chars().count(), 200);
        assert_eq!(clean[4], "c");
    }

    #[test]
    fn tolerance_edges() {
        assert!(within_tolerance(980, 1000, 0.02));
        assert!(!within_tolerance(979, 1000, 0.02));
        assert!(within_tolerance(1000, 1000, 0.0));
        assert!(!within_tolerance(999, 1000, 0.0));
        assert!(within_tolerance(0, 1000, 1.0));
    }
}
