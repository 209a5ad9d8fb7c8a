//! Recurrence: RRULE parsing and validation, and expansion of a series into occurrences.
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use lifeos_core::recurrence::{Series, Window};
//! use lifeos_core::EventTime;
//!
//! let local = NaiveDate::from_ymd_opt(2025, 3, 7).unwrap().and_hms_opt(2, 30, 0).unwrap();
//! let start = EventTime::Zoned { local, tz: chrono_tz::America::New_York };
//! let series = Series::new(start, Some("FREQ=DAILY;COUNT=5"))?;
//! let window = Window::Instants {
//!     from: Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap(),
//!     to: Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).unwrap(),
//! };
//! let expansion = series.expand(&window)?;
//! assert_eq!(expansion.occurrences.len(), 5);
//! assert!(!expansion.truncated);
//! # Ok::<(), lifeos_core::Error>(())
//! ```
//!
//! # Semantics
//!
//! - `DTSTART` is always the first instance and counts toward `COUNT`.
//! - A series expands in local wall-clock time, then each local time is resolved with
//!   [`crate::time::resolve_local`] (a DST gap moves forward by the gap, a fold is the earlier
//!   instant).
//! - `UNTIL` as a date means through the end of that local date; without `Z` on a zoned series
//!   it is read in the start's zone; on a date series a date-time `UNTIL` keeps every date
//!   whose 00:00 is at or before it; on a floating series a `Z` is ignored. A mismatched
//!   `UNTIL` is never an error; an `UNTIL` before the start gives no rule instances (the
//!   `RDATE`s remain).
//! - The set is (rule instances ∪ `RDATE`s) − `EXDATE`s, compared as instants on zoned and
//!   UTC series; a date `EXDATE` on a timed series removes the instance on that local date.
//! - Overrides ([`Override`]) replace the instance at their `recurrence_id` by their start (or
//!   remove it when cancelled); `THISANDFUTURE` shifts that instance and every later one by
//!   new start − original start, the latest such override at or before an instance winning
//!   (a cancelled `THISANDFUTURE` override removes that instance and every later one, up to
//!   the next such override).
//!   An override always yields its own start unless cancelled or excluded by an `EXDATE`.
//!
//! # Speed: which path a rule takes
//!
//! - Without `COUNT` (open or `UNTIL` rules) the iterator *seeks*: it jumps by whole periods
//!   (keeping `INTERVAL` alignment; a period stays a whole year, month or week, so
//!   `BYWEEKNO` and `BYSETPOS` keep their scope) to the period holding the window's start,
//!   then generates periods until the window's end.
//! - With `COUNT` the instances before the window must be counted exactly, so the iterator
//!   walks from `DTSTART`, period by period, and stops at the window's end or the count.
//!   Periods wholly before the window are only counted (their filtered days times their
//!   times, or the distinct `BYSETPOS` picks), without building their instances.
//!
//! # Bounds
//!
//! An expansion returns at most [`MAX_OCCURRENCES`] occurrences and takes at most
//! [`MAX_ITERATIONS`] iterator steps (periods, inner steps and candidates); reaching either,
//! or a single period holding more candidates than an expansion can use, sets
//! [`Expansion::truncated`]. Iteration ends at year 9999.
//!
//! # Design
//!
//! The iterator (`iter.rs`) ports python-dateutil's `rrule` algorithm, adds seeking and
//! counting, and runs on naive local times; zones are resolved afterwards. The `rrule` crate
//! is not used: it iterates from `DTSTART` only (no seek), resolves zones while iterating
//! (with open DST bugs) and does not count `DTSTART` as the issue decides.
//! `lifeos-core/tests/calendar/differential.rs` checks every instance against dateutil.

mod blocked;
mod iter;
mod json;
mod rule;

pub use blocked::{
    BlockedTimes, EventOccurrence, EventOccurrences, SkippedEvent, TruncatedEvent, blocked_time,
    occurrences,
};
pub use json::{expand_json_line, parse_case_json};
pub(crate) use rule::field_error as rule_field_error;
pub use rule::{ByDay, Frequency, MAX_RULE_LEN, RecurrenceRule, Until, Weekday};

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::calendar::{EventTime, NominalDuration, RecurrenceRange};
use crate::error::Error;
use crate::time::resolve_local;

