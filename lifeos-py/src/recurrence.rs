//! Recurrence from Python: `expand` (datetimes in and out) and `expand_json` (the
//! `expand_json` example's line format).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use lifeos::core::EventTime;
use lifeos::core::recurrence::{MAX_OCCURRENCES, Series, Window};
use lifeos::core::time::resolve_local;
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDate, PyDateTime, PyList, PyString};

use crate::convert::instant;
use crate::error::{invalid, py_err};

/// A zone from an IANA name or a `zoneinfo.ZoneInfo`.
pub(crate) fn zone(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<Tz> {
    let name: String = if let Ok(s) = obj.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if let Ok(key) = obj.getattr("key") {
        key.extract()?
    } else {
        return Err(invalid(field, "an IANA zone name or a zoneinfo.ZoneInfo"));
    };
    name.parse::<Tz>()
        .map_err(|_| invalid(field, format!("unknown IANA zone {name:?}")))
}

/// The IANA zone of an aware datetime whose tzinfo is a `zoneinfo.ZoneInfo`.
fn zone_of(obj: &Bound<'_, PyAny>) -> Option<Tz> {
    let tzinfo = obj.getattr("tzinfo").ok()?;
    let key: String = tzinfo.getattr("key").ok()?.extract().ok()?;
    key.parse().ok()
}

/// A calendar time from a Python value: a `date` is all-day; a naive `datetime` is
/// floating, or zoned in `tz` when given; an aware one is zoned in `tz` (when given) or
/// in its own `ZoneInfo`, else an instant (UTC).
pub(crate) fn event_time(
    field: &str,
    obj: &Bound<'_, PyAny>,
    tz: Option<Tz>,
) -> PyResult<EventTime> {
    if obj.is_instance_of::<PyDateTime>() {
        if obj.call_method0("utcoffset")?.is_none() {
            let local: NaiveDateTime = obj.extract()?;
            return Ok(match tz {
                Some(tz) => EventTime::Zoned { local, tz },
                None => EventTime::Floating(local),
            });
        }
        let own = zone_of(obj);
        if let Some(own) = own.filter(|own| tz.is_none_or(|tz| tz == *own)) {
            // Its own wall time, as written (a time in a DST gap stays as given, as
            // iCalendar's TZID= times do).
            let local: NaiveDateTime = obj
                .call_method(
                    "replace",
                    (),
                    Some(&[("tzinfo", obj.py().None())].into_py_dict(obj.py())?),
                )?
                .extract()?;
            return Ok(EventTime::Zoned { local, tz: own });
        }
        let at = instant(field, obj)?;
        return Ok(match tz.or(own) {
            Some(tz) => EventTime::Zoned {
                local: at.with_timezone(&tz).naive_local(),
                tz,
            },
            None => EventTime::Utc(at),
        });
    }
    if obj.is_instance_of::<PyDate>() {
        let d: NaiveDate = obj.extract()?;
        return Ok(EventTime::Date(d));
    }
    Err(invalid(field, "expected a date or a datetime"))
}

/// A window bound: an instant for a zoned or UTC series (a naive datetime read in the
/// series' zone), local time for a floating or date series.
fn bound(field: &str, obj: &Bound<'_, PyAny>, start: &EventTime) -> PyResult<Bound2> {
    let local = |obj: &Bound<'_, PyAny>| -> PyResult<NaiveDateTime> {
        if obj.is_instance_of::<PyDateTime>() {
            if !obj.call_method0("utcoffset")?.is_none() {
                return Err(invalid(
                    field,
                    "a floating or all-day series takes naive datetimes or dates",
                ));
            }
            Ok(obj.extract()?)
        } else if obj.is_instance_of::<PyDate>() {
            let d: NaiveDate = obj.extract()?;
            Ok(d.and_time(NaiveTime::MIN))
        } else {
            Err(invalid(field, "expected a date or a datetime"))
        }
    };
    match start {
        EventTime::Zoned { .. } | EventTime::Utc(_) => {
            let tz = match start {
                EventTime::Zoned { tz, .. } => *tz,
                _ => Tz::UTC,
            };
            if obj.is_instance_of::<PyDateTime>() && !obj.call_method0("utcoffset")?.is_none() {
                Ok(Bound2::Instant(instant(field, obj)?))
            } else {
                Ok(Bound2::Instant(resolve_local(local(obj)?, tz)))
            }
        }
        EventTime::Floating(_) | EventTime::Date(_) => Ok(Bound2::Local(local(obj)?)),
    }
}

