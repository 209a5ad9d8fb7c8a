//! The planner's wire (PLANNER.md) from Python: `plan_day` and `validate_plan`.

use lifeos::core::plan::{PlanDayRequest, PlanDayResponse, PlanError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use serde_json::Value;

use crate::error::{invalid, plan_error, plan_invalid};

/// Plans a request given as JSON text, as `plan_json` answers it: the response, or the
/// error naming every field at fault (`""` when the text is not JSON).
///
/// ```
/// let answer = lifeos_py::plan_text(
///     r#"{"timezone": "UTC", "today": "2026-03-09", "currentTime": "2026-03-09T08:00:00Z",
///         "tasks": [{"id": "7e57d004-2b97-0e7a-b45f-5387367791cd", "estimatedMinutes": 60}]}"#,
/// )
/// .unwrap();
/// assert_eq!(answer.scheduled_tasks.len(), 1);
/// assert_eq!(lifeos_py::plan_text("nope").unwrap_err().field, "");
/// ```
///
/// # Errors
/// The request's [`PlanError`].
pub fn plan_text(text: &str) -> Result<PlanDayResponse, PlanError> {
    lifeos::scheduler::plan_day(&PlanDayRequest::from_json(text)?)
}

/// Plans a request given as a JSON value (what `plan_json` does with a whole-stdin
/// request).
///
/// # Errors
/// The request's [`PlanError`].
pub fn plan_value(value: &Value) -> Result<PlanDayResponse, PlanError> {
    lifeos::scheduler::plan_day(&PlanDayRequest::from_value(value)?)
}

/// A request argument: JSON text, or a JSON-like Python value.
pub(crate) enum Wire {
    /// Text (or UTF-8 bytes), read by `from_json` as `plan_json` reads a line.
    Text(String),
    /// A value read by pythonize.
    Value(Value),
}

/// Reads a request argument: `str`/`bytes` as JSON text; anything else with pythonize, or,
/// when pythonize cannot represent it (integers beyond 64 bits, keys that are not text),
/// through `json.dumps`, so that the answer is always `plan_json`'s for the same JSON.
pub(crate) fn wire(obj: &Bound<'_, PyAny>) -> PyResult<Wire> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Wire::Text(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Wire::Text(
            String::from_utf8_lossy(b.as_bytes()).into_owned(),
        ));
    }
    match pythonize::depythonize::<Value>(obj) {
        Ok(value) => Ok(Wire::Value(value)),
        Err(_) => {
            let dumped = obj
                .py()
                .import("json")?
                .getattr("dumps")?
                .call1((obj,))
                .map_err(|e| invalid("", format!("not JSON: {e}")))?;
            Ok(Wire::Text(dumped.extract()?))
        }
    }
}

/// `lifeos.plan_day(request)`.
pub(crate) fn plan_day<'py>(
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let wire = wire(request)?;
    let answer = py.detach(move || match &wire {
        Wire::Text(text) => plan_text(text),
        Wire::Value(value) => plan_value(value),
    });
    match answer {
        Ok(response) => Ok(pythonize::pythonize(py, &response)?),
        Err(e) => Err(plan_error(&e)),
    }
}

/// `lifeos.validate_plan(request, response)`: the score in quarter points.
pub(crate) fn validate_plan(
    py: Python<'_>,
    request: &Bound<'_, PyAny>,
    response: &Bound<'_, PyAny>,
) -> PyResult<i64> {
    let request = match wire(request)? {
        Wire::Text(text) => PlanDayRequest::from_json(&text),
        Wire::Value(value) => PlanDayRequest::from_value(&value),
    }
    .map_err(|e| plan_error(&e))?;
    let response: PlanDayResponse = match wire(response)? {
        Wire::Text(text) => serde_json::from_str(&text),
        Wire::Value(value) => serde_json::from_value(value),
    }
    .map_err(|e| invalid("response", e.to_string()))?;
    py.detach(move || lifeos::scheduler::validate(&request, &response))
        .map(|score| score.quarter_points)
        .map_err(|violations| plan_invalid(&violations))
}
