//! iCalendar (RFC 5545) import and export of [`CalendarEvent`]s.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use lifeos_core::ical::{ImportOptions, export, import};
//! use lifeos_core::{Provider, UserId};
//! use rand_core::RngCore;
//!
//! # struct Zero; impl RngCore for Zero { fn next_u32(&mut self) -> u32 { 0 } fn next_u64(&mut self) -> u64 { 0 } fn fill_bytes(&mut self, b: &mut [u8]) { b.fill(0) } }
//! let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
//! let user = UserId::generate(now, &mut Zero);
//! let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a@example.com\r\nDTSTART;TZID=Europe/Berlin:20250106T093000\r\nDTEND;TZID=Europe/Berlin:20250106T100000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\nSUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
//! let events = import(ics, &ImportOptions::new(user, Provider::Ics, now), &mut Zero)?;
//! assert_eq!(events[0].title, "Standup");
//! assert_eq!(import(&export(&events), &ImportOptions::new(user, Provider::Ics, now), &mut Zero)?[0].rrule, events[0].rrule);
//! # Ok::<(), lifeos_core::Error>(())
//! ```
//!
//! # Import
//!
//! Every `VEVENT` becomes an event: `UID` is `external_id`; `DTSTART`/`DTEND` keep their form
//! (`VALUE=DATE` dates, floating times, `TZID=` zoned times, `Z` instants); `DURATION` is
//! kept as [`crate::calendar::NominalDuration`] and gives the end; `RRULE` is validated
//! against the start; `RDATE` and `EXDATE` lists (several lines, `VALUE=DATE`, `TZID=`,
//! periods) are collected; a `VEVENT` with `RECURRENCE-ID` (and `RANGE=THISANDFUTURE`) is an
//! override linked to the master with the same `UID` through `series_id`. `STATUS`, `TRANSP`,
//! `ATTENDEE` (`CN`, `PARTSTAT`, `ROLE`), `URL` (else Google's `X-GOOGLE-CONFERENCE`, else
//! Teams' `X-MICROSOFT-SKYPETEAMSMEETINGURL`) are read. A `TZID` is read, in this order, as
//! an IANA name; the same name in any case; a Windows name as Outlook writes it
//! (`W. Europe Standard Time`, `(UTC-05:00) Eastern Time (US & Canada)`); an alias or a
//! prefixed IANA name (`US/Eastern`, `/mozilla.org/20050126_1/Europe/Berlin`); otherwise
//! through the file's own `VTIMEZONE`: its `STANDARD` and `DAYLIGHT` observances (with
//! their `RRULE` and `RDATE`, RFC 5545 section 3.6.5) give offsets, and the times are read
//! in the IANA zone whose offsets equal them over the years the events use (the zone its
//! `X-LIC-LOCATION` names first; where the two disagree, the definition wins). A definition
//! no IANA zone matches keeps its own offsets, so its times become instants; a `TZID` with
//! no definition at all is floating time (the user's zone). Each of these last cases is an
//! [`ImportWarning`] of [`import_lenient`], and an error of the strict [`import`].
//! Errors name the (1-based, physical) line.
//!
//! # Export
//!
//! Writes `VERSION:2.0` with one `VEVENT` per event, folded at 75 octets, and the LifeOS
//! fields iCalendar lacks as `X-LIFEOS-*` properties, so that `import(export(x)) == x` on
//! every field but `id`, `series_id` (re-linked by `UID`), `created_at`, `updated_at` and
//! `synced_at`. Zones are written as IANA `TZID`s, each with a `VTIMEZONE` built from the
//! IANA rules: explicit observances for the years the document uses, and yearly `RRULE`s
//! that carry the current rules forward.
//!
//! # Why not the `icalendar` crate
//!
//! Its parser (0.17) reports positions in the *unfolded* text, not file lines, so errors
//! could not name the line; it accepts any Unicode alphanumeric in property names; and it
//! brings `nom`, `iso8601`, `rrule` and chrono's `clock` feature into a crate that must not
//! read the clock. Content lines are simple enough to parse here (`parse.rs`, ~250 lines).