/// Most occurrences one expansion returns.
pub const MAX_OCCURRENCES: usize = 10_000;
/// Most iterator steps (periods, inner steps and candidates) one expansion takes.
pub const MAX_ITERATIONS: u64 = 1_000_000;

/// A modified instance of a series (an iCalendar `RECURRENCE-ID` component).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The original start of the instance it replaces.
    pub recurrence_id: EventTime,
    /// Its new start.
    pub start: EventTime,
    /// Its new end, when it has its own; otherwise the series' duration applies.
    pub end: Option<EventTime>,
    /// This instance only, or this and every later instance.
    pub range: RecurrenceRange,
    /// Whether the instance is cancelled (removed).
    pub cancelled: bool,
}

impl Override {
    /// A single-instance override moving the instance at `recurrence_id` to `start`.
    pub fn new(recurrence_id: EventTime, start: EventTime) -> Self {
        Override {
            recurrence_id,
            start,
            end: None,
            range: RecurrenceRange::ThisInstance,
            cancelled: false,
        }
    }
}

/// How long each instance lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InstanceLength {
    /// Exact elapsed time (`DTEND` − `DTSTART`).
    Exact(Duration),
    /// Nominal (`DURATION`): days added in local time, then elapsed seconds.
    Nominal(NominalDuration),
    /// No length: instances are points.
    #[default]
    Zero,
}

/// A recurring (or single) event's schedule: a start, an optional rule, extra and removed
/// instances, and overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// `DTSTART`, the first instance.
    pub start: EventTime,
    /// The parsed `RRULE`, if any.
    pub rule: Option<RecurrenceRule>,
    /// `RDATE`s.
    pub rdates: Vec<EventTime>,
    /// `EXDATE`s.
    pub exdates: Vec<EventTime>,
    /// Modified instances.
    pub overrides: Vec<Override>,
    /// How long each instance lasts.
    pub length: InstanceLength,
}

/// The span whose occurrences an expansion returns, `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Instants, for zoned and UTC series.
    Instants {
        /// Inclusive start.
        from: DateTime<Utc>,
        /// Exclusive end.
        to: DateTime<Utc>,
    },
    /// Local wall-clock times, for floating and date series (a date is its 00:00).
    Local {
        /// Inclusive start.
        from: NaiveDateTime,
        /// Exclusive end.
        to: NaiveDateTime,
    },
}

/// One instance of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// When it starts (an override's own start, or the shifted or original start).
    pub start: EventTime,
    /// When it ends.
    pub end: EventTime,
    /// The original start of the instance (its recurrence id).
    pub recurrence_id: EventTime,
    /// Index in [`Series::overrides`] of the override that produced it, if any.
    pub override_index: Option<usize>,
}

/// The result of an expansion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Expansion {
    /// Occurrences sorted by start: each instance once (an `RDATE` equal to a rule
    /// instance is one), but overrides moved onto the same start as another occurrence
    /// are each listed, as they replace different instances.
    pub occurrences: Vec<Occurrence>,
    /// Whether a bound ([`MAX_OCCURRENCES`], [`MAX_ITERATIONS`]) cut the expansion short.
    pub truncated: bool,
    /// When it was cut short: the start from which instances may be missing (every
    /// instance starting before it is listed). `None` when the expansion is complete.
    pub incomplete_from: Option<EventTime>,
}

/// Most candidates one period yields: more than the two days of margin before a window
/// (172,800 seconds) plus the output bound, so a cut never hides a window's first instances.
const MAX_PERIOD_CANDIDATES: usize = 4 * 86_400 + 2 * MAX_OCCURRENCES;

/// Key of 0000-01-01T00:00:00 minus two days, below every instance.
const MIN_KEY: i64 = -62_167_219_200 - 2 * 86_400;
/// Key of 10000-01-01T00:00:00 plus two days, above every instance.
const MAX_KEY: i64 = 253_402_300_800 + 2 * 86_400;

/// How a series compares times: instants in a zone, or naive wall-clock keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Zoned (or UTC, with `utc` set) series.
    Instant {
        tz: Tz,
        utc: bool,
    },
    Floating,
    Date,
}

