//! Plan My Week: load a user's days, plan them with the week planner (`PLANNER-WEEK.md`),
//! keeping the stored blocks that still fit, and save what changed in one transaction.
//! Work already done counts: the minutes worked come off each estimate, and a task sat at
//! today waits for tomorrow for its next sitting.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use lifeos_core::event::{PlanGenerated, ScheduledBy};
use lifeos_core::plan::PlanWeekResponse;
use lifeos_core::plan::week::{MAX_HORIZON_DAYS, PlanWeekRequest, WorkingDays};
use lifeos_core::recurrence::{SkippedEvent, TruncatedEvent, blocked_time};
use lifeos_core::{EventPayload, EventSource, PlannedBlock, Preferences, Task, TaskId, UserId};
use lifeos_store::idempotency::StoredResponse;
use lifeos_store::{ReadGuard, StoredEvent, TaskChange, TaskOp, TaskQuery, UnreadableEvent};

use crate::LifeOs;
use crate::error::{Error, Result};
use crate::guarded_plan::Tries;
use crate::plan_day::{check_no_cycle, day_bounds};
use crate::planned_blocks::{BlockChange, block_changes, merge_aliases, planner_tasks};
use crate::respond::{Respond, Saved, save_tasks};

/// How [`LifeOs::plan_week`] plans and saves.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanWeekOptions {
    /// Days planned, 1..=14. Default 7.
    pub horizon_days: u8,
    /// Plan without saving anything. Default false.
    pub dry_run: bool,
    /// How many times the week is planned when its tasks change while it is being saved,
    /// before [`Error::PlanConflict`]. Default 3.
    pub max_attempts: u32,
    /// A keyed caller's answer, rendered inside the save's transaction (see
    /// [`PlanWeekOptions::respond`]). Default none.
    pub respond: Option<Respond<WeekPlan>>,
}

impl Default for PlanWeekOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl PlanWeekOptions {
    /// The defaults: seven days, save, three attempts.
    pub fn new() -> Self {
        PlanWeekOptions {
            horizon_days: 7,
            dry_run: false,
            max_attempts: 3,
            respond: None,
        }
    }

    /// Renders a keyed caller's answer inside the save, as
    /// [`PlanDayOptions::respond`](crate::PlanDayOptions::respond) does for a day: `render`
    /// is given the week about to be saved (`saved` true) and its answer is stored as the
    /// pending idempotency record in the save's own transaction. Not called on a dry run.
    pub fn respond(
        mut self,
        render: impl Fn(&WeekPlan) -> Option<StoredResponse> + Send + Sync + 'static,
    ) -> Self {
        self.respond = Some(Respond::new(render));
        self
    }

    /// Plans `days` days (checked by [`LifeOs::plan_week`]: 1..=14).
    pub fn horizon_days(mut self, days: u8) -> Self {
        self.horizon_days = days;
        self
    }

    /// Plans without saving.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Plans at most `attempts` times (at least once).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
}

/// What [`LifeOs::plan_week`] did: the request, the planner's response, the changed
/// blocks and whether they were saved.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WeekPlan {
    /// The first local date planned.
    pub start_date: NaiveDate,
    /// Days planned.
    pub horizon_days: u8,
    /// The user's zone.
    pub timezone: Tz,
    /// Whether a recurring event hit the expansion bounds.
    pub truncated: bool,
    /// The series cut short inside the horizon.
    pub truncated_events: Vec<TruncatedEvent>,
    /// Calendar events left out because their series cannot be expanded.
    pub skipped_events: Vec<SkippedEvent>,
    /// Stored calendar events left out because their rule cannot be read.
    pub unreadable_events: Vec<UnreadableEvent>,
    /// The planner's request, as built from the store (a chunk under way split off as a
    /// pinned task of its own id).
    pub request: PlanWeekRequest,
    /// The planner's response, every block under its task's id. Tasks whose estimate is
    /// used up by the minutes already worked are not planned: they are among its
    /// unscheduled tasks (`not_actionable`, saying how many minutes were worked).
    pub response: PlanWeekResponse,
    /// The tasks sat at today (a block of today began before `now`: one sitting a date),
    /// each with the instant its other blocks may start from: the next local midnight.
    pub not_before: BTreeMap<uuid::Uuid, DateTime<Utc>>,
    /// Minutes already worked per task, taken off the estimate the planner was sent: the
    /// logged `actual_minutes` when there are some, else the blocks that ended by `now`.
    /// Only tasks with some are listed.
    pub worked_minutes: BTreeMap<uuid::Uuid, u32>,
    /// The actionable tasks as read before planning.
    pub tasks: Vec<Task>,
    /// The tasks whose blocks change, in the tasks' order.
    pub changes: Vec<BlockChange>,
    /// Whether the changes were saved (false on a dry run).
    pub saved: bool,
    /// How many times the week was planned.
    pub attempts: u32,
    /// The `ai.plan_generated` event recorded with the changes (none on a dry run).
    pub recorded: Option<StoredEvent>,
}

