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
//! against the start; further `RRULE`s (RFC 2445's union) become `RDATE`s, at most 1,000
//! each (a warning when a rule has more); `RDATE` and `EXDATE` lists (several lines,
//! `VALUE=DATE`, `TZID=`, periods) are collected, and an `RDATE` period of another length
//! than the event's becomes an override of that instance (an event of its own when the
//! event has no `UID`); a `VEVENT` with `RECURRENCE-ID` (and `RANGE=THISANDFUTURE`) is an
//! override linked to the master with the same `UID` through `series_id`, unless it is
//! stale: a lower `SEQUENCE` than its master's for an instance the master no longer has is
//! skipped with that reason. An override whose master is not in the file keeps its data
//! and shows as a single event. `STATUS`, `TRANSP`,
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
//! Each `VCALENDAR`'s iTIP `METHOD` (RFC 5546) says what its events mean: `PUBLISH`,
//! `REQUEST`, `ADD` (and an unknown or absent method) import; `CANCEL` cancels by `UID` and
//! `RECURRENCE-ID` ([`Imported::cancellations`]); `REPLY`, `COUNTER`, `REFRESH` and
//! `DECLINECOUNTER` change no event and are reported as skipped.
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

mod decode;
mod export;
mod itip;
mod observance;
mod parse;
mod read;
mod series;
mod tzdef;
mod tzname;
mod vtimezone;
mod windows;

pub use decode::decode;
pub use export::export;
pub use parse::{MAX_EVENTS, MAX_FILE_BYTES, MAX_LINE_BYTES, MAX_TEXT_BYTES};
pub use windows::windows_zone;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand_core::RngCore;

use crate::calendar::{CalendarEvent, Provider};
use crate::error::Error;
use crate::id::{CalendarEventId, UserId};
pub use itip::Cancellation;
use itip::Method;
use parse::Component;
use read::read_event;
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
    Ok(import_lenient(text, options, rng)?.strict()?.events)
}

