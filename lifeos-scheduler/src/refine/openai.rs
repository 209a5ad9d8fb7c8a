//! The [`Refiner`] on async-openai (feature `openai`): chat completions against any
//! OpenAI-compatible server, the reply under a strict JSON schema, the output budget as
//! `max_completion_tokens`, the input budget counted offline before the call, and one
//! timeout over the whole call, retries included.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::{Duration, Instant};
//! use lifeos_scheduler::refine::MonotonicClock;
//! use lifeos_scheduler::refine::openai::{OpenAiConfig, OpenAiRefiner};
//!
//! struct Wall(Instant);
//! impl MonotonicClock for Wall {
//!     fn elapsed(&self) -> Duration { self.0.elapsed() }
//! }
//!
//! let lookup = |name: &str| std::env::var(name).ok();
//! if let Some(config) = OpenAiConfig::from_lookup(lookup) {
//!     let config = config.timeout(Duration::from_secs(20));
//!     # #[allow(clippy::disallowed_methods)]
//!     let clock = Arc::new(Wall(Instant::now()));
//!     // Any `RngCore`: an application seeds it from the OS.
//!     let rng = <rand_chacha::ChaCha8Rng as rand_core::SeedableRng>::seed_from_u64(7);
//!     let refiner = OpenAiRefiner::new(config, clock, rng)?;
//! }
//! # Ok::<(), lifeos_scheduler::refine::RefinerError>(())
//! ```

mod retry;
mod tokens;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestUserMessage, CreateChatCompletionRequest, CreateChatCompletionResponse,
    FinishReason as ApiFinish, ResponseFormat, ResponseFormatJsonSchema,
};
use async_trait::async_trait;
use lifeos_core::plan::PlanDayRequest;
use lifeos_core::task::TaskStatus;
use rand_core::RngCore;

use super::clock::MonotonicClock;
use super::prompt::{Prompt, response_schema};
use super::refiner::{FinishReason, Proposal, Refiner, RefinerError, Usage};
use retry::{Attempts, Seen, SharedRng};
pub use tokens::prompt_tokens;

/// The public OpenAI API.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// How a refiner reaches its model, and its budgets.
///
/// ```
/// use std::time::Duration;
/// use lifeos_scheduler::refine::openai::OpenAiConfig;
///
/// let env = |name: &str| match name {
///     "OPENAI_API_KEY" => Some("sk-test".to_owned()),
///     "OPENAI_BASE_URL" => Some("http://127.0.0.1:9/v1".to_owned()),
///     _ => None,
/// };
/// let config = OpenAiConfig::from_lookup(env).unwrap().timeout(Duration::from_secs(5));
/// assert_eq!(config.base_url(), "http://127.0.0.1:9/v1");
/// assert_eq!(config.timeout_value(), Duration::from_secs(5));
/// assert!(OpenAiConfig::from_lookup(|_| None).is_none());
/// ```
#[derive(Clone, PartialEq)]
pub struct OpenAiConfig {
    base_url: String,
    api_key: String,
    model: String,
    small_model: String,
    small_day_tasks: usize,
    temperature: f32,
    max_output_tokens: u32,
    max_input_tokens: u64,
    timeout: Duration,
    max_retries: u32,
}

