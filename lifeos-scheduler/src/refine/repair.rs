//! Repair (`PLANNER.md`, "Refinement"): from a proposal to a plan that keeps every hard
//! rule. Pinned tasks stay at their `pinnedStart`; the model's entries are screened in
//! proposal order, then kept in start order while they break no rule against the events
//! and what was kept before them; the planner then adds what is left into the free time,
//! never moving a kept entry.

use std::collections::BTreeSet;

use chrono::{DateTime, Offset, TimeZone, Utc};
use lifeos_core::plan::{DropReason, DroppedEntry, PlanDayRequest, PlanDayResponse, PlanError};
use uuid::Uuid;

use super::reply::Reply;
use crate::explain::respond;
use crate::model::{Day, GRID, Kind, instant};
use crate::search::{Plan, search};

/// A repaired proposal: a full response (the planner's own texts, codes judged against it)
/// and the entries that repair dropped, in the order it dropped them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// The plan: pinned tasks, the kept entries, and what the planner added.
    pub response: PlanDayResponse,
    /// Entries dropped, in the order repair dropped them.
    pub dropped: Vec<DroppedEntry>,
    /// How many of the model's entries were kept.
    pub kept: usize,
}

/// An entry that passed the screening of step 2.
struct Candidate {
    order: usize,
    task: usize,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// Repairs `reply` against `request`.
///
/// # Errors
/// [`PlanError`] when the request breaks a rule of `PLANNER.md`.
pub fn repair(request: &PlanDayRequest, reply: &Reply) -> Result<Repaired, PlanError> {
    request.check()?;
    let day = Day::new(request);
    let mut dropped = Vec::new();
    let mut drop = |task_id: Option<Uuid>, reason: DropReason| {
        dropped.push(DroppedEntry { task_id, reason });
    };

    // Step 2: screen the entries in proposal order.
    let mut seen: BTreeSet<usize> = BTreeSet::new();
    let mut candidates = Vec::new();
    for (order, entry) in reply.entries.iter().enumerate() {
        let (Some(id), Some(start), Some(end)) = (entry.task_id, entry.start, entry.end) else {
            drop(entry.task_id, DropReason::Unreadable);
            continue;
        };
        let Ok(task) = day.tasks.binary_search_by_key(&id, |t| t.id) else {
            drop(Some(id), DropReason::UnknownTask);
            continue;
        };
        let t = &day.tasks[task];
        let reason = match t.kind {
            Kind::NotActionable => Some(DropReason::NotActionable),
            // Rule 8 binds only non-pinned tasks, so a pinned one is never `blocked`.
            Kind::Pinned(_) => Some(DropReason::Pinned),
            Kind::Free if t.dep_never => Some(DropReason::Blocked),
            Kind::Free if seen.contains(&task) => Some(DropReason::Repeated),
            Kind::Free => None,
        };
        seen.insert(task);
        if let Some(reason) = reason {
            drop(Some(id), reason);
            continue;
        }
        candidates.push(Candidate {
            order,
            task,
            start,
            end,
        });
    }

    // Step 3: keep them in start order while they break no rule.
    candidates.sort_by_key(|c| (c.start, c.order));
    let mut kept_slot: Vec<Option<u32>> = vec![None; day.tasks.len()];
    let mut kept_blocks: Vec<(i64, i64)> = day
        .tasks
        .iter()
        .filter_map(|t| match t.kind {
            Kind::Pinned(s) => Some((s, s + t.dur)),
            _ => None,
        })
        .collect();
    let mut used = 0;
    let mut kept = 0;
    for c in &candidates {
        match check(&day, c, &kept_slot, &kept_blocks, used) {
            Ok(slot) => {
                let t = &day.tasks[c.task];
                let s = day.grid[slot as usize];
                kept_slot[c.task] = Some(slot);
                kept_blocks.push((s, s + t.dur));
                used += t.minutes;
                kept += 1;
            }
            Err(reason) => drop(Some(day.tasks[c.task].id), reason),
        }
    }

    // Step 4: the planner adds the rest around the kept entries, held as if pinned.
    let mut held = request.clone();
    for t in &mut held.tasks {
        if let Ok(c) = day.tasks.binary_search_by_key(&t.id, |x| x.id)
            && let Some(slot) = kept_slot[c]
        {
            t.pinned_start = Some(instant(day.grid[slot as usize]));
        }
    }
    let held_day = Day::new(&held);
    let added = search(&held_day);
    let mut plan = Plan::empty(&day);
    for (c, slot) in plan.slot.iter_mut().enumerate() {
        // Both days share the grid (same window and zone) and the task order (by id).
        *slot = kept_slot[c].or(added.slot.get(c).copied().flatten());
    }
    Ok(Repaired {
        response: respond(&day, &plan),
        dropped,
        kept,
    })
}

/// Step 3 for one entry: its grid slot, or why it is dropped.
fn check(
    day: &Day,
    c: &Candidate,
    kept_slot: &[Option<u32>],
    kept_blocks: &[(i64, i64)],
    used: i64,
) -> Result<u32, DropReason> {
    let t = &day.tasks[c.task];
    let (s, e) = (c.start.timestamp(), c.end.timestamp());
    let offset = i64::from(
        day.tz
            .offset_from_utc_datetime(&c.start.naive_utc())
            .fix()
            .local_minus_utc(),
    );
    if c.start.timestamp_subsec_nanos() != 0 || (s + offset).rem_euclid(GRID) != 0 {
        return Err(DropReason::OffGrid);
    }
    if c.end.timestamp_subsec_nanos() != 0 || e - s != t.dur {
        return Err(DropReason::WrongLength);
    }
    if s < day.win_start || e > day.win_end {
        return Err(DropReason::OutsideWindow);
    }
    let Ok(slot) = day.grid.binary_search(&s) else {
        return Err(DropReason::OffGrid);
    };
    if day.all_day_busy.is_some() || day.events.iter().any(|ev| s < ev.end && e > ev.start) {
        return Err(DropReason::Event);
    }
    if day
        .events
        .iter()
        .any(|ev| !(e + day.buffer <= ev.start || ev.end + day.buffer <= s))
    {
        return Err(DropReason::Buffer);
    }
    if kept_blocks.iter().any(|&(bs, be)| s < be && e > bs) {
        return Err(DropReason::Overlap);
    }
    if t.hard && t.due.is_some_and(|d| e > d) {
        return Err(DropReason::Deadline);
    }
    let deps_done = t.deps.iter().all(|&d| {
        let dep = &day.tasks[d];
        match dep.kind {
            Kind::Pinned(ps) => ps + dep.dur <= s,
            Kind::Free => kept_slot[d].is_some_and(|k| day.grid[k as usize] + dep.dur <= s),
            Kind::NotActionable => false,
        }
    });
    if !deps_done {
        return Err(DropReason::Dependency);
    }
    if used + t.minutes > day.cap_left {
        return Err(DropReason::FocusCap);
    }
    u32::try_from(slot).map_err(|_| DropReason::OffGrid)
}
