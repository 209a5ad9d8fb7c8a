//! The stored schedule as the week planner sees it, and back: the tasks with their chunk
//! limits and the minutes already worked taken off, the stored blocks as `previousPlan` (a
//! block under way sent pinned), the "not before" bound of a task already sat at today, and
//! the blocks a plan changes within its window. Shared by the day and week workflows.

use std::collections::BTreeMap;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use lifeos_core::plan::week::{PlanWeekTask, PreviousBlock};
use lifeos_core::plan::{
    PlanDayResponse, PlanWeekResponse, ScheduledTask, UnscheduledCode, UnscheduledTask,
};
use lifeos_core::{PlannedBlock, Task, TaskId};
use serde::Serialize;
use uuid::Uuid;

use crate::plan_day::day_bounds;

/// Most blocks a task keeps (`lifeos_core::chunk::PLANNED_BLOCKS_MAX`).
const BLOCKS_MAX: usize = lifeos_core::chunk::PLANNED_BLOCKS_MAX;

/// The planner's view of the stored tasks.
#[derive(Debug, Clone, Default)]
pub(crate) struct PlannerTasks {
    /// One entry per live task, plus one per chunk under way that was split off.
    pub(crate) tasks: Vec<PlanWeekTask>,
    /// Every stored block, as `previousPlan`.
    pub(crate) previous: Vec<PreviousBlock>,
    /// The id of each chunk split off, to the id of its task.
    pub(crate) aliases: BTreeMap<Uuid, Uuid>,
    /// Tasks sat at today (a block of today began before now) whose rest is still
    /// planned: it may start only at the next local midnight (one sitting a date).
    pub(crate) not_before: BTreeMap<Uuid, DateTime<Utc>>,
    /// Minutes already worked per task, taken off the estimate sent (only tasks with some).
    pub(crate) worked: BTreeMap<Uuid, u32>,
    /// Tasks not sent because their estimate is used up, as unscheduled entries.
    pub(crate) used_up: Vec<UnscheduledTask>,
}

impl PlannerTasks {
    /// Whether any task the planner will place is chunked.
    pub(crate) fn any_split(&self) -> bool {
        self.tasks.iter().any(|t| t.task.is_open() && t.is_split())
    }

    /// The task id behind a planner id.
    pub(crate) fn task_of(&self, id: Uuid) -> Uuid {
        self.aliases.get(&id).copied().unwrap_or(id)
    }

    /// Completes a response's unscheduled list with what the planner was not asked about:
    /// the tasks whose estimate is used up, and, for a task kept for a later date that the
    /// horizon (ending at `horizon_end`) does not reach, the true reason instead of "no
    /// slot". Sorted by task id, as the planner sorts it.
    pub(crate) fn complete_unscheduled(
        &self,
        unscheduled: &mut Vec<UnscheduledTask>,
        horizon_end: DateTime<Utc>,
    ) {
        for u in unscheduled.iter_mut() {
            let waits = self
                .not_before
                .get(&u.task_id)
                .is_some_and(|&at| at >= horizon_end);
            if waits && matches!(u.code, UnscheduledCode::NoSlot | UnscheduledCode::FocusCap) {
                let rest = self
                    .tasks
                    .iter()
                    .find(|t| t.task.id == u.task_id)
                    .map_or(0, |t| t.task.estimated_minutes);
                u.reason = format!(
                    "Already worked on today, and a task gets one sitting a day: its other {rest} minutes wait for a later day."
                );
                u.code = UnscheduledCode::NoSlot;
            }
        }
        unscheduled.extend(self.used_up.iter().cloned());
        unscheduled.sort_by_key(|u| u.task_id);
    }
}

