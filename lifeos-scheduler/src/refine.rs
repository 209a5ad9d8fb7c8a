//! Refinement by a language model (`PLANNER.md`, "Refinement by a language model"): the
//! deterministic plan comes first, a model may propose a better one, and the caller always
//! gets a plan that passes [`validate`](crate::validate).
//!
//! ```
//! use std::time::Duration;
//! use lifeos_core::plan::{PlanDayRequest, RefinementStatus};
//! use lifeos_scheduler::plan_day;
//! use lifeos_scheduler::refine::{MonotonicClock, NoopRefiner, RefineOptions, refine};
//!
//! struct Still;
//! impl MonotonicClock for Still {
//!     fn elapsed(&self) -> Duration { Duration::ZERO }
//! }
//!
//! let request = PlanDayRequest::from_json(
//!     r#"{"timezone": "UTC", "today": "2026-03-09", "currentTime": "2026-03-09T06:00:00Z",
//!         "tasks": [{"id": "7e57d004-2b97-0e7a-b45f-5387367791cd", "priority": 3}]}"#,
//! )?;
//! let plan = plan_day(&request)?;
//! let options = RefineOptions::new().instructions("calls after lunch");
//! let refined = refine(&request, &plan, &NoopRefiner, &options, &Still);
//! # let refined = poll_once(refined);
//! let refined = refined?;
//! assert_eq!(refined.scheduled_tasks, plan.scheduled_tasks);
//! assert_eq!(refined.refinement.unwrap().status, RefinementStatus::Unavailable);
//! # fn poll_once<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! # Ok::<(), lifeos_core::plan::PlanError>(())
//! ```
//!
//! # Design
//! - [`Refiner`]: the model, as an async trait (the `openai` feature implements it);
//! - `prompt`: [`build_prompt`] and [`response_schema`];
//! - `reply`: [`parse_reply`], the lenient reader;
//! - `repair`: [`repair`], from a proposal to a plan that keeps every hard rule;
//! - `accept`: the tolerance, `moved`, and the model's insights made safe;
//! - this file: [`refine`] (calls the model) and [`apply`] (judges a proposal already in
//!   hand, such as a cached one), which fill in the `refinement` object.

mod accept;
mod clock;
#[cfg(feature = "openai")]
pub mod openai;
mod options;
mod prompt;
mod refiner;
mod repair;
mod reply;

use std::borrow::Cow;
use std::time::Duration;

use lifeos_core::plan::{PlanDayRequest, PlanDayResponse, PlanError, Refinement, RefinementStatus};

pub use accept::{MAX_INSIGHT_CHARS, MAX_MODEL_INSIGHTS, sanitize_insights};
pub use clock::MonotonicClock;
pub use options::{MAX_INSTRUCTIONS_CHARS, RefineOptions};
pub use prompt::{Prompt, build_prompt, response_schema};
pub use refiner::{FinishReason, NoopRefiner, Proposal, Refiner, RefinerError, Usage};
pub use repair::{Repaired, repair};
pub use reply::{ProposedEntry, Reply, ReplyError, parse_reply};

use crate::validate::validate;
use accept::{Verdict, judge, moved};

/// What a model call gave, ready to be judged by [`apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome {
    /// The model asked; `None` when none is configured (`unavailable`).
    pub model: Option<String>,
    /// Its reply, or why there was none.
    pub result: Result<Proposal, RefinerError>,
    /// Whether the reply came from a cache.
    pub cache_hit: bool,
    /// Time spent, model call included.
    pub latency: Duration,
}

impl Outcome {
    /// An outcome of `model` with `result`, not from a cache, with no latency yet.
    pub fn new(model: Option<String>, result: Result<Proposal, RefinerError>) -> Self {
        Self {
            model,
            result,
            cache_hit: false,
            latency: Duration::ZERO,
        }
    }

    /// The same outcome, marked as a cache hit.
    #[must_use]
    pub fn from_cache(mut self) -> Self {
        self.cache_hit = true;
        self
    }

    /// The same outcome with `latency`.
    #[must_use]
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }
}

/// Refines `plan`, the deterministic plan of `request`, by asking `refiner`'s model once
/// (retries and the timeout are the refiner's). The answer always passes
/// [`validate`](crate::validate) and carries the `refinement` object; its latency is read
/// from `clock`. A `plan` that does not pass `validate` is replaced by [`plan_day`]'s.
///
/// [`plan_day`]: crate::plan_day
///
/// # Errors
/// [`PlanError`] when the request breaks a rule of `PLANNER.md`.
pub async fn refine<R, C>(
    request: &PlanDayRequest,
    plan: &PlanDayResponse,
    refiner: &R,
    options: &RefineOptions,
    clock: &C,
) -> Result<PlanDayResponse, PlanError>
where
    R: Refiner + ?Sized,
    C: MonotonicClock + ?Sized,
{
    request.check()?;
    let began = clock.elapsed();
    let Some(model) = refiner.model(request) else {
        return apply(
            request,
            plan,
            Outcome::new(None, Err(unconfigured())),
            options,
        );
    };
    let (base, _) = base_plan(request, plan)?;
    let prompt = build_prompt(request, &base, options)?;
    let result = refiner.propose(&model, &prompt).await;
    let mut response = apply(request, &base, Outcome::new(Some(model), result), options)?;
    if let Some(r) = response.refinement.as_mut() {
        let spent = clock.elapsed().saturating_sub(began);
        r.latency_ms = u64::try_from(spent.as_millis()).unwrap_or(u64::MAX);
    }
    Ok(response)
}