impl Saved for WeekPlan {
    fn set_saved(&mut self, saved: bool) {
        self.saved = saved;
    }
}

impl WeekPlan {
    /// Blocks added, moved or removed within the horizon (a moved block counts once);
    /// 0 when planning again changed nothing.
    pub fn changed_blocks(&self) -> usize {
        self.changes.iter().map(|c| c.changed).sum()
    }

    /// The task with this id among those read.
    pub fn task(&self, id: TaskId) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// The local date of day index `k` of the horizon.
    pub fn date(&self, k: u8) -> Option<NaiveDate> {
        self.start_date.checked_add_days(Days::new(u64::from(k)))
    }
}

/// The week planner's working days from the profile's.
pub(crate) fn working_days(prefs: &Preferences) -> WorkingDays {
    let mut iso: Vec<u8> = prefs
        .working_days
        .iter()
        .filter_map(|d| u8::try_from(d.number_from_monday()).ok())
        .collect();
    iso.sort_unstable();
    iso.dedup();
    WorkingDays::from_iso(&iso).unwrap_or_default()
}

impl LifeOs {
    /// Plans `horizon_days` local dates from `start` (default: today in the user's zone at
    /// `now`) with the week planner, sending the stored blocks as `previousPlan` so the
    /// ones that still fit are kept, and, unless [`PlanWeekOptions::dry_run`], saves in one
    /// transaction each task's new blocks (`task.scheduled`; blocks outside the horizon
    /// kept) and one `ai.plan_generated` event, conditional on the tasks and calendar
    /// being as read (planned again otherwise, up to [`PlanWeekOptions::max_attempts`]).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `horizon_days` outside 1..=14; [`Error::NotFound`] when
    /// the user has no profile; [`Error::DependencyCycle`] when the stored dependencies form
    /// a cycle; [`Error::InvalidPlanRequest`] when the stored data breaks the planner's
    /// rules; [`Error::PlanConflict`]; [`Error::Storage`]. Nothing is saved
    /// on error.
    pub async fn plan_week(
        &self,
        user: UserId,
        start: Option<NaiveDate>,
        now: DateTime<Utc>,
        options: PlanWeekOptions,
    ) -> Result<WeekPlan> {
        if !(1..=MAX_HORIZON_DAYS).contains(&options.horizon_days) {
            return Err(Error::from(lifeos_core::Error::invalid(
                "horizon_days",
                options.horizon_days,
                "an integer in 1..=14",
            )));
        }
        let mut tries = Tries::new(options.max_attempts, start.unwrap_or(now.date_naive()));
        let _turn = self.turn_to_plan(user, options.dry_run).await;
        for attempt in tries.numbers() {
            let started = self.monotonic().elapsed();
            let (mut plan, guard) = self
                .compute_week(user, start, now, options.horizon_days)
                .await?;
            plan.attempts = attempt;
            if options.dry_run {
                return Ok(plan);
            }
            let latency = self.monotonic().elapsed().saturating_sub(started);
            let outcome = self
                .save_week(user, &mut plan, &guard, latency, options.respond.as_ref())
                .await;
            if tries.saved(outcome, user, attempt, plan.start_date)? {
                return Ok(plan);
            }
        }
        Err(tries.exhausted())
    }

