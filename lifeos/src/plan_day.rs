//! Plan My Day: load a user's day, plan it, save what changed with the fact that it was
//! planned, in one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use lifeos_core::dependency::{describe_cycle, find_cycle};
use lifeos_core::event::{PlanGenerated, ScheduledBy};
use lifeos_core::plan::PlanWeekRequest;
use lifeos_core::plan::{PlanDayRequest, PlanDayResponse, RefinementStatus};
use lifeos_core::recurrence::{SkippedEvent, TruncatedEvent, blocked_time};
use lifeos_core::time::resolve_local;
use lifeos_core::{EventPayload, EventSource, PlannedBlock, Task, TaskId, TaskPatch, Tier, UserId};
use lifeos_store::idempotency::StoredResponse;
use lifeos_store::{ReadGuard, StoredEvent, TaskChange, TaskOp, TaskQuery, UnreadableEvent};
use serde::{Serialize, Serializer};

use crate::LifeOs;
use crate::error::{Error, Result};
use crate::guarded_plan::Tries;
use crate::planned_blocks::{day_response, leave_later_days, merge_aliases, planner_tasks};
use crate::refinement::RefineUsage;
use crate::respond::{Respond, Saved, save_tasks};

/// How [`LifeOs::plan_day`] plans and saves.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanDayOptions {
    /// Plan without saving anything (no task changes, no `ai.plan_generated`). Default false.
    pub dry_run: bool,
    /// The caller's subscription tier (what AI refinement and its quotas will be checked
    /// against). Default [`Tier::Free`].
    pub tier: Tier,
    /// How many times the day is planned when its tasks change while it is being saved,
    /// before [`Error::PlanConflict`]. Default 3.
    pub max_attempts: u32,
    /// Ask the configured model to refine the plan (`PLANNER.md`, "Refinement by a
    /// language model"; see [`crate::refinement`]). Default false.
    pub refine: bool,
    /// The user's free text for the model (at most 1,000 characters are kept).
    pub instructions: Option<String>,
    /// A keyed caller's answer, rendered inside the save's transaction (see
    /// [`PlanDayOptions::respond`]). Default none.
    pub respond: Option<Respond<DayPlan>>,
}

impl Default for PlanDayOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl PlanDayOptions {
    /// The defaults: save, free tier, three attempts.
    pub fn new() -> Self {
        PlanDayOptions {
            dry_run: false,
            tier: Tier::Free,
            max_attempts: 3,
            refine: false,
            instructions: None,
            respond: None,
        }
    }

    /// Renders a keyed caller's answer inside the save: when the plan is saved within the
    /// store's [`with_pending`](lifeos_store::idempotency::with_pending) (a request with an
    /// `Idempotency-Key`), `render` is given the plan about to be saved (`saved` true,
    /// `recorded` not yet known) and its answer is stored as the pending record in the
    /// save's own transaction, so the change and its answer commit together. Called once
    /// per save attempt; not on a dry run, which saves nothing.
    pub fn respond(
        mut self,
        render: impl Fn(&DayPlan) -> Option<StoredResponse> + Send + Sync + 'static,
    ) -> Self {
        self.respond = Some(Respond::new(render));
        self
    }

    /// Asks the model to refine the plan.
    pub fn refine(mut self, refine: bool) -> Self {
        self.refine = refine;
        self
    }

    /// The user's instructions for the model (blank means none).
    pub fn instructions(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        self.instructions = (!text.trim().is_empty()).then_some(text);
        self
    }

    /// Plans without saving.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// The caller's tier.
    pub fn tier(mut self, tier: Tier) -> Self {
        self.tier = tier;
        self
    }

    /// Plans at most `attempts` times (at least once).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
}

/// A planned span of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// Start (inclusive).
    pub start: DateTime<Utc>,
    /// End (exclusive).
    pub end: DateTime<Utc>,
}

/// One change the plan makes to the stored schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScheduleChange {
    /// The task gets a new slot (`task.scheduled`).
    Scheduled {
        /// The task.
        task_id: TaskId,
        /// Its slot before, if it had one.
        previous: Option<Slot>,
        /// Its slot now.
        slot: Slot,
        /// Why there.
        rationale: String,
    },
    /// The task was planned on this day but no longer fits: its slot is cleared
    /// (`task.updated`).
    Cleared {
        /// The task.
        task_id: TaskId,
        /// The slot it had.
        previous: Slot,
    },
}

