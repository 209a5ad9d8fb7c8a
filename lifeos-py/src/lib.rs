//! LifeOS from Python: the planner, recurrence, iCalendar and the store through the
//! application layer, as the extension module `lifeos` (PyO3, built by maturin).
//!
//! The Rust side is also an `rlib`, so the workspace's tests, doctests and clippy cover
//! it; [`plan_text`] and [`plan_value`] are the planner calls `lifeos.plan_day` makes:
//!
//! ```
//! let request = serde_json::json!({
//!     "timezone": "Europe/Berlin", "today": "2026-03-09",
//!     "currentTime": "2026-03-09T07:00:00Z",
//!     "tasks": [{"id": "7e57d004-2b97-0e7a-b45f-5387367791cd", "priority": 3}],
//! });
//! let response = lifeos_py::plan_value(&request).unwrap();
//! assert_eq!(response.scheduled_tasks.len(), 1);
//! let err = lifeos_py::plan_value(&serde_json::json!({"timezone": "Mars/Olympus"})).unwrap_err();
//! assert_eq!(err.field, "timezone");
//! ```
//!
//! # The Python module
//! - `plan_day(request)`: PLANNER.md's request (a dict or JSON text) to its response (a
//!   dict), equal as JSON to what the `plan_json` example answers; a bad request raises
//!   `ValidationError` with `plan_json`'s `field` and `errors`.
//! - `validate_plan(request, response)`: the score in quarter points, or `PlanInvalid`.
//! - `expand(rule, dtstart, window_start, window_end, tz=None, exdates=(), limit=10000)`
//!   and `expand_json(text)` (the `expand_json` example's lines).
//! - `parse_ics(text)`, `to_ics(events)`.
//! - `LifeOS(location, user=..., timezone=None, email=None, *, openai_api_key=None,
//!   openai_base_url=None, ai_model=None, ai_timeout=None, tier=None)`: tasks, projects,
//!   calendar events, preferences, `plan_day` (refined by a model behind an
//!   OpenAI-compatible API when asked, configured from `OPENAI_API_KEY` and
//!   `OPENAI_BASE_URL` at construction unless the keywords say otherwise), `breakdown`,
//!   the event log and the export, through the `lifeos` crate.
//!
//! # Threads and the GIL
//! Every call converts its arguments, releases the GIL while Rust works
//! (`Python::detach`), and converts the result with the GIL held again. The store's
//! calls run on one tokio runtime for the whole module, blocked on from each calling
//! thread, so any number of Python threads may call at once.
//!
//! # Errors
//! `error.rs` is the one place where errors become exceptions: `LifeOSError`, and
//! `ValidationError(LifeOSError, ValueError)`, `NotFound`, `Conflict`, `QuotaExceeded`
//! (`.retry_after` in seconds), `Unavailable` (no model, or no usable reply),
//! `BadModelOutput` (a model's answer that broke a rule and was not used), `PlanInvalid`.

mod ai;
mod app;
mod convert;
mod error;
mod ical;
mod planner;
mod recurrence;
mod runtime;

pub use app::DEFAULT_USER;
pub use planner::{plan_text, plan_value};

use pyo3::prelude::*;

/// `plan_day(request)`: plans PLANNER.md's request (dict or JSON text).
#[pyfunction]
fn plan_day<'py>(py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    planner::plan_day(py, request)
}

/// `validate_plan(request, response)`: the plan's score in quarter points.
#[pyfunction]
fn validate_plan(
    py: Python<'_>,
    request: &Bound<'_, PyAny>,
    response: &Bound<'_, PyAny>,
) -> PyResult<i64> {
    planner::validate_plan(py, request, response)
}

/// `expand(rule, dtstart, window_start, window_end, tz=None, exdates=(), limit=10000)`:
/// the occurrence starts of a series in `[window_start, window_end)`.
#[pyfunction]
#[pyo3(signature = (rule, dtstart, window_start, window_end, tz = None, exdates = None, limit = 10000))]
#[allow(clippy::too_many_arguments)]
fn expand<'py>(
    py: Python<'py>,
    rule: Option<&str>,
    dtstart: &Bound<'py, PyAny>,
    window_start: &Bound<'py, PyAny>,
    window_end: &Bound<'py, PyAny>,
    tz: Option<&Bound<'py, PyAny>>,
    exdates: Option<&Bound<'py, PyAny>>,
    limit: i64,
) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let empty = pyo3::types::PyTuple::empty(py).into_any();
    let exdates = exdates.filter(|e| !e.is_none()).unwrap_or(&empty);
    recurrence::expand(
        py,
        rule,
        dtstart,
        window_start,
        window_end,
        tz,
        exdates,
        limit,
    )
}

/// `expand_json(text)`: the `expand_json` example's answer lines for these case lines.
#[pyfunction]
fn expand_json(py: Python<'_>, text: String) -> String {
    recurrence::expand_json(py, text)
}

/// `parse_ics(text)`: the events of an iCalendar document as dicts.
#[pyfunction]
fn parse_ics<'py>(py: Python<'py>, text: String) -> PyResult<Bound<'py, PyAny>> {
    ical::parse_ics(py, text)
}

/// `to_ics(events)`: an iCalendar document of these event dicts.
#[pyfunction]
fn to_ics(py: Python<'_>, events: &Bound<'_, PyAny>) -> PyResult<String> {
    ical::to_ics(py, events)
}

/// The module `lifeos` (named so that the function does not clash with the `lifeos` crate).
#[pymodule(name = "lifeos")]
fn lifeos_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(plan_day, m)?)?;
    m.add_function(wrap_pyfunction!(validate_plan, m)?)?;
    m.add_function(wrap_pyfunction!(expand, m)?)?;
    m.add_function(wrap_pyfunction!(expand_json, m)?)?;
    m.add_function(wrap_pyfunction!(parse_ics, m)?)?;
    m.add_function(wrap_pyfunction!(to_ics, m)?)?;
    m.add_class::<app::PyLifeOs>()?;
    m.add_class::<app::TaskIter>()?;
    m.add("DEFAULT_USER", DEFAULT_USER)?;
    error::register(m)?;
    Ok(())
}