impl std::fmt::Debug for OpenAiConfig {
    // The key is a secret: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("small_model", &self.small_model)
            .field("small_day_tasks", &self.small_day_tasks)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl OpenAiConfig {
    /// The defaults with `api_key`: the public API, gpt-4o (gpt-4o-mini for days of fewer
    /// than 15 open tasks), temperature 0.3, 2,000 output tokens, 100,000 input tokens,
    /// 30 s over the whole call, 2 retries.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_key: api_key.into(),
            model: "gpt-4o".to_owned(),
            small_model: "gpt-4o-mini".to_owned(),
            small_day_tasks: 15,
            temperature: 0.3,
            max_output_tokens: 2_000,
            max_input_tokens: 100_000,
            timeout: Duration::from_secs(30),
            max_retries: 2,
        }
    }

    /// From `OPENAI_API_KEY` (required; blank means none) and `OPENAI_BASE_URL`, read
    /// through `lookup` (`|name| std::env::var(name).ok()` in an application).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let key = lookup("OPENAI_API_KEY").filter(|k| !k.trim().is_empty())?;
        let mut config = Self::new(key.trim());
        if let Some(url) = lookup("OPENAI_BASE_URL").filter(|u| !u.trim().is_empty()) {
            config.base_url = url.trim().trim_end_matches('/').to_owned();
        }
        Some(config)
    }

    /// Sets the server's base URL (up to `/v1`).
    #[must_use]
    pub fn base_url_set(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Asks `model` for every day (no smaller model for small days).
    #[must_use]
    pub fn model(mut self, model: impl Into<String>) -> Self {
        let model = model.into();
        self.small_model.clone_from(&model);
        self.model = model;
        self
    }

    /// Asks `small_model` for days of fewer than `tasks` open tasks, `model` otherwise.
    #[must_use]
    pub fn models(
        mut self,
        model: impl Into<String>,
        small_model: impl Into<String>,
        tasks: usize,
    ) -> Self {
        self.model = model.into();
        self.small_model = small_model.into();
        self.small_day_tasks = tasks;
        self
    }

    /// Sets the one timeout over a refinement's call, retries included.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the most retries after the first request.
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets the output budget (`max_completion_tokens`).
    #[must_use]
    pub fn max_output_tokens(mut self, tokens: u32) -> Self {
        self.max_output_tokens = tokens;
        self
    }

    /// Sets the input budget: a longer prompt is not sent.
    #[must_use]
    pub fn max_input_tokens(mut self, tokens: u64) -> Self {
        self.max_input_tokens = tokens;
        self
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The timeout over a call.
    pub fn timeout_value(&self) -> Duration {
        self.timeout
    }

    /// The model asked for `request`.
    pub fn model_for(&self, request: &PlanDayRequest) -> &str {
        let open = request
            .tasks
            .iter()
            .filter(|t| matches!(t.status, TaskStatus::Pending | TaskStatus::InProgress))
            .count();
        if open < self.small_day_tasks {
            &self.small_model
        } else {
            &self.model
        }
    }
}

/// A [`Refiner`] that asks an OpenAI-compatible chat API through async-openai.
pub struct OpenAiRefiner {
    config: OpenAiConfig,
    http: reqwest::Client,
    clock: Arc<dyn MonotonicClock>,
    rng: SharedRng,
}

impl std::fmt::Debug for OpenAiRefiner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiRefiner")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl OpenAiRefiner {
    /// A refiner with `config`; the deadline is read from `clock`, retry jitter drawn
    /// from `rng`. Installs rustls's ring provider as the process default if none is.
    ///
    /// # Errors
    /// [`RefinerError::Connection`] when the HTTP client cannot be built.
    pub fn new(
        config: OpenAiConfig,
        clock: Arc<dyn MonotonicClock>,
        rng: impl RngCore + Send + 'static,
    ) -> Result<Self, RefinerError> {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Another thread may install one meanwhile: either provider serves.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| RefinerError::Connection {
                message: format!("the HTTP client could not be built: {e}"),
            })?;
        let rng: SharedRng = Arc::new(Mutex::new(rng));
        Ok(Self {
            config,
            http,
            clock,
            rng,
        })
    }

    /// Its configuration.
    pub fn config(&self) -> &OpenAiConfig {
        &self.config
    }

    fn request(&self, model: &str, prompt: &Prompt) -> CreateChatCompletionRequest {
        let messages = vec![
            ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage::from(
                prompt.system.as_str(),
            )),
            ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage::from(
                prompt.user.as_str(),
            )),
        ];
        CreateChatCompletionRequest {
            model: model.to_owned(),
            messages,
            temperature: Some(self.config.temperature),
            max_completion_tokens: Some(self.config.max_output_tokens),
            response_format: Some(ResponseFormat::JsonSchema {
                json_schema: match &prompt.schema {
                    Some((name, schema)) => ResponseFormatJsonSchema {
                        description: None,
                        name: name.clone(),
                        schema: schema.clone(),
                        strict: Some(true),
                    },
                    None => ResponseFormatJsonSchema {
                        description: Some("A refined plan of the day".to_owned()),
                        name: "day_plan".to_owned(),
                        schema: response_schema(),
                        strict: Some(true),
                    },
                },
            }),
            ..Default::default()
        }
    }

    fn timeout_ms(&self) -> u64 {
        u64::try_from(self.config.timeout.as_millis()).unwrap_or(u64::MAX)
    }
}

