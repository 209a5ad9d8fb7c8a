//! The `expand_json` line format: one case in, one answer out (see the `expand_json`
//! example). Used by the example and by the differential tests.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::{Override, Series, Window, naive_of_key};
use crate::calendar::{EventTime, RecurrenceRange};

/// Answers one `expand_json` input line with one output line (no trailing newline).
///
/// Never fails: a case the library rejects gets `{"id": ..., "error": "..."}`, a line that
/// is not JSON `{"id": null, "error": "..."}`.
pub fn expand_json_line(line: &str) -> String {
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return json!({"id": null, "error": format!("not JSON: {e}")}).to_string(),
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    match answer(&value) {
        Ok((occurrences, truncated)) => {
            json!({"id": id, "occurrences": occurrences, "truncated": truncated}).to_string()
        }
        Err(message) => json!({"id": id, "error": message}).to_string(),
    }
}

fn parse_naive(s: &str, field: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S")
        .map_err(|_| format!("{field}: {s:?} is not YYYYMMDDTHHMMSS"))
}

/// Parses a `{"kind": ..., "value": ..., "tzid": ...}` time.
fn parse_time(v: &Value, field: &str) -> Result<EventTime, String> {
    let kind = v
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{field}.kind: missing"))?;
    let text = v
        .get("value")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{field}.value: missing"))?;
    match kind {
        "zoned" => {
            let tzid = v
                .get("tzid")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{field}.tzid: missing"))?;
            let tz: Tz = tzid
                .parse()
                .map_err(|_| format!("{field}.tzid: unknown zone {tzid:?}"))?;
            Ok(EventTime::Zoned {
                local: parse_naive(text, field)?,
                tz,
            })
        }
        "utc" => {
            let t = text
                .strip_suffix('Z')
                .ok_or_else(|| format!("{field}.value: {text:?} does not end in Z"))?;
            Ok(EventTime::Utc(parse_naive(t, field)?.and_utc()))
        }
        "floating" => Ok(EventTime::Floating(parse_naive(text, field)?)),
        "date" => NaiveDate::parse_from_str(text, "%Y%m%d")
            .map(EventTime::Date)
            .map_err(|_| format!("{field}.value: {text:?} is not YYYYMMDD")),
        other => Err(format!("{field}.kind: unknown kind {other:?}")),
    }
}

fn parse_list(v: &Value, key: &str) -> Result<Vec<EventTime>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, x)| parse_time(x, &format!("{key}[{i}]")))
            .collect(),
        Some(_) => Err(format!("{key}: not an array")),
    }
}

/// Parses one `expand_json` input line into its series and window (for benches and tools
/// that expand the same case many times).
///
/// # Errors
/// A message naming the offending field when the line is not a valid case.
pub fn parse_case_json(line: &str) -> Result<(Series, Window), String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    parse_case(&value).map(|(s, w, _)| (s, w))
}

fn answer(v: &Value) -> Result<(Vec<String>, bool), String> {
    let (series, window, output_kind) = parse_case(v)?;
    let expansion = series.expand(&window).map_err(|e| e.to_string())?;
    let mut out: Vec<String> = expansion
        .occurrences
        .iter()
        .map(|o| {
            let k = series.point_key(&o.start);
            match output_kind {
                "instant" => DateTime::from_timestamp(k, 0)
                    .unwrap_or_default()
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string(),
                "date" => naive_of_key(k).format("%Y-%m-%d").to_string(),
                _ => naive_of_key(k).format("%Y-%m-%dT%H:%M:%S").to_string(),
            }
        })
        .collect();
    // The line format lists instants, as dateutil's rruleset does: two overrides moved
    // onto one start are one entry there.
    out.dedup();
    Ok((out, expansion.truncated))
}

