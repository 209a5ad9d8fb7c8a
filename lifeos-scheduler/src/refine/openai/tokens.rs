//! Prompt tokens, counted offline with tiktoken-rs (its BPE files are embedded in the
//! crate): the input budget is checked before any call.

use super::super::prompt::{Prompt, response_schema};

/// Tokens every chat message adds around its content (role and separators), and the
/// tokens that prime the reply (OpenAI's published counting rule for gpt-4o).
const PER_MESSAGE: u64 = 3;
const REPLY_PRIMER: u64 = 3;

/// The encoding of `model`: `o200k_base` for the gpt-4o family and anything unknown
/// (every current chat model), `cl100k_base` for gpt-4 and gpt-3.5.
fn encoding(model: &str) -> &'static tiktoken_rs::CoreBPE {
    if model.starts_with("gpt-4-") || model == "gpt-4" || model.starts_with("gpt-3.5") {
        tiktoken_rs::cl100k_base_singleton()
    } else {
        tiktoken_rs::o200k_base_singleton()
    }
}

fn count(bpe: &tiktoken_rs::CoreBPE, text: &str) -> u64 {
    u64::try_from(bpe.encode_ordinary(text).len()).unwrap_or(u64::MAX)
}

/// Tokens `prompt` takes as the input of `model`: both messages, their framing, and the
/// response schema (the API counts it as input too).
///
/// ```
/// use lifeos_scheduler::refine::openai::prompt_tokens;
/// # use lifeos_core::plan::PlanDayRequest;
/// # use lifeos_scheduler::refine::{build_prompt, RefineOptions};
/// # let request = PlanDayRequest::from_json(r#"{"timezone": "UTC", "today": "2026-03-09",
/// #     "currentTime": "2026-03-09T06:00:00Z", "tasks": []}"#)?;
/// # let plan = lifeos_scheduler::plan_day(&request)?;
/// let prompt = build_prompt(&request, &plan, &RefineOptions::new())?;
/// let tokens = prompt_tokens("gpt-4o", &prompt);
/// assert!(tokens > 100 && tokens < 2_000, "{tokens}");
/// # Ok::<(), lifeos_core::plan::PlanError>(())
/// ```
pub fn prompt_tokens(model: &str, prompt: &Prompt) -> u64 {
    let bpe = encoding(model);
    let schema = match &prompt.schema {
        Some((_, schema)) => schema.to_string(),
        None => response_schema().to_string(),
    };
    count(bpe, &prompt.system)
        + count(bpe, &prompt.user)
        + count(bpe, &schema)
        + 2 * PER_MESSAGE
        + REPLY_PRIMER
}
