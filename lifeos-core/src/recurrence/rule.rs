//! RRULE text: parsing, validation and canonical printing.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, FieldError};

/// Longest RRULE text accepted, in bytes; longer text is refused before parsing.
pub const MAX_RULE_LEN: usize = 4096;

/// How often a rule repeats (`FREQ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Frequency {
    /// Every year.
    Yearly,
    /// Every month.
    Monthly,
    /// Every week.
    Weekly,
    /// Every day.
    Daily,
    /// Every hour.
    Hourly,
    /// Every minute.
    Minutely,
    /// Every second.
    Secondly,
}

impl Frequency {
    fn name(self) -> &'static str {
        match self {
            Frequency::Yearly => "YEARLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Daily => "DAILY",
            Frequency::Hourly => "HOURLY",
            Frequency::Minutely => "MINUTELY",
            Frequency::Secondly => "SECONDLY",
        }
    }

    /// Whether the period is shorter than a day.
    pub fn is_sub_daily(self) -> bool {
        self >= Frequency::Hourly
    }
}

/// The end of a rule given by `UNTIL`, in the form it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Until {
    /// `UNTIL=20240105`: through the end of that local date.
    Date(NaiveDate),
    /// `UNTIL=20240105T090000` (no `Z`): read in the series' own zone.
    Local(NaiveDateTime),
    /// `UNTIL=20240105T090000Z`: an instant.
    Utc(NaiveDateTime),
}

/// A weekday in a `BYDAY` or `WKST` part, Monday = 0 .. Sunday = 6.
pub type Weekday = u8;

const DAY_NAMES: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// A `BYDAY` entry: a weekday with an optional ordinal (`2TU`, `-1FR`, `MO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ByDay {
    /// Weekday, Monday = 0.
    pub weekday: Weekday,
    /// Ordinal within the month or year; `None` for every such weekday.
    pub nth: Option<i32>,
}

/// A parsed and validated RRULE (RFC 5545 3.3.10), with the text it was read from.
///
/// Parse with [`FromStr`] (an `RRULE:` prefix and surrounding whitespace are dropped).
/// Validation refuses out-of-range values and combinations RFC 5545 forbids, naming the
/// part (`BYMONTHDAY=32`); `X-` parts are ignored. A value of this type is always valid, so
/// a rule is checked once, when it is written, never when a day is planned.
///
/// The rule keeps its text as written: [`RecurrenceRule::as_str`], [`fmt::Display`] and
/// serde all give that text, so stored JSON round-trips unchanged (serde reads and writes a
/// plain string, and refuses an invalid rule with an error naming `rrule` and the part).
/// [`RecurrenceRule::canonical`] prints a canonical form that parses back to the same
/// rule parts. Two rules are equal when their texts are.
///
/// ```
/// use lifeos_core::recurrence::{RecurrenceRule, Until};
///
/// let rule: RecurrenceRule = "freq=weekly;byday=mo,we;until=20260401".parse()?;
/// assert_eq!(rule.as_str(), "freq=weekly;byday=mo,we;until=20260401");
/// assert_eq!(rule.canonical(), "FREQ=WEEKLY;UNTIL=20260401;BYDAY=MO,WE");
/// assert!(matches!(rule.until(), Some(Until::Date(_))));
/// assert_eq!(rule.count(), None);
///
/// let err = "FREQ=MONTHLY;BYMONTHDAY=32".parse::<RecurrenceRule>().unwrap_err();
/// assert_eq!(err.field(), Some("rrule"));
/// assert!(err.to_string().contains("BYMONTHDAY=32"));
/// # Ok::<(), lifeos_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecurrenceRule {
    /// The rule as written (trimmed, without `RRULE:`).
    text: String,
    /// `FREQ`.
    pub(crate) freq: Frequency,
    /// `INTERVAL`, at least 1.
    pub(crate) interval: u32,
    /// `COUNT`, at least 1.
    pub(crate) count: Option<u32>,
    /// `UNTIL`.
    pub(crate) until: Option<Until>,
    /// `BYSECOND`, 0..=59.
    pub(crate) by_second: Vec<u8>,
    /// `BYMINUTE`, 0..=59.
    pub(crate) by_minute: Vec<u8>,
    /// `BYHOUR`, 0..=23.
    pub(crate) by_hour: Vec<u8>,
    /// `BYDAY`.
    pub(crate) by_day: Vec<ByDay>,
    /// `BYMONTHDAY`, ±1..=31.
    pub(crate) by_month_day: Vec<i32>,
    /// `BYYEARDAY`, ±1..=366.
    pub(crate) by_year_day: Vec<i32>,
    /// `BYWEEKNO`, ±1..=53.
    pub(crate) by_week_no: Vec<i32>,
    /// `BYMONTH`, 1..=12.
    pub(crate) by_month: Vec<u8>,
    /// `BYSETPOS`, ±1..=366.
    pub(crate) by_set_pos: Vec<i32>,
    /// `WKST`, Monday = 0 (the default).
    pub(crate) wkst: Weekday,
}