fn parse_case(v: &Value) -> Result<(Series, Window, &str), String> {
    let start = parse_time(v.get("dtstart").ok_or("dtstart: missing")?, "dtstart")?;
    let rrule = match v.get("rrule") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err("rrule: not a string".into()),
    };
    let mut series = Series::new(start, rrule).map_err(|e| e.to_string())?;
    series.rdates = parse_list(v, "rdates")?;
    series.exdates = parse_list(v, "exdates")?;
    if let Some(Value::Array(items)) = v.get("overrides") {
        for (i, o) in items.iter().enumerate() {
            let f = format!("overrides[{i}]");
            let rid = parse_time(
                o.get("recurrence_id")
                    .ok_or(format!("{f}.recurrence_id: missing"))?,
                &format!("{f}.recurrence_id"),
            )?;
            let start = parse_time(
                o.get("dtstart").ok_or(format!("{f}.dtstart: missing"))?,
                &format!("{f}.dtstart"),
            )?;
            let mut ov = Override::new(rid, start);
            if o.get("range")
                .and_then(Value::as_str)
                .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"))
            {
                ov.range = RecurrenceRange::ThisAndFuture;
            }
            ov.cancelled = o.get("cancelled").and_then(Value::as_bool).unwrap_or(false);
            series.overrides.push(ov);
        }
    }
    let output_kind = v
        .get("output_kind")
        .and_then(Value::as_str)
        .ok_or("output_kind: missing")?;
    let ok = matches!(
        (output_kind, &start),
        ("instant", EventTime::Zoned { .. } | EventTime::Utc(_))
            | ("date", EventTime::Date(_))
            | ("floating", EventTime::Floating(_))
    );
    if !ok {
        return Err(format!(
            "output_kind: {output_kind:?} does not suit a {} series",
            start.kind_name()
        ));
    }
    let w = v.get("window").ok_or("window: missing")?;
    let bound = |key: &str| -> Result<&str, String> {
        w.get(key)
            .and_then(Value::as_str)
            .ok_or(format!("window.{key}: missing"))
    };
    let (from, to) = (bound("start")?, bound("end")?);
    let window = match output_kind {
        "instant" => {
            let p = |s: &str, k: &str| {
                DateTime::parse_from_rfc3339(s)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| format!("window.{k}: {s:?} is not RFC 3339"))
            };
            Window::Instants {
                from: p(from, "start")?,
                to: p(to, "end")?,
            }
        }
        "date" => {
            let p = |s: &str, k: &str| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(|d| d.and_time(chrono::NaiveTime::MIN))
                    .map_err(|_| format!("window.{k}: {s:?} is not YYYY-MM-DD"))
            };
            Window::Local {
                from: p(from, "start")?,
                to: p(to, "end")?,
            }
        }
        _ => {
            let p = |s: &str, k: &str| {
                NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                    .map_err(|_| format!("window.{k}: {s:?} is not YYYY-MM-DDTHH:MM:SS"))
            };
            Window::Local {
                from: p(from, "start")?,
                to: p(to, "end")?,
            }
        }
    };
    Ok((series, window, output_kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example() {
        let line = r#"{"id": "c1", "dtstart": {"kind": "zoned", "value": "20250307T023000", "tzid": "America/New_York"}, "rrule": "FREQ=DAILY;COUNT=5", "rdates": [{"kind": "utc", "value": "20250320T150000Z"}], "exdates": [{"kind": "zoned", "value": "20250308T023000", "tzid": "America/New_York"}], "overrides": [{"recurrence_id": {"kind": "zoned", "value": "20250309T023000", "tzid": "America/New_York"}, "dtstart": {"kind": "zoned", "value": "20250309T100000", "tzid": "America/New_York"}}], "window": {"start": "2025-03-01T00:00:00Z", "end": "2025-04-01T00:00:00Z"}, "output_kind": "instant"}"#;
        let out: Value = serde_json::from_str(&expand_json_line(line)).unwrap();
        assert_eq!(
            out,
            json!({"id": "c1", "occurrences": ["2025-03-07T07:30:00Z", "2025-03-09T14:00:00Z", "2025-03-10T06:30:00Z", "2025-03-11T06:30:00Z", "2025-03-20T15:00:00Z"], "truncated": false})
        );
    }

    #[test]
    fn overrides_moved_onto_one_start_are_one_entry() {
        // The 2nd and 3rd instances both moved to 09:00 on the 4th: the series shows both,
        // the line format (like dateutil's rruleset) lists the instant once.
        let o = |rid: &str| {
            format!(
                r#"{{"recurrence_id": {{"kind": "utc", "value": "{rid}"}}, "dtstart": {{"kind": "utc", "value": "20250104T090000Z"}}}}"#
            )
        };
        let line = format!(
            r#"{{"id": 1, "dtstart": {{"kind": "utc", "value": "20250101T090000Z"}}, "rrule": "FREQ=DAILY;COUNT=4", "overrides": [{}, {}], "window": {{"start": "2025-01-01T00:00:00Z", "end": "2025-02-01T00:00:00Z"}}, "output_kind": "instant"}}"#,
            o("20250102T090000Z"),
            o("20250103T090000Z")
        );
        let (series, window) = parse_case_json(&line).unwrap();
        assert_eq!(series.expand(&window).unwrap().occurrences.len(), 4);
        let out: Value = serde_json::from_str(&expand_json_line(&line)).unwrap();
        assert_eq!(
            out["occurrences"],
            json!(["2025-01-01T09:00:00Z", "2025-01-04T09:00:00Z"])
        );
    }

    #[test]
    fn errors_and_bad_lines() {
        let out: Value = serde_json::from_str(&expand_json_line("nope")).unwrap();
        assert_eq!(out["id"], Value::Null);
        let line = r#"{"id": 7, "dtstart": {"kind": "date", "value": "20250101"}, "rrule": "FREQ=MONTHLY;BYMONTHDAY=32", "window": {"start": "2025-01-01", "end": "2025-02-01"}, "output_kind": "date"}"#;
        let out: Value = serde_json::from_str(&expand_json_line(line)).unwrap();
        assert_eq!(out["id"], json!(7));
        assert!(
            out["error"].as_str().unwrap().contains("BYMONTHDAY=32"),
            "{out}"
        );
    }
}
