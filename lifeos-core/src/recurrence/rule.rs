//! RRULE text: parsing, validation and canonical printing.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::error::Error;

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

/// A parsed and validated RRULE (RFC 5545 3.3.10).
///
/// Parse with [`FromStr`]; [`fmt::Display`] prints a canonical form that parses back to an
/// equal rule. Validation refuses out-of-range values and combinations RFC 5545 forbids,
/// naming the part (`BYMONTHDAY=32`); `X-` parts are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecurrenceRule {
    /// `FREQ`.
    pub freq: Frequency,
    /// `INTERVAL`, at least 1.
    pub interval: u32,
    /// `COUNT`, at least 1.
    pub count: Option<u32>,
    /// `UNTIL`.
    pub until: Option<Until>,
    /// `BYSECOND`, 0..=59.
    pub by_second: Vec<u8>,
    /// `BYMINUTE`, 0..=59.
    pub by_minute: Vec<u8>,
    /// `BYHOUR`, 0..=23.
    pub by_hour: Vec<u8>,
    /// `BYDAY`.
    pub by_day: Vec<ByDay>,
    /// `BYMONTHDAY`, ±1..=31.
    pub by_month_day: Vec<i32>,
    /// `BYYEARDAY`, ±1..=366.
    pub by_year_day: Vec<i32>,
    /// `BYWEEKNO`, ±1..=53.
    pub by_week_no: Vec<i32>,
    /// `BYMONTH`, 1..=12.
    pub by_month: Vec<u8>,
    /// `BYSETPOS`, ±1..=366.
    pub by_set_pos: Vec<i32>,
    /// `WKST`, Monday = 0 (the default).
    pub wkst: Weekday,
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

impl fmt::Display for RecurrenceRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FREQ={}", self.freq.name())?;
        if self.interval != 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        if let Some(c) = self.count {
            write!(f, ";COUNT={c}")?;
        }
        match self.until {
            Some(Until::Date(d)) => write!(f, ";UNTIL={}", d.format("%Y%m%d"))?,
            Some(Until::Local(t)) => write!(f, ";UNTIL={}", t.format("%Y%m%dT%H%M%S"))?,
            Some(Until::Utc(t)) => write!(f, ";UNTIL={}", t.format("%Y%m%dT%H%M%SZ"))?,
            None => {}
        }
        let lists: [(&str, String, bool); 9] = [
            ("BYMONTH", join(&self.by_month), self.by_month.is_empty()),
            (
                "BYWEEKNO",
                join(&self.by_week_no),
                self.by_week_no.is_empty(),
            ),
            (
                "BYYEARDAY",
                join(&self.by_year_day),
                self.by_year_day.is_empty(),
            ),
            (
                "BYMONTHDAY",
                join(&self.by_month_day),
                self.by_month_day.is_empty(),
            ),
            (
                "BYDAY",
                join(&self.by_day.iter().map(fmt_byday).collect::<Vec<_>>()),
                self.by_day.is_empty(),
            ),
            ("BYHOUR", join(&self.by_hour), self.by_hour.is_empty()),
            ("BYMINUTE", join(&self.by_minute), self.by_minute.is_empty()),
            ("BYSECOND", join(&self.by_second), self.by_second.is_empty()),
            (
                "BYSETPOS",
                join(&self.by_set_pos),
                self.by_set_pos.is_empty(),
            ),
        ];
        for (name, value, empty) in lists {
            if !empty {
                write!(f, ";{name}={value}")?;
            }
        }
        if self.wkst != 0 {
            let name = DAY_NAMES
                .get(usize::from(self.wkst))
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
        let text = r.to_string();
        assert_eq!(
            text,
            "FREQ=MONTHLY;INTERVAL=2;UNTIL=20250101T000000Z;BYDAY=2TU,-1FR;WKST=SU"
        );
        assert_eq!(text.parse::<RecurrenceRule>().unwrap(), r);
    }
}