fn err(part: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Recurrence {
        part: part.into(),
        message: message.into(),
    }
}

fn cut(s: &str) -> String {
    if s.chars().count() > 60 {
        let mut c: String = s.chars().take(60).collect();
        c.push('…');
        c
    } else {
        s.to_string()
    }
}

fn parse_int_list(
    name: &str,
    value: &str,
    lo: i32,
    hi: i32,
    nonzero: bool,
) -> Result<Vec<i32>, Error> {
    let part = || cut(&format!("{name}={value}"));
    if value.is_empty() {
        return Err(err(part(), "is empty"));
    }
    let mut out = Vec::new();
    for item in value.split(',') {
        let n: i32 = item
            .trim()
            .parse()
            .map_err(|_| err(cut(&format!("{name}={item}")), "is not an integer"))?;
        if n < lo || n > hi || (nonzero && n == 0) {
            let range = if nonzero {
                format!("must be in {lo}..=-1 or 1..={hi}")
            } else {
                format!("must be in {lo}..={hi}")
            };
            return Err(err(cut(&format!("{name}={item}")), range));
        }
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

fn parse_weekday(s: &str) -> Option<Weekday> {
    DAY_NAMES
        .iter()
        .position(|d| d.eq_ignore_ascii_case(s))
        .and_then(|p| u8::try_from(p).ok())
}

/// Parses `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `YYYYMMDDTHHMMSSZ`.
pub(crate) fn parse_ical_time(s: &str) -> Option<Until> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let y = i32::try_from(digits(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(y, digits(4..6)?, digits(6..8)?)?;
    match b.len() {
        8 => Some(Until::Date(date)),
        15 | 16 => {
            if b[8] != b'T' && b[8] != b't' {
                return None;
            }
            let time = NaiveTime::from_hms_opt(digits(9..11)?, digits(11..13)?, digits(13..15)?)?;
            let local = date.and_time(time);
            if b.len() == 16 {
                if b[15] == b'Z' || b[15] == b'z' {
                    Some(Until::Utc(local))
                } else {
                    None
                }
            } else {
                Some(Until::Local(local))
            }
        }
        _ => None,
    }
}

impl FromStr for RecurrenceRule {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        if text.len() > MAX_RULE_LEN {
            return Err(err("RRULE", format!("longer than {MAX_RULE_LEN} bytes")));
        }
        let text = text.trim();
        let text = text
            .strip_prefix("RRULE:")
            .or_else(|| text.strip_prefix("rrule:"))
            .unwrap_or(text);
        let mut freq = None;
        let mut rule = RecurrenceRule {
            text: text.to_string(),
            freq: Frequency::Daily,
            interval: 1,
            count: None,
            until: None,
            by_second: Vec::new(),
            by_minute: Vec::new(),
            by_hour: Vec::new(),
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            by_year_day: Vec::new(),
            by_week_no: Vec::new(),
            by_month: Vec::new(),
            by_set_pos: Vec::new(),
            wkst: 0,
        };
        let mut seen: Vec<String> = Vec::new();
        for item in text.split(';') {
            if item.is_empty() {
                continue;
            }
            let Some((name, value)) = item.split_once('=') else {
                return Err(err(cut(item), "is not NAME=VALUE"));
            };
            let name = name.trim().to_ascii_uppercase();
            let value = value.trim();
            if name.starts_with("X-") {
                continue;
            }
            if seen.contains(&name) {
                return Err(err(cut(item), "appears more than once"));
            }
            seen.push(name.clone());
            let small = |v: Vec<i32>| {
                v.into_iter()
                    .filter_map(|n| u8::try_from(n).ok())
                    .collect::<Vec<u8>>()
            };
            match name.as_str() {
                "FREQ" => {
                    freq = Some(match value.to_ascii_uppercase().as_str() {
                        "YEARLY" => Frequency::Yearly,
                        "MONTHLY" => Frequency::Monthly,
                        "WEEKLY" => Frequency::Weekly,
                        "DAILY" => Frequency::Daily,
                        "HOURLY" => Frequency::Hourly,
                        "MINUTELY" => Frequency::Minutely,
                        "SECONDLY" => Frequency::Secondly,
                        _ => {
                            return Err(err(
                                cut(item),
                                "must be one of YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY, SECONDLY",
                            ));
                        }
                    })
                }
                "INTERVAL" => {
                    let v = parse_int_list("INTERVAL", value, 1, 1_000_000, false)?;
                    match v.as_slice() {
                        [n] => rule.interval = n.unsigned_abs(),
                        _ => return Err(err(cut(item), "must be one integer")),
                    }
                }
                "COUNT" => {
                    let n: u32 = value
                        .parse()
                        .map_err(|_| err(cut(item), "must be an integer in 1..=4294967295"))?;
                    if n == 0 {
                        return Err(err(cut(item), "must be at least 1"));
                    }
                    rule.count = Some(n);
                }
                "UNTIL" => {
                    rule.until = Some(parse_ical_time(value).ok_or_else(|| {
                        err(
                            cut(item),
                            "must be YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ",
                        )
                    })?);
                }
                "BYSECOND" => rule.by_second = small(parse_int_list(&name, value, 0, 59, false)?),
                "BYMINUTE" => rule.by_minute = small(parse_int_list(&name, value, 0, 59, false)?),
                "BYHOUR" => rule.by_hour = small(parse_int_list(&name, value, 0, 23, false)?),
                "BYMONTHDAY" => rule.by_month_day = parse_int_list(&name, value, -31, 31, true)?,
                "BYYEARDAY" => rule.by_year_day = parse_int_list(&name, value, -366, 366, true)?,
                "BYWEEKNO" => rule.by_week_no = parse_int_list(&name, value, -53, 53, true)?,
                "BYMONTH" => rule.by_month = small(parse_int_list(&name, value, 1, 12, false)?),
                "BYSETPOS" => rule.by_set_pos = parse_int_list(&name, value, -366, 366, true)?,
                "WKST" => {
                    rule.wkst = parse_weekday(value).ok_or_else(|| {
                        err(cut(item), "must be one of MO, TU, WE, TH, FR, SA, SU")
                    })?;
                }
                "BYDAY" => {
                    if value.is_empty() {
                        return Err(err(cut(item), "is empty"));
                    }
                    for d in value.split(',') {
                        let d = d.trim();
                        let bad = || {
                            err(
                                cut(&format!("BYDAY={d}")),
                                "must be a weekday (MO..SU) with an optional ordinal in -53..=-1 or 1..=53",
                            )
                        };
                        if d.len() < 2 || !d.is_char_boundary(d.len() - 2) {
                            return Err(bad());
                        }
                        let (num, day) = d.split_at(d.len() - 2);
                        let weekday = parse_weekday(day).ok_or_else(bad)?;
                        let nth = if num.is_empty() {
                            None
                        } else {
                            let n: i32 = num.parse().map_err(|_| bad())?;
                            if n == 0 || !(-53..=53).contains(&n) {
                                return Err(bad());
                            }
                            Some(n)
                        };
                        let entry = ByDay { weekday, nth };
                        if !rule.by_day.contains(&entry) {
                            rule.by_day.push(entry);
                        }
                    }
                }
                _ => return Err(err(cut(item), "is not a supported rule part")),
            }
        }
        rule.freq = freq.ok_or_else(|| err("FREQ", "is required"))?;
        rule.validate()?;
        Ok(rule)
    }
}

impl RecurrenceRule {
    /// Checks the combinations RFC 5545 forbids.
    fn validate(&self) -> Result<(), Error> {
        use Frequency::*;
        if self.count.is_some() && self.until.is_some() {
            return Err(err("COUNT", "must not be used together with UNTIL"));
        }
        if !self.by_week_no.is_empty() && self.freq != Yearly {
            return Err(err(
                format!("BYWEEKNO={}", join(&self.by_week_no)),
                "is only allowed with FREQ=YEARLY",
            ));
        }
        if !self.by_year_day.is_empty() && matches!(self.freq, Daily | Weekly | Monthly) {
            return Err(err(
                format!("BYYEARDAY={}", join(&self.by_year_day)),
                "is not allowed with FREQ=DAILY, WEEKLY or MONTHLY",
            ));
        }
        if !self.by_month_day.is_empty() && self.freq == Weekly {
            return Err(err(
                format!("BYMONTHDAY={}", join(&self.by_month_day)),
                "is not allowed with FREQ=WEEKLY",
            ));
        }
        for d in &self.by_day {
            if let Some(n) = d.nth {
                let part = || format!("BYDAY={}", fmt_byday(d));
                if !matches!(self.freq, Monthly | Yearly) {
                    return Err(err(
                        part(),
                        "an ordinal is only allowed with FREQ=MONTHLY or YEARLY",
                    ));
                }
                if self.freq == Yearly && !self.by_week_no.is_empty() {
                    return Err(err(
                        part(),
                        "an ordinal is not allowed together with BYWEEKNO",
                    ));
                }
                if self.freq == Monthly && !(-5..=5).contains(&n) {
                    return Err(err(part(), "a monthly ordinal must be in -5..=-1 or 1..=5"));
                }
            }
        }
        if !self.by_set_pos.is_empty() {
            let other = !(self.by_second.is_empty()
                && self.by_minute.is_empty()
                && self.by_hour.is_empty()
                && self.by_day.is_empty()
                && self.by_month_day.is_empty()
                && self.by_year_day.is_empty()
                && self.by_week_no.is_empty()
                && self.by_month.is_empty());
            if !other {
                return Err(err(
                    format!("BYSETPOS={}", join(&self.by_set_pos)),
                    "needs another BYxxx part",
                ));
            }
        }
        Ok(())
    }

    /// Whether the rule has parts finer than a day (sub-daily `FREQ` or `BYHOUR`,
    /// `BYMINUTE`, `BYSECOND`), which a date series cannot carry.
    pub fn has_time_parts(&self) -> bool {
        self.freq.is_sub_daily()
            || !self.by_hour.is_empty()
            || !self.by_minute.is_empty()
            || !self.by_second.is_empty()
    }
}

fn join<T: fmt::Display>(v: &[T]) -> String {
    let mut s = String::new();
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&x.to_string());
    }
    s
}