fn naive_key(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

fn naive_of_key(k: i64) -> NaiveDateTime {
    DateTime::from_timestamp(k, 0)
        .unwrap_or_default()
        .naive_utc()
}

/// The precise `UNTIL` test on an instance's local time and key.
type UntilTest = Box<dyn Fn(NaiveDateTime, i64) -> bool>;

/// A time compared within a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    At(i64),
    /// A date on a timed series: the whole local date.
    OnDate(NaiveDate),
}

/// Whether the rule, read from `dtstart`, generates `dtstart` itself (python-dateutil's
/// reading: `DTSTART` is an instance only when the rule matches it). The importer needs it
/// for a further `RRULE`, whose `COUNT` counts its own matches.
pub(crate) fn rule_matches_start(rule: &RecurrenceRule, dtstart: NaiveDateTime) -> bool {
    let Ok(compiled) = iter::Compiled::new(rule, dtstart) else {
        return false;
    };
    let mut it = iter::RuleIter::new(&compiled);
    let mut buf = Vec::new();
    // The first period is the one that holds DTSTART.
    it.next_period(
        &mut buf,
        NaiveDateTime::MIN,
        dtstart,
        MAX_PERIOD_CANDIDATES,
        None,
    );
    buf.contains(&dtstart)
}

impl Series {
    /// A series starting at `start` with an optional RRULE value (without `RRULE:`).
    ///
    /// # Errors
    /// [`Error::Recurrence`] naming the part when the rule is malformed, invalid, or has
    /// time parts (`FREQ=HOURLY`, `BYHOUR`, ...) on a date series.
    pub fn new(start: EventTime, rrule: Option<&str>) -> Result<Self, Error> {
        let rule = match rrule {
            Some(text) => Some(text.parse::<RecurrenceRule>()?),
            None => None,
        };
        Series::from_rule(start, rule)
    }

    /// A series starting at `start` with an optional parsed rule, checked against the
    /// start (see [`Series::validate`]).
    ///
    /// # Errors
    /// [`Error::Recurrence`] naming the part when the rule has time parts (`FREQ=HOURLY`,
    /// `BYHOUR`, ...) on a date series, or a sub-daily `BYxxx` value its `INTERVAL` never
    /// reaches from the start.
    pub fn from_rule(start: EventTime, rule: Option<RecurrenceRule>) -> Result<Self, Error> {
        let series = Series {
            start,
            rule,
            rdates: Vec::new(),
            exdates: Vec::new(),
            overrides: Vec::new(),
            length: InstanceLength::Zero,
        };
        series.validate()?;
        Ok(series)
    }

