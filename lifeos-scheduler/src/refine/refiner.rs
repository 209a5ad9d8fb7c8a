//! The model behind a refinement, as a trait: what it is asked, what it answers.

use async_trait::async_trait;
use lifeos_core::plan::PlanDayRequest;
use serde::{Deserialize, Serialize};

use super::prompt::Prompt;

/// Token counts of one model call, as the API's `usage` says (0 when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens.
    pub tokens_in: u64,
    /// Completion tokens.
    pub tokens_out: u64,
}

/// Why the model stopped writing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FinishReason {
    /// It finished its answer.
    #[default]
    Stop,
    /// It hit the output budget: the reply is cut short.
    Length,
    /// A content filter stopped it.
    ContentFilter,
    /// Any other reason the API gave.
    Other(String),
}

/// The model's raw answer: read, repaired and judged by [`refine`](super::refine), never
/// trusted. Serde so that a cache can keep it and judge it again against a later request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Proposal {
    /// The message text: the plan as JSON, if the model wrote one.
    pub content: Option<String>,
    /// The model's refusal, if it refused.
    pub refusal: Option<String>,
    /// Why it stopped.
    pub finish_reason: FinishReason,
    /// What it cost.
    pub usage: Usage,
}

impl Proposal {
    /// A finished reply with `content` and `usage`.
    pub fn new(content: impl Into<String>, usage: Usage) -> Self {
        Self {
            content: Some(content.into()),
            refusal: None,
            finish_reason: FinishReason::Stop,
            usage,
        }
    }

    /// A refusal.
    pub fn refused(refusal: impl Into<String>, usage: Usage) -> Self {
        Self {
            content: None,
            refusal: Some(refusal.into()),
            finish_reason: FinishReason::Stop,
            usage,
        }
    }

    /// The same reply with another finish reason.
    #[must_use]
    pub fn with_finish_reason(mut self, reason: FinishReason) -> Self {
        self.finish_reason = reason;
        self
    }
}

/// Why a model call gave no reply. Each leaves the deterministic plan, status `failed`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RefinerError {
    /// The refinement's one timeout ran out (retries included).
    #[error("the model did not answer within {timeout_ms} ms")]
    Timeout {
        /// The timeout, in milliseconds.
        timeout_ms: u64,
    },
    /// The server answered an HTTP error (after any retries).
    #[error("the model's server answered HTTP {status}")]
    Http {
        /// The HTTP status.
        status: u16,
    },
    /// The server could not be reached, or its answer could not be read.
    #[error("the model's server could not be reached: {message}")]
    Connection {
        /// What went wrong, for a person (no secrets).
        message: String,
    },
    /// The prompt would exceed the input budget: the model was not called.
    #[error("the prompt needs {tokens} tokens, over the input budget of {budget}")]
    InputBudget {
        /// Tokens the prompt needs.
        tokens: u64,
        /// The budget.
        budget: u64,
    },
}

/// A language model that proposes a day plan. Implementations own the transport, the
/// retries and the one timeout over them; [`refine`](super::refine) owns everything else.
#[async_trait]
pub trait Refiner: Send + Sync {
    /// The model this refiner would ask for `request`, or `None` when none is configured
    /// (the refinement is then `unavailable` and nothing is called).
    fn model(&self, request: &PlanDayRequest) -> Option<String>;

    /// The model asked about a single task (a breakdown into steps), or `None` when none
    /// is configured. Default: none.
    fn task_model(&self) -> Option<String> {
        None
    }

    /// Asks `model` for a plan.
    ///
    /// # Errors
    /// [`RefinerError`] when no reply came back.
    async fn propose(&self, model: &str, prompt: &Prompt) -> Result<Proposal, RefinerError>;
}

/// The refiner of a setup without a model: always `unavailable`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopRefiner;

#[async_trait]
impl Refiner for NoopRefiner {
    fn model(&self, _request: &PlanDayRequest) -> Option<String> {
        None
    }

    async fn propose(&self, _model: &str, _prompt: &Prompt) -> Result<Proposal, RefinerError> {
        Err(RefinerError::Connection {
            message: "no model is configured".to_owned(),
        })
    }
}