fn fmt_byday(d: &ByDay) -> String {
    let name = DAY_NAMES
        .get(usize::from(d.weekday))
        .copied()
        .unwrap_or("MO");
    match d.nth {
        Some(n) => format!("{n}{name}"),
        None => name.to_string(),
    }
}

impl RecurrenceRule {
    /// The rule as written (surrounding whitespace and an `RRULE:` prefix dropped): what
    /// serde writes and what iCalendar export prints.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The rule in canonical form: parts in a fixed order, upper case, defaults
    /// (`INTERVAL=1`, `WKST=MO`) and `X-` parts left out. It parses back to the same parts.
    pub fn canonical(&self) -> String {
        Canonical(self).to_string()
    }

    /// Whether `other` has the same parts (the same rule, however it was written).
    pub fn same_parts(&self, other: &RecurrenceRule) -> bool {
        RecurrenceRule {
            text: String::new(),
            ..self.clone()
        } == RecurrenceRule {
            text: String::new(),
            ..other.clone()
        }
    }

    /// `FREQ`.
    pub fn freq(&self) -> Frequency {
        self.freq
    }

    /// `INTERVAL`, at least 1 (1 when absent).
    pub fn interval(&self) -> u32 {
        self.interval
    }

    /// `COUNT`, at least 1, when the rule has one.
    pub fn count(&self) -> Option<u32> {
        self.count
    }

