//! The planner's wire in and out (PLANNER.md, "batch mode").
//!
//! `cargo run --release --example plan_json < requests.jsonl`: if all of stdin is one JSON
//! value it is one request; otherwise each non-blank line is one. Each request gets one
//! line of compact JSON: the plan, or `{"error": {"line", "field", "message", "errors"}}`
//! (also written to stderr). The exit status is 1 when some request was invalid.
//!
//! `--week` reads week requests (PLANNER-WEEK.md) the same way and answers week plans.
//! `--week --refine` is an error: refinement of a week plan is not defined yet.
//! `--week --validate` reads `{"request": ..., "response": ...}` values the same way and
//! answers each with `validate_week`'s score, `{"score": N}` (quarter points, the keep bonus
//! of the request's `previousPlan` included), or `{"violations": [{"rule", "taskId",
//! "message"}]}`.
//!
//! `--refine [--model M] [--instructions TEXT] [--tolerance X] [--timeout-ms N]` refines
//! each day plan through the OpenAI-compatible server of `OPENAI_BASE_URL` (default the
//! public API) with `OPENAI_API_KEY` (PLANNER.md, "Refinement by a language model").
//! Without a key, each answer is the deterministic plan with `"status": "unavailable"`.

use std::error::Error;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use lifeos::core::plan::{
    PlanDayRequest, PlanError, PlanFieldError, PlanWeekRequest, PlanWeekResponse,
};
use lifeos::scheduler::refine::openai::{OpenAiConfig, OpenAiRefiner};
use lifeos::scheduler::refine::{MonotonicClock, NoopRefiner, RefineOptions, Refiner, refine};
use lifeos::scheduler::{plan_day, plan_week, validate_week};
use lifeos::{Monotonic, SystemMonotonic};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use serde::Serialize;
use serde_json::Value;

/// `{"error": {...}}`, fields in PLANNER.md's order.
#[derive(Serialize)]
struct ErrorLine<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    line: usize,
    field: &'a str,
    message: &'a str,
    errors: &'a [PlanFieldError],
}

/// The error line of an invalid request.
fn error_line(line: usize, e: &PlanError) -> String {
    let error = ErrorLine {
        error: ErrorBody {
            line,
            field: &e.field,
            message: &e.message,
            errors: &e.errors,
        },
    };
    serde_json::to_string(&error).unwrap_or_default()
}

/// How the day plans are answered: as planned, or refined by a model.
enum Mode {
    Week,
    /// Score (or list what breaks) a week response against its request.
    WeekValidate,
    Day,
    Refine {
        refiner: Box<dyn Refiner>,
        options: RefineOptions,
        clock: Arc<Clock>,
    },
}

/// The process's monotonic clock, as the scheduler's refinement reads it.
struct Clock(SystemMonotonic);