/// The minutes already worked on `task` at `now`: its logged `actual_minutes` when it has
/// them (they replace the blocks, never add to them), else the minutes of its blocks that
/// ended by `now`; with whether they were logged.
fn worked(task: &Task, blocks: &[PlannedBlock], now: DateTime<Utc>) -> (u32, bool) {
    match task.actual_minutes {
        Some(logged) => (logged, true),
        None => {
            let ended: i64 = blocks
                .iter()
                .filter(|b| b.end <= now)
                .map(PlannedBlock::minutes)
                .sum();
            (u32::try_from(ended).unwrap_or(u32::MAX), false)
        }
    }
}

/// The unscheduled entry of a task whose `estimate` is used up by `worked` minutes.
fn used_up(id: Uuid, estimate: u32, worked: u32, logged: bool) -> UnscheduledTask {
    let how = if logged {
        "as logged"
    } else {
        "in planned blocks that have ended"
    };
    UnscheduledTask {
        task_id: id,
        reason: format!(
            "Estimate used up: {worked} of {estimate} minutes already worked ({how}); mark it done, or raise its estimate to plan more."
        ),
        code: UnscheduledCode::NotActionable,
    }
}

/// The planner's tasks and previous plan at `now` in the user's zone `tz`.
///
/// - Worked minutes come off the estimate: logged `actual_minutes`, else the blocks that
///   ended by `now`. A task whose estimate they use up is not sent (it is listed in
///   [`PlannerTasks::used_up`]; tasks depending on it no longer wait for it).
/// - A block under way (started before `now`, ending after it) is sent pinned, as
///   `PLANNER-WEEK.md` asks: an unsplit task (or, with `split_off` false, any task)
///   becomes one pinned block of that length; a chunked task with `split_off` keeps its
///   other minutes as the task and the chunk under way becomes a pinned task of its own
///   (mapped back by [`PlannerTasks::task_of`]), so its later chunks are still planned.
/// - One sitting a date: a task with a block of today that began before `now` (ended or
///   under way) and minutes still to plan gets the next local midnight as its
///   [`PlannerTasks::not_before`].
pub(crate) fn planner_tasks(
    tasks: &[Task],
    now: DateTime<Utc>,
    tz: Tz,
    split_off: bool,
) -> PlannerTasks {
    let (today, tomorrow) = day_bounds(now.with_timezone(&tz).date_naive(), tz);
    let mut out = PlannerTasks::default();
    for task in tasks.iter().filter(|t| !t.is_deleted()) {
        let id = *task.id.as_uuid();
        let mut wt = task.to_plan_week_task();
        let blocks = task.blocks();
        let free = task.status.is_actionable() && task.pinned_start.is_none();
        let under_way = blocks
            .iter()
            .find(|b| b.start < now && now < b.end)
            .filter(|_| free);
        let mut left = Some(wt.clone());
        if free {
            let (minutes, logged) = worked(task, &blocks, now);
            if minutes > 0 {
                out.worked.insert(id, minutes);
                left = less(&wt, minutes);
            }
            if left.is_none() && under_way.is_none() {
                let estimate = wt.task.estimated_minutes;
                out.used_up.push(used_up(id, estimate, minutes, logged));
                continue;
            }
        }
        let mut split = None;
        if let Some(b) = under_way {
            let minutes = u32::try_from(b.minutes().clamp(1, 1440)).unwrap_or(1);
            let start = b.start.with_nanosecond(0).unwrap_or(b.start);
            let rest = left
                .as_ref()
                .filter(|_| split_off)
                .and_then(|l| remainder(l, minutes));
            match rest {
                Some(rest) => {
                    let alias = alias_of(task.id);
                    let mut chunk = PlanWeekTask::new(wt.task.clone());
                    chunk.task.id = alias;
                    chunk.task.pinned_start = Some(start);
                    chunk.task.estimated_minutes = minutes;
                    chunk.task.depends_on.clear();
                    out.aliases.insert(alias, id);
                    out.tasks.push(chunk);
                    wt = rest;
                    split = Some((alias, *b));
                }
                None => {
                    wt.task.pinned_start = Some(start);
                    wt.task.estimated_minutes = minutes;
                    wt.min_chunk_minutes = None;
                    wt.max_chunk_minutes = None;
                }
            }
        } else if let Some(l) = left {
            wt = l;
        }
        let sat_today = blocks.iter().any(|b| b.start >= today && b.start < now);
        if free && sat_today && wt.task.pinned_start.is_none() {
            out.not_before.insert(id, tomorrow);
        }
        for b in &blocks {
            let task_id = match split {
                Some((alias, chunk)) if chunk == *b => alias,
                _ => id,
            };
            out.previous.push(PreviousBlock {
                task_id,
                start_time: b.start,
                end_time: b.end,
            });
        }
        out.tasks.push(wt);
    }
    out
}

