//! The one place where errors become Python exceptions.
//!
//! The classes (`LifeOSError` and its subclasses) are built once per interpreter with
//! Python's `type()`, because `ValidationError` derives from both `LifeOSError` and
//! `ValueError`. Every error a binding raises goes through [`to_py`] (a [`lifeos::Error`]),
//! [`plan_error`] (a request the planner cannot read), [`plan_invalid`] (a plan that
//! breaks the planner's rules) or [`invalid`] (an argument the bindings cannot read).

use lifeos::ErrorKind;
use lifeos::core::plan::PlanError;
use lifeos::refinement::QuotaWindow;
use lifeos::scheduler::Violation;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};

/// The exception classes of the `lifeos` module.
pub(crate) struct Classes {
    /// `LifeOSError(Exception)`: the base of every error the module raises.
    pub(crate) base: Py<PyType>,
    /// `ValidationError(LifeOSError, ValueError)`: `.field`, `.errors`.
    pub(crate) validation: Py<PyType>,
    /// `NotFound(LifeOSError)`.
    pub(crate) not_found: Py<PyType>,
    /// `Conflict(LifeOSError)`.
    pub(crate) conflict: Py<PyType>,
    /// `QuotaExceeded(LifeOSError)`: `.retry_after`, `.window`, `.tier`.
    pub(crate) quota: Py<PyType>,
    /// `Unavailable(LifeOSError)`: `.service`.
    pub(crate) unavailable: Py<PyType>,
    /// `BadModelOutput(LifeOSError)`: `.field`, `.reason`.
    pub(crate) bad_model_output: Py<PyType>,
    /// `PlanInvalid(LifeOSError)`: `.violations`.
    pub(crate) plan_invalid: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

fn new_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: &[&Bound<'py, PyAny>],
    doc: &str,
    attributes: &[(&str, Bound<'py, PyAny>)],
) -> PyResult<Py<PyType>> {
    let namespace = PyDict::new(py);
    namespace.set_item("__module__", "lifeos")?;
    namespace.set_item("__doc__", doc)?;
    for (key, value) in attributes {
        namespace.set_item(*key, value)?;
    }
    let bases = PyTuple::new(py, bases)?;
    let class = py
        .import("builtins")?
        .getattr("type")?
        .call1((name, bases, namespace))?;
    Ok(class.cast_into::<PyType>()?.unbind())
}

/// The classes, built on first use.
pub(crate) fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let none = || py.None().into_bound(py);
        let exception = py.get_type::<pyo3::exceptions::PyException>().into_any();
        let value_error = py.get_type::<pyo3::exceptions::PyValueError>().into_any();
        let base = new_class(
            py,
            "LifeOSError",
            &[&exception],
            "The base of every error LifeOS raises.",
            &[],
        )?;
        let b = base.bind(py).clone().into_any();
        Ok(Classes {
            validation: new_class(
                py,
                "ValidationError",
                &[&b, &value_error],
                "The input is invalid. `field` names the first field at fault (a path such \
                 as `tasks[3].priority`); `errors` lists every problem as \
                 `{\"field\": ..., \"message\": ...}`.",
                &[("field", none()), ("errors", PyList::empty(py).into_any())],
            )?,
            not_found: new_class(py, "NotFound", &[&b], "No such row for this user.", &[])?,
            conflict: new_class(
                py,
                "Conflict",
                &[&b],
                "A stale version, a key already taken, or a plan whose tasks kept changing.",
                &[],
            )?,
            quota: new_class(
                py,
                "QuotaExceeded",
                &[&b],
                "An AI quota of the tier is used up (nothing was asked of the model, nothing \
                 saved): `retry_after` is the whole number of seconds until a call is allowed \
                 again, `window` the limit hit (`\"hour\"` or `\"month\"`), `tier` the tier. \
                 Planning without refinement still works.",
                &[
                    ("retry_after", none()),
                    ("window", none()),
                    ("tier", none()),
                ],
            )?,
            unavailable: new_class(
                py,
                "Unavailable",
                &[&b],
                "A service the call needs failed or is not configured: the model (no API \
                 key, no usable reply, a refusal) or the AI quota store; `service` names it. \
                 Nothing was saved.",
                &[("service", none())],
            )?,
            bad_model_output: new_class(
                py,
                "BadModelOutput",
                &[&b],
                "The model's answer broke a rule and was not used (a task breakdown with too \
                 few steps, a blank title, an estimate out of range, ...); nothing changed. \
                 `field` names where (`steps`, `steps[2].title`, \
                 `steps[1].estimatedMinutes`, `reply`), `reason` says what is wrong.",
                &[("field", none()), ("reason", none())],
            )?,
            plan_invalid: new_class(
                py,
                "PlanInvalid",
                &[&b],
                "The plan breaks the planner's rules (PLANNER.md); `violations` lists each \
                 broken rule as `{\"rule\": ..., \"task_id\": ..., \"message\": ...}`.",
                &[("violations", PyList::empty(py).into_any())],
            )?,
            base,
        })
    })
}

