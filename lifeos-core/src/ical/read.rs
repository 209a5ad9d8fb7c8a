//! Reading one `VEVENT` into a [`CalendarEvent`]: dates and times (through the file's
//! resolved zones), durations, recurrence, and the properties LifeOS keeps.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand_core::RngCore;

use super::parse::{Component, Property, split_list, unescape};
use super::tzdef::Zones;
use super::{ImportOptions, err};
use crate::calendar::{
    Attendee, AttendeeResponse, CalendarEvent, EventStatus, EventTime, NominalDuration,
    RecurrenceRange, Transparency,
};
use crate::error::Error;
use crate::id::CalendarEventId;

fn parse_one(value: &str, prop: &Property, zones: &Zones) -> Result<EventTime, Error> {
    let line = prop.line;
    let value = value.trim();
    let bad = || {
        err(
            line,
            format!("{}: {value:?} is not a date or date-time", prop.name),
        )
    };
    let is_date = prop
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
        || value.len() == 8;
    if is_date {
        return NaiveDate::parse_from_str(value, "%Y%m%d")
            .map(EventTime::Date)
            .map_err(|_| bad());
    }
    if let Some(v) = value.strip_suffix(['Z', 'z']) {
        return NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
            .map(|t| EventTime::Utc(t.and_utc()))
            .map_err(|_| bad());
    }
    let local = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
    match prop.param("TZID") {
        Some(tzid) => zones.read(tzid, local).ok_or_else(|| {
            err(
                line,
                format!("{}: {value:?} is out of range in its time zone", prop.name),
            )
        }),
        None => Ok(EventTime::Floating(local)),
    }
}

fn parse_duration(s: &str, line: usize) -> Result<NominalDuration, Error> {
    let bad = || err(line, format!("DURATION: {s:?} is not a duration"));
    let s = s.trim();
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let rest = rest.strip_prefix(['P', 'p']).ok_or_else(bad)?;
    let (mut days, mut seconds) = (0i64, 0i64);
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' if !in_time && num.is_empty() => in_time = true,
            d if d.is_ascii_digit() => num.push(d),
            unit => {
                let n: i64 = num.parse().map_err(|_| bad())?;
                if n > 1_000_000_000 {
                    return Err(bad());
                }
                num.clear();
                any = true;
                match (unit, in_time) {
                    ('W', false) => days += n * 7,
                    ('D', false) => days += n,
                    ('H', true) => seconds += n * 3600,
                    ('M', true) => seconds += n * 60,
                    ('S', true) => seconds += n,
                    _ => return Err(bad()),
                }
            }
        }
    }
    if !num.is_empty() || !any {
        return Err(bad());
    }
    Ok(if neg {
        NominalDuration {
            days: -days,
            seconds: -seconds,
        }
    } else {
        NominalDuration { days, seconds }
    })
}

/// `start` plus a nominal duration (days in local time, then seconds).
fn add_nominal(start: &EventTime, d: &NominalDuration) -> Option<EventTime> {
    let days = Duration::try_days(d.days)?;
    let secs = Duration::try_seconds(d.seconds)?;
    Some(match *start {
        EventTime::Date(x) => EventTime::Date(x.checked_add_signed(days)?),
        EventTime::Floating(l) => {
            EventTime::Floating(l.checked_add_signed(days)?.checked_add_signed(secs)?)
        }
        EventTime::Utc(t) => EventTime::Utc(t.checked_add_signed(days)?.checked_add_signed(secs)?),
        EventTime::Zoned { local, tz } => {
            let moved = crate::time::resolve_local(local.checked_add_signed(days)?, tz);
            let end = moved.checked_add_signed(secs)?;
            EventTime::Zoned {
                local: end.with_timezone(&tz).naive_local(),
                tz,
            }
        }
    })
}

fn text(c: &Component, name: &str) -> Option<String> {
    c.get(name).map(|p| unescape(&p.value))
}