impl Imported {
    /// What a strict import accepts: this, when nothing was skipped or warned about.
    ///
    /// # Errors
    /// [`Error::Ical`] naming the problem on the earliest line.
    pub fn strict(self) -> Result<Imported, Error> {
        let first = self
            .skipped
            .iter()
            .map(|s| (s.line, &s.message))
            .chain(self.warnings.iter().map(|w| (w.line, &w.message)))
            .min_by_key(|(line, _)| *line);
        match first {
            Some((line, message)) => Err(err(line, message.clone())),
            None => Ok(self),
        }
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
    /// Warnings in line order: what was skipped or changed to read the file (text outside
    /// any component, unreadable lines of properties LifeOS does not use, an empty
    /// `RRULE`, a date written with `Z`, an end before the start, a date start with a
    /// date-time end) and how a `TZID` without a known name was read.
    pub warnings: Vec<ImportWarning>,
    /// The `VEVENT`s of `METHOD:CANCEL` calendars, in document order. Events of this file
    /// read before one are already marked cancelled in `events`; the caller cancels the
    /// stored events it names.
    pub cancellations: Vec<Cancellation>,
    /// The line of each event of `events` in the file, by its id: its `BEGIN:VEVENT` (an
    /// instance an `RDATE` period made: its series'; one a cancellation made: the
    /// cancellation's), so that what a later step refuses can still name its line.
    pub lines: BTreeMap<CalendarEventId, usize>,
}

/// Imports every `VEVENT` that can be read, skipping (and reporting) the others: one bad
/// event never loses the rest of a file.
///
/// # Errors
/// [`Error::Ical`] only when the document itself cannot be read: larger than
/// [`MAX_FILE_BYTES`], more than [`MAX_EVENTS`] events, or no `VCALENDAR`. Broken
/// structure is repaired with a warning (an unreadable `BEGIN` or `END` line, a missing or
/// stray `END`, a `VEVENT` begun inside an open one); a `VEVENT` inside a component
/// nested too deeply is skipped with its `BEGIN` line. (A content line over
/// [`MAX_LINE_BYTES`] or a text over [`MAX_TEXT_BYTES`] skips only its event.)
pub fn import_lenient<R: RngCore + ?Sized>(
    text: &str,
    options: &ImportOptions,
    rng: &mut R,
) -> Result<Imported, Error> {
    let parsed = parse::parse(text)?;
    let top = parsed.components;
    // Each VEVENT with the METHOD of the calendar that holds it.
    let mut vevents: Vec<(&Component, Method)> = Vec::new();
    let mut vtimezones: Vec<&Component> = Vec::new();
    let mut stack: Vec<(&Component, Method)> = top.iter().map(|c| (c, Method::of(c))).collect();
    while let Some((c, method)) = stack.pop() {
        match c.name.as_str() {
            "VEVENT" => vevents.push((c, method)),
            "VTIMEZONE" => vtimezones.push(c),
            _ => stack.extend(c.children.iter().rev().map(|child| (child, method))),
        }
    }
    if vevents.len() > MAX_EVENTS {
        return Err(err(0, format!("more than {MAX_EVENTS} events in one file")));
    }
    vevents.sort_by_key(|(c, _)| c.line);
    vtimezones.sort_by_key(|c| c.line);
    let to_read: Vec<&Component> = vevents
        .iter()
        .filter(|(_, m)| *m == Method::Import)
        .map(|(c, _)| *c)
        .collect();
    let (zones, tz_warnings) = Zones::resolve(&vtimezones, &to_read);
    let mut warnings = parsed.warnings;
    warnings.extend(tz_warnings.into_iter().map(|w| ImportWarning {
        line: w.line,
        message: w.message,
    }));
    let mut events: Vec<CalendarEvent> = Vec::with_capacity(vevents.len());
    let mut skipped = parsed.dropped;
    let mut cancellations = Vec::new();
    let mut period_overrides: Vec<CalendarEvent> = Vec::new();
    // Each event's SEQUENCE and BEGIN:VEVENT line.
    let mut sequences: BTreeMap<CalendarEventId, (i64, usize)> = BTreeMap::new();
    let mut lines: BTreeMap<CalendarEventId, usize> = BTreeMap::new();
    for (v, method) in vevents {
        let uid = || v.get("UID").map(|p| p.value.trim().to_string());
        match method {
            Method::Import => {}
            Method::Answer(name) => {
                skipped.push(UnreadableEvent {
                    line: v.line,
                    begin_line: v.line,
                    uid: uid(),
                    message: format!("METHOD:{name} answers an invitation and changes no event"),
                });
                continue;
            }
            Method::Cancel => {
                match itip_cancellation(v, &zones, &mut events, &mut lines, options, rng) {
                    Ok(c) => cancellations.push(c),
                    Err(e) => skipped.push(unreadable(v, e)),
                }
                continue;
            }
        }
        match read_event(v, &zones, options, rng) {
            Ok(read) => {
                sequences.insert(read.event.id, (read.sequence, v.line));
                lines.insert(read.event.id, v.line);
                lines.extend(read.overrides.iter().map(|o| (o.id, v.line)));
                events.push(read.event);
                warnings.extend(read.caveats);
                period_overrides.extend(read.overrides);
            }
            Err(e) => skipped.push(unreadable(v, e)),
        }
    }
    // An RDATE period's own length, unless the file overrides that instance itself.
    for mut o in period_overrides {
        // A period of an event without UID is an event of its own.
        if o.recurrence_id.is_none() {
            events.push(o);
            continue;
        }
        let written = events
            .iter()
            .any(|e| e.external_id == o.external_id && e.recurrence_id == o.recurrence_id);
        if written {
            continue;
        }
        // A cancellation later in the file cancelled the series, and so this instance.
        if let Some(master) = events
            .iter()
            .find(|e| e.external_id == o.external_id && e.recurrence_id.is_none())
        {
            o.status = master.status;
        }
        events.push(o);
    }
    link_overrides(&mut events, &sequences, &mut skipped);
    warnings.sort_by_key(|w| w.line);
    // Only the events kept (linking may have skipped some).
    let lines = events
        .iter()
        .filter_map(|e| lines.get(&e.id).map(|line| (e.id, *line)))
        .collect();
    Ok(Imported {
        events,
        skipped,
        warnings,
        cancellations,
        lines,
    })
}

/// Links overrides to their masters by UID (a UID's master is
/// its first copy). An override older than its master (a lower `SEQUENCE`) for an instance the
/// master no longer has is stale: skipped (RFC 5546 section 2.1.5: the higher `SEQUENCE`
/// is the newer). An override whose master is not in the file keeps its data; it shows as
/// a single event (see [`crate::recurrence::occurrences`]).
fn link_overrides(
    events: &mut Vec<CalendarEvent>,
    sequences: &BTreeMap<CalendarEventId, (i64, usize)>,
    skipped: &mut Vec<UnreadableEvent>,
) {
    let mut masters: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        if let (None, Some(uid)) = (&e.recurrence_id, &e.external_id) {
            masters.entry(uid.clone()).or_insert(i);
        }
    }
    let sequence = |e: &CalendarEvent| sequences.get(&e.id).map_or(0, |s| s.0);
    let line = |e: &CalendarEvent| sequences.get(&e.id).map_or(0, |s| s.1);
    let mut stale: Vec<CalendarEventId> = Vec::new();
    let mut links: Vec<(usize, Option<CalendarEventId>)> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let Some(rid) = &e.recurrence_id else {
            continue;
        };
        let master = e
            .external_id
            .as_ref()
            .and_then(|uid| masters.get(uid))
            .and_then(|&m| events.get(m));
        if let Some(m) = master
            && sequences.contains_key(&e.id)
            && sequence(e) < sequence(m)
            && series::has_instance(m, rid) == Some(false)
        {
            skipped.push(UnreadableEvent {
                line: line(e),
                begin_line: line(e),
                uid: e.external_id.clone(),
                message: format!(
                    "RECURRENCE-ID: a stale override (SEQUENCE:{}) of an instance its \
                     newer series (SEQUENCE:{}) no longer has",
                    sequence(e),
                    sequence(m)
                ),
            });
            stale.push(e.id);
            continue;
        }
        links.push((i, master.map(|m| m.id)));
    }
    for (i, master) in links {
        if let Some(e) = events.get_mut(i) {
            e.series_id = master;
        }
    }
    events.retain(|e| !stale.contains(&e.id));
    skipped.sort_by_key(|s| s.begin_line);
}