mod parse;
mod tzdef;
mod vtimezone;
mod windows;

pub use windows::windows_zone;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use rand_core::RngCore;

use crate::calendar::{
    Attendee, AttendeeResponse, CalendarEvent, EventStatus, EventTime, NominalDuration, Provider,
    RecurrenceRange, Transparency,
};
use crate::error::Error;
use crate::id::{CalendarEventId, UserId};
use parse::{Component, Property, escape, fold, split_list, unescape};
use tzdef::Zones;

/// Who owns the imported events, where they come from, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportOptions {
    /// Owner of every imported event.
    pub user_id: UserId,
    /// Provider recorded on events that do not say (`X-LIFEOS-PROVIDER`).
    pub provider: Provider,
    /// Creation, update and sync time, and the timestamp of new ids.
    pub now: DateTime<Utc>,
}

impl ImportOptions {
    /// Options for `user_id`'s events from `provider`, imported at `now`.
    pub fn new(user_id: UserId, provider: Provider, now: DateTime<Utc>) -> Self {
        ImportOptions {
            user_id,
            provider,
            now,
        }
    }
}

fn err(line: usize, message: impl Into<String>) -> Error {
    Error::Ical {
        line,
        message: message.into(),
    }
}

/// Imports every `VEVENT` of an iCalendar document, all or nothing.
///
/// # Errors
/// [`Error::Ical`] naming the line of the first problem: malformed content lines,
/// unbalanced components, a missing `DTSTART`, a bad date or time, an invalid `RRULE`, an
/// event whose end is before its start, or anything [`import_lenient`] warns about (a
/// `TZID` that names no known zone and has no `VTIMEZONE`, or a `VTIMEZONE` that matches
/// no IANA zone).
pub fn import<R: RngCore + ?Sized>(
    text: &str,
    options: &ImportOptions,
    rng: &mut R,
) -> Result<Vec<CalendarEvent>, Error> {
    let imported = import_lenient(text, options, rng)?;
    // Strict: whatever the lenient import would skip or warn about is refused; the
    // problem on the earliest line is named.
    let problems = imported
        .skipped
        .into_iter()
        .map(|s| (s.line, s.message))
        .chain(imported.warnings.into_iter().map(|w| (w.line, w.message)));
    match problems.min_by_key(|(line, _)| *line) {
        Some((line, message)) => Err(err(line, message)),
        None => Ok(imported.events),
    }
}

/// A `VEVENT` that [`import_lenient`] could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnreadableEvent {
    /// The 1-based physical line of the problem.
    pub line: usize,
    /// The line of the event's `BEGIN:VEVENT`.
    pub begin_line: usize,
    /// The event's `UID`, when it has one.
    pub uid: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Something [`import_lenient`] read differently from what the file says, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportWarning {
    /// The 1-based physical line it concerns.
    pub line: usize,
    /// What was changed or assumed.
    pub message: String,
}

/// What [`import_lenient`] read: the events it could, the ones it skipped, and what it
/// had to assume.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Imported {
    /// The events read, in document order, overrides linked to their masters.
    pub events: Vec<CalendarEvent>,
    /// The events skipped, in document order, each with the line at fault.
    pub skipped: Vec<UnreadableEvent>,
    /// Warnings in line order: how a `TZID` without a known name was read.
    pub warnings: Vec<ImportWarning>,
}

