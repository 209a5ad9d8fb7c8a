//! Refinement of a planned day by a language model (`PLANNER.md`, "Refinement by a
//! language model"), as the application runs it: the plan cache first (a hit costs
//! nothing), then one unit of the caller's AI quota, then the model; repair and acceptance
//! always run against the current request. What it cost goes into `ai.plan_generated`.
//!
//! - `cache`: [`PlanCache`], [`MemoryPlanCache`], [`cache_key`];
//! - `quota`: [`AiQuota`], [`MemoryAiQuota`], [`QuotaExceeded`];
//! - `redis` (feature `redis`): both in Redis;
//! - this file: the step [`LifeOs::plan_day`] takes when refinement is asked for.

mod cache;
mod quota;
#[cfg(feature = "redis")]
mod redis;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lifeos_core::UserId;
use lifeos_core::plan::RefinementStatus;
use lifeos_scheduler::refine::{
    FinishReason, MonotonicClock, NoopRefiner, Outcome, RefineOptions, Refiner, RefinerError,
    Usage, apply, build_prompt,
};

pub use cache::{DEFAULT_TTL, MemoryPlanCache, PlanCache, cache_key};
pub use quota::{AiQuota, HOUR, MONTH, MemoryAiQuota, QuotaError, QuotaExceeded, QuotaWindow};
#[cfg(feature = "redis")]
pub use redis::{RedisAiQuota, RedisPlanCache};

use crate::error::{Error, Result};
use crate::plan_day::{DayPlan, PlanDayOptions, day_bounds, schedule_changes};
use crate::{LifeOs, Monotonic};

/// The model, the cache and the quota of a [`LifeOs`] (set on its builder).
#[derive(Clone)]
pub(crate) struct AiParts {
    pub(crate) refiner: Arc<dyn Refiner>,
    pub(crate) cache: Arc<dyn PlanCache>,
    pub(crate) quota: Arc<dyn AiQuota>,
}

impl Default for AiParts {
    fn default() -> Self {
        Self {
            refiner: Arc::new(NoopRefiner),
            cache: Arc::new(MemoryPlanCache::default()),
            quota: Arc::new(MemoryAiQuota::new()),
        }
    }
}

/// What a refinement cost, recorded in `ai.plan_generated`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefineUsage {
    /// The model asked, or whose cached proposal was used (`None`: none configured).
    pub model: Option<String>,
    /// Prompt tokens (0 on a cache hit).
    pub tokens_in: u64,
    /// Completion tokens (0 on a cache hit).
    pub tokens_out: u64,
    /// Whether the proposal came from the cache.
    pub cache_hit: bool,
    /// Whether the model was called (a quota unit was taken).
    pub model_called: bool,
    /// What became of the refinement.
    pub status: RefinementStatus,
}

/// The application's monotonic clock as the scheduler reads it.
struct Latency<'a>(&'a dyn Monotonic);

impl MonotonicClock for Latency<'_> {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl LifeOs {
    /// Refines `plan` (just planned, not saved): the cache, else a quota unit and the
    /// model (or `in_hand`, the model's answer from an earlier attempt at the same plan,
    /// which is neither asked again nor charged again); then repair and acceptance against
    /// `plan.request`, and the changes recomputed.
    ///
    /// # Errors
    /// [`Error::QuotaExceeded`] before any model call when a limit is reached;
    /// [`Error::Unavailable`] when the quota store fails; [`Error::InvalidPlanRequest`].
    pub(crate) async fn refine_day(
        &self,
        user: UserId,
        plan: &mut DayPlan,
        now: DateTime<Utc>,
        options: &PlanDayOptions,
        in_hand: &mut Option<Outcome>,
    ) -> Result<RefineUsage> {
        let ai = self.ai();
        let refine_options =
            RefineOptions::new().instructions(options.instructions.clone().unwrap_or_default());
        let outcome = match in_hand.clone() {
            Some(outcome) => outcome,
            None => match ai.refiner.model(&plan.request) {
                None => Outcome::new(
                    None,
                    Err(RefinerError::Connection {
                        message: "no model is configured".to_owned(),
                    }),
                ),
                Some(model) => {
                    let outcome = self
                        .ask(user, plan, now, options, &refine_options, model)
                        .await?;
                    if !outcome.cache_hit {
                        *in_hand = Some(outcome.clone());
                    }
                    outcome
                }
            },
        };
        let mut usage = RefineUsage {
            model: outcome.model.clone(),
            tokens_in: 0,
            tokens_out: 0,
            cache_hit: outcome.cache_hit,
            model_called: outcome.model.is_some() && !outcome.cache_hit,
            status: RefinementStatus::Unavailable,
        };
        // Tasks the planner was not sent (an estimate used up) are judged outside the
        // refinement and listed again after it.
        let (sent, outside): (Vec<_>, Vec<_>) = (plan.response.unscheduled_tasks.iter().cloned())
            .partition(|u| plan.request.tasks.iter().any(|t| t.id == u.task_id));
        let mut planned = plan.response.clone();
        planned.unscheduled_tasks = sent;
        let mut response = apply(&plan.request, &planned, outcome, &refine_options)?;
        response.unscheduled_tasks.extend(outside);
        response.unscheduled_tasks.sort_by_key(|u| u.task_id);
        if let Some(r) = &response.refinement {
            usage.tokens_in = r.tokens_in;
            usage.tokens_out = r.tokens_out;
            usage.status = r.status;
        }
        plan.response = response;
        let (day_start, day_end) = day_bounds(plan.date, plan.timezone);
        plan.changes = schedule_changes(&plan.tasks, &plan.response, day_start, day_end, now);
        Ok(usage)
    }

    /// The proposal for `plan`: cached, else one quota unit and a model call (cached when
    /// it is a finished reply).
    async fn ask(
        &self,
        user: UserId,
        plan: &DayPlan,
        now: DateTime<Utc>,
        options: &PlanDayOptions,
        refine_options: &RefineOptions,
        model: String,
    ) -> Result<Outcome> {
        let ai = self.ai();
        let key = cache_key(
            user,
            &plan.request,
            &plan.tasks,
            refine_options.instructions_text(),
            &model,
        );
        match ai.cache.get(&key, now).await {
            Ok(Some(mut proposal)) => {
                // A hit costs nothing: its tokens were recorded when it was asked.
                proposal.usage = Usage::default();
                return Ok(Outcome::new(Some(model), Ok(proposal)).from_cache());
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(%user, error = %e, "plan cache unreadable; asking the model"),
        }
        ai.quota
            .take(user, options.tier, now)
            .await
            .map_err(|e| match e {
                QuotaError::Exceeded(q) => Error::QuotaExceeded(q),
                QuotaError::Backend(message) => Error::Unavailable {
                    service: "ai quota",
                    message,
                },
            })?;
        let prompt = build_prompt(&plan.request, &plan.response, refine_options)?;
        let clock = Latency(self.monotonic());
        let began = clock.elapsed();
        let result = ai.refiner.propose(&model, &prompt).await;
        let latency = clock.elapsed().saturating_sub(began);
        if let Ok(p) = &result
            && p.refusal.is_none()
            && p.content.is_some()
            && p.finish_reason == FinishReason::Stop
            && let Err(e) = ai.cache.put(&key, p, now).await
        {
            tracing::warn!(%user, error = %e, "plan cache not written");
        }
        tracing::debug!(%user, %model, latency_ms = millis(latency), "model asked");
        Ok(Outcome::new(Some(model), result).with_latency(latency))
    }
}