impl MonotonicClock for Clock {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

/// A one-thread runtime for the model calls.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// One request's answer line and whether it was valid.
fn answer(
    line: usize,
    value: Result<Value, PlanError>,
    mode: &Mode,
    rt: &tokio::runtime::Runtime,
) -> (String, bool) {
    let planned = value.and_then(|v| match mode {
        Mode::Week => {
            let request = PlanWeekRequest::from_value(&v)?;
            let response = plan_week(&request)?;
            Ok(serde_json::to_string(&response).unwrap_or_default())
        }
        Mode::WeekValidate => {
            let request = PlanWeekRequest::from_value(&v["request"])?;
            let response: PlanWeekResponse = serde_json::from_value(v["response"].clone())
                .map_err(|e| PlanError::single("response", format!("not a week response: {e}")))?;
            let answer = match validate_week(&request, &response) {
                Ok(score) => serde_json::json!({ "score": score.quarter_points }),
                Err(violations) => {
                    let list: Vec<Value> = violations
                        .iter()
                        .map(|v| {
                            serde_json::json!({
                                "rule": v.rule,
                                "taskId": v.task_id,
                                "message": v.message,
                            })
                        })
                        .collect();
                    serde_json::json!({ "violations": list })
                }
            };
            Ok(answer.to_string())
        }
        Mode::Day => {
            let request = PlanDayRequest::from_value(&v)?;
            let response = plan_day(&request)?;
            Ok(serde_json::to_string(&response).unwrap_or_default())
        }
        Mode::Refine {
            refiner,
            options,
            clock,
        } => {
            let request = PlanDayRequest::from_value(&v)?;
            let plan = plan_day(&request)?;
            let response = rt.block_on(refine(
                &request,
                &plan,
                refiner.as_ref(),
                options,
                clock.as_ref(),
            ))?;
            Ok(serde_json::to_string(&response).unwrap_or_default())
        }
    });
    match planned {
        Ok(text) => (text, true),
        Err(e) => (error_line(line, &e), false),
    }
}

fn parse_line(line: &str) -> Result<Value, PlanError> {
    serde_json::from_str(line).map_err(|e| PlanError::single("", format!("not JSON: {e}")))
}

/// A usage error: one stderr line, exit 2.
fn usage(message: &str) -> ! {
    eprintln!("plan_json: {message}");
    std::process::exit(2);
}

/// The flags of `--refine`, and the refiner the environment configures.
fn refine_mode(args: &[String]) -> Mode {
    let mut options = RefineOptions::new();
    let mut model = None;
    let mut timeout = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| match it.next() {
            Some(v) => v.clone(),
            None => usage(&format!("{flag} needs a value")),
        };
        match arg.as_str() {
            "--refine" => {}
            "--model" => model = Some(value("--model")),
            "--instructions" => options = options.instructions(value("--instructions")),
            "--tolerance" => {
                let text = value("--tolerance");
                let x = text
                    .parse::<f64>()
                    .unwrap_or_else(|_| usage(&format!("--tolerance: not a number: {text}")));
                options = options
                    .tolerance(x)
                    .unwrap_or_else(|e| usage(&format!("--tolerance: {}", e.message)));
            }
            "--timeout-ms" => {
                let text = value("--timeout-ms");
                let ms = text
                    .parse::<u64>()
                    .ok()
                    .filter(|&ms| ms > 0)
                    .unwrap_or_else(|| {
                        usage(&format!(
                            "--timeout-ms: not a positive whole number: {text}"
                        ))
                    });
                timeout = Some(Duration::from_millis(ms));
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let clock = Arc::new(Clock(SystemMonotonic::new()));
    let refiner: Box<dyn Refiner> = match OpenAiConfig::from_lookup(|name| std::env::var(name).ok())
    {
        None => Box::new(NoopRefiner),
        Some(mut config) => {
            if let Some(m) = model {
                config = config.model(m);
            }
            if let Some(t) = timeout {
                config = config.timeout(t);
            }
            let rng = ChaCha8Rng::from_os_rng();
            let clock: Arc<dyn MonotonicClock> = clock.clone();
            match OpenAiRefiner::new(config, clock, rng) {
                Ok(r) => Box::new(r),
                Err(e) => {
                    eprintln!("plan_json: {e}");
                    std::process::exit(1);
                }
            }
        }
    };
    Mode::Refine {
        refiner,
        options,
        clock,
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let week = args.iter().any(|a| a == "--week");
    let refining = args.iter().any(|a| a == "--refine");
    let validating = args.iter().any(|a| a == "--validate");
    if validating && !week {
        usage("--validate needs --week (it checks week responses)");
    }
    if week && refining {
        usage(
            "--week --refine is not supported: refinement of a week plan is not defined yet (PLANNER-WEEK.md)",
        );
    }
    let mode = if refining {
        refine_mode(&args)
    } else if validating {
        Mode::WeekValidate
    } else if week {
        Mode::Week
    } else {
        Mode::Day
    };
    let rt = runtime()?;
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let mut answers = Vec::new();
    if let Ok(value) = serde_json::from_str::<Value>(&input) {
        answers.push(answer(1, Ok(value), &mode, &rt));
    } else {
        for (i, line) in input.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            answers.push(answer(i + 1, parse_line(line), &mode, &rt));
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut ok = true;
    for (text, good) in answers {
        writeln!(out, "{text}")?;
        if !good {
            eprintln!("{text}");
            ok = false;
        }
    }
    out.flush()?;
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
