//! The `STANDARD` and `DAYLIGHT` observances of a `VTIMEZONE` (RFC 5545 section 3.6.5):
//! their first onset, offsets, `RRULE` and `RDATE`s, read strictly (a definition that
//! cannot be read makes its times floating, with a warning).

use chrono::{NaiveDate, NaiveDateTime};

use super::parse::{Component, split_list};
use crate::recurrence::RecurrenceRule;

/// One `STANDARD` or `DAYLIGHT` observance.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Observance {
    /// Its first onset, local time read with `from`.
    pub(super) start: NaiveDateTime,
    /// `TZOFFSETFROM`, seconds east of UTC.
    pub(super) from: i32,
    /// `TZOFFSETTO`, seconds east of UTC.
    pub(super) to: i32,
    pub(super) rule: Option<RecurrenceRule>,
    pub(super) rdates: Vec<NaiveDateTime>,
}

/// The observances of a `VTIMEZONE`, in file order.
pub(super) fn observances(c: &Component) -> Result<Vec<Observance>, String> {
    let mut observances = Vec::new();
    for o in c
        .children
        .iter()
        .filter(|o| matches!(o.name.as_str(), "STANDARD" | "DAYLIGHT"))
    {
        let get = |name: &str| {
            o.get(name)
                .ok_or_else(|| format!("{} at line {} has no {name}", o.name, o.line))
        };
        let start_p = get("DTSTART")?;
        let start = parse_local(&start_p.value)
            .ok_or_else(|| format!("DTSTART at line {} is not a date-time", start_p.line))?;
        let offset = |name: &str| -> Result<i32, String> {
            let p = get(name)?;
            parse_offset(&p.value)
                .ok_or_else(|| format!("{name} at line {} is not an offset", p.line))
        };
        let (from, to) = (offset("TZOFFSETFROM")?, offset("TZOFFSETTO")?);
        let rule = match o.get("RRULE") {
            Some(p) if !p.value.trim().is_empty() => Some(
                p.value
                    .parse::<RecurrenceRule>()
                    .map_err(|e| format!("RRULE at line {}: {e}", p.line))?,
            ),
            _ => None,
        };
        let mut rdates = Vec::new();
        for p in o.all("RDATE") {
            for v in split_list(&p.value) {
                let v = v.split('/').next().unwrap_or(v);
                rdates.push(
                    parse_local(v)
                        .ok_or_else(|| format!("RDATE at line {} is not a date-time", p.line))?,
                );
            }
        }
        observances.push(Observance {
            start,
            from,
            to,
            rule,
            rdates,
        });
    }
    Ok(observances)
}

pub(super) fn parse_offset(value: &str) -> Option<i32> {
    let v = value.trim();
    let (sign, digits) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<i32>().ok());
    let (h, m) = (n(0..2)?, n(2..4)?);
    let s = if digits.len() == 6 { n(4..6)? } else { 0 };
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + s))
}

pub(super) fn parse_local(value: &str) -> Option<NaiveDateTime> {
    let v = value.trim();
    let v = v.strip_suffix(['Z', 'z']).unwrap_or(v);
    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(v, "%Y%m%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse_strictly() {
        assert_eq!(parse_offset("+0530"), Some(19_800));
        assert_eq!(parse_offset("-000012"), Some(-12));
        assert_eq!(parse_offset("0530"), None);
        assert_eq!(parse_offset("+2460"), None);
        assert_eq!(parse_offset("+05:30"), None);
    }
}