impl ScheduleChange {
    /// The task changed.
    pub fn task_id(&self) -> TaskId {
        match self {
            ScheduleChange::Scheduled { task_id, .. } | ScheduleChange::Cleared { task_id, .. } => {
                *task_id
            }
        }
    }
}

/// How many tasks a plan placed, left out, and changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct PlanCounts {
    /// Tasks placed in the day.
    pub scheduled: usize,
    /// Tasks that did not fit (or were not actionable).
    pub unscheduled: usize,
    /// Placed tasks whose slot is new or moved.
    pub moved: usize,
    /// Placed tasks whose slot was already stored (not rewritten).
    pub unchanged: usize,
    /// Tasks planned on this day before that lost their slot.
    pub cleared: usize,
}

/// What [`LifeOs::plan_day`] did: the request, the planner's response, the changes to the
/// stored schedule and whether they were saved.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DayPlan {
    /// The local date planned.
    pub date: NaiveDate,
    /// The user's zone.
    pub timezone: Tz,
    /// Whether `date` is one of the user's working days (the planner plans it either way).
    pub working_day: bool,
    /// Whether a recurring event hit the expansion bounds (some occurrences were not seen).
    pub truncated: bool,
    /// The series cut short inside the day's window: from each one's `from`, a busy one
    /// blocks the rest of the window (the planner never puts work over instances it could
    /// not list). Serialised as sentences for a person.
    #[serde(serialize_with = "truncated_as_warnings")]
    pub truncated_events: Vec<TruncatedEvent>,
    /// Calendar events left out because their stored series cannot be expanded; the rest
    /// of the day was planned without them. Serialised as sentences for a person.
    #[serde(serialize_with = "skipped_as_warnings")]
    pub skipped_events: Vec<SkippedEvent>,
    /// Stored calendar events left out because their recurrence rule cannot be read (rows
    /// written before rules were checked); the rest of the day was planned without them.
    /// Serialised as sentences for a person.
    #[serde(serialize_with = "unreadable_as_warnings")]
    pub unreadable_events: Vec<UnreadableEvent>,
    /// The planner's request, as built from the store.
    pub request: PlanDayRequest,
    /// The planner's response.
    pub response: PlanDayResponse,
    /// The actionable tasks as read before planning.
    pub tasks: Vec<Task>,
    /// The changes to the stored schedule, scheduled ones in the response's order, then
    /// cleared ones; unchanged slots are not listed.
    pub changes: Vec<ScheduleChange>,
    /// Whether the changes were saved (false on a dry run).
    pub saved: bool,
    /// How many times the day was planned (more than one when tasks changed meanwhile).
    pub attempts: u32,
    /// The `ai.plan_generated` event recorded with the changes (none on a dry run).
    pub recorded: Option<StoredEvent>,
}

impl Saved for DayPlan {
    fn set_saved(&mut self, saved: bool) {
        self.saved = saved;
    }
}

impl DayPlan {
    /// The counts of the plan and its changes.
    pub fn counts(&self) -> PlanCounts {
        let moved = self
            .changes
            .iter()
            .filter(|c| matches!(c, ScheduleChange::Scheduled { .. }))
            .count();
        let scheduled = self.response.scheduled_tasks.len();
        PlanCounts {
            scheduled,
            unscheduled: self.response.unscheduled_tasks.len(),
            moved,
            unchanged: scheduled.saturating_sub(moved),
            cleared: self.changes.len() - moved,
        }
    }

    /// The task with this id among those read.
    pub fn task(&self, id: TaskId) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }
}

/// The instants a local date spans in `tz`: `[start of date, start of the next date)`.
pub(crate) fn day_bounds(date: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = resolve_local(date.and_time(NaiveTime::MIN), tz);
    let next = date.checked_add_days(Days::new(1)).unwrap_or(date);
    (start, resolve_local(next.and_time(NaiveTime::MIN), tz))
}