    async fn compute_week(
        &self,
        user: UserId,
        start: Option<NaiveDate>,
        now: DateTime<Utc>,
        horizon: u8,
    ) -> Result<(WeekPlan, ReadGuard)> {
        let store = self.store();
        let profile = store
            .get_profile(user)
            .await
            .map_err(Error::store("reading the profile"))?;
        let prefs = &profile.preferences;
        let tz = prefs.timezone;
        let start_date = start.unwrap_or_else(|| now.with_timezone(&tz).date_naive());
        let last = start_date
            .checked_add_days(Days::new(u64::from(horizon) - 1))
            .unwrap_or(start_date);
        let (window_start, _) = day_bounds(start_date, tz);
        let (_, window_end) = day_bounds(last, tz);
        // Buffers and all-day events reach up to a day beyond the horizon.
        let (from, to) = (
            window_start - Duration::days(1),
            window_end + Duration::days(1),
        );
        let window = store
            .calendar_window(user, from, to)
            .await
            .map_err(Error::store("reading the calendar"))?;
        let blocked = blocked_time(&window.events, tz, from, to)?;
        let tasks = store
            .list_all_tasks(user, &TaskQuery::actionable())
            .await
            .map_err(Error::store("reading the tasks"))?;
        let day = prefs.plan_request(start_date, now, &tasks, blocked.entries);
        check_no_cycle(&day)?;
        let planner = planner_tasks(&tasks, now, tz, true);
        let mut request = PlanWeekRequest::from_day(&day);
        request.horizon_days = horizon;
        request.preferences.working_days = working_days(prefs);
        request.tasks = planner.tasks.clone();
        request.previous_plan = planner.previous.clone();
        let mut response = lifeos_scheduler::plan_week_not_before(&request, &planner.not_before)?;
        merge_aliases(&mut response, &planner, &tasks);
        planner.complete_unscheduled(&mut response.unscheduled_tasks, window_end);
        let scheduled: Vec<(uuid::Uuid, PlannedBlock, &str)> = response
            .scheduled_tasks
            .iter()
            .map(|s| {
                let block = PlannedBlock::new(s.start_time, s.end_time);
                (s.task_id, block, s.rationale.as_str())
            })
            .collect();
        let changes = block_changes(&tasks, &scheduled, window_start, window_end, now);
        let guard = ReadGuard::new()
            .actionable_tasks(&tasks)
            .calendar_window(from, to, &window);
        let plan = WeekPlan {
            start_date,
            horizon_days: horizon,
            timezone: tz,
            truncated: blocked.truncated,
            truncated_events: blocked.truncated_events,
            skipped_events: blocked.skipped,
            unreadable_events: window.skipped.clone(),
            request,
            response,
            not_before: planner.not_before,
            worked_minutes: planner.worked,
            tasks,
            changes,
            saved: false,
            attempts: 1,
            recorded: None,
        };
        Ok((plan, guard))
    }

    async fn save_week(
        &self,
        user: UserId,
        plan: &mut WeekPlan,
        guard: &ReadGuard,
        latency: std::time::Duration,
        respond: Option<&Respond<WeekPlan>>,
    ) -> Result<()> {
        let changes: Vec<TaskChange> = plan
            .changes
            .iter()
            .map(|c| {
                let op = TaskOp::ScheduleBlocks {
                    blocks: c.blocks.clone(),
                    by: ScheduledBy::Planner,
                    rationale: (!c.rationale.is_empty()).then(|| c.rationale.clone()),
                };
                TaskChange::new(c.task_id, plan.task(c.task_id).map(|t| t.version), op)
            })
            .collect();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let mut placed: Vec<uuid::Uuid> = plan
            .response
            .scheduled_tasks
            .iter()
            .map(|s| s.task_id)
            .collect();
        placed.sort_unstable();
        placed.dedup();
        let generated = EventPayload::PlanGenerated(PlanGenerated {
            plan_date: plan.start_date,
            tasks_scheduled: count(placed.len()),
            tasks_unscheduled: count(plan.response.unscheduled_tasks.len()),
            tokens_used: 0,
            latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            ..PlanGenerated::default()
        });
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