#[async_trait]
impl Refiner for OpenAiRefiner {
    fn model(&self, request: &PlanDayRequest) -> Option<String> {
        Some(self.config.model_for(request).to_owned())
    }

    fn task_model(&self) -> Option<String> {
        // One task is a small question: the small model.
        Some(self.config.small_model.clone())
    }

    async fn propose(&self, model: &str, prompt: &Prompt) -> Result<Proposal, RefinerError> {
        let tokens = prompt_tokens(model, prompt);
        if tokens > self.config.max_input_tokens {
            return Err(RefinerError::InputBudget {
                tokens,
                budget: self.config.max_input_tokens,
            });
        }
        let seen = Arc::new(Mutex::new(Seen::default()));
        let attempts = Attempts {
            http: self.http.clone(),
            clock: Arc::clone(&self.clock),
            rng: Arc::clone(&self.rng),
            deadline: self.clock.elapsed().saturating_add(self.config.timeout),
            max_retries: self.config.max_retries,
            seen: Arc::clone(&seen),
        };
        let service = tower::service_fn(move |factory| attempts.clone().send(factory));
        let api = OpenAIConfig::new()
            .with_api_base(self.config.base_url.clone())
            .with_api_key(self.config.api_key.clone());
        let client = Client::with_config(api)
            .with_http_client(self.http.clone())
            .with_http_service(service);
        let request = self.request(model, prompt);
        let chat = client.chat();
        let call = chat.create(request);
        let answer = match tokio::time::timeout(self.config.timeout, call).await {
            Err(_) => {
                return Err(RefinerError::Timeout {
                    timeout_ms: self.timeout_ms(),
                });
            }
            Ok(answer) => answer,
        };
        let last_status = seen.lock().unwrap_or_else(PoisonError::into_inner).status;
        answer
            .map(proposal)
            .map_err(|e| api_error(e, last_status, self.timeout_ms()))
    }
}

/// The proposal in a chat completion: the first choice's message, its finish reason, and
/// the usage (0 when absent).
fn proposal(response: CreateChatCompletionResponse) -> Proposal {
    let usage = response.usage.map_or_else(Usage::default, |u| Usage {
        tokens_in: u64::from(u.prompt_tokens),
        tokens_out: u64::from(u.completion_tokens),
    });
    let Some(choice) = response.choices.into_iter().next() else {
        let mut empty = Proposal::new(String::new(), usage);
        empty.content = None;
        return empty;
    };
    let finish = match choice.finish_reason {
        None | Some(ApiFinish::Stop) => FinishReason::Stop,
        Some(ApiFinish::Length) => FinishReason::Length,
        Some(ApiFinish::ContentFilter) => FinishReason::ContentFilter,
        Some(other) => FinishReason::Other(format!("{other:?}")),
    };
    let message = choice.message;
    let mut out = match message.refusal.filter(|r| !r.trim().is_empty()) {
        Some(refusal) => Proposal::refused(refusal, usage),
        None => Proposal::new(String::new(), usage),
    };
    if out.refusal.is_none() {
        out.content = message.content;
    }
    out.with_finish_reason(finish)
}

/// A failed call as a [`RefinerError`]; `status` is the last HTTP status the retry path
/// saw (an error body async-openai could not read still has one).
fn api_error(error: OpenAIError, status: Option<u16>, timeout_ms: u64) -> RefinerError {
    match error {
        OpenAIError::ApiError(e) => RefinerError::Http {
            status: e.status_code.as_u16(),
        },
        OpenAIError::Reqwest(e) if e.is_timeout() => RefinerError::Timeout { timeout_ms },
        OpenAIError::Reqwest(e) => match e.status().map(|s| s.as_u16()).or(status) {
            Some(status) if status >= 400 => RefinerError::Http { status },
            _ => RefinerError::Connection {
                message: without_url(&e),
            },
        },
        OpenAIError::JSONDeserialize(..) => match status {
            Some(status) if status >= 400 => RefinerError::Http { status },
            _ => RefinerError::Connection {
                message: "the server's answer is not a chat completion".to_owned(),
            },
        },
        other => RefinerError::Connection {
            message: other.to_string(),
        },
    }
}

/// A reqwest error's text without its URL (which could carry credentials).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "the model's server");
    }
    text
}