impl LifeOs {
    /// Plans the local `date` (default: today in the user's zone at `now`) for `user` and,
    /// unless [`PlanDayOptions::dry_run`], saves it in one transaction: each moved or new
    /// slot with its `task.scheduled` event, the slots of tasks planned on this day that
    /// no longer fit cleared (`task.updated`), unchanged slots untouched, and one
    /// `ai.plan_generated` event. The save is conditional on every task being as it was
    /// read: when one changed meanwhile, the day is planned again (up to
    /// [`PlanDayOptions::max_attempts`] times).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the user has no profile; [`Error::Invalid`] for an
    /// unexpandable stored rule; [`Error::DependencyCycle`] when the stored dependencies
    /// form a cycle; [`Error::InvalidPlanRequest`] when the stored data breaks the planner's
    /// rules; [`Error::PlanConflict`] when the tasks kept changing;
    /// [`Error::Storage`]. Nothing is saved on error.
    pub async fn plan_day(
        &self,
        user: UserId,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
        options: PlanDayOptions,
    ) -> Result<DayPlan> {
        let mut tries = Tries::new(options.max_attempts, date.unwrap_or(now.date_naive()));
        let _turn = self.turn_to_plan(user, options.dry_run).await;
        // The model's answer, kept across attempts: asked (and charged) once.
        let mut in_hand = None;
        for attempt in tries.numbers() {
            let started = self.monotonic().elapsed();
            let (mut plan, guard) = self.compute_day(user, date, now).await?;
            plan.attempts = attempt;
            let usage = if options.refine {
                Some(
                    self.refine_day(user, &mut plan, now, &options, &mut in_hand)
                        .await?,
                )
            } else {
                None
            };
            let latency = self.monotonic().elapsed().saturating_sub(started);
            if options.dry_run {
                // No task changes, but a model call's usage is still recorded.
                if let Some(usage) = usage.as_ref().filter(|u| u.model_called) {
                    let event = plan_generated(&plan, latency, Some(usage));
                    plan.recorded = Some(
                        self.store()
                            .record_event(user, EventSource::Ai, event)
                            .await
                            .map_err(Error::store("recording the plan's usage"))?,
                    );
                }
                return Ok(plan);
            }
            let outcome = self
                .save_day(
                    user,
                    &mut plan,
                    &guard,
                    latency,
                    usage.as_ref(),
                    options.respond.as_ref(),
                )
                .await;
            if tries.saved(outcome, user, attempt, plan.date)? {
                return Ok(plan);
            }
        }
        Err(tries.exhausted())
    }

