//! Reading one `VEVENT` into a [`CalendarEvent`]: dates and times (through the file's
//! resolved zones), durations, recurrence, and the properties LifeOS keeps.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand_core::RngCore;

use super::parse::{Component, MAX_TEXT_BYTES, Property, split_list, unescape};
use super::series;
use super::tzdef::Zones;
use super::{ImportOptions, ImportWarning, err};
use crate::calendar::{
    Attendee, AttendeeResponse, CalendarEvent, EventStatus, EventTime, NominalDuration,
    RecurrenceRange, Transparency,
};
use crate::error::Error;
use crate::id::CalendarEventId;

/// Caveats of one event: what was changed to read it.
pub(super) type Caveats = Vec<ImportWarning>;

pub(super) fn caveat(caveats: &mut Caveats, line: usize, message: String) {
    caveats.push(ImportWarning { line, message });
}

/// The date or date-time of a property (its value, its `TZID`), caveats dropped.
pub(super) fn parse_time(prop: &Property, zones: &Zones) -> Result<EventTime, Error> {
    parse_one(&prop.value, prop, zones, &mut Caveats::new())
}

fn parse_one(
    value: &str,
    prop: &Property,
    zones: &Zones,
    caveats: &mut Caveats,
) -> Result<EventTime, Error> {
    let line = prop.line;
    let value = value.trim();
    let bad = || {
        err(
            line,
            format!("{}: {value:?} is not a date or date-time", prop.name),
        )
    };
    // Some generators write a date with a UTC mark ("20131210Z"): a date is meant.
    if value.len() == 9
        && value.ends_with(['Z', 'z'])
        && let Ok(date) = NaiveDate::parse_from_str(&value[..8], "%Y%m%d")
    {
        caveat(
            caveats,
            line,
            format!(
                "{}: {value:?} read as the date {}",
                prop.name,
                date.format("%Y-%m-%d")
            ),
        );
        return Ok(EventTime::Date(date));
    }
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
pub(super) fn add_nominal(start: &EventTime, d: &NominalDuration) -> Option<EventTime> {
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

/// A text property, unescaped; longer than [`MAX_TEXT_BYTES`] is an error naming its line.
fn text(c: &Component, name: &str) -> Result<Option<String>, Error> {
    match c.get(name) {
        None => Ok(None),
        Some(p) => {
            let value = unescape(&p.value);
            if value.len() > MAX_TEXT_BYTES {
                return Err(err(
                    p.line,
                    format!("{name} is longer than {} KiB", MAX_TEXT_BYTES / 1024),
                ));
            }
            Ok(Some(value))
        }
    }
}

/// Reads one `VEVENT`, with the caveats of what had to be changed to read it.
pub(super) fn read_event<R: RngCore + ?Sized>(
    c: &Component,
    zones: &Zones,
    options: &ImportOptions,
    rng: &mut R,
) -> Result<ReadEvent, Error> {
    if let Some((line, message)) = c.broken.first() {
        return Err(err(*line, message.clone()));
    }
    let mut caveats = Caveats::new();
    let dtstart = c
        .get("DTSTART")
        .ok_or_else(|| err(c.line, "VEVENT without DTSTART"))?;
    let start = parse_one(&dtstart.value, dtstart, zones, &mut caveats)?;
    let mut duration = None;
    // RFC 5545's default: a date lasts its day, a date-time is an instant.
    let default_end = match start {
        EventTime::Date(d) => EventTime::Date(d.succ_opt().unwrap_or(d)),
        other => other,
    };
    // An end that cannot be read costs the event its length, not the event itself.
    let unreadable_end = |caveats: &mut Caveats, e: Error, name: &str, line: usize| {
        let message = match e {
            Error::Ical { message, .. } => message,
            other => other.to_string(),
        };
        caveat(
            caveats,
            line,
            format!("{name} cannot be read ({message}): the event gets the default length"),
        );
        default_end
    };
    let end = match (c.get("DTEND"), c.get("DURATION")) {
        (Some(p), _) => match parse_one(&p.value, p, zones, &mut caveats) {
            Ok(end) => end_for(&start, end, p.line, &mut caveats),
            Err(e) => unreadable_end(&mut caveats, e, "DTEND", p.line),
        },
        (None, Some(p)) => {
            let read = parse_duration(&p.value, p.line).and_then(|d| {
                add_nominal(&start, &d)
                    .map(|end| (d, end))
                    .ok_or_else(|| err(p.line, "DURATION out of range"))
            });
            match read {
                Ok((d, end)) => {
                    duration = Some(d);
                    end
                }
                Err(e) => unreadable_end(&mut caveats, e, "DURATION", p.line),
            }
        }
        (None, None) => default_end,
    };
    let rrule = match c.get("RRULE") {
        Some(p) if p.value.trim().is_empty() => {
            caveat(&mut caveats, p.line, "an empty RRULE: no recurrence".into());
            None
        }
        Some(p) => {
            let rule: crate::recurrence::RecurrenceRule = series::gregorian(&p.value)
                .map_err(|m| err(p.line, m))?
                .parse()
                .map_err(|e: Error| err(p.line, e.to_string()))?;
            crate::recurrence::Series::from_rule(start, Some(rule.clone()))
                .map_err(|e| err(p.line, e.to_string()))?;
            Some(rule)
        }
        None => None,
    };
    // A PERIOD (start/end or start/duration) contributes its start to the list, and its
    // own end to `periods`.
    let mut periods: Vec<(EventTime, EventTime)> = Vec::new();
    let mut list = |name: &str, periods: &mut Vec<(EventTime, EventTime)>| {
        let mut out = Vec::new();
        for p in c.all(name) {
            for v in split_list(&p.value) {
                let (first, period_end) = match v.split_once('/') {
                    Some((first, rest)) => (first, Some(rest)),
                    None => (v, None),
                };
                // One unreadable value of a list is left out, not the event.
                let at = match parse_one(first, p, zones, &mut caveats) {
                    Ok(at) => at,
                    Err(e) => {
                        let message = match e {
                            Error::Ical { message, .. } => message,
                            other => other.to_string(),
                        };
                        caveat(&mut caveats, p.line, format!("{message}: value left out"));
                        continue;
                    }
                };
                if let Some(rest) = period_end {
                    let rest = rest.trim();
                    let end = if rest.starts_with(['P', 'p', '+', '-']) {
                        let d = parse_duration(rest, p.line)?;
                        add_nominal(&at, &d)
                            .ok_or_else(|| err(p.line, format!("{name}: period out of range")))?
                    } else {
                        parse_one(rest, p, zones, &mut caveats)?
                    };
                    periods.push((at, end));
                }
                out.push(at);
            }
        }
        Ok::<_, Error>(out)
    };
    let mut rdates = list("RDATE", &mut periods)?;
    let exdates = list("EXDATE", &mut Vec::new())?;
    // RFC 2445 allowed several RRULEs (their union); a LifeOS series has one rule, so the
    // others become RDATEs.
    for extra in c.all("RRULE").skip(1) {
        rdates.extend(series::extra_rule_dates(&start, extra, &mut caveats));
    }
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
            (Some(parse_one(&p.value, p, zones, &mut caveats)?), range)
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
        Some(p) => match parse_one(&p.value, p, zones, &mut caveats)? {
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
        title: text(c, "SUMMARY")?.unwrap_or_default(),
        description: text(c, "DESCRIPTION")?,
        location: text(c, "LOCATION")?,
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
        etag: text(c, "X-LIFEOS-ETAG")?,
        synced_at: Some(options.now),
        created_at: options.now,
        updated_at: options.now,
        deleted_at,
        version: 1,
    };
    event
        .validate()
        .map_err(|e| err(c.line, format!("VEVENT: {e}")))?;
    let (event, overrides) = series::split_periods(event, &periods, options, rng);
    let sequence = c
        .get("SEQUENCE")
        .and_then(|p| p.value.trim().parse::<i64>().ok())
        .unwrap_or(0);
    Ok(ReadEvent {
        event,
        caveats,
        overrides,
        sequence,
    })
}

/// A `VEVENT` read: the event, what was changed to read it, the events its
/// `RDATE;VALUE=PERIOD`s of another length than the event's own became (see
/// [`series::split_periods`]), and its `SEQUENCE` (0 when absent or unreadable).
pub(super) struct ReadEvent {
    pub event: CalendarEvent,
    pub caveats: Caveats,
    pub overrides: Vec<CalendarEvent>,
    pub sequence: i64,
}

/// The end of an event as real files write it: a date-time end of a date (all-day) start
/// ends on the day that contains it (at least the next day); an end before the start is
/// the start (zero length). Each change is a caveat.
fn end_for(start: &EventTime, end: EventTime, line: usize, caveats: &mut Caveats) -> EventTime {
    if let EventTime::Date(first) = *start {
        let day_after = |d: NaiveDate| d.succ_opt().unwrap_or(d);
        let last = match end {
            EventTime::Date(d) => return end_not_before(start, EventTime::Date(d), line, caveats),
            EventTime::Floating(l) | EventTime::Zoned { local: l, .. } => l,
            EventTime::Utc(t) => t.naive_utc(),
        };
        // Exclusive end: midnight ends on its own day, any later time on the next.
        let exclusive = if last.time() == chrono::NaiveTime::MIN {
            last.date()
        } else {
            day_after(last.date())
        };
        let fixed = EventTime::Date(exclusive.max(day_after(first)));
        caveat(
            caveats,
            line,
            format!(
                "DTEND is a date-time but DTSTART a date: read as an all-day event ending {}",
                match fixed {
                    EventTime::Date(d) => d.format("%Y-%m-%d").to_string(),
                    _ => String::new(),
                }
            ),
        );
        return fixed;
    }
    let end = same_kind(start, end, line, caveats);
    end_not_before(start, end, line, caveats)
}

/// A timed end of another kind than its timed start, read as the start's kind: a floating
/// start's end at its own wall-clock time, a zoned or UTC start's floating or date end in
/// the start's zone (a date as its midnight). Each change is a caveat.
fn same_kind(start: &EventTime, end: EventTime, line: usize, caveats: &mut Caveats) -> EventTime {
    let wall = |t: &EventTime| match *t {
        EventTime::Date(d) => d.and_time(chrono::NaiveTime::MIN),
        EventTime::Floating(l) | EventTime::Zoned { local: l, .. } => l,
        EventTime::Utc(t) => t.naive_utc(),
    };
    let fixed = match (start, &end) {
        (EventTime::Floating(_), EventTime::Floating(_))
        | (
            EventTime::Zoned { .. } | EventTime::Utc(_),
            EventTime::Zoned { .. } | EventTime::Utc(_),
        )
        | (EventTime::Date(_), _) => return end,
        (EventTime::Floating(_), _) => EventTime::Floating(wall(&end)),
        (EventTime::Zoned { tz, .. }, _) => EventTime::Zoned {
            local: wall(&end),
            tz: *tz,
        },
        (EventTime::Utc(_), _) => EventTime::Utc(wall(&end).and_utc()),
    };
    caveat(
        caveats,
        line,
        format!(
            "DTEND is {} but DTSTART {}: read as {}",
            end.kind_name(),
            start.kind_name(),
            start.kind_name()
        ),
    );
    fixed
}

fn end_not_before(
    start: &EventTime,
    end: EventTime,
    line: usize,
    caveats: &mut Caveats,
) -> EventTime {
    if end.compare(start).is_some_and(|o| o.is_lt()) {
        caveat(
            caveats,
            line,
            "DTEND is before DTSTART: read as a zero-length event".into(),
        );
        *start
    } else {
        end
    }
}
