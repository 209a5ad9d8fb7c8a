//! The planner's wire in and out (PLANNER.md, "batch mode").
//!
//! `cargo run --release --example plan_json < requests.jsonl`: if all of stdin is one JSON
//! value it is one request; otherwise each non-blank line is one. Each request gets one
//! line of compact JSON: the plan, or `{"error": {"line", "field", "message", "errors"}}`
//! (also written to stderr). The exit status is 1 when some request was invalid.

use std::error::Error;
use std::io::{Read, Write};

use lifeos_core::plan::{PlanDayRequest, PlanError, PlanFieldError};
use lifeos_scheduler::plan_day;
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

fn answer(line: usize, parsed: Result<PlanDayRequest, PlanError>) -> (String, bool) {
    match parsed.and_then(|r| plan_day(&r)) {
        Ok(response) => (serde_json::to_string(&response).unwrap_or_default(), true),
        Err(e) => {
            let error = ErrorLine {
                error: ErrorBody {
                    line,
                    field: &e.field,
                    message: &e.message,
                    errors: &e.errors,
                },
            };
            (serde_json::to_string(&error).unwrap_or_default(), false)
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let mut answers = Vec::new();
    if let Ok(value) = serde_json::from_str::<Value>(&input) {
        answers.push(answer(1, PlanDayRequest::from_value(&value)));
    } else {
        for (i, line) in input.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            answers.push(answer(i + 1, PlanDayRequest::from_json(line)));
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
