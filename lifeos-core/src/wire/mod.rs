//! The REST API's wire documents (API.md), shared by `lifeos-server` and `lifeos-client`:
//! the list envelope, the RFC 9457 problem document, the stored event with its `seq`, the
//! export document, occurrences, the import report, the usage document and the erasure
//! receipt. Tasks, projects, profiles and calendar events travel as core's own types.
//!
//! ```
//! use lifeos_core::wire::{List, Problem};
//! let page = List { results: vec![1, 2], next_cursor: None };
//! assert_eq!(serde_json::to_string(&page).unwrap(), r#"{"results":[1,2],"next_cursor":null}"#);
//! let p: Problem = serde_json::from_str(r#"{"type":"https://lifeos.dev/problems/not-found",
//!     "title":"Not found","status":404,"detail":"no such task","request_id":"r1"}"#).unwrap();
//! assert_eq!(p.slug(), Some("not-found"));
//! ```

use serde::{Deserialize, Serialize};

mod calendar;
mod export;
mod me;
mod plan;
mod stored_event;

pub use calendar::{ImportLineError, ImportReport, OccurrenceEntry, Occurrences};
pub use export::{EXPORT_FORMAT, TokenMetadata, UserExport};
pub use me::{AiUsage, Erased, GeneralUsage, MonthUsage, Usage};
pub use plan::{PlannedDay, PlannedWeek};
pub use stored_event::StoredEvent;

/// The prefix of every problem `type`: `https://lifeos.dev/problems/<slug>`.
pub const PROBLEM_TYPE_PREFIX: &str = "https://lifeos.dev/problems/";

/// One page of a list: `{"results": [...], "next_cursor": "…" | null}` (`null` on the
/// last page; pass the cursor back as `cursor`, or as `after` on the event feed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct List<T> {
    /// The items, in ascending (`created_at`, `id`) order (`seq` for events).
    pub results: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// An RFC 9457 problem document (`application/problem+json`) as API.md defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// `https://lifeos.dev/problems/<slug>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A fixed title per slug.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request, for a person.
    pub detail: String,
    /// The request's `X-Request-Id`.
    pub request_id: String,
    /// Every broken rule (400 and 422 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
    /// The 1-based physical line at fault (`ical` problems only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Problem {
    /// The slug of `type` (`not-found`), when it has the LifeOS prefix.
    pub fn slug(&self) -> Option<&str> {
        self.kind.strip_prefix(PROBLEM_TYPE_PREFIX)
    }
}

/// One broken rule of a problem: the field (a body path such as `labels[2]`, `""` for the
/// whole body, or a parameter or header name) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemField {
    /// The field's path or name.
    pub field: String,
    /// What is wrong, for a person.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_round_trips_and_omits_absent_members() {
        let p = Problem {
            kind: format!("{PROBLEM_TYPE_PREFIX}validation"),
            title: "Validation failed".into(),
            status: 422,
            detail: "1 field is invalid".into(),
            request_id: "abc".into(),
            errors: Some(vec![ProblemField {
                field: "labels[2]".into(),
                message: "too long".into(),
            }]),
            line: None,
        };
        let text = serde_json::to_string(&p).unwrap();
        assert!(!text.contains("\"line\""));
        assert_eq!(serde_json::from_str::<Problem>(&text).unwrap(), p);
        assert_eq!(p.slug(), Some("validation"));
    }
}
