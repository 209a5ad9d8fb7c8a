//! The workflow's "not before" bounds: a task of the request whose blocks must all start at
//! or after an instant (the rest of a task whose chunk is under way today waits for
//! tomorrow). Not part of the wire contract: a parameter beside the request, applied to the
//! normalised week by raising each named task's earliest start, which every placement of
//! the search and every explanation of the unscheduled already honour.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{Kind, Week};
use crate::model::secs_ceil;

/// Raises the earliest start of each free task named in `not_before` to its instant
/// (rounded up to the whole second). Ids naming no task of the week are ignored, as
/// `previousPlan` entries and `dependsOn` ids naming no task are; a pinned task keeps its
/// pin (pins are exempt from windows, and this bound trims windows), and a task that is not
/// actionable stays unscheduled.
pub(crate) fn apply(week: &mut Week, not_before: &BTreeMap<Uuid, DateTime<Utc>>) {
    for (id, at) in not_before {
        // Tasks are sorted by id in the normalised week.
        let Ok(c) = week.tasks.binary_search_by_key(id, |t| t.id) else {
            continue;
        };
        let task = &mut week.tasks[c];
        if task.kind == Kind::Free {
            task.earliest = task.earliest.max(secs_ceil(*at));
        }
    }
}
