//! The rule iterator: generates a rule's candidate instances in local wall-clock time.
//!
//! The algorithm follows python-dateutil's `rrule._iter` (itself from RFC 2445's reference
//! implementation), so it agrees with dateutil instance for instance: each period (a year,
//! month, week, day, hour, minute or second, `INTERVAL` apart) builds its set of candidate
//! days from per-year masks, filters them by the `BYxxx` parts, applies `BYSETPOS` within
//! the period and combines the days with the period's times.
//!
//! Unlike dateutil it can *seek*: [`RuleIter::seek`] jumps by whole periods to the period
//! holding a target time without generating anything in between, keeping the `INTERVAL`
//! alignment (periods stay `dtstart`'s period plus multiples of `INTERVAL`) and the scope of
//! `BYWEEKNO` and `BYSETPOS` (a period is still a whole year, month or week).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::rule::{Frequency, RecurrenceRule};
use crate::error::Error;

/// Last year the iterator generates (as dateutil's `datetime.MAXYEAR`).
const MAX_YEAR: i32 = 9999;

const fn build_masks() -> ([u8; 373], [i8; 373], [i8; 373]) {
    const DAYS: [u8; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = [0u8; 373];
    let mut mday = [0i8; 373];
    let mut nmday = [0i8; 373];
    let mut i = 0;
    let mut m = 0;
    while m < 12 {
        let len = DAYS[m];
        let mut d = 0;
        while d < len {
            month[i] = (m + 1) as u8;
            mday[i] = (d + 1) as i8;
            nmday[i] = (d as i8) - (len as i8);
            i += 1;
            d += 1;
        }
        m += 1;
    }
    // Seven days of the next January, for weeks that cross the year's end.
    let mut d = 0;
    while d < 7 {
        month[i] = 1;
        mday[i] = (d + 1) as i8;
        nmday[i] = (d as i8) - 31;
        i += 1;
        d += 1;
    }
    (month, mday, nmday)
}

const MASKS: ([u8; 373], [i8; 373], [i8; 373]) = build_masks();
const M366RANGE: [i32; 13] = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];
const M365RANGE: [i32; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn year_len(y: i32) -> i32 {
    if is_leap(y) { 366 } else { 365 }
}

fn weekday(d: NaiveDate) -> i32 {
    i32::try_from(d.weekday().num_days_from_monday()).unwrap_or(0)
}

/// A rule with dateutil's defaults filled in from its start.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    freq: Frequency,
    interval: i64,
    wkst: i32,
    bymonth: u16,
    byweekno: Vec<i32>,
    byweekday: u8,
    bynweekday: Vec<(i32, i32)>,
    bymonthday: u64,
    bynmonthday: u64,
    byyearday: Vec<i32>,
    bysetpos: Vec<i32>,
    byhour: u32,
    byminute: u64,
    bysecond: u64,
    timeset: Vec<NaiveTime>,
    dtstart: NaiveDateTime,
}

fn mask_of(values: impl IntoIterator<Item = u32>) -> u64 {
    values.into_iter().fold(0u64, |m, v| m | (1u64 << (v & 63)))
}

fn has(mask: u64, v: i64) -> bool {
    (0..64).contains(&v) && mask & (1u64 << v) != 0
}