    /// `UNTIL`, in the form it was written, when the rule has one.
    pub fn until(&self) -> Option<Until> {
        self.until
    }

    /// `BYSECOND` values, 0..=59.
    pub fn by_second(&self) -> &[u8] {
        &self.by_second
    }

    /// `BYMINUTE` values, 0..=59.
    pub fn by_minute(&self) -> &[u8] {
        &self.by_minute
    }

    /// `BYHOUR` values, 0..=23.
    pub fn by_hour(&self) -> &[u8] {
        &self.by_hour
    }

    /// `BYDAY` entries.
    pub fn by_day(&self) -> &[ByDay] {
        &self.by_day
    }

    /// `BYMONTHDAY` values, ±1..=31.
    pub fn by_month_day(&self) -> &[i32] {
        &self.by_month_day
    }

    /// `BYYEARDAY` values, ±1..=366.
    pub fn by_year_day(&self) -> &[i32] {
        &self.by_year_day
    }

    /// `BYWEEKNO` values, ±1..=53.
    pub fn by_week_no(&self) -> &[i32] {
        &self.by_week_no
    }

    /// `BYMONTH` values, 1..=12.
    pub fn by_month(&self) -> &[u8] {
        &self.by_month
    }

    /// `BYSETPOS` values, ±1..=366.
    pub fn by_set_pos(&self) -> &[i32] {
        &self.by_set_pos
    }