    /// Checks the rule against the start.
    ///
    /// # Errors
    /// [`Error::Recurrence`] when a date series has a rule with time parts, or a sub-daily
    /// `BYxxx` value cannot be reached with the rule's `INTERVAL`.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(rule) = &self.rule {
            if self.start.is_date() && rule.has_time_parts() {
                return Err(Error::Recurrence {
                    part: rule.to_string(),
                    message: "a date (all-day) series cannot repeat by hour, minute or second"
                        .into(),
                });
            }
            iter::Compiled::new(rule, self.local_start())?;
        }
        Ok(())
    }

    fn kind(&self) -> Kind {
        match self.start {
            EventTime::Zoned { tz, .. } => Kind::Instant { tz, utc: false },
            EventTime::Utc(_) => Kind::Instant {
                tz: Tz::UTC,
                utc: true,
            },
            EventTime::Floating(_) => Kind::Floating,
            EventTime::Date(_) => Kind::Date,
        }
    }

    fn local_start(&self) -> NaiveDateTime {
        match self.start {
            EventTime::Zoned { local, .. } | EventTime::Floating(local) => local,
            EventTime::Utc(t) => t.naive_utc(),
            EventTime::Date(d) => d.and_time(NaiveTime::MIN),
        }
    }

    /// The comparison key of a time on this series.
    fn key(&self, t: &EventTime) -> Key {
        let kind = self.kind();
        match (kind, *t) {
            (Kind::Instant { .. }, EventTime::Utc(i)) => Key::At(i.timestamp()),
            (Kind::Instant { .. }, EventTime::Zoned { local, tz }) => {
                Key::At(resolve_local(local, tz).timestamp())
            }
            (Kind::Instant { tz, .. }, EventTime::Floating(local)) => {
                Key::At(resolve_local(local, tz).timestamp())
            }
            (Kind::Instant { .. } | Kind::Floating, EventTime::Date(d)) => Key::OnDate(d),
            (Kind::Floating, EventTime::Floating(l) | EventTime::Zoned { local: l, .. }) => {
                Key::At(naive_key(l))
            }
            (Kind::Floating, EventTime::Utc(i)) => Key::At(naive_key(i.naive_utc())),
            (Kind::Date, EventTime::Date(d)) => Key::At(naive_key(d.and_time(NaiveTime::MIN))),
            (Kind::Date, EventTime::Floating(l) | EventTime::Zoned { local: l, .. }) => {
                Key::At(naive_key(l.date().and_time(NaiveTime::MIN)))
            }
            (Kind::Date, EventTime::Utc(i)) => {
                Key::At(naive_key(i.date_naive().and_time(NaiveTime::MIN)))
            }
        }
    }

    /// The key of an instance given as a point (a date on a timed series means that date at
    /// the start's time of day).
    fn point_key(&self, t: &EventTime) -> i64 {
        match self.key(t) {
            Key::At(k) => k,
            Key::OnDate(d) => self.key_of_local(d.and_time(self.local_start().time())),
        }
    }

    fn key_of_local(&self, local: NaiveDateTime) -> i64 {
        match self.kind() {
            Kind::Instant { tz, .. } => resolve_local(local, tz).timestamp(),
            Kind::Floating => naive_key(local),
            Kind::Date => naive_key(local.date().and_time(NaiveTime::MIN)),
        }
    }

    /// The local date of an instance key (for date `EXDATE`s).
    fn local_date_of_key(&self, k: i64) -> NaiveDate {
        match self.kind() {
            Kind::Instant { tz, .. } => DateTime::from_timestamp(k, 0)
                .unwrap_or_default()
                .with_timezone(&tz)
                .date_naive(),
            Kind::Floating | Kind::Date => naive_of_key(k).date(),
        }
    }

    /// The time of a key, in this series' own form.
    fn time_of_key(&self, k: i64) -> EventTime {
        match self.kind() {
            Kind::Instant { utc: true, .. } => {
                EventTime::Utc(DateTime::from_timestamp(k, 0).unwrap_or_default())
            }
            Kind::Instant { tz, .. } => EventTime::Zoned {
                local: DateTime::from_timestamp(k, 0)
                    .unwrap_or_default()
                    .with_timezone(&tz)
                    .naive_local(),
                tz,
            },
            Kind::Floating => EventTime::Floating(naive_of_key(k)),
            Kind::Date => EventTime::Date(naive_of_key(k).date()),
        }
    }

    fn time_of_local(&self, local: NaiveDateTime) -> EventTime {
        match self.kind() {
            Kind::Instant { utc: true, .. } => EventTime::Utc(local.and_utc()),
            Kind::Instant { tz, .. } => EventTime::Zoned { local, tz },
            Kind::Floating => EventTime::Floating(local),
            Kind::Date => EventTime::Date(local.date()),
        }
    }

    /// The end of an instance starting at `start` (key `k`).
    fn end_of(&self, start: &EventTime, k: i64) -> (EventTime, i64) {
        match self.length {
            InstanceLength::Zero => (*start, k),
            InstanceLength::Exact(d) => {
                let e = k.saturating_add(d.num_seconds());
                (self.time_of_key(e), e)
            }
            InstanceLength::Nominal(NominalDuration { days, seconds }) => {
                let local = match *start {
                    EventTime::Zoned { local, .. } | EventTime::Floating(local) => local,
                    EventTime::Utc(t) => match self.kind() {
                        Kind::Instant { tz, .. } => t.with_timezone(&tz).naive_local(),
                        _ => t.naive_utc(),
                    },
                    EventTime::Date(d) => d.and_time(NaiveTime::MIN),
                };
                let moved = Duration::try_days(days)
                    .and_then(|d| local.checked_add_signed(d))
                    .unwrap_or(local);
                let e = self.key_of_local(moved).saturating_add(seconds);
                (self.time_of_key(e), e)
            }
        }
    }

    /// The window's bounds as keys.
    fn window_keys(&self, window: &Window) -> Result<(i64, i64), Error> {
        match (self.kind(), window) {
            (Kind::Instant { .. }, Window::Instants { from, to }) => {
                Ok((from.timestamp(), to.timestamp()))
            }
            (Kind::Floating | Kind::Date, Window::Local { from, to }) => {
                Ok((naive_key(*from), naive_key(*to)))
            }
            (_, _) => Err(Error::invalid(
                "window",
                match window {
                    Window::Instants { .. } => "instants",
                    Window::Local { .. } => "local times",
                },
                "instants for a zoned or UTC series, local times for a floating or date series",
            )),
        }
    }

    /// The occurrences whose start lies in the window.
    ///
    /// # Errors
    /// [`Error::Recurrence`] for a rule invalid for this start; [`Error::Invalid`] naming
    /// `window` when the window's kind does not suit the series (instants for zoned and UTC
    /// series, local times for floating and date series).
    pub fn expand(&self, window: &Window) -> Result<Expansion, Error> {
        let (from, to) = self.window_keys(window)?;
        self.expand_keys(from, to, false)
    }

    /// The occurrences that overlap the window (`start < to` and `end > from`; an instance
    /// without length overlaps when its start lies in the window).
    ///
    /// # Errors
    /// As [`Series::expand`].
    pub fn expand_overlapping(&self, window: &Window) -> Result<Expansion, Error> {
        let (from, to) = self.window_keys(window)?;
        self.expand_keys(from, to, true)
    }

    fn longest_length(&self) -> i64 {
        let base = match self.length {
            InstanceLength::Zero => 0,
            InstanceLength::Exact(d) => d.num_seconds().max(0),
            InstanceLength::Nominal(NominalDuration { days, seconds }) => {
                days.saturating_mul(86_400).saturating_add(seconds).max(0) + 7200
            }
        };
        let mut longest = base;
        for o in &self.overrides {
            if let Some(end) = &o.end {
                let len = self.point_key(end).saturating_sub(self.point_key(&o.start));
                longest = longest.max(len);
            }
        }
        longest
    }

    fn expand_keys(&self, from: i64, to: i64, overlapping: bool) -> Result<Expansion, Error> {
        let kind = self.kind();
        let lookbehind = if overlapping {
            self.longest_length()
        } else {
            0
        };
        let start_key = self.point_key(&self.start);
        // EXDATEs as sets: every instance is checked against them.
        let mut ex_at: HashSet<i64> = HashSet::new();
        let mut ex_dates: HashSet<NaiveDate> = HashSet::new();
        for t in &self.exdates {
            match self.key(t) {
                Key::At(x) => ex_at.insert(x),
                Key::OnDate(d) => ex_dates.insert(d),
            };
        }
        let excluded = |k: i64| {
            ex_at.contains(&k)
                || (!ex_dates.is_empty() && ex_dates.contains(&self.local_date_of_key(k)))
        };
        // Range overrides: (original key, delta, index), sorted by original key.
        let mut ranges: Vec<(i64, i64, usize)> = self
            .overrides
            .iter()
            .enumerate()
            .filter(|(_, o)| o.range == RecurrenceRange::ThisAndFuture)
            .map(|(i, o)| {
                let r = self.point_key(&o.recurrence_id);
                (r, self.point_key(&o.start).saturating_sub(r), i)
            })
            .collect();
        ranges.sort_by_key(|&(r, _, i)| (r, i));
        let max_fwd = ranges.iter().map(|r| r.1).max().unwrap_or(0).max(0);
        let max_back = ranges.iter().map(|r| -r.1).max().unwrap_or(0).max(0);
        // Keys are clamped to years 0..=9999 (the iterator stops at 9999).
        let lo = from
            .saturating_sub(lookbehind)
            .saturating_sub(max_fwd)
            .max(MIN_KEY);
        let hi = to.saturating_add(max_back).min(MAX_KEY);

        // The key from which instances may be missing, when a bound cut the expansion.
        let mut cut: Option<i64> = None;
        // Originals: (key, local wall time if generated by the rule).
        let mut originals: Vec<(i64, EventTime)> = Vec::new();
        let cap = MAX_OCCURRENCES + self.overrides.len() + 1;
        let in_span = |k: i64| k >= lo && k < hi;

        match &self.rule {
            None => {
                if in_span(start_key) && !excluded(start_key) {
                    originals.push((start_key, self.time_of_local(self.local_start())));
                }
            }
            Some(rule) => {
                cut = self
                    .rule_originals(rule, kind, lo, hi, &excluded, cap, &mut originals)?
                    .map(|local| self.key_of_local(local));
            }
        }
        for rd in &self.rdates {
            let k = self.point_key(rd);
            if in_span(k) && !excluded(k) {
                originals.push((k, self.time_of_key(k)));
            }
        }
        // An RDATE that repeats a rule instance (or another RDATE) is one instance; the
        // rule's own form of the time wins (stable sort, rule instances first).
        originals.sort_by_key(|x| x.0);
        originals.dedup_by_key(|x| x.0);

        // (start key, end key, occurrence).
        let mut out: Vec<(i64, i64, Occurrence)> = Vec::new();
        let override_keys: Vec<i64> = self
            .overrides
            .iter()
            .map(|o| self.point_key(&o.recurrence_id))
            .collect();
        // The last override of each instance: it is the one that counts.
        let last_override: HashMap<i64, usize> = override_keys
            .iter()
            .enumerate()
            .map(|(i, &k)| (k, i))
            .collect();
        for (k, t) in originals {
            // An override at exactly this instance replaces it (the last such one wins).
            if last_override.contains_key(&k) {
                continue;
            }
            // The latest THISANDFUTURE override at or before it (ranges are sorted).
            let governing = ranges
                .partition_point(|r| r.0 <= k)
                .checked_sub(1)
                .and_then(|p| ranges.get(p));
            let (start, sk, range_length) = match governing {
                Some(&(_, delta, i)) => {
                    let Some(o) = self.overrides.get(i) else {
                        continue;
                    };
                    if o.cancelled {
                        continue;
                    }
                    let nk = k.saturating_add(delta);
                    // RFC 5545 section 3.2.13: a THISANDFUTURE override's new length
                    // applies to every later instance too.
                    let length = o
                        .end
                        .map(|e| self.point_key(&e).saturating_sub(self.point_key(&o.start)));
                    (self.time_of_key(nk), nk, length)
                }
                None => (t, k, None),
            };
            let (end, ek) = match range_length {
                Some(len) => {
                    let ek = sk.saturating_add(len.max(0));
                    (self.time_of_key(ek), ek)
                }
                None => self.end_of(&start, sk),
            };
            out.push((
                sk,
                ek,
                Occurrence {
                    start,
                    end,
                    recurrence_id: t,
                    override_index: None,
                },
            ));
        }
        for (i, o) in self.overrides.iter().enumerate() {
            if o.cancelled {
                continue;
            }
            let rk = override_keys.get(i).copied().unwrap_or(0);
            if excluded(rk) {
                continue;
            }
            let sk = self.point_key(&o.start);
            let (end, ek) = match &o.end {
                Some(e) => (*e, self.point_key(e)),
                None => self.end_of(&o.start, sk),
            };
            // Later overrides with the same recurrence id win.
            if last_override.get(&rk) != Some(&i) {
                continue;
            }
            out.push((
                sk,
                ek,
                Occurrence {
                    start: o.start,
                    end,
                    recurrence_id: o.recurrence_id,
                    override_index: Some(i),
                },
            ));
        }
        let mut kept: Vec<(i64, i64, Occurrence)> = Vec::new();
        for (sk, ek, occ) in out {
            let keep = if overlapping {
                sk < to && (ek > from || (sk == ek && sk >= from))
            } else {
                sk >= from && sk < to
            };
            if keep {
                kept.push((sk, ek, occ));
            }
        }
        // Overrides that share a start (with each other, or with an instance) are each an
        // occurrence: they replace different instances.
        kept.sort_by_key(|x| x.0);
        if let Some(&(first_dropped, _, _)) = kept.get(MAX_OCCURRENCES) {
            cut = Some(cut.map_or(first_dropped, |c| c.min(first_dropped)));
            kept.truncate(MAX_OCCURRENCES);
        }
        Ok(Expansion {
            occurrences: kept.into_iter().map(|x| x.2).collect(),
            truncated: cut.is_some(),
            incomplete_from: cut.map(|k| self.time_of_key(k)),
        })
    }

    /// Collects the rule's instances whose key lies in `[lo, hi)`; when a bound was hit,
    /// returns the local time from which instances may be missing (all before it are
    /// collected).
    #[allow(clippy::too_many_arguments)]
    fn rule_originals(
        &self,
        rule: &RecurrenceRule,
        kind: Kind,
        lo: i64,
        hi: i64,
        excluded: &dyn Fn(i64) -> bool,
        cap: usize,
        originals: &mut Vec<(i64, EventTime)>,
    ) -> Result<Option<NaiveDateTime>, Error> {
        let dtstart = self.local_start();
        if kind == Kind::Date && rule.has_time_parts() {
            // `Series::new` refuses this; a hand-built series gets the same error.
            self.validate()?;
        }
        let compiled = iter::Compiled::new(rule, dtstart)?;
        // Local-time span that can hold keys in [lo, hi): a zone's offset is under a day.
        let margin = match kind {
            Kind::Instant { .. } => 2 * 86_400,
            _ => 0,
        };
        let local_lo = naive_of_key(lo.saturating_sub(margin).max(naive_key(dtstart) - 1));
        let local_hi = naive_of_key(hi.saturating_add(margin).min(253_402_300_799));
        // UNTIL: a precise test per instance, and a local time after which nothing passes.
        let (until_ok, until_stop): (UntilTest, Option<NaiveDateTime>) = match (rule.until, kind) {
            (None, _) => (Box::new(|_, _| true), None),
            (Some(Until::Date(d)), _) => {
                let end = d.and_time(NaiveTime::MIN) + Duration::days(1);
                (Box::new(move |l, _| l < end), Some(end))
            }
            (Some(Until::Utc(u) | Until::Local(u)), Kind::Floating | Kind::Date) => {
                (Box::new(move |l, _| l <= u), Some(u + Duration::seconds(1)))
            }
            (Some(Until::Utc(u)), Kind::Instant { .. }) => {
                let uk = naive_key(u);
                (Box::new(move |_, k| k <= uk), Some(u + Duration::days(2)))
            }
            (Some(Until::Local(u)), Kind::Instant { tz, .. }) => {
                let uk = resolve_local(u, tz).timestamp();
                (Box::new(move |_, k| k <= uk), Some(u + Duration::days(1)))
            }
        };
        let stop = match until_stop {
            Some(u) if u < local_hi => u,
            _ => local_hi,
        };
        // Local times before this cannot have a key in the span (checked before resolving).
        let pre_lo = naive_of_key(lo.saturating_sub(margin));
        let push = |local: NaiveDateTime, originals: &mut Vec<(i64, EventTime)>| {
            if local < pre_lo {
                return;
            }
            let k = self.key_of_local(local);
            if k >= lo && k < hi && until_ok(local, k) && !excluded(k) {
                originals.push((k, self.time_of_local(local)));
            }
        };
        // DTSTART is the first instance.
        push(dtstart, originals);
        let mut remaining = rule.count.map(|c| u64::from(c).saturating_sub(1));
        if remaining == Some(0) {
            return Ok(None);
        }
        let mut it = iter::RuleIter::new(&compiled);
        if remaining.is_none() && local_lo > dtstart {
            it.seek(local_lo);
        }
        let mut buf = Vec::new();
        loop {
            // Every period before the current one was produced.
            let period = it.period_start().and_time(NaiveTime::MIN);
            if it.iterations >= MAX_ITERATIONS {
                return Ok(Some(period));
            }
            if period > stop {
                return Ok(None);
            }
            let skip_before = if remaining.is_some() {
                NaiveDateTime::MIN
            } else {
                pre_lo
            };
            let count_before = remaining.map(|_| pre_lo.date());
            if !it.next_period(
                &mut buf,
                skip_before,
                stop,
                MAX_PERIOD_CANDIDATES,
                count_before,
            ) {
                return Ok(it.cut.then_some(period));
            }
            if let Some(r) = remaining.as_mut()
                && it.counted > 0
            {
                if it.counted >= *r {
                    // The count ends before the window.
                    return Ok(None);
                }
                *r -= it.counted;
            }
            for &local in &buf {
                if local <= dtstart {
                    continue;
                }
                if local > stop {
                    return Ok(None);
                }
                push(local, originals);
                if originals.len() >= cap {
                    return Ok(Some(local));
                }
                if let Some(r) = remaining.as_mut() {
                    *r -= 1;
                    if *r == 0 {
                        return Ok(None);
                    }
                }
            }
            if it.cut {
                // The period held more candidates than were produced.
                return Ok(Some(period));
            }
        }
    }
}