/// dateutil's `__construct_byset`: keeps the values an `INTERVAL` step can reach.
fn reachable(
    values: &[u8],
    start: u32,
    interval: i64,
    base: i64,
    name: &str,
) -> Result<u64, Error> {
    let g = gcd(interval, base);
    let kept: Vec<u32> = values
        .iter()
        .map(|&v| u32::from(v))
        .filter(|&v| g == 1 || (i64::from(v) - i64::from(start)).rem_euclid(g) == 0)
        .collect();
    if kept.is_empty() {
        return Err(Error::Recurrence {
            part: name.to_string(),
            message: "no value is reachable from the start with this INTERVAL".into(),
        });
    }
    Ok(mask_of(kept))
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

impl Compiled {
    /// Fills in the defaults dateutil derives from `dtstart`.
    pub(crate) fn new(rule: &RecurrenceRule, dtstart: NaiveDateTime) -> Result<Self, Error> {
        use Frequency::*;
        let freq = rule.freq;
        let interval = i64::from(rule.interval.max(1));
        let mut bymonth: Vec<u32> = rule.by_month.iter().map(|&m| u32::from(m)).collect();
        let mut bymonthday = rule.by_month_day.clone();
        let mut byweekday = 0u8;
        let mut bynweekday = Vec::new();
        if rule.by_week_no.is_empty()
            && rule.by_year_day.is_empty()
            && rule.by_month_day.is_empty()
            && rule.by_day.is_empty()
        {
            match freq {
                Yearly => {
                    if bymonth.is_empty() {
                        bymonth.push(dtstart.month());
                    }
                    bymonthday.push(i32::try_from(dtstart.day()).unwrap_or(1));
                }
                Monthly => bymonthday.push(i32::try_from(dtstart.day()).unwrap_or(1)),
                Weekly => byweekday |= 1 << weekday(dtstart.date()),
                _ => {}
            }
        }
        for d in &rule.by_day {
            match d.nth {
                Some(n) if freq <= Monthly => bynweekday.push((i32::from(d.weekday), n)),
                _ => byweekday |= 1 << d.weekday,
            }
        }
        let pos_mday = mask_of(
            bymonthday
                .iter()
                .filter(|&&d| d > 0)
                .map(|&d| d.unsigned_abs()),
        );
        let neg_mday = mask_of(
            bymonthday
                .iter()
                .filter(|&&d| d < 0)
                .map(|&d| d.unsigned_abs()),
        );
        let byhour = if rule.by_hour.is_empty() {
            if freq < Hourly {
                mask_of([dtstart.hour()])
            } else {
                0
            }
        } else if freq == Hourly {
            reachable(&rule.by_hour, dtstart.hour(), interval, 24, "BYHOUR")?
        } else {
            mask_of(rule.by_hour.iter().map(|&h| u32::from(h)))
        };
        let byminute = if rule.by_minute.is_empty() {
            if freq < Minutely {
                mask_of([dtstart.minute()])
            } else {
                0
            }
        } else if freq == Minutely {
            reachable(&rule.by_minute, dtstart.minute(), interval, 60, "BYMINUTE")?
        } else {
            mask_of(rule.by_minute.iter().map(|&h| u32::from(h)))
        };
        let bysecond = if rule.by_second.is_empty() {
            if freq < Secondly {
                mask_of([dtstart.second()])
            } else {
                0
            }
        } else if freq == Secondly {
            reachable(&rule.by_second, dtstart.second(), interval, 60, "BYSECOND")?
        } else {
            mask_of(rule.by_second.iter().map(|&h| u32::from(h)))
        };
        let hours = |m: u64, n: u32| (0..n).filter(move |&v| m & (1u64 << v) != 0);
        let byhour = u32::try_from(byhour).unwrap_or(0);
        let mut timeset = Vec::new();
        if freq < Hourly {
            for h in hours(u64::from(byhour), 24) {
                for m in hours(byminute, 60) {
                    for s in hours(bysecond, 60) {
                        if let Some(t) = NaiveTime::from_hms_opt(h, m, s) {
                            timeset.push(t);
                        }
                    }
                }
            }
            timeset.sort();
        }
        Ok(Compiled {
            freq,
            interval,
            wkst: i32::from(rule.wkst),
            bymonth: u16::try_from(mask_of(bymonth)).unwrap_or(0),
            byweekno: rule.by_week_no.clone(),
            byweekday,
            bynweekday,
            bymonthday: pos_mday,
            bynmonthday: neg_mday,
            byyearday: rule.by_year_day.clone(),
            bysetpos: rule.by_set_pos.clone(),
            byhour,
            byminute,
            bysecond,
            timeset,
            dtstart: dtstart.with_nanosecond(0).unwrap_or(dtstart),
        })
    }

    fn times_for(&self, hour: u32, minute: u32, second: u32, out: &mut Vec<NaiveTime>) {
        out.clear();
        match self.freq {
            Frequency::Hourly => {
                for m in 0..60u32 {
                    if !has(self.byminute, i64::from(m)) {
                        continue;
                    }
                    for s in 0..60u32 {
                        if has(self.bysecond, i64::from(s)) {
                            out.extend(NaiveTime::from_hms_opt(hour, m, s));
                        }
                    }
                }
            }
            Frequency::Minutely => {
                for s in 0..60u32 {
                    if has(self.bysecond, i64::from(s)) {
                        out.extend(NaiveTime::from_hms_opt(hour, minute, s));
                    }
                }
            }
            _ => out.extend(NaiveTime::from_hms_opt(hour, minute, second)),
        }
    }
}

/// Per-year masks (dateutil's `_iterinfo`).
#[derive(Debug, Default)]
struct YearInfo {
    year: i32,
    month: u32,
    built: bool,
    yearlen: i32,
    nextyearlen: i32,
    /// Days from the common era of 1 January.
    yearordinal: i32,
    yearweekday: i32,
    wnomask: Vec<bool>,
    nwdaymask: Vec<bool>,
    has_nwdaymask: bool,
}

impl YearInfo {
    fn leap(&self) -> bool {
        self.yearlen == 366
    }
    fn mrange(&self) -> &'static [i32; 13] {
        if self.leap() { &M366RANGE } else { &M365RANGE }
    }
    fn wday(&self, i: i32) -> i32 {
        (self.yearweekday + i).rem_euclid(7)
    }
    fn midx(&self, i: i32) -> usize {
        let i = if !self.leap() && i >= 59 { i + 1 } else { i };
        usize::try_from(i).unwrap_or(0).min(372)
    }
    fn nidx(&self, i: i32) -> usize {
        let i = if !self.leap() && i >= 31 { i + 1 } else { i };
        usize::try_from(i).unwrap_or(0).min(372)
    }
    fn month_of(&self, i: i32) -> u8 {
        MASKS.0[self.midx(i)]
    }
    fn mday_of(&self, i: i32) -> i8 {
        MASKS.1[self.midx(i)]
    }
    fn nmday_of(&self, i: i32) -> i8 {
        MASKS.2[self.nidx(i)]
    }

    fn rebuild(&mut self, r: &Compiled, year: i32, month: u32) {
        let year_changed = !self.built || year != self.year;
        if year_changed {
            self.yearlen = year_len(year);
            self.nextyearlen = year_len(year + 1);
            let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
            self.yearordinal = first.num_days_from_ce();
            self.yearweekday = weekday(first);
            if !r.byweekno.is_empty() {
                self.build_wnomask(r, year);
            }
        }
        if !r.bynweekday.is_empty() && (year_changed || month != self.month) {
            let mut ranges: Vec<(i32, i32)> = Vec::new();
            let mr = self.mrange();
            if r.freq == Frequency::Yearly {
                if r.bymonth != 0 {
                    for m in 1..=12usize {
                        if r.bymonth & (1 << m) != 0 {
                            ranges.push((mr[m - 1], mr[m]));
                        }
                    }
                } else {
                    ranges.push((0, self.yearlen));
                }
            } else if r.freq == Frequency::Monthly {
                let m = usize::try_from(month).unwrap_or(1).clamp(1, 12);
                ranges.push((mr[m - 1], mr[m]));
            }
            self.has_nwdaymask = !ranges.is_empty();
            self.nwdaymask.clear();
            self.nwdaymask
                .resize(usize::try_from(self.yearlen).unwrap_or(366), false);
            for (first, last) in ranges {
                let last = last - 1;
                for &(wday, n) in &r.bynweekday {
                    let i = if n < 0 {
                        let i = last + (n + 1) * 7;
                        i - (self.wday(i) - wday).rem_euclid(7)
                    } else {
                        let i = first + (n - 1) * 7;
                        i + (7 - self.wday(i) + wday).rem_euclid(7)
                    };
                    if first <= i
                        && i <= last
                        && let Some(slot) = usize::try_from(i)
                            .ok()
                            .and_then(|i| self.nwdaymask.get_mut(i))
                    {
                        *slot = true;
                    }
                }
            }
        }
        self.year = year;
        self.month = month;
        self.built = true;
    }

    fn set_wno(&mut self, i: i32) {
        if let Some(slot) = usize::try_from(i)
            .ok()
            .and_then(|i| self.wnomask.get_mut(i))
        {
            *slot = true;
        }
    }

    fn mark_week(&mut self, mut i: i32, wkst: i32) {
        for _ in 0..7 {
            self.set_wno(i);
            i += 1;
            if self.wday(i) == wkst {
                break;
            }
        }
    }

    fn build_wnomask(&mut self, r: &Compiled, year: i32) {
        let wkst = r.wkst;
        self.wnomask.clear();
        self.wnomask
            .resize(usize::try_from(self.yearlen + 7).unwrap_or(373), false);
        let firstwkst = (7 - self.yearweekday + wkst).rem_euclid(7);
        let mut no1wkst = firstwkst;
        let wyearlen = if no1wkst >= 4 {
            no1wkst = 0;
            self.yearlen + (self.yearweekday - wkst).rem_euclid(7)
        } else {
            self.yearlen - no1wkst
        };
        let (div, m) = (wyearlen.div_euclid(7), wyearlen.rem_euclid(7));
        let numweeks = div + m / 4;
        for &n0 in &r.byweekno {
            let n = if n0 < 0 { n0 + numweeks + 1 } else { n0 };
            if !(0 < n && n <= numweeks) {
                continue;
            }
            let i = if n > 1 {
                let mut i = no1wkst + (n - 1) * 7;
                if no1wkst != firstwkst {
                    i -= 7 - firstwkst;
                }
                i
            } else {
                no1wkst
            };
            self.mark_week(i, wkst);
        }
        if r.byweekno.contains(&1) {
            let mut i = no1wkst + numweeks * 7;
            if no1wkst != firstwkst {
                i -= 7 - firstwkst;
            }
            if i < self.yearlen {
                self.mark_week(i, wkst);
            }
        }
        if no1wkst != 0 {
            let lnumweeks = if !r.byweekno.contains(&-1) {
                let lfirst = NaiveDate::from_ymd_opt(year - 1, 1, 1).unwrap_or_default();
                let lyearweekday = weekday(lfirst);
                let lno1wkst = (7 - lyearweekday + wkst).rem_euclid(7);
                let lyearlen = year_len(year - 1);
                if lno1wkst >= 4 {
                    52 + (lyearlen + (lyearweekday - wkst).rem_euclid(7)).rem_euclid(7) / 4
                } else {
                    // As dateutil computes it (with this year's length).
                    52 + (self.yearlen - no1wkst).rem_euclid(7) / 4
                }
            } else {
                -1
            };
            if r.byweekno.contains(&lnumweeks) {
                for i in 0..no1wkst {
                    self.set_wno(i);
                }
            }
        }
    }

    fn keep(&self, r: &Compiled, i: i32) -> bool {
        if r.bymonth != 0 && r.bymonth & (1 << self.month_of(i)) == 0 {
            return false;
        }
        if !r.byweekno.is_empty()
            && !usize::try_from(i)
                .ok()
                .and_then(|i| self.wnomask.get(i))
                .copied()
                .unwrap_or(false)
        {
            return false;
        }
        if r.byweekday != 0 && r.byweekday & (1 << self.wday(i)) == 0 {
            return false;
        }
        if self.has_nwdaymask
            && !usize::try_from(i)
                .ok()
                .and_then(|i| self.nwdaymask.get(i))
                .copied()
                .unwrap_or(false)
        {
            return false;
        }
        if (r.bymonthday != 0 || r.bynmonthday != 0)
            && !has(r.bymonthday, i64::from(self.mday_of(i)))
            && !has(r.bynmonthday, -i64::from(self.nmday_of(i)))
        {
            return false;
        }
        if !r.byyearday.is_empty() {
            let ok = if i < self.yearlen {
                r.byyearday.contains(&(i + 1)) || r.byyearday.contains(&(i - self.yearlen))
            } else {
                r.byyearday.contains(&(i + 1 - self.yearlen))
                    || r.byyearday.contains(&(i - self.yearlen - self.nextyearlen))
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

/// Generates a rule's candidates, period by period, ascending, all at or after `dtstart`.
#[derive(Debug)]
pub(crate) struct RuleIter<'a> {
    r: &'a Compiled,
    ii: YearInfo,
    year: i32,
    month: u32,
    /// Current day for weekly and shorter periods.
    date: NaiveDate,
    hour: u32,
    minute: u32,
    second: u32,
    timeset: Vec<NaiveTime>,
    days: Vec<i32>,
    done: bool,
    /// Periods, steps and candidates, for the iteration bound.
    pub(crate) iterations: u64,
    /// Whether some period held more candidates than asked for.
    pub(crate) cut: bool,
    /// Instances of the last period that were counted instead of produced.
    pub(crate) counted: u64,
}

impl<'a> RuleIter<'a> {
    pub(crate) fn new(r: &'a Compiled) -> Self {
        let dt = r.dtstart;
        let mut it = RuleIter {
            r,
            ii: YearInfo::default(),
            year: dt.year(),
            month: dt.month(),
            date: dt.date(),
            hour: dt.hour(),
            minute: dt.minute(),
            second: dt.second(),
            timeset: Vec::new(),
            days: Vec::new(),
            done: false,
            iterations: 0,
            cut: false,
            counted: 0,
        };
        it.ii.rebuild(r, it.year, it.month);
        it.reset_timeset();
        it
    }

    fn reset_timeset(&mut self) {
        let r = self.r;
        if r.freq < Frequency::Hourly {
            self.timeset.clone_from(&r.timeset);
            return;
        }
        let bad = (r.byhour != 0 && !has(u64::from(r.byhour), i64::from(self.hour)))
            || (r.freq >= Frequency::Minutely
                && r.byminute != 0
                && !has(r.byminute, i64::from(self.minute)))
            || (r.freq >= Frequency::Secondly
                && r.bysecond != 0
                && !has(r.bysecond, i64::from(self.second)));
        if bad {
            self.timeset.clear();
        } else {
            let mut ts = std::mem::take(&mut self.timeset);
            r.times_for(self.hour, self.minute, self.second, &mut ts);
            self.timeset = ts;
        }
    }

    /// The first day of the current period (no instance of it is earlier).
    pub(crate) fn period_start(&self) -> NaiveDate {
        match self.r.freq {
            Frequency::Yearly => NaiveDate::from_ymd_opt(self.year, 1, 1).unwrap_or(self.date),
            Frequency::Monthly => {
                NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(self.date)
            }
            _ => self.date,
        }
    }

    /// Jumps forward by whole periods to the period holding `target` (never backward).
    /// Only valid before the first call to [`RuleIter::next_period`].
    pub(crate) fn seek(&mut self, target: NaiveDateTime) {
        let r = self.r;
        let dt = r.dtstart;
        let iv = r.interval;
        match r.freq {
            Frequency::Yearly => {
                let k = (i64::from(target.year()) - i64::from(dt.year())).div_euclid(iv);
                if k > 0 {
                    let y = i64::from(dt.year()) + k * iv;
                    self.year = i32::try_from(y).unwrap_or(i32::MAX);
                    if self.year > MAX_YEAR {
                        self.done = true;
                        return;
                    }
                    self.ii.rebuild(r, self.year, self.month);
                }
            }
            Frequency::Monthly => {
                let m0 = i64::from(dt.year()) * 12 + i64::from(dt.month0());
                let mt = i64::from(target.year()) * 12 + i64::from(target.month0());
                let k = (mt - m0).div_euclid(iv);
                if k > 0 {
                    let m = m0 + k * iv;
                    self.year = i32::try_from(m.div_euclid(12)).unwrap_or(i32::MAX);
                    self.month = u32::try_from(m.rem_euclid(12) + 1).unwrap_or(1);
                    if self.year > MAX_YEAR {
                        self.done = true;
                        return;
                    }
                    self.ii.rebuild(r, self.year, self.month);
                }
            }
            Frequency::Weekly => {
                let ws = |d: NaiveDate| {
                    d - Duration::days(i64::from((weekday(d) - r.wkst).rem_euclid(7)))
                };
                let ws0 = ws(dt.date());
                let wst = ws(target.date());
                let k = (wst - ws0).num_days().div_euclid(7 * iv);
                if k > 0 {
                    self.move_to_date(ws0 + Duration::days(k * 7 * iv));
                }
            }
            Frequency::Daily => {
                let k = (target.date() - dt.date()).num_days().div_euclid(iv);
                if k > 0 {
                    self.move_to_date(dt.date() + Duration::days(k * iv));
                }
            }
            Frequency::Hourly | Frequency::Minutely | Frequency::Secondly => {
                let unit = match r.freq {
                    Frequency::Hourly => 3600,
                    Frequency::Minutely => 60,
                    _ => 1,
                };
                let floor = |t: NaiveDateTime| t.and_utc().timestamp().div_euclid(unit);
                let k = (floor(target) - floor(dt)).div_euclid(iv);
                if k > 0 {
                    let secs = (floor(dt) + k * iv) * unit;
                    let Some(t) = chrono::DateTime::from_timestamp(secs, 0) else {
                        self.done = true;
                        return;
                    };
                    let t = t.naive_utc();
                    self.hour = t.hour();
                    if r.freq >= Frequency::Minutely {
                        self.minute = t.minute();
                    }
                    if r.freq >= Frequency::Secondly {
                        self.second = t.second();
                    }
                    self.move_to_date(t.date());
                    self.reset_timeset();
                }
            }
        }
    }

    fn move_to_date(&mut self, d: NaiveDate) {
        self.date = d;
        if d.year() > MAX_YEAR {
            self.done = true;
            return;
        }
        if d.year() != self.year || d.month() != self.month {
            self.year = d.year();
            self.month = d.month();
            self.ii.rebuild(self.r, self.year, self.month);
        }
    }

    /// Fills `out` with the current period's candidates (ascending, those before
    /// `dtstart` dropped) and advances. Returns false when the rule has ended.
    ///
    /// Candidates before `skip_before` are not produced (whole days are skipped), nor those
    /// after `stop_after`; at most `max_out` are, and [`RuleIter::cut`] is set when a period
    /// held more (a rule like `BYHOUR`×`BYMINUTE`×`BYSECOND` has 86,400 per day).
    pub(crate) fn next_period(
        &mut self,
        out: &mut Vec<NaiveDateTime>,
        skip_before: NaiveDateTime,
        stop_after: NaiveDateTime,
        max_out: usize,
        count_before: Option<NaiveDate>,
    ) -> bool {
        out.clear();
        self.counted = 0;
        if self.done {
            return false;
        }
        self.iterations += 1;
        let r = self.r;
        let ii = &self.ii;
        // The period's day set, as indexes from 1 January of `self.year`.
        let (start, end) = match r.freq {
            Frequency::Yearly => (0, ii.yearlen),
            Frequency::Monthly => {
                let mr = ii.mrange();
                let m = usize::try_from(self.month).unwrap_or(1).clamp(1, 12);
                (mr[m - 1], mr[m])
            }
            Frequency::Weekly => {
                let s = self.date.num_days_from_ce() - ii.yearordinal;
                let mut i = s;
                for _ in 0..7 {
                    i += 1;
                    if ii.wday(i) == r.wkst {
                        break;
                    }
                }
                (s, i)
            }
            _ => {
                let s = self.date.num_days_from_ce() - ii.yearordinal;
                (s, s + 1)
            }
        };
        self.days.clear();
        let mut filtered = false;
        for i in start..end {
            if ii.keep(r, i) {
                self.days.push(i);
            } else {
                filtered = true;
            }
        }
        let (year, yearlen) = (self.year_of_info(), ii.yearlen);
        let date_of = |i: i32| {
            let (y, o) = if i < yearlen {
                (year, i)
            } else {
                (year + 1, i - yearlen)
            };
            NaiveDate::from_yo_opt(y, u32::try_from(o + 1).unwrap_or(1)).unwrap_or_default()
        };
        let n_times = i32::try_from(self.timeset.len()).unwrap_or(0);
        // A period wholly before the window (and after DTSTART's day) is only counted.
        if let (Some(before), Some(&first), Some(&last)) =
            (count_before, self.days.first(), self.days.last())
            && date_of(last) < before
            && date_of(first) > r.dtstart.date()
        {
            let n = if r.bysetpos.is_empty() {
                self.days.len() * self.timeset.len()
            } else {
                self.setpos_count(n_times)
            };
            self.counted = u64::try_from(n).unwrap_or(u64::MAX);
            self.iterations += self.counted;
            self.advance(filtered);
            return true;
        }
        if !r.bysetpos.is_empty() && n_times > 0 {
            let n_days = i32::try_from(self.days.len()).unwrap_or(0);
            for &pos in &r.bysetpos {
                let (daypos, timepos) = if pos < 0 {
                    (pos.div_euclid(n_times), pos.rem_euclid(n_times))
                } else {
                    ((pos - 1).div_euclid(n_times), (pos - 1).rem_euclid(n_times))
                };
                let idx = if daypos < 0 { n_days + daypos } else { daypos };
                if idx < 0 || idx >= n_days {
                    continue;
                }
                let (Some(&day), Some(&time)) = (
                    usize::try_from(idx).ok().and_then(|x| self.days.get(x)),
                    usize::try_from(timepos)
                        .ok()
                        .and_then(|x| self.timeset.get(x)),
                ) else {
                    continue;
                };
                let res = date_of(day).and_time(time);
                if !out.contains(&res) {
                    out.push(res);
                }
            }
            out.sort();
            out.retain(|&t| t >= r.dtstart);
        } else {
            let skip_day = skip_before.date();
            'days: for &day in &self.days {
                let d = date_of(day);
                if d < skip_day {
                    continue;
                }
                for &t in &self.timeset {
                    let res = d.and_time(t);
                    if res > stop_after {
                        break 'days;
                    }
                    if res >= r.dtstart && res >= skip_before {
                        if out.len() >= max_out {
                            self.cut = true;
                            break 'days;
                        }
                        out.push(res);
                    }
                }
            }
        }
        self.iterations += u64::try_from(out.len()).unwrap_or(u64::MAX);
        self.advance(filtered);
        true
    }

    fn advance(&mut self, filtered: bool) {
        let r = self.r;
        let iv = r.interval;
        match r.freq {
            Frequency::Yearly => {
                let y = i64::from(self.year) + iv;
                if y > i64::from(MAX_YEAR) {
                    self.done = true;
                    return;
                }
                self.year = i32::try_from(y).unwrap_or(MAX_YEAR);
                self.ii.rebuild(r, self.year, self.month);
            }
            Frequency::Monthly => {
                let m = i64::from(self.year) * 12 + i64::from(self.month) - 1 + iv;
                let y = m.div_euclid(12);
                if y > i64::from(MAX_YEAR) {
                    self.done = true;
                    return;
                }
                self.year = i32::try_from(y).unwrap_or(MAX_YEAR);
                self.month = u32::try_from(m.rem_euclid(12) + 1).unwrap_or(1);
                self.ii.rebuild(r, self.year, self.month);
            }
            Frequency::Weekly => {
                let back = i64::from((weekday(self.date) - r.wkst).rem_euclid(7));
                let d = self.date + Duration::days(iv * 7 - back);
                self.move_to_date(d);
            }
            Frequency::Daily => {
                let d = self.date + Duration::days(iv);
                self.move_to_date(d);
            }
            Frequency::Hourly => {
                let mut hour = i64::from(self.hour);
                if filtered {
                    hour += ((23 - hour) / iv) * iv;
                }
                let (ndays, h) = if r.byhour != 0 {
                    match self.mod_distance(hour, u64::from(r.byhour), 24) {
                        Some(x) => x,
                        None => {
                            self.done = true;
                            return;
                        }
                    }
                } else {
                    ((hour + iv).div_euclid(24), (hour + iv).rem_euclid(24))
                };
                self.hour = u32::try_from(h).unwrap_or(0);
                if ndays != 0 {
                    self.move_to_date(self.date + Duration::days(ndays));
                }
                self.reset_timeset();
            }
            Frequency::Minutely => {
                let mut minute = i64::from(self.minute);
                let mut hour = i64::from(self.hour);
                if filtered {
                    minute += ((1439 - (hour * 60 + minute)) / iv) * iv;
                }
                let rep = 24 * 60 / gcd(iv, 24 * 60);
                let mut valid = false;
                let mut days = 0;
                for _ in 0..rep {
                    self.iterations += 1;
                    let (nhours, m) = if r.byminute != 0 {
                        match self.mod_distance(minute, r.byminute, 60) {
                            Some(x) => x,
                            None => break,
                        }
                    } else {
                        ((minute + iv).div_euclid(60), (minute + iv).rem_euclid(60))
                    };
                    minute = m;
                    let t = hour + nhours;
                    days += t.div_euclid(24);
                    hour = t.rem_euclid(24);
                    if r.byhour == 0 || has(u64::from(r.byhour), hour) {
                        valid = true;
                        break;
                    }
                }
                if !valid {
                    self.done = true;
                    return;
                }
                self.minute = u32::try_from(minute).unwrap_or(0);
                self.hour = u32::try_from(hour).unwrap_or(0);
                if days != 0 {
                    self.move_to_date(self.date + Duration::days(days));
                }
                self.reset_timeset();
            }
            Frequency::Secondly => {
                let mut second = i64::from(self.second);
                let mut minute = i64::from(self.minute);
                let mut hour = i64::from(self.hour);
                if filtered {
                    second += ((86399 - (hour * 3600 + minute * 60 + second)) / iv) * iv;
                }
                let rep = 86400 / gcd(iv, 86400);
                let mut valid = false;
                let mut days = 0;
                for _ in 0..rep {
                    self.iterations += 1;
                    let (nminutes, s) = if r.bysecond != 0 {
                        match self.mod_distance(second, r.bysecond, 60) {
                            Some(x) => x,
                            None => break,
                        }
                    } else {
                        ((second + iv).div_euclid(60), (second + iv).rem_euclid(60))
                    };
                    second = s;
                    let t = minute + nminutes;
                    minute = t.rem_euclid(60);
                    if t.div_euclid(60) != 0 {
                        let h = hour + t.div_euclid(60);
                        hour = h.rem_euclid(24);
                        days += h.div_euclid(24);
                    }
                    if (r.byhour == 0 || has(u64::from(r.byhour), hour))
                        && (r.byminute == 0 || has(r.byminute, minute))
                        && (r.bysecond == 0 || has(r.bysecond, second))
                    {
                        valid = true;
                        break;
                    }
                }
                if !valid {
                    self.done = true;
                    return;
                }
                self.second = u32::try_from(second).unwrap_or(0);
                self.minute = u32::try_from(minute).unwrap_or(0);
                self.hour = u32::try_from(hour).unwrap_or(0);
                if days != 0 {
                    self.move_to_date(self.date + Duration::days(days));
                }
                self.reset_timeset();
            }
        }
    }

    /// How many distinct instances `BYSETPOS` selects from the current day set.
    fn setpos_count(&self, n_times: i32) -> usize {
        if n_times == 0 {
            return 0;
        }
        let n_days = i32::try_from(self.days.len()).unwrap_or(0);
        let mut picked: Vec<(i32, i32)> = Vec::new();
        for &pos in &self.r.bysetpos {
            let (daypos, timepos) = if pos < 0 {
                (pos.div_euclid(n_times), pos.rem_euclid(n_times))
            } else {
                ((pos - 1).div_euclid(n_times), (pos - 1).rem_euclid(n_times))
            };
            let idx = if daypos < 0 { n_days + daypos } else { daypos };
            if (0..n_days).contains(&idx) && !picked.contains(&(idx, timepos)) {
                picked.push((idx, timepos));
            }
        }
        picked.len()
    }

    /// The year the current masks describe.
    fn year_of_info(&self) -> i32 {
        self.ii.year
    }

    /// dateutil's `__mod_distance`: steps of `INTERVAL` until a value in `mask`.
    fn mod_distance(&mut self, mut value: i64, mask: u64, base: i64) -> Option<(i64, i64)> {
        let mut acc = 0;
        for _ in 0..base {
            self.iterations += 1;
            let v = value + self.r.interval;
            acc += v.div_euclid(base);
            value = v.rem_euclid(base);
            if has(mask, value) {
                return Some((acc, value));
            }
        }
        None
    }
}