    /// `WKST`, Monday = 0 (the default).
    pub fn wkst(&self) -> Weekday {
        self.wkst
    }
}

/// The text as written (see [`RecurrenceRule::as_str`]); [`RecurrenceRule::canonical`]
/// gives the canonical form.
impl fmt::Display for RecurrenceRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for RecurrenceRule {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl TryFrom<&str> for RecurrenceRule {
    type Error = Error;
    fn try_from(text: &str) -> Result<Self, Error> {
        text.parse()
    }
}

impl From<RecurrenceRule> for String {
    fn from(rule: RecurrenceRule) -> Self {
        rule.text
    }
}

/// The field error a rule that cannot be read gives: `rrule`, the text, and the part at
/// fault with what is wrong with it.
pub(crate) fn field_error(text: &str, error: &Error) -> FieldError {
    let expected = match error {
        Error::Recurrence { part, message } => {
            format!("a valid recurrence rule ({part}: {message})")
        }
        other => format!("a valid recurrence rule ({other})"),
    };
    FieldError::new("rrule", text, expected)
}

impl Serialize for RecurrenceRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for RecurrenceRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|e| serde::de::Error::custom(field_error(&text, &e)))
    }
}

/// Writes a rule's parts in canonical order and spelling.
struct Canonical<'a>(&'a RecurrenceRule);