/// For a plan of one day `[day_start, day_end)`: the stored blocks on later days stay
/// where they are. A chunked task is sent without the minutes they hold, so the day adds
/// none twice; a task they hold all of (and that has no block this day) is sent pinned at
/// the first of them, outside the day: not actionable today, and not done for the tasks
/// that wait on it. (Planning the week again is what moves them.)
pub(crate) fn leave_later_days(
    planner: &mut PlannerTasks,
    tasks: &[Task],
    day_start: DateTime<Utc>,
    day_end: DateTime<Utc>,
) {
    for wt in planner.tasks.iter_mut() {
        if wt.task.pinned_start.is_some() || !wt.task.is_open() {
            continue;
        }
        let Some(task) = tasks.iter().find(|t| t.id.as_uuid() == &wt.task.id) else {
            continue;
        };
        let blocks = task.blocks();
        let today = blocks
            .iter()
            .any(|b| b.start >= day_start && b.start < day_end);
        let later: Vec<PlannedBlock> = blocks.into_iter().filter(|b| b.start >= day_end).collect();
        let Some(first) = later.first().copied() else {
            continue;
        };
        let minutes: i64 = later.iter().map(PlannedBlock::minutes).sum();
        let rest = if wt.is_split() {
            remainder(wt, u32::try_from(minutes).unwrap_or(u32::MAX))
        } else {
            None
        };
        match rest {
            Some(rest) => *wt = rest,
            None if today => {} // planned in part today: the day may keep or move that part
            None => {
                wt.task.pinned_start = Some(first.start.with_nanosecond(0).unwrap_or(first.start));
                wt.task.estimated_minutes =
                    u32::try_from(first.minutes().clamp(1, 1440)).unwrap_or(1);
                wt.min_chunk_minutes = None;
                wt.max_chunk_minutes = None;
            }
        }
    }
}

/// The task `wt` without a chunk of `minutes` under way, when it is split and minutes
/// remain; `None` otherwise.
fn remainder(wt: &PlanWeekTask, minutes: u32) -> Option<PlanWeekTask> {
    wt.chunk_range()?;
    less(wt, minutes)
}

/// The task `wt` with `minutes` fewer to place, or `None` when none remain. A rest that is
/// still split is rounded up to the 5-minute grid, and its shortest chunk shrinks when
/// whole chunks could no longer sum to it.
fn less(wt: &PlanWeekTask, minutes: u32) -> Option<PlanWeekTask> {
    let rest = wt
        .task
        .estimated_minutes
        .checked_sub(minutes)
        .filter(|&r| r > 0)?;
    let mut out = wt.clone();
    out.task.estimated_minutes = rest;
    if let Some((min, max)) = wt.chunk_range()
        && rest > max
    {
        let rest = rest.div_ceil(5) * 5;
        out.task.estimated_minutes = rest;
        let n = rest.div_ceil(max);
        if n * min > rest {
            let fitted = (rest / n) / 5 * 5;
            if fitted < 5 {
                return None;
            }
            out.min_chunk_minutes = Some(fitted);
        }
    }
    Some(out)
}

