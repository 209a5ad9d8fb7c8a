//! `VTIMEZONE` components for exported `TZID`s, derived from chrono-tz's IANA data.
//!
//! Every transition in the years the document uses (one year of margin each side, at most
//! 200 years) becomes an observance; the last year's transitions carry a yearly `RRULE` when the next year
//! repeats them (same month, weekday ordinal and wall time), so readers keep DST for
//! recurring events beyond those years.

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// One change of offset.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Transition {
    /// Wall time of the change, read with the offset before it.
    local: NaiveDateTime,
    from: i32,
    to: i32,
    name: Option<String>,
    daylight: bool,
}

impl Transition {
    /// Month, weekday ordinal in the month (`-1` for the last) and weekday.
    fn pattern(&self) -> (u32, i32, usize, u32, u32, i32, i32) {
        let d = self.local.date();
        let len = days_in_month(d.year(), d.month());
        let nth = if d.day() + 7 > len {
            -1
        } else {
            i32::try_from((d.day() - 1) / 7 + 1).unwrap_or(1)
        };
        let wd = usize::try_from(d.weekday().num_days_from_monday()).unwrap_or(0);
        (
            d.month(),
            nth,
            wd,
            self.local.hour(),
            self.local.minute(),
            self.from,
            self.to,
        )
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn offset_at(tz: Tz, t: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

/// The transitions of `tz` in the given years (found by daily steps, then bisection).
fn transitions(tz: Tz, first: i32, last: i32) -> Vec<Transition> {
    let mut out = Vec::new();
    let (Some(mut t), Some(end)) = (
        Utc.with_ymd_and_hms(first, 1, 1, 0, 0, 0).single(),
        Utc.with_ymd_and_hms(last + 1, 1, 1, 0, 0, 0).single(),
    ) else {
        return out;
    };
    let day = Duration::days(1);
    let mut off = offset_at(tz, t);
    while t < end {
        let next = t + day;
        let next_off = offset_at(tz, next);
        if next_off != off {
            // The first second with the new offset.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid) == off {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let after = tz.offset_from_utc_datetime(&hi.naive_utc());
            out.push(Transition {
                local: hi.naive_utc() + Duration::seconds(i64::from(off)),
                from: off,
                to: next_off,
                name: after.abbreviation().map(str::to_string),
                daylight: after.dst_offset() != Duration::zero(),
            });
            off = next_off;
        }
        t = next;
    }
    out
}

fn fmt_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// Writes the `VTIMEZONE` of `tz` covering local years `first..=last`.
pub(crate) fn write(tz: Tz, first: i32, last: i32, line: &mut dyn FnMut(&str)) {
    // At most 200 years are written out (older times keep the earliest observance).
    let last = last.clamp(1, 9997) + 1;
    let first = first.clamp(1, 9997).max(last - 200) - 1;
    line("BEGIN:VTIMEZONE");
    line(&format!("TZID:{}", tz.name()));
    line(&format!("X-LIC-LOCATION:{}", tz.name()));
    let found = transitions(tz, first, last + 1);
    let (shown, next_year): (Vec<&Transition>, Vec<&Transition>) =
        found.iter().partition(|t| t.local.year() <= last);
    if shown.is_empty() {
        let at = Utc
            .with_ymd_and_hms(first, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let off = offset_at(tz, at);
        let name = tz.offset_from_utc_datetime(&at.naive_utc());
        line("BEGIN:STANDARD");
        line(&format!("DTSTART:{first:04}0101T000000"));
        line(&format!("TZOFFSETFROM:{}", fmt_offset(off)));
        line(&format!("TZOFFSETTO:{}", fmt_offset(off)));
        if let Some(n) = name.abbreviation() {
            line(&format!("TZNAME:{n}"));
        }
        line("END:STANDARD");
    }
    let last_year = shown.last().map_or(last, |t| t.local.year());
    for t in &shown {
        let kind = if t.daylight { "DAYLIGHT" } else { "STANDARD" };
        line(&format!("BEGIN:{kind}"));
        line(&format!("DTSTART:{}", t.local.format("%Y%m%dT%H%M%S")));
        line(&format!("TZOFFSETFROM:{}", fmt_offset(t.from)));
        line(&format!("TZOFFSETTO:{}", fmt_offset(t.to)));
        if t.local.year() == last_year && next_year.iter().any(|n| n.pattern() == t.pattern()) {
            let (month, nth, wd, ..) = t.pattern();
            line(&format!(
                "RRULE:FREQ=YEARLY;BYMONTH={month};BYDAY={nth}{}",
                DAYS.get(wd).copied().unwrap_or("SU")
            ));
        }
        if let Some(n) = &t.name {
            line(&format!("TZNAME:{n}"));
        }
        line(&format!("END:{kind}"));
    }
    line("END:VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(tz: Tz, first: i32, last: i32) -> String {
        let mut s = String::new();
        write(tz, first, last, &mut |l| {
            s.push_str(l);
            s.push('\n');
        });
        s
    }

    #[test]
    fn new_york_repeats_its_rules() {
        let s = render(chrono_tz::America::New_York, 2025, 2025);
        // The last year (2026, one year of margin) carries the rules forward.
        assert!(s.contains("DTSTART:20260308T020000\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nTZNAME:EDT"), "{s}");
        assert!(s.contains("DTSTART:20261101T020000\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nTZNAME:EST"), "{s}");
        // Earlier years are explicit observances.
        assert!(
            s.contains("DTSTART:20250309T020000\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nTZNAME:EDT"),
            "{s}"
        );
        assert_eq!(s.matches("RRULE").count(), 2);
    }

    #[test]
    fn zones_without_dst_and_the_southern_hemisphere() {
        let s = render(chrono_tz::Asia::Kolkata, 2025, 2025);
        assert!(s.contains("TZOFFSETFROM:+0530\nTZOFFSETTO:+0530"), "{s}");
        let s = render(chrono_tz::Europe::Berlin, 2025, 2025);
        assert!(s.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"), "{s}");
        let s = render(chrono_tz::Australia::Lord_Howe, 2025, 2025);
        assert!(
            s.contains(
                "TZOFFSETFROM:+1030\nTZOFFSETTO:+1100\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU"
            ),
            "{s}"
        );
    }
}