impl fmt::Display for Canonical<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = self.0;
        write!(f, "FREQ={}", rule.freq.name())?;
        if rule.interval != 1 {
            write!(f, ";INTERVAL={}", rule.interval)?;
        }
        if let Some(c) = rule.count {
            write!(f, ";COUNT={c}")?;
        }
        match rule.until {
            Some(Until::Date(d)) => write!(f, ";UNTIL={}", d.format("%Y%m%d"))?,
            Some(Until::Local(t)) => write!(f, ";UNTIL={}", t.format("%Y%m%dT%H%M%S"))?,
            Some(Until::Utc(t)) => write!(f, ";UNTIL={}", t.format("%Y%m%dT%H%M%SZ"))?,
            None => {}
        }
        let lists: [(&str, String, bool); 9] = [
            ("BYMONTH", join(&rule.by_month), rule.by_month.is_empty()),
            (
                "BYWEEKNO",
                join(&rule.by_week_no),
                rule.by_week_no.is_empty(),
            ),
            (
                "BYYEARDAY",
                join(&rule.by_year_day),
                rule.by_year_day.is_empty(),
            ),
            (
                "BYMONTHDAY",
                join(&rule.by_month_day),
                rule.by_month_day.is_empty(),
            ),
            (
                "BYDAY",
                join(&rule.by_day.iter().map(fmt_byday).collect::<Vec<_>>()),
                rule.by_day.is_empty(),
            ),
            ("BYHOUR", join(&rule.by_hour), rule.by_hour.is_empty()),
            ("BYMINUTE", join(&rule.by_minute), rule.by_minute.is_empty()),
            ("BYSECOND", join(&rule.by_second), rule.by_second.is_empty()),
            (
                "BYSETPOS",
                join(&rule.by_set_pos),
                rule.by_set_pos.is_empty(),
            ),
        ];
        for (name, value, empty) in lists {
            if !empty {
                write!(f, ";{name}={value}")?;
            }
        }
        if rule.wkst != 0 {
            let name = DAY_NAMES
                .get(usize::from(rule.wkst))
                .copied()
                .unwrap_or("MO");
            write!(f, ";WKST={name}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part_of(text: &str) -> String {
        match text.parse::<RecurrenceRule>() {
            Err(Error::Recurrence { part, .. }) => part,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_part() {
        assert_eq!(part_of("FREQ=MONTHLY;BYMONTHDAY=32"), "BYMONTHDAY=32");
        assert_eq!(part_of("FREQ=MONTHLY;BYMONTHDAY=1,0"), "BYMONTHDAY=0");
        assert_eq!(part_of("FREQ=FORTNIGHTLY"), "FREQ=FORTNIGHTLY");
        assert_eq!(part_of("INTERVAL=2"), "FREQ");
        assert_eq!(part_of("FREQ=DAILY;INTERVAL=0"), "INTERVAL=0");
        assert_eq!(part_of("FREQ=DAILY;COUNT=0"), "COUNT=0");
        assert_eq!(part_of("FREQ=WEEKLY;BYDAY=1MO"), "BYDAY=1MO");
        assert_eq!(part_of("FREQ=WEEKLY;BYDAY=XX"), "BYDAY=XX");
        assert_eq!(part_of("FREQ=DAILY;BYWEEKNO=1"), "BYWEEKNO=1");
        assert_eq!(part_of("FREQ=DAILY;UNTIL=2024"), "UNTIL=2024");
        assert_eq!(part_of("FREQ=DAILY;COUNT=2;UNTIL=20240101"), "COUNT");
        assert_eq!(part_of("FREQ=DAILY;FREQ=DAILY"), "FREQ=DAILY");
        assert_eq!(part_of("FREQ=MONTHLY;BYSETPOS=1"), "BYSETPOS=1");
        assert_eq!(part_of("FREQ=DAILY;BYHOUR=24"), "BYHOUR=24");
        assert_eq!(part_of("FREQ=DAILY;BYEASTER=0"), "BYEASTER=0");
    }

    #[test]
    fn prints_canonically_and_reparses() {
        let r: RecurrenceRule =
            "freq=monthly;byday=2TU,-1fr;interval=2;until=20250101T000000Z;wkst=SU;X-FOO=1"
                .parse()
                .unwrap();
        let text = r.canonical();
        assert_eq!(
            text,
            "FREQ=MONTHLY;INTERVAL=2;UNTIL=20250101T000000Z;BYDAY=2TU,-1FR;WKST=SU"
        );
        let again = text.parse::<RecurrenceRule>().unwrap();
        assert!(again.same_parts(&r));
        assert_eq!(again.canonical(), text);
        assert_eq!(again.as_str(), text);
    }

    #[test]
    fn keeps_its_text_and_serialises_as_it() {
        let r: RecurrenceRule = "  RRULE:freq=weekly;INTERVAL=1;byday=we ".parse().unwrap();
        assert_eq!(r.as_str(), "freq=weekly;INTERVAL=1;byday=we");
        assert_eq!(r.to_string(), r.as_str());
        assert_eq!(r.canonical(), "FREQ=WEEKLY;BYDAY=WE");
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#""freq=weekly;INTERVAL=1;byday=we""#);
        let back: RecurrenceRule = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn serde_refuses_an_invalid_rule_naming_the_field_and_part() {
        let err = serde_json::from_str::<RecurrenceRule>(r#""FREQ=MONTHLY;BYMONTHDAY=32""#)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("rrule: "), "{err}");
        assert!(err.contains("BYMONTHDAY=32"), "{err}");
    }

    #[test]
    fn until_and_count_are_read_from_the_rule() {
        let r: RecurrenceRule = "FREQ=DAILY;UNTIL=20260305T090000Z".parse().unwrap();
        let at = NaiveDate::from_ymd_opt(2026, 3, 5)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap();
        assert_eq!(r.until(), Some(Until::Utc(at)));
        assert_eq!(r.count(), None);
        let r: RecurrenceRule = "FREQ=DAILY;COUNT=3".parse().unwrap();
        assert_eq!((r.until(), r.count()), (None, Some(3)));
    }
}