/// The planner id of a chunk under way: the task's id with its bits inverted (never a
/// UUID the store gave out, which are version 7).
fn alias_of(id: TaskId) -> Uuid {
    Uuid::from_u128(!id.as_uuid().as_u128())
}

/// Maps split-off chunks back to their tasks in a week response, renumbering each task's
/// chunks in start order, its `remainingMinutes` from its stored estimate less the minutes
/// already worked.
pub(crate) fn merge_aliases(
    response: &mut PlanWeekResponse,
    planner: &PlannerTasks,
    tasks: &[Task],
) {
    if planner.aliases.is_empty() {
        return;
    }
    for s in &mut response.scheduled_tasks {
        s.task_id = planner.task_of(s.task_id);
    }
    response
        .unscheduled_tasks
        .retain(|u| !planner.aliases.contains_key(&u.task_id));
    let mut per_task: BTreeMap<Uuid, (u32, u32)> = BTreeMap::new();
    for s in &response.scheduled_tasks {
        let minutes = u32::try_from((s.end_time - s.start_time).num_minutes()).unwrap_or(0);
        let e = per_task.entry(s.task_id).or_default();
        e.0 += 1;
        e.1 += minutes;
    }
    let mut seen: BTreeMap<Uuid, u32> = BTreeMap::new();
    for s in &mut response.scheduled_tasks {
        let (count, placed) = per_task.get(&s.task_id).copied().unwrap_or((1, 0));
        let index = seen.entry(s.task_id).or_default();
        s.chunk = *index;
        s.chunk_count = count;
        let estimate = tasks
            .iter()
            .find(|t| *t.id.as_uuid() == s.task_id)
            .and_then(|t| t.estimated_minutes)
            .unwrap_or(30);
        let worked = planner.worked.get(&s.task_id).copied().unwrap_or(0);
        s.remaining_minutes = estimate.saturating_sub(worked).saturating_sub(placed);
        *index += 1;
    }
}

/// A week response as a day response (the one-day case): the same blocks, reasons,
/// insights and warnings, without the chunk fields.
pub(crate) fn day_response(week: PlanWeekResponse) -> PlanDayResponse {
    PlanDayResponse {
        scheduled_tasks: week
            .scheduled_tasks
            .into_iter()
            .map(|s| ScheduledTask {
                task_id: s.task_id,
                start_time: s.start_time,
                end_time: s.end_time,
                rationale: s.rationale,
            })
            .collect(),
        unscheduled_tasks: week.unscheduled_tasks,
        insights: week.insights,
        warnings: week.warnings,
        refinement: None,
    }
}

/// One task whose blocks a plan changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BlockChange {
    /// The task.
    pub task_id: TaskId,
    /// Its stored blocks before.
    pub previous: Vec<PlannedBlock>,
    /// Its blocks after: the plan's inside the window, the stored ones outside it.
    pub blocks: Vec<PlannedBlock>,
    /// Why the first new block is where it is (empty when the task lost its blocks).
    pub rationale: String,
    /// Blocks of the window added or moved, or removed with none in their place.
    pub changed: usize,
}