fn unconfigured() -> RefinerError {
    RefinerError::Connection {
        message: "no model is configured".to_owned(),
    }
}

/// The deterministic plan and its score: `plan` when it passes `validate`, else the
/// planner's own.
fn base_plan<'a>(
    request: &PlanDayRequest,
    plan: &'a PlanDayResponse,
) -> Result<(Cow<'a, PlanDayResponse>, i64), PlanError> {
    if plan.refinement.is_none()
        && let Ok(score) = validate(request, plan)
    {
        return Ok((Cow::Borrowed(plan), score.quarter_points));
    }
    let own = crate::plan_day(request)?;
    let score = validate(request, &own).map_or(0, |s| s.quarter_points);
    Ok((Cow::Owned(own), score))
}

/// Judges a model's `outcome` against `plan`, the deterministic plan of `request`: repair,
/// acceptance, and the `refinement` object (`PLANNER.md`). For a proposal already in hand,
/// such as a cached one: repair and acceptance run against this request.
///
/// # Errors
/// [`PlanError`] when the request breaks a rule of `PLANNER.md`.
pub fn apply(
    request: &PlanDayRequest,
    plan: &PlanDayResponse,
    outcome: Outcome,
    options: &RefineOptions,
) -> Result<PlanDayResponse, PlanError> {
    request.check()?;
    let (base, base_score) = base_plan(request, plan)?;
    let mut base = base.into_owned();
    base.refinement = None;
    let mut refinement = Refinement::new(RefinementStatus::Failed, base_score);
    refinement.model.clone_from(&outcome.model);
    refinement.cache_hit = outcome.cache_hit;
    refinement.latency_ms = u64::try_from(outcome.latency.as_millis()).unwrap_or(u64::MAX);
    let keep = |mut base: PlanDayResponse, mut refinement: Refinement, status, why: String| {
        refinement.status = status;
        base.warnings.push(why);
        base.refinement = Some(refinement);
        Ok(base)
    };

    if outcome.model.is_none() {
        return keep(
            base,
            refinement,
            RefinementStatus::Unavailable,
            "Refinement was asked for, but no language model is configured: this is the \
             planner's own plan."
                .to_owned(),
        );
    }
    let failed = |base, refinement, why: &str| {
        keep(
            base,
            refinement,
            RefinementStatus::Failed,
            format!("Refinement failed: {why}; this is the planner's own plan."),
        )
    };
    let proposal = match outcome.result {
        Ok(p) => p,
        Err(e) => return failed(base, refinement, &e.to_string()),
    };
    refinement.tokens_in = proposal.usage.tokens_in;
    refinement.tokens_out = proposal.usage.tokens_out;
    if proposal.refusal.is_some() {
        return failed(base, refinement, "the model refused to plan the day");
    }
    match proposal.finish_reason {
        FinishReason::Length => {
            return failed(
                base,
                refinement,
                "the model's reply was cut off at its output limit",
            );
        }
        FinishReason::ContentFilter => {
            return failed(
                base,
                refinement,
                "a content filter stopped the model's reply",
            );
        }
        FinishReason::Stop | FinishReason::Other(_) => {}
    }
    let Some(content) = proposal.content.as_deref() else {
        return failed(base, refinement, "the model's reply is empty");
    };
    let reply = match parse_reply(content) {
        Ok(r) => r,
        Err(e) => return failed(base, refinement, &e.to_string()),
    };
    let repaired = repair(request, &reply)?;
    refinement.set_dropped(repaired.dropped);
    match judge(
        request,
        &repaired.response,
        base_score,
        options.tolerance_value(),
    ) {
        Verdict::Accept(score) => {
            let mut response = repaired.response;
            refinement.status = RefinementStatus::Accepted;
            refinement.moved = moved(&base, &response);
            refinement.score_final = score;
            response.insights.extend(sanitize_insights(&reply.insights));
            response.refinement = Some(refinement);
            Ok(response)
        }
        Verdict::BelowTolerance(score) => keep(
            base,
            refinement,
            RefinementStatus::Rejected,
            format!(
                "The model's plan was not used: it scores {score} against the planner's \
                 {base_score}, more than the {}% tolerance below; this is the planner's own \
                 plan.",
                (options.tolerance_value() * 1000.0).round() / 10.0
            ),
        ),
        Verdict::Invalid(violations) => {
            let rules: Vec<&str> = violations.iter().map(|v| v.rule).collect();
            keep(
                base,
                refinement,
                RefinementStatus::Rejected,
                format!(
                    "The model's plan was not used: after repair it still breaks {}; this is \
                     the planner's own plan.",
                    rules.join(", ")
                ),
            )
        }
    }
}
