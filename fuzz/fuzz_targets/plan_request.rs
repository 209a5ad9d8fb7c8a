//! Fuzzes the planner's JSON request: parse, plan, validate the plan, print and re-parse.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lifeos_core::plan::{PlanDayRequest, PlanDayResponse};
use lifeos_scheduler::{plan_day, validate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(request) = PlanDayRequest::from_json(text) else { return };
    // Keep each input cheap: the planner's budgets are per day, not per fuzz run.
    if request.tasks.len() > 40 {
        return;
    }
    let response = plan_day(&request).expect("a parsed request plans");
    if let Err(violations) = validate(&request, &response) {
        panic!("invalid plan: {violations:?}");
    }
    let again = PlanDayRequest::from_json(&request.to_json()).expect("a printed request re-parses");
    assert_eq!(again, request);
    let json = serde_json::to_string(&response).expect("a response prints");
    let back: PlanDayResponse = serde_json::from_str(&json).expect("a response re-parses");
    assert_eq!(serde_json::to_string(&back).expect("prints"), json);
});