    /// Loads the day and plans it; saves nothing. Also returns what was read, to guard
    /// the save with.
    async fn compute_day(
        &self,
        user: UserId,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<(DayPlan, ReadGuard)> {
        let store = self.store();
        let profile = store
            .get_profile(user)
            .await
            .map_err(Error::store("reading the profile"))?;
        let prefs = &profile.preferences;
        let tz = prefs.timezone;
        let date = date.unwrap_or_else(|| now.with_timezone(&tz).date_naive());
        let (day_start, day_end) = day_bounds(date, tz);
        // Buffers and all-day events reach up to a day beyond the local day.
        let (from, to) = (day_start - Duration::days(1), day_start + Duration::days(2));
        let window = store
            .calendar_window(user, from, to)
            .await
            .map_err(Error::store("reading the calendar"))?;
        let blocked = blocked_time(&window.events, tz, from, to)?;
        let tasks = store
            .list_all_tasks(user, &TaskQuery::actionable())
            .await
            .map_err(Error::store("reading the tasks"))?;
        let mut request = prefs.plan_request(date, now, &tasks, blocked.entries);
        check_no_cycle(&request)?;
        // Chunked tasks, a stored schedule and work already done need the week contract's
        // one-day case: a chunk per task, the stored blocks as `previousPlan` so unchanged
        // ones stay, the minutes worked taken off, a task sat at today kept for tomorrow.
        let mut planner = planner_tasks(&tasks, now, tz, false);
        leave_later_days(&mut planner, &tasks, day_start, day_end);
        request.tasks = planner.tasks.iter().map(|t| t.task.clone()).collect();
        let mut response = if planner.any_split()
            || !planner.previous.is_empty()
            || !planner.not_before.is_empty()
        {
            let mut week = PlanWeekRequest::from_day(&request);
            week.tasks = planner.tasks.clone();
            week.previous_plan = planner.previous.clone();
            let mut response = lifeos_scheduler::plan_week_not_before(&week, &planner.not_before)?;
            merge_aliases(&mut response, &planner, &tasks);
            day_response(response)
        } else {
            lifeos_scheduler::plan_day(&request)?
        };
        planner.complete_unscheduled(&mut response.unscheduled_tasks, day_end);
        let changes = schedule_changes(&tasks, &response, day_start, day_end, now);
        let guard = ReadGuard::new()
            .actionable_tasks(&tasks)
            .calendar_window(from, to, &window);
        let plan = DayPlan {
            date,
            timezone: tz,
            working_day: prefs.is_working_day(date),
            truncated: blocked.truncated,
            truncated_events: blocked.truncated_events,
            skipped_events: blocked.skipped,
            unreadable_events: window.skipped.clone(),
            request,
            response,
            tasks,
            changes,
            saved: false,
            attempts: 1,
            recorded: None,
        };
        Ok((plan, guard))
    }

    /// Saves the plan's changes and its `ai.plan_generated` event in one transaction,
    /// only if every actionable task and calendar event the plan read is stored as it was
    /// read (`guard`, checked in that transaction): a plan computed before another
    /// writer's change is never saved, so no two saved slots overlap.
    async fn save_day(
        &self,
        user: UserId,
        plan: &mut DayPlan,
        guard: &ReadGuard,
        latency: std::time::Duration,
        usage: Option<&RefineUsage>,
        respond: Option<&Respond<DayPlan>>,
    ) -> Result<()> {
        let by = match usage {
            Some(u) if u.status == RefinementStatus::Accepted => ScheduledBy::Ai,
            _ => ScheduledBy::Planner,
        };
        let version_of = |id: TaskId| plan.task(id).map(|t| t.version);
        let (day_start, day_end) = day_bounds(plan.date, plan.timezone);
        // Blocks that ended are work done and stay (the next plan takes them off the
        // estimate); a chunked task's blocks on other days stay as they are; a task in one
        // sitting has its one slot moved.
        let now = plan.request.current_time;
        let other_days = |id: TaskId| -> Vec<PlannedBlock> {
            plan.task(id)
                .map(|t| {
                    t.blocks()
                        .into_iter()
                        .filter(|b| {
                            b.end <= now
                                || t.is_chunked() && (b.start < day_start || b.start >= day_end)
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let changes: Vec<TaskChange> = plan
            .changes
            .iter()
            .map(|change| {
                let others = other_days(change.task_id());
                let op = match change {
                    ScheduleChange::Scheduled {
                        slot, rationale, ..
                    } if others.is_empty() => TaskOp::Schedule {
                        start: slot.start,
                        end: slot.end,
                        by,
                        rationale: Some(rationale.clone()),
                    },
                    ScheduleChange::Scheduled {
                        slot, rationale, ..
                    } => {
                        let new = PlannedBlock::new(slot.start, slot.end);
                        let overlaps = |b: &PlannedBlock| b.start < new.end && new.start < b.end;
                        let mut blocks: Vec<PlannedBlock> =
                            others.into_iter().filter(|b| !overlaps(b)).collect();
                        blocks.push(new);
                        TaskOp::ScheduleBlocks {
                            blocks,
                            by: ScheduledBy::Planner,
                            rationale: Some(rationale.clone()),
                        }
                    }
                    ScheduleChange::Cleared { .. } if others.is_empty() => {
                        TaskOp::Update(TaskPatch {
                            scheduled_start: Some(None),
                            scheduled_end: Some(None),
                            ..TaskPatch::default()
                        })
                    }
                    ScheduleChange::Cleared { .. } => TaskOp::ScheduleBlocks {
                        blocks: others,
                        by: ScheduledBy::Planner,
                        rationale: None,
                    },
                };
                TaskChange::new(change.task_id(), version_of(change.task_id()), op)
            })
            .collect();
        let generated = plan_generated(plan, latency, usage);
        let save = self.store().change_tasks_guarded(
            user,
            changes,
            Some((EventSource::Ai, generated)),
            guard,
        );
        let saved = save_tasks(respond, plan, save).await;
        let (_, recorded) = saved.map_err(Error::store("saving the plan"))?;
        plan.saved = true;
        plan.recorded = recorded;
        Ok(())
    }
}

/// The `ai.plan_generated` event of `plan`, with what its refinement cost.
fn plan_generated(
    plan: &DayPlan,
    latency: std::time::Duration,
    usage: Option<&RefineUsage>,
) -> EventPayload {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let mut event = PlanGenerated {
        plan_date: plan.date,
        tasks_scheduled: count(plan.response.scheduled_tasks.len()),
        tasks_unscheduled: count(plan.response.unscheduled_tasks.len()),
        tokens_used: 0,
        latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
        ..PlanGenerated::default()
    };
    if let Some(u) = usage {
        event.model.clone_from(&u.model);
        event.tokens_in = u.tokens_in;
        event.tokens_out = u.tokens_out;
        event.tokens_used = u.tokens_in.saturating_add(u.tokens_out);
        event.cache_hit = u.cache_hit;
        event.refinement = Some(u.status);
    }
    EventPayload::PlanGenerated(event)
}

/// What the plan made at `now` changes in the stored schedule: new or moved slots (in the
/// response's order), then the slots of tasks planned within `[day_start, day_end)` that
/// the plan left out (in the tasks' order). A block that ended by `now` is work done, not
/// a slot to clear.
pub(crate) fn schedule_changes(
    tasks: &[Task],
    response: &PlanDayResponse,
    day_start: DateTime<Utc>,
    day_end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<ScheduleChange> {
    let in_day = |b: &PlannedBlock| b.start >= day_start && b.start < day_end;
    // The task's block on this day, else its first one (a chunked task has one a day).
    let slot_of = |t: &Task| {
        let blocks = t.blocks();
        let block = blocks.iter().find(|b| in_day(b)).or(blocks.first())?;
        Some(Slot {
            start: block.start,
            end: block.end,
        })
    };
    let mut changes = Vec::new();
    for s in &response.scheduled_tasks {
        let task_id = TaskId::from_uuid(s.task_id);
        let slot = Slot {
            start: s.start_time,
            end: s.end_time,
        };
        let previous = tasks.iter().find(|t| t.id == task_id).and_then(slot_of);
        if previous != Some(slot) {
            changes.push(ScheduleChange::Scheduled {
                task_id,
                previous,
                slot,
                rationale: s.rationale.clone(),
            });
        }
    }
    for task in tasks {
        let planned_today = task.blocks().iter().any(|b| in_day(b) && b.end > now)
            || task.scheduled_end.is_none()
                && task
                    .scheduled_start
                    .is_some_and(|s| s >= day_start && s < day_end);
        let still = response
            .scheduled_tasks
            .iter()
            .any(|s| s.task_id == *task.id.as_uuid());
        if planned_today && !still {
            // A start without an end (written by hand) is cleared as an empty slot.
            let start = task.scheduled_start.unwrap_or(day_start);
            let previous = slot_of(task).unwrap_or(Slot { start, end: start });
            changes.push(ScheduleChange::Cleared {
                task_id: task.id,
                previous,
            });
        }
    }
    changes
}

/// A dependency cycle among the request's tasks (only data written before the store
/// refused cycles holds one): [`Error::DependencyCycle`], named by the tasks' titles at
/// the path of its first task, as the planner would report it.
pub(crate) fn check_no_cycle(request: &PlanDayRequest) -> Result<()> {
    let graph: BTreeMap<TaskId, Vec<TaskId>> = request
        .tasks
        .iter()
        .map(|t| {
            let deps = t.depends_on.iter().map(|d| TaskId::from_uuid(*d)).collect();
            (TaskId::from_uuid(t.id), deps)
        })
        .collect();
    let Some(cycle) = find_cycle(&graph, graph.keys().copied()) else {
        return Ok(());
    };
    let title = |id: TaskId| {
        let t = request.tasks.iter().find(|t| t.id == *id.as_uuid())?;
        Some(t.title.clone())
    };
    let first = cycle
        .first()
        .and_then(|id| request.tasks.iter().position(|t| t.id == *id.as_uuid()))
        .unwrap_or(0);
    Err(Error::DependencyCycle {
        field: format!("tasks[{first}].dependsOn"),
        message: format!(
            "dependency cycle among the tasks: {}",
            describe_cycle(&cycle, title)
        ),
        tasks: cycle,
    })
}

fn skipped_as_warnings<S: Serializer>(skipped: &[SkippedEvent], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(skipped.iter().map(SkippedEvent::warning))
}

fn truncated_as_warnings<S: Serializer>(
    truncated: &[TruncatedEvent],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(truncated.iter().map(TruncatedEvent::warning))
}

fn unreadable_as_warnings<S: Serializer>(
    unreadable: &[UnreadableEvent],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(unreadable.iter().map(UnreadableEvent::warning))
}
