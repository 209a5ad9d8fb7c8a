//! The planner's wire in and out (PLANNER.md, "batch mode").
//!
//! `cargo run --release --example plan_json < requests.jsonl`: if all of stdin is one JSON
//! value it is one request; otherwise each non-blank line is one. Each request gets one
//! line of compact JSON: the plan, or `{"error": {"line", "field", "message", "errors"}}`
//! (also written to stderr). The exit status is 1 when some request was invalid.
//!
//! `--week` reads week requests (PLANNER-WEEK.md) the same way and answers week plans.
//! `--week --refine` is an error: refinement of a week plan is not defined yet.

use std::error::Error;
use std::io::{Read, Write};

use lifeos::core::plan::{PlanDayRequest, PlanError, PlanFieldError, PlanWeekRequest};
use lifeos::scheduler::{plan_day, plan_week};
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

/// One request's answer line and whether it was valid.
fn answer(line: usize, value: Result<Value, PlanError>, week: bool) -> (String, bool) {
    let planned = value.and_then(|v| {
        if week {
            let request = PlanWeekRequest::from_value(&v)?;
            let response = plan_week(&request)?;
            Ok(serde_json::to_string(&response).unwrap_or_default())
        } else {
            let request = PlanDayRequest::from_value(&v)?;
            let response = plan_day(&request)?;
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

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let week = args.iter().any(|a| a == "--week");
    if week && args.iter().any(|a| a == "--refine") {
        eprintln!(
            "plan_json: --week --refine is not supported: refinement of a week plan is not defined yet (PLANNER-WEEK.md)"
        );
        std::process::exit(2);
    }
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let mut answers = Vec::new();
    if let Ok(value) = serde_json::from_str::<Value>(&input) {
        answers.push(answer(1, Ok(value), week));
    } else {
        for (i, line) in input.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            answers.push(answer(i + 1, parse_line(line), week));
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