/// Imports every `VEVENT` that can be read, skipping (and reporting) the others: one bad
/// event never loses the rest of a file.
///
/// # Errors
/// [`Error::Ical`] only when the document itself cannot be read: malformed content lines
/// or unbalanced components.
pub fn import_lenient<R: RngCore + ?Sized>(
    text: &str,
    options: &ImportOptions,
    rng: &mut R,
) -> Result<Imported, Error> {
    let top = parse::parse(text)?;
    let mut vevents: Vec<&Component> = Vec::new();
    let mut vtimezones: Vec<&Component> = Vec::new();
    let mut stack: Vec<&Component> = top.iter().collect();
    while let Some(c) = stack.pop() {
        match c.name.as_str() {
            "VEVENT" => vevents.push(c),
            "VTIMEZONE" => vtimezones.push(c),
            _ => stack.extend(c.children.iter().rev()),
        }
    }
    vevents.sort_by_key(|c| c.line);
    vtimezones.sort_by_key(|c| c.line);
    let (zones, tz_warnings) = Zones::resolve(&vtimezones, &vevents);
    let mut warnings: Vec<ImportWarning> = tz_warnings
        .into_iter()
        .map(|w| ImportWarning {
            line: w.line,
            message: w.message,
        })
        .collect();
    warnings.sort_by_key(|w| w.line);
    let mut events = Vec::with_capacity(vevents.len());
    let mut skipped = Vec::new();
    for v in vevents {
        match read_event(v, &zones, options, rng) {
            Ok(event) => events.push(event),
            Err(e) => skipped.push(UnreadableEvent {
                line: match &e {
                    Error::Ical { line, .. } if *line > 0 => *line,
                    _ => v.line,
                },
                begin_line: v.line,
                uid: v.get("UID").map(|p| p.value.trim().to_string()),
                message: match e {
                    Error::Ical { message, .. } => message,
                    other => other.to_string(),
                },
            }),
        }
    }
    // Link overrides to their masters by UID.
    let mut masters: std::collections::BTreeMap<String, CalendarEventId> = Default::default();
    for e in events.iter().filter(|e| e.recurrence_id.is_none()) {
        if let Some(uid) = &e.external_id {
            masters.entry(uid.clone()).or_insert(e.id);
        }
    }
    for e in &mut events {
        if e.recurrence_id.is_some() {
            e.series_id = e
                .external_id
                .as_ref()
                .and_then(|uid| masters.get(uid))
                .copied();
        }
    }
    Ok(Imported {
        events,
        skipped,
        warnings,
    })
}

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