pub(super) fn read_event<R: RngCore + ?Sized>(
    c: &Component,
    zones: &Zones,
    options: &ImportOptions,
    rng: &mut R,
) -> Result<CalendarEvent, Error> {
    let dtstart = c
        .get("DTSTART")
        .ok_or_else(|| err(c.line, "VEVENT without DTSTART"))?;
    let start = parse_one(&dtstart.value, dtstart, zones)?;
    let mut duration = None;
    let end = match (c.get("DTEND"), c.get("DURATION")) {
        (Some(p), _) => parse_one(&p.value, p, zones)?,
        (None, Some(p)) => {
            let d = parse_duration(&p.value, p.line)?;
            duration = Some(d);
            add_nominal(&start, &d).ok_or_else(|| err(p.line, "DURATION out of range"))?
        }
        (None, None) => match start {
            EventTime::Date(d) => EventTime::Date(d.succ_opt().unwrap_or(d)),
            other => other,
        },
    };
    let rrule = match c.get("RRULE") {
        Some(p) => {
            let rule: crate::recurrence::RecurrenceRule = p
                .value
                .parse()
                .map_err(|e: Error| err(p.line, e.to_string()))?;
            crate::recurrence::Series::from_rule(start, Some(rule.clone()))
                .map_err(|e| err(p.line, e.to_string()))?;
            Some(rule)
        }
        None => None,
    };
    let list = |name: &str| -> Result<Vec<EventTime>, Error> {
        let mut out = Vec::new();
        for p in c.all(name) {
            for v in split_list(&p.value) {
                // A PERIOD (start/end or start/duration) contributes its start.
                let v = v.split('/').next().unwrap_or(v);
                out.push(parse_one(v, p, zones)?);
            }
        }
        Ok(out)
    };
    let rdates = list("RDATE")?;
    let exdates = list("EXDATE")?;
    let (recurrence_id, recurrence_range) = match c.get("RECURRENCE-ID") {
        Some(p) => {
            let range = if p
                .param("RANGE")
                .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"))
            {
                RecurrenceRange::ThisAndFuture
            } else {
                RecurrenceRange::ThisInstance
            };
            (Some(parse_one(&p.value, p, zones)?), range)
        }
        None => (None, RecurrenceRange::ThisInstance),
    };
    let status = match c.get("STATUS").map(|p| p.value.trim().to_ascii_uppercase()) {
        Some(s) if s == "CANCELLED" => EventStatus::Cancelled,
        Some(s) if s == "TENTATIVE" => EventStatus::Tentative,
        _ => EventStatus::Confirmed,
    };
    let transparency = match c.get("TRANSP").map(|p| p.value.trim().to_ascii_uppercase()) {
        Some(s) if s == "TRANSPARENT" => Transparency::Free,
        _ => Transparency::Busy,
    };
    let attendees = c
        .all("ATTENDEE")
        .map(|p| {
            let v = p.value.trim();
            let email = if v.len() >= 7 && v[..7].eq_ignore_ascii_case("mailto:") {
                &v[7..]
            } else {
                v
            };
            let response = match p.param("PARTSTAT").map(str::to_ascii_uppercase).as_deref() {
                Some("ACCEPTED") => AttendeeResponse::Accepted,
                Some("DECLINED") => AttendeeResponse::Declined,
                Some("TENTATIVE") => AttendeeResponse::Tentative,
                Some("DELEGATED") => AttendeeResponse::Delegated,
                _ => AttendeeResponse::NeedsAction,
            };
            Attendee {
                email: email.to_string(),
                name: p.param("CN").map(str::to_string),
                response,
                optional: p
                    .param("ROLE")
                    .is_some_and(|r| r.eq_ignore_ascii_case("OPT-PARTICIPANT")),
            }
        })
        .collect();
    let conference_url = [
        "URL",
        "X-GOOGLE-CONFERENCE",
        "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    ]
    .iter()
    .find_map(|n| c.get(n))
    .map(|p| p.value.trim().to_string());
    let provider = match c
        .get("X-LIFEOS-PROVIDER")
        .map(|p| p.value.trim().to_ascii_lowercase())
    {
        Some(p) => serde_json::from_value(serde_json::Value::String(p)).unwrap_or(options.provider),
        None => options.provider,
    };
    let deleted_at = match c.get("X-LIFEOS-DELETED-AT") {
        Some(p) => match parse_one(&p.value, p, zones)? {
            EventTime::Utc(t) => Some(t),
            _ => return Err(err(p.line, "X-LIFEOS-DELETED-AT must be a UTC date-time")),
        },
        None => None,
    };
    let generated_uid = c
        .get("X-LIFEOS-NO-UID")
        .is_some_and(|p| p.value.trim().eq_ignore_ascii_case("TRUE"));
    let event = CalendarEvent {
        id: CalendarEventId::generate(options.now, rng),
        user_id: options.user_id,
        provider,
        external_id: if generated_uid {
            None
        } else {
            c.get("UID").map(|p| p.value.trim().to_string())
        },
        title: text(c, "SUMMARY").unwrap_or_default(),
        description: text(c, "DESCRIPTION"),
        location: text(c, "LOCATION"),
        start,
        end,
        duration,
        rrule,
        rdates,
        exdates,
        series_id: None,
        recurrence_id,
        recurrence_range,
        status,
        transparency,
        attendees,
        conference_url,
        etag: text(c, "X-LIFEOS-ETAG"),
        synced_at: Some(options.now),
        created_at: options.now,
        updated_at: options.now,
        deleted_at,
    };
    event
        .validate()
        .map_err(|e| err(c.line, format!("VEVENT: {e}")))?;
    Ok(event)
}