enum Bound2 {
    Instant(DateTime<Utc>),
    Local(NaiveDateTime),
}

/// One occurrence as Python sees it: an aware datetime (in the series' zone, or UTC), a
/// naive one (floating series) or a date (all-day series).
fn occurrence<'py>(py: Python<'py>, t: &EventTime) -> PyResult<Bound<'py, PyAny>> {
    Ok(match *t {
        EventTime::Zoned { tz, .. } => t
            .to_utc(tz)
            .with_timezone(&tz)
            .into_pyobject(py)?
            .into_any(),
        EventTime::Utc(at) => at.into_pyobject(py)?.into_any(),
        EventTime::Floating(local) => local.into_pyobject(py)?.into_any(),
        EventTime::Date(d) => d.into_pyobject(py)?.into_any(),
    })
}

/// `lifeos.expand(...)`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn expand<'py>(
    py: Python<'py>,
    rule: Option<&str>,
    dtstart: &Bound<'py, PyAny>,
    window_start: &Bound<'py, PyAny>,
    window_end: &Bound<'py, PyAny>,
    tz: Option<&Bound<'py, PyAny>>,
    exdates: &Bound<'py, PyAny>,
    limit: i64,
) -> PyResult<Bound<'py, PyList>> {
    let max = i64::try_from(MAX_OCCURRENCES).unwrap_or(i64::MAX);
    if !(1..=max).contains(&limit) {
        return Err(invalid("limit", format!("{limit} is not in 1..={max}")));
    }
    let limit = usize::try_from(limit).unwrap_or(MAX_OCCURRENCES);
    let tz = tz
        .filter(|t| !t.is_none())
        .map(|t| zone("tz", t))
        .transpose()?;
    let start = event_time("dtstart", dtstart, tz)?;
    let rule = rule.map(|r| {
        let r = r.trim();
        r.strip_prefix("RRULE:").unwrap_or(r).to_owned()
    });
    let mut series = Series::new(start, rule.as_deref()).map_err(|e| py_err(e.into()))?;
    for (i, ex) in exdates.try_iter()?.enumerate() {
        series
            .exdates
            .push(event_time(&format!("exdates[{i}]"), &ex?, tz)?);
    }
    let window = match (
        bound("window_start", window_start, &start)?,
        bound("window_end", window_end, &start)?,
    ) {
        (Bound2::Instant(from), Bound2::Instant(to)) => Window::Instants { from, to },
        (Bound2::Local(from), Bound2::Local(to)) => Window::Local { from, to },
        _ => return Err(invalid("window_end", "the same kind as window_start")),
    };
    let expansion = py
        .detach(move || series.expand(&window))
        .map_err(|e| py_err(e.into()))?;
    let out = PyList::empty(py);
    for o in expansion.occurrences.iter().take(limit) {
        out.append(occurrence(py, &o.start)?)?;
    }
    Ok(out)
}

/// `lifeos.expand_json(text)`: one answer line per input line, exactly as the
/// `expand_json` example prints them.
pub(crate) fn expand_json(py: Python<'_>, text: String) -> String {
    py.detach(move || {
        let mut out = String::new();
        for line in text.lines() {
            out.push_str(&lifeos::core::recurrence::expand_json_line(line));
            out.push('\n');
        }
        out
    })
}