fn format_duration(d: &NominalDuration) -> String {
    let neg = d.days < 0 || d.seconds < 0;
    let (days, secs) = (d.days.abs(), d.seconds.abs());
    let mut s = String::from(if neg { "-P" } else { "P" });
    if days > 0 || secs == 0 {
        s.push_str(&format!("{days}D"));
    }
    if secs > 0 {
        s.push_str(&format!("T{secs}S"));
    }
    s
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

fn read_event<R: RngCore + ?Sized>(
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

fn fmt_time(name: &str, t: &EventTime) -> String {
    match t {
        EventTime::Date(d) => format!("{name};VALUE=DATE:{}", d.format("%Y%m%d")),
        EventTime::Floating(l) => format!("{name}:{}", l.format("%Y%m%dT%H%M%S")),
        EventTime::Zoned { local, tz } => {
            format!(
                "{name};TZID={}:{}",
                tz.name(),
                local.format("%Y%m%dT%H%M%S")
            )
        }
        EventTime::Utc(i) => format!("{name}:{}", i.format("%Y%m%dT%H%M%SZ")),
    }
}

fn param_value(s: &str) -> String {
    if s.contains([':', ';', ',']) {
        format!("\"{}\"", s.replace('"', ""))
    } else {
        s.to_string()
    }
}

/// Exports events as one iCalendar document (CRLF line ends, folded lines).
pub fn export(events: &[CalendarEvent]) -> String {
    let mut out = String::new();
    let mut line = |s: &str| fold(s, &mut out);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//LifeOS//lifeos-core//EN");
    line("CALSCALE:GREGORIAN");
    // One VTIMEZONE per zone used, covering the years its times fall in.
    let mut zones: std::collections::BTreeMap<&'static str, (Tz, i32, i32)> = Default::default();
    for e in events {
        let times = [Some(&e.start), Some(&e.end), e.recurrence_id.as_ref()];
        for t in times
            .into_iter()
            .flatten()
            .chain(&e.rdates)
            .chain(&e.exdates)
        {
            if let EventTime::Zoned { local, tz } = t {
                let y = chrono::Datelike::year(local);
                let entry = zones.entry(tz.name()).or_insert((*tz, y, y));
                entry.1 = entry.1.min(y);
                entry.2 = entry.2.max(y);
            }
        }
    }
    for (tz, first, last) in zones.values() {
        vtimezone::write(*tz, *first, *last, &mut line);
    }
    let by_id: std::collections::BTreeMap<CalendarEventId, &CalendarEvent> =
        events.iter().map(|e| (e.id, e)).collect();
    for e in events {
        let master = e.series_id.and_then(|sid| by_id.get(&sid).copied());
        let (uid, generated) = match (master.and_then(|m| m.external_id.as_ref()), &e.external_id) {
            (Some(uid), _) | (None, Some(uid)) => (uid.clone(), false),
            (None, None) => (format!("{}@lifeos", master.map_or(e.id, |m| m.id)), true),
        };
        line("BEGIN:VEVENT");
        line(&format!("UID:{uid}"));
        if generated {
            line("X-LIFEOS-NO-UID:TRUE");
        }
        line(&format!(
            "DTSTAMP:{}",
            e.updated_at.format("%Y%m%dT%H%M%SZ")
        ));
        line(&fmt_time("DTSTART", &e.start));
        match &e.duration {
            Some(d) => line(&format!("DURATION:{}", format_duration(d))),
            None => line(&fmt_time("DTEND", &e.end)),
        }
        if let Some(r) = &e.rrule {
            line(&format!("RRULE:{}", r.as_str().replace(['\r', '\n'], "")));
        }
        for r in &e.rdates {
            line(&fmt_time("RDATE", r));
        }
        for x in &e.exdates {
            line(&fmt_time("EXDATE", x));
        }
        if let Some(rid) = &e.recurrence_id {
            let name = match e.recurrence_range {
                RecurrenceRange::ThisAndFuture => "RECURRENCE-ID;RANGE=THISANDFUTURE",
                RecurrenceRange::ThisInstance => "RECURRENCE-ID",
            };
            line(&fmt_time(name, rid));
        }
        line(&format!("SUMMARY:{}", escape(&e.title)));
        if let Some(d) = &e.description {
            line(&format!("DESCRIPTION:{}", escape(d)));
        }
        if let Some(l) = &e.location {
            line(&format!("LOCATION:{}", escape(l)));
        }
        line(match e.status {
            EventStatus::Confirmed => "STATUS:CONFIRMED",
            EventStatus::Tentative => "STATUS:TENTATIVE",
            EventStatus::Cancelled => "STATUS:CANCELLED",
        });
        line(match e.transparency {
            Transparency::Busy => "TRANSP:OPAQUE",
            Transparency::Free => "TRANSP:TRANSPARENT",
        });
        for a in &e.attendees {
            let mut s = String::from("ATTENDEE");
            if let Some(n) = &a.name {
                s.push_str(&format!(";CN={}", param_value(n)));
            }
            s.push_str(match a.response {
                AttendeeResponse::Accepted => ";PARTSTAT=ACCEPTED",
                AttendeeResponse::Declined => ";PARTSTAT=DECLINED",
                AttendeeResponse::Tentative => ";PARTSTAT=TENTATIVE",
                AttendeeResponse::Delegated => ";PARTSTAT=DELEGATED",
                AttendeeResponse::NeedsAction => ";PARTSTAT=NEEDS-ACTION",
            });
            s.push_str(if a.optional {
                ";ROLE=OPT-PARTICIPANT"
            } else {
                ";ROLE=REQ-PARTICIPANT"
            });
            s.push_str(&format!(":mailto:{}", a.email));
            line(&s);
        }
        if let Some(u) = &e.conference_url {
            line(&format!("URL:{u}"));
        }
        let provider = serde_json::to_value(e.provider)
            .ok()
            .and_then(|v| v.as_str().map(str::to_ascii_uppercase))
            .unwrap_or_default();
        line(&format!("X-LIFEOS-PROVIDER:{provider}"));
        if let Some(t) = &e.etag {
            line(&format!("X-LIFEOS-ETAG:{}", escape(t)));
        }
        if let Some(d) = &e.deleted_at {
            line(&format!(
                "X-LIFEOS-DELETED-AT:{}",
                d.format("%Y%m%dT%H%M%SZ")
            ));
        }
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}