/// Adds the classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let c = classes(py)?;
    m.add("LifeOSError", c.base.bind(py))?;
    m.add("ValidationError", c.validation.bind(py))?;
    m.add("NotFound", c.not_found.bind(py))?;
    m.add("Conflict", c.conflict.bind(py))?;
    m.add("QuotaExceeded", c.quota.bind(py))?;
    m.add("Unavailable", c.unavailable.bind(py))?;
    m.add("BadModelOutput", c.bad_model_output.bind(py))?;
    m.add("PlanInvalid", c.plan_invalid.bind(py))?;
    Ok(())
}

/// An instance of `class` with `message`, and `attributes` set on it.
fn raise(
    py: Python<'_>,
    class: &Py<PyType>,
    message: &str,
    attributes: Vec<(&str, Bound<'_, PyAny>)>,
) -> PyErr {
    let made = class.bind(py).call1((message,)).and_then(|instance| {
        for (key, value) in attributes {
            instance.setattr(key, value)?;
        }
        Ok(instance)
    });
    match made {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// `[{"field": ..., "message": ...}, ...]`.
fn field_list<'py, 'a>(
    py: Python<'py>,
    items: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> PyResult<Bound<'py, PyAny>> {
    let list = PyList::empty(py);
    for (field, message) in items {
        let entry = PyDict::new(py);
        entry.set_item("field", field)?;
        entry.set_item("message", message)?;
        list.append(entry)?;
    }
    Ok(list.into_any())
}

/// A `ValidationError` with these problems (the first names `.field`).
fn validation_error(py: Python<'_>, message: &str, problems: &[(String, String)]) -> PyErr {
    let made = classes(py).and_then(|c| {
        let errors = field_list(py, problems.iter().map(|(f, m)| (f.as_str(), m.as_str())))?;
        let field = problems
            .first()
            .map(|(f, _)| f.clone().into_pyobject(py).map(Bound::into_any))
            .transpose()?
            .unwrap_or_else(|| py.None().into_bound(py));
        Ok(raise(
            py,
            &c.validation,
            message,
            vec![("field", field), ("errors", errors)],
        ))
    });
    made.unwrap_or_else(|e| e)
}

/// The argument `field` cannot be read: a `ValidationError` naming it.
pub(crate) fn invalid(field: &str, message: impl Into<String>) -> PyErr {
    let message = message.into();
    Python::attach(|py| {
        validation_error(
            py,
            &format!("{field}: {message}"),
            &[(field.to_owned(), message.clone())],
        )
    })
}

/// A request the planner cannot read: a `ValidationError` with `plan_json`'s `field`
/// and `errors`.
pub(crate) fn plan_error(e: &PlanError) -> PyErr {
    let problems: Vec<(String, String)> = e
        .errors
        .iter()
        .map(|p| (p.field.clone(), p.message.clone()))
        .collect();
    let problems = if problems.is_empty() {
        vec![(e.field.clone(), e.message.clone())]
    } else {
        problems
    };
    Python::attach(|py| validation_error(py, &e.to_string(), &problems))
}

/// A plan that breaks the planner's rules: `PlanInvalid` with `.violations`.
pub(crate) fn plan_invalid(violations: &[Violation]) -> PyErr {
    Python::attach(|py| {
        let made = classes(py).and_then(|c| {
            let list = PyList::empty(py);
            for v in violations {
                let entry = PyDict::new(py);
                entry.set_item("rule", v.rule)?;
                entry.set_item("task_id", v.task_id.map(|id| id.to_string()))?;
                entry.set_item("message", &v.message)?;
                list.append(entry)?;
            }
            let first = violations
                .first()
                .map_or_else(String::new, |v| format!(": {}: {}", v.rule, v.message));
            let message = format!("the plan breaks {} rule(s){first}", violations.len());
            Ok(raise(
                py,
                &c.plan_invalid,
                &message,
                vec![("violations", list.into_any())],
            ))
        });
        made.unwrap_or_else(|e| e)
    })
}

/// The message of an error and its causes, each once (`Display` describes one layer).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The Python exception of an application error, by its stable [`ErrorKind`].
pub(crate) fn to_py(e: &lifeos::Error) -> PyErr {
    Python::attach(|py| {
        let made = classes(py).map(|c| {
            let message = chain(e);
            match (e.kind(), e) {
                (_, lifeos::Error::InvalidPlanRequest(plan)) => plan_error(plan),
                (ErrorKind::Invalid, _) => {
                    let problems: Vec<(String, String)> = match e.validation() {
                        Some(errors) => errors
                            .iter()
                            .map(|f| {
                                (
                                    f.field.clone(),
                                    format!("{:?} is not {}", f.value, f.expected),
                                )
                            })
                            .collect(),
                        None => vec![(e.field().unwrap_or("").to_owned(), e.to_string())],
                    };
                    validation_error(py, &message, &problems)
                }
                (ErrorKind::InvalidTransition, _) => {
                    validation_error(py, &message, &[("status".to_owned(), e.to_string())])
                }
                (ErrorKind::Unreadable, lifeos::Error::Ical { line, message: m }) => {
                    let err = validation_error(py, &message, &[("text".to_owned(), m.clone())]);
                    // The line of the iCalendar text at fault.
                    let _ = err.value(py).setattr("line", *line);
                    err
                }
                (ErrorKind::Unreadable, _) => {
                    validation_error(py, &message, &[("text".to_owned(), e.to_string())])
                }
                (ErrorKind::NotFound, _) => raise(py, &c.not_found, &message, Vec::new()),
                (ErrorKind::Conflict | ErrorKind::Duplicate, _) => {
                    raise(py, &c.conflict, &message, Vec::new())
                }
                (_, lifeos::Error::QuotaExceeded(q)) => quota_exceeded(py, c, &message, q),
                (_, lifeos::Error::Unavailable { service, .. }) => {
                    let service = PyString::new(py, service).into_any();
                    raise(py, &c.unavailable, &message, vec![("service", service)])
                }
                (_, lifeos::Error::BadModelOutput(rejected)) => {
                    let field = PyString::new(py, &rejected.field).into_any();
                    let reason = PyString::new(py, &rejected.message).into_any();
                    raise(
                        py,
                        &c.bad_model_output,
                        &message,
                        vec![("field", field), ("reason", reason)],
                    )
                }
                // Storage, and kinds added later.
                _ => raise(py, &c.base, &message, Vec::new()),
            }
        });
        made.unwrap_or_else(|e| e)
    })
}

/// `QuotaExceeded` with `.retry_after` in whole seconds, `.window` and `.tier`.
fn quota_exceeded(py: Python<'_>, c: &Classes, message: &str, q: &lifeos::QuotaExceeded) -> PyErr {
    let window = match q.window {
        QuotaWindow::Hour => "hour",
        QuotaWindow::Month => "month",
        // Windows added later keep their name unknown rather than guessed.
        _ => "",
    };
    let attributes = (|| -> PyResult<Vec<(&str, Bound<'_, PyAny>)>> {
        Ok(vec![
            (
                "retry_after",
                q.retry_after.as_secs().into_pyobject(py)?.into_any(),
            ),
            ("window", PyString::new(py, window).into_any()),
            ("tier", PyString::new(py, q.tier.as_str()).into_any()),
        ])
    })();
    match attributes {
        Ok(attributes) => raise(py, &c.quota, message, attributes),
        Err(e) => e,
    }
}

/// A `LifeOSError` with `message`: what fits no narrower class (a client that cannot be
/// built).
pub(crate) fn base_error(message: &str) -> PyErr {
    Python::attach(|py| match classes(py) {
        Ok(c) => raise(py, &c.base, message, Vec::new()),
        Err(e) => e,
    })
}

/// Converts a [`lifeos::Error`] with [`to_py`], for `map_err`.
pub(crate) fn py_err(e: lifeos::Error) -> PyErr {
    to_py(&e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The class name and the `field` attribute of the exception `err` carries.
    fn shown(err: &PyErr) -> (String, Option<String>) {
        Python::attach(|py| {
            let value = err.value(py);
            let name = value
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            let field = value
                .getattr("field")
                .ok()
                .and_then(|f| f.extract::<Option<String>>().ok())
                .flatten();
            (name, field)
        })
    }

    #[test]
    fn each_error_kind_maps_to_its_exception() {
        Python::initialize();
        let invalid_title = lifeos::Error::from(lifeos::core::Error::invalid(
            "title",
            "",
            "1..=500 characters",
        ));
        let cases = [
            (invalid_title, ("ValidationError", Some("title"))),
            (
                lifeos::Error::InvalidTransition {
                    from: lifeos::core::TaskStatus::Completed,
                    to: lifeos::core::TaskStatus::Completed,
                },
                ("ValidationError", Some("status")),
            ),
            (
                lifeos::Error::NotFound {
                    entity: "task",
                    id: "x".into(),
                },
                ("NotFound", None),
            ),
            (
                lifeos::Error::Conflict {
                    entity: "task",
                    id: "x".into(),
                    expected: 1,
                    actual: 2,
                },
                ("Conflict", None),
            ),
            (
                lifeos::Error::Duplicate {
                    entity: "profile",
                    key: "x".into(),
                },
                ("Conflict", None),
            ),
            (
                lifeos::Error::Ical {
                    line: 3,
                    message: "bad".into(),
                },
                ("ValidationError", Some("text")),
            ),
            (
                lifeos::Error::InvalidPlanRequest(PlanError::single("tasks[0].id", "missing")),
                ("ValidationError", Some("tasks[0].id")),
            ),
            (
                lifeos::Error::Unavailable {
                    service: "model",
                    message: "no language model is configured".into(),
                },
                ("Unavailable", None),
            ),
        ];
        for (error, (class, field)) in cases {
            let shown = shown(&to_py(&error));
            assert_eq!(
                (shown.0.as_str(), shown.1.as_deref()),
                (class, field),
                "{error}"
            );
        }
    }

    #[test]
    fn quota_exceeded_carries_whole_seconds_the_window_and_the_tier() {
        Python::initialize();
        let q = lifeos::QuotaExceeded::new(
            QuotaWindow::Hour,
            lifeos::core::Tier::Free,
            std::time::Duration::from_millis(1_500),
        );
        let err = to_py(&lifeos::Error::QuotaExceeded(q));
        Python::attach(|py| {
            let value = err.value(py);
            assert_eq!(
                value.get_type().name().unwrap().to_string(),
                "QuotaExceeded"
            );
            let secs: u64 = value.getattr("retry_after").unwrap().extract().unwrap();
            let window: String = value.getattr("window").unwrap().extract().unwrap();
            let tier: String = value.getattr("tier").unwrap().extract().unwrap();
            assert_eq!((secs, window.as_str(), tier.as_str()), (2, "hour", "free"));
        });
    }

    #[test]
    fn plan_invalid_lists_violations_and_is_not_a_value_error() {
        Python::initialize();
        let v = Violation {
            rule: "grid",
            task_id: None,
            message: "off the grid".into(),
        };
        let err = plan_invalid(&[v]);
        Python::attach(|py| {
            let value = err.value(py);
            assert_eq!(value.get_type().name().unwrap().to_string(), "PlanInvalid");
            assert!(!err.is_instance_of::<pyo3::exceptions::PyValueError>(py));
            let violations: Vec<std::collections::BTreeMap<String, Option<String>>> =
                value.getattr("violations").unwrap().extract().unwrap();
            assert_eq!(violations[0]["rule"].as_deref(), Some("grid"));
        });
    }
}
