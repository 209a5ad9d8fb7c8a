//! Python values to JSON and back, for the store's dicts: instants travel as aware
//! `datetime`s, dates as `date`s, ids as text (a `uuid.UUID` is accepted too).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

use crate::error::invalid;

/// The keys whose text values are instants (RFC 3339), handed to Python as `datetime`s.
const INSTANT_KEYS: &[&str] = &[
    "due_date",
    "pinned_start",
    "scheduled_start",
    "scheduled_end",
    "completed_at",
    "created_at",
    "updated_at",
    "deleted_at",
    "synced_at",
    "occurred_at",
    "onboarding_completed_at",
    "start",
    "end",
];

/// An instant from a Python `datetime` (aware; naive ones are refused) or RFC 3339 text.
pub(crate) fn instant(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    if let Ok(text) = obj.cast::<PyString>() {
        let text = text.to_cow()?;
        return DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| invalid(field, format!("{text:?} is not an RFC 3339 instant")));
    }
    if !obj.is_instance_of::<PyDateTime>() {
        return Err(invalid(field, "expected a timezone-aware datetime"));
    }
    if obj.call_method1("utcoffset", ())?.is_none() {
        return Err(invalid(
            field,
            "a naive datetime is ambiguous: give it a tzinfo",
        ));
    }
    let py = obj.py();
    let utc = py.import("datetime")?.getattr("timezone")?.getattr("utc")?;
    let naive: NaiveDateTime = obj
        .call_method1("astimezone", (utc,))?
        .call_method(
            "replace",
            (),
            Some(&[("tzinfo", py.None())].into_py_dict(py)?),
        )?
        .extract()?;
    Ok(naive.and_utc())
}

use pyo3::types::IntoPyDict;

/// A date from a Python `date` or `YYYY-MM-DD` text.
pub(crate) fn date(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
    if let Ok(text) = obj.cast::<PyString>() {
        let text = text.to_cow()?;
        return NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|_| invalid(field, format!("{text:?} is not a date YYYY-MM-DD")));
    }
    if obj.is_instance_of::<PyDateTime>() || !obj.is_instance_of::<PyDate>() {
        return Err(invalid(field, "expected a date"));
    }
    obj.extract()
}

/// JSON from a Python value: `None`, `bool`, `int` (64 bits), `float`, `str`, `dict` with
/// text keys, `list` and `tuple`, aware `datetime` (RFC 3339 in UTC), `date`
/// (`YYYY-MM-DD`), `uuid.UUID` (its text). `field` names the value in errors.
pub(crate) fn to_json(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(invalid(field, "an integer beyond 64 bits"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| invalid(field, "a finite number"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<PyDateTime>() {
        let t = instant(field, obj)?;
        return Ok(Value::String(
            t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        ));
    }
    if obj.is_instance_of::<PyDate>() {
        return Ok(Value::String(
            date(field, obj)?.format("%Y-%m-%d").to_string(),
        ));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(invalid(field, "dict keys must be text"));
            };
            let key = key.to_cow()?.into_owned();
            let path = if field.is_empty() {
                key.clone()
            } else {
                format!("{field}.{key}")
            };
            map.insert(key, to_json(&path, &v)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            items.push(to_json(&format!("{field}[{i}]"), &item?)?);
        }
        return Ok(Value::Array(items));
    }
    let py = obj.py();
    let uuid_class = py.import("uuid")?.getattr("UUID")?;
    if obj.is_instance(&uuid_class)? {
        return Ok(Value::String(obj.str()?.to_cow()?.into_owned()));
    }
    Err(invalid(
        field,
        format!("cannot read a {}", obj.get_type().name()?),
    ))
}

/// A Python value from JSON: objects as `dict`s, and the text of [`INSTANT_KEYS`] that
/// reads as RFC 3339 as aware `datetime`s (UTC).
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    to_py_at(py, value, None)
}

fn to_py_at<'py>(py: Python<'py>, value: &Value, key: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => {
            let as_instant = key
                .filter(|k| INSTANT_KEYS.contains(k))
                .and_then(|_| DateTime::parse_from_rfc3339(s).ok());
            match as_instant {
                Some(t) => t.with_timezone(&Utc).into_pyobject(py)?.into_any(),
                None => PyString::new(py, s).into_any(),
            }
        }
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py_at(py, item, key)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py_at(py, v, Some(k))?)?;
            }
            dict.into_any()
        }
    })
}

/// A Python value from anything serialisable, through [`to_py`].
pub(crate) fn ser_to_py<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    to_py(py, &json)
}

/// A value of a serde type from a Python dict, through [`to_json`]; serde's complaint
/// becomes a `ValidationError` on `field`.
pub(crate) fn from_py<T: serde::de::DeserializeOwned>(
    field: &str,
    obj: &Bound<'_, PyAny>,
) -> PyResult<T> {
    let json = to_json(field, obj)?;
    serde_json::from_value(json).map_err(|e| invalid(field, e.to_string()))
}
