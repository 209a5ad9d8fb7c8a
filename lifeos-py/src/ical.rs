//! iCalendar from Python: `parse_ics` and `to_ics`, and the event dicts they share with
//! `LifeOS.add_event`.

use chrono::DateTime;
use lifeos::core::ical::{self, ImportOptions};
use lifeos::core::{CalendarEvent, Provider, UserId};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::{Map, Value, json};

use crate::convert::{ser_to_py, to_json};
use crate::error::{invalid, py_err};
use crate::recurrence::event_time;

/// Deterministic bytes for the ids of parsed events (SplitMix64): `parse_ics` is a pure
/// function, so the same text gives the same dicts.
struct Counter(u64);

impl rand_core::RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// `lifeos.parse_ics(text)`: every `VEVENT` as a dict, all or nothing.
pub(crate) fn parse_ics<'py>(py: Python<'py>, text: String) -> PyResult<Bound<'py, PyAny>> {
    let events = py
        .detach(move || {
            let options = ImportOptions::new(
                UserId::from_uuid(uuid::Uuid::nil()),
                Provider::Ics,
                DateTime::UNIX_EPOCH,
            );
            ical::import(&text, &options, &mut Counter(0))
        })
        .map_err(|e| py_err(e.into()))?;
    ser_to_py(py, &events)
}

/// The defaults of an event dict: what a hand-written event leaves out.
fn event_defaults(provider: &str) -> Map<String, Value> {
    let nil = uuid::Uuid::nil().to_string();
    let epoch = "1970-01-01T00:00:00Z";
    let value = json!({
        "id": nil, "user_id": nil, "provider": provider, "external_id": null, "title": "",
        "description": null, "location": null, "duration": null, "rrule": null,
        "rdates": [], "exdates": [], "series_id": null, "recurrence_id": null,
        "recurrence_range": "this_instance", "status": "confirmed", "transparency": "busy",
        "attendees": [], "conference_url": null, "etag": null, "synced_at": null,
        "created_at": epoch, "updated_at": epoch, "deleted_at": null,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The keys of an event dict that hold calendar times.
const TIME_KEYS: &[&str] = &["start", "end", "recurrence_id"];

/// An event dict as JSON in the store's form: calendar times given as `date`/`datetime`
/// become tagged times (see `event_time`), absent fields take their defaults.
pub(crate) fn event_json(
    field: &str,
    obj: &Bound<'_, PyAny>,
    provider: &str,
) -> PyResult<Map<String, Value>> {
    let dict = obj
        .cast::<PyDict>()
        .map_err(|_| invalid(field, "expected a dict"))?;
    let mut map = event_defaults(provider);
    for (k, v) in dict.iter() {
        let key: String = k
            .extract()
            .map_err(|_| invalid(field, "dict keys must be text"))?;
        let path = format!("{field}.{key}");
        let time_like =
            TIME_KEYS.contains(&key.as_str()) && (v.is_instance_of::<pyo3::types::PyDate>());
        let value = if time_like {
            serde_json::to_value(event_time(&path, &v, None)?)
                .map_err(|e| invalid(&path, e.to_string()))?
        } else if matches!(key.as_str(), "rdates" | "exdates") && !v.is_none() {
            let mut items = Vec::new();
            for (i, item) in v.try_iter()?.enumerate() {
                let item = item?;
                let p = format!("{path}[{i}]");
                items.push(if item.is_instance_of::<pyo3::types::PyDate>() {
                    serde_json::to_value(event_time(&p, &item, None)?)
                        .map_err(|e| invalid(&p, e.to_string()))?
                } else {
                    to_json(&p, &item)?
                });
            }
            Value::Array(items)
        } else {
            to_json(&path, &v)?
        };
        map.insert(key, value);
    }
    Ok(map)
}

/// `lifeos.to_ics(events)`: one iCalendar document.
pub(crate) fn to_ics(py: Python<'_>, events: &Bound<'_, PyAny>) -> PyResult<String> {
    let list = events
        .cast::<PyList>()
        .map_err(|_| invalid("events", "expected a list of event dicts"))?;
    let mut parsed = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let field = format!("events[{i}]");
        let map = event_json(&field, &item, "ics")?;
        let event: CalendarEvent = serde_json::from_value(Value::Object(map))
            .map_err(|e| invalid(&field, e.to_string()))?;
        event
            .validate()
            .map_err(|e| py_err(lifeos::Error::from(e)))?;
        parsed.push(event);
    }
    Ok(py.detach(move || ical::export(&parsed)))
}