fn unreadable(v: &Component, e: Error) -> UnreadableEvent {
    UnreadableEvent {
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
    }
}

/// Reads a `VEVENT` of a `METHOD:CANCEL` calendar and cancels the events of this file read
/// before it that it names (its `UID`, and its `RECURRENCE-ID` when it has one).
fn itip_cancellation<R: RngCore + ?Sized>(
    v: &Component,
    zones: &Zones,
    events: &mut Vec<CalendarEvent>,
    lines: &mut BTreeMap<CalendarEventId, usize>,
    options: &ImportOptions,
    rng: &mut R,
) -> Result<Cancellation, Error> {
    let uid = v
        .get("UID")
        .map(|p| p.value.trim().to_string())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| err(v.line, "METHOD:CANCEL: a VEVENT without UID names no event"))?;
    let recurrence_id = match v.get("RECURRENCE-ID") {
        Some(p) => Some(read::parse_time(p, zones)?),
        None => None,
    };
    let mut cancellation = Cancellation {
        line: v.line,
        uid,
        recurrence_id,
        cancelled_in_file: 0,
    };
    let changed = cancellation.apply(events, options.now, rng);
    cancellation.cancelled_in_file = changed.len();
    for c in changed {
        match events.iter_mut().find(|e| e.id == c.id) {
            Some(e) => *e = c,
            None => {
                lines.insert(c.id, v.line);
                events.push(c);
            }
        }
    }
    Ok(cancellation)
}