/// What a plan of `[from, to)` made at `now` changes: for each task (in the tasks' order)
/// whose blocks starting in the window differ from the plan's, its new list. Blocks that
/// ended by `now` are the record of work done (the next plan takes them off the estimate):
/// they always stay and are never compared. A chunked task's other blocks outside the
/// window stay, except one overlapping a new block (the oldest go first past 28); a task in
/// one sitting placed in the window loses its slot outside it.
pub(crate) fn block_changes(
    tasks: &[Task],
    scheduled: &[(Uuid, PlannedBlock, &str)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<BlockChange> {
    let ended = |b: &PlannedBlock| b.end <= now;
    let inside = |b: &PlannedBlock| b.start >= from && b.start < to && !ended(b);
    let mut changes = Vec::new();
    for task in tasks.iter().filter(|t| !t.is_deleted()) {
        let previous = task.blocks();
        let mut new: Vec<PlannedBlock> = scheduled
            .iter()
            .filter(|(id, _, _)| id == task.id.as_uuid())
            .map(|(_, b, _)| *b)
            .collect();
        new.sort_unstable();
        let old: Vec<PlannedBlock> = previous.iter().copied().filter(inside).collect();
        if old == new {
            continue;
        }
        let added = new.iter().filter(|b| !old.contains(b)).count();
        let removed = old.iter().filter(|b| !new.contains(b)).count();
        let rationale = scheduled
            .iter()
            .find(|(id, b, _)| id == task.id.as_uuid() && Some(b) == new.first())
            .map(|(_, _, r)| (*r).to_owned())
            .unwrap_or_default();
        // A chunked task keeps its blocks outside the window; one sitting moves.
        let keep_outside = task.is_chunked() || new.is_empty();
        let mut blocks: Vec<PlannedBlock> = previous
            .iter()
            .copied()
            .filter(|b| ended(b) || keep_outside && !inside(b))
            .filter(|b| !new.iter().any(|n| n.start < b.end && b.start < n.end))
            .chain(new.iter().copied())
            .collect();
        blocks.sort_unstable();
        let excess = blocks.len().saturating_sub(BLOCKS_MAX);
        blocks.drain(..excess);
        changes.push(BlockChange {
            task_id: task.id,
            previous,
            blocks,
            rationale,
            changed: added.max(removed),
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use lifeos_core::{NewTask, UserId};

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
    }

    fn chunked(minutes: i64, blocks: &[PlannedBlock]) -> Task {
        let new = NewTask {
            estimated_minutes: Some(minutes),
            max_chunk_minutes: Some(120),
            min_chunk_minutes: Some(60),
            ..NewTask::titled("chunked")
        };
        let id = TaskId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001));
        let user = UserId::from_uuid(Uuid::from_u128(1));
        let mut task = Task::create(id, user, new, at(1, 0)).unwrap();
        task.schedule_blocks(blocks, at(1, 0)).unwrap();
        task
    }

    #[test]
    fn a_chunk_under_way_is_pinned_apart_and_the_rest_still_planned() {
        let b1 = PlannedBlock::new(at(9, 8), at(9, 10));
        let b2 = PlannedBlock::new(at(10, 8), at(10, 10));
        let task = chunked(600, &[b1, b2]);
        let p = planner_tasks(std::slice::from_ref(&task), at(9, 9), chrono_tz::UTC, true);
        assert_eq!(p.tasks.len(), 2);
        let chunk = &p.tasks[0];
        assert_eq!(chunk.task.pinned_start, Some(b1.start));
        assert_eq!(chunk.task.estimated_minutes, 120);
        assert_eq!(p.task_of(chunk.task.id), *task.id.as_uuid());
        let rest = &p.tasks[1];
        assert_eq!(rest.task.estimated_minutes, 480);
        assert!(rest.is_split());
        // The chunk under way is matched under its own id; the later one under the task's.
        assert_eq!(p.previous[0].task_id, chunk.task.id);
        assert_eq!(p.previous[1].task_id, *task.id.as_uuid());
        // One sitting a date: the rest starts at the next midnight.
        assert_eq!(p.not_before.get(task.id.as_uuid()), Some(&at(10, 0)));
        // For one day, the task is that one pinned sitting.
        let day = planner_tasks(std::slice::from_ref(&task), at(9, 9), chrono_tz::UTC, false);
        assert_eq!(day.tasks.len(), 1);
        assert_eq!(day.tasks[0].task.pinned_start, Some(b1.start));
        assert!(!day.tasks[0].is_split());
        assert!(day.not_before.is_empty());
    }

    #[test]
    fn a_day_plans_only_what_later_days_do_not_hold() {
        let today = PlannedBlock::new(at(9, 8), at(9, 10));
        let later = PlannedBlock::new(at(10, 8), at(10, 10));
        let task = chunked(600, &[today, later]);
        let mut p = planner_tasks(std::slice::from_ref(&task), at(9, 7), chrono_tz::UTC, false);
        leave_later_days(&mut p, std::slice::from_ref(&task), at(9, 0), at(10, 0));
        assert_eq!(p.tasks[0].task.estimated_minutes, 480);
        assert!(p.tasks[0].is_split());
        // One sitting tomorrow: pinned there, so not placed again today.
        let mut one = chunked(120, &[later]);
        one.max_chunk_minutes = None;
        let mut p = planner_tasks(std::slice::from_ref(&one), at(9, 7), chrono_tz::UTC, false);
        leave_later_days(&mut p, std::slice::from_ref(&one), at(9, 0), at(10, 0));
        assert_eq!(p.tasks[0].task.pinned_start, Some(later.start));
        // All of it on later days: pinned there, so not placed again today.
        let task = chunked(240, &[later, PlannedBlock::new(at(11, 8), at(11, 10))]);
        let mut p = planner_tasks(std::slice::from_ref(&task), at(9, 7), chrono_tz::UTC, false);
        leave_later_days(&mut p, std::slice::from_ref(&task), at(9, 0), at(10, 0));
        assert_eq!(p.tasks[0].task.pinned_start, Some(later.start));
        assert!(!p.tasks[0].is_split());
    }

    #[test]
    fn the_rest_of_a_chunked_task_keeps_whole_chunks() {
        // 250 minutes in chunks of 120..=125, 125 under way: 125 left is one chunk.
        let wt = PlanWeekTask {
            min_chunk_minutes: Some(120),
            max_chunk_minutes: Some(125),
            ..PlanWeekTask::new(lifeos_core::plan::PlanTask {
                estimated_minutes: 250,
                ..lifeos_core::plan::PlanTask::new(Uuid::from_u128(5))
            })
        };
        assert_eq!(remainder(&wt, 125).unwrap().task.estimated_minutes, 125);
        // 5 under way leaves 245: two chunks of 120..=125 still sum to it.
        assert_eq!(remainder(&wt, 5).unwrap().chunk_range(), Some((120, 125)));
        // 120 under way leaves 130: two chunks of at least 120 are too long, so the
        // shortest chunk shrinks to 65.
        let rest = remainder(&wt, 120).unwrap();
        assert_eq!(rest.chunk_range(), Some((65, 125)));
        assert_eq!(remainder(&wt, 250), None);
    }

    #[test]
    fn changes_replace_the_window_and_keep_the_rest() {
        let b1 = PlannedBlock::new(at(9, 8), at(9, 10));
        let b2 = PlannedBlock::new(at(10, 8), at(10, 10));
        let task = chunked(600, &[b1, b2]);
        let moved = PlannedBlock::new(at(9, 12), at(9, 14));
        let id = *task.id.as_uuid();
        let changes = block_changes(
            std::slice::from_ref(&task),
            &[(id, moved, "part 1 of 2")],
            at(9, 0),
            at(9, 0) + Duration::days(1),
            at(9, 0),
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].blocks, [moved, b2]);
        assert_eq!(changes[0].changed, 1);
        assert_eq!(changes[0].rationale, "part 1 of 2");
        // A task in one sitting moves: its old slot goes.
        let mut one = chunked(120, &[b2]);
        one.max_chunk_minutes = None;
        let moved_one = block_changes(
            std::slice::from_ref(&one),
            &[(id, moved, "moved")],
            at(9, 0),
            at(9, 0) + Duration::days(1),
            at(9, 0),
        );
        assert_eq!(moved_one[0].blocks, [moved]);
        // The same blocks again: no change.
        let same = block_changes(
            std::slice::from_ref(&task),
            &[(id, b1, "kept")],
            at(9, 0),
            at(9, 0) + Duration::days(1),
            at(9, 0),
        );
        assert!(same.is_empty());
    }
}
