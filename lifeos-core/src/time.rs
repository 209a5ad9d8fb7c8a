//! Local wall-clock time: times of day ([`ClockTime`]) and their resolution to instants, the
//! one way LifeOS does it.
//!
//! A local time that does not exist (a DST gap) moves forward by the gap, which is the same
//! as reading it with the offset in force before the gap: 02:30 on a spring-forward day in
//! New York is 03:30 EDT. A local time that occurs twice (a fold) means the earlier instant.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The instant of `local` wall-clock time in `tz` (gap: forward by the gap; fold: earlier).
pub fn resolve_local(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: read the wall time with the offset in force just before the gap.
            let offset_before = offset_before_gap(local, tz)
                .unwrap_or_else(|| tz.offset_from_utc_datetime(&local).fix());
            let seconds = i64::from(offset_before.local_minus_utc());
            DateTime::from_naive_utc_and_offset(local - chrono::Duration::seconds(seconds), Utc)
        }
    }
}

/// The UTC offset in force at the last instant before the gap that swallows `local`.
fn offset_before_gap(local: NaiveDateTime, tz: Tz) -> Option<chrono::FixedOffset> {
    // Walk back minute by minute (gaps are at most a day long) to the last valid local time.
    let mut probe = local;
    for _ in 0..(24 * 60) {
        probe -= chrono::Duration::minutes(1);
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) => return Some(t.offset().fix()),
            LocalResult::Ambiguous(_, later) => return Some(later.offset().fix()),
            LocalResult::None => {}
        }
    }
    None
}

/// A wall-clock time of day with minute resolution, `00:00` to `24:00` (the next midnight,
/// meaningful only as the end of a range). Written as exactly `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClockTime(u16);

impl ClockTime {
    /// Midnight at the start of the day.
    pub const MIDNIGHT: ClockTime = ClockTime(0);
    /// The next midnight (`24:00`).
    pub const END_OF_DAY: ClockTime = ClockTime(1440);

    /// The full hour `hours:00`; hours past 24 clamp to `24:00`.
    pub const fn hour(hours: u16) -> ClockTime {
        ClockTime(if hours > 24 { 1440 } else { hours * 60 })
    }

    /// `hours:minutes`, for 00:00 to 23:59 and 24:00.
    pub fn new(hours: u16, minutes: u16) -> Option<ClockTime> {
        let total = hours.checked_mul(60)?.checked_add(minutes)?;
        (minutes < 60 && total <= 1440).then_some(ClockTime(total))
    }

    /// Minutes after midnight, 0 to 1440.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// Parses exactly `HH:MM` (two digits each).
    pub fn parse(text: &str) -> Option<ClockTime> {
        let b = text.as_bytes();
        if b.len() != 5
            || b[2] != b':'
            || !b
                .iter()
                .enumerate()
                .all(|(i, c)| i == 2 || c.is_ascii_digit())
        {
            return None;
        }
        let h = u16::from(b[0] - b'0') * 10 + u16::from(b[1] - b'0');
        let m = u16::from(b[3] - b'0') * 10 + u16::from(b[4] - b'0');
        ClockTime::new(h, m)
    }
}

impl std::fmt::Display for ClockTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl TryFrom<String> for ClockTime {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        ClockTime::parse(&text)
            .ok_or_else(|| format!("{text:?} is not a time as HH:MM from 00:00 to 24:00"))
    }
}

impl From<ClockTime> for String {
    fn from(t: ClockTime) -> String {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn gap_moves_forward_by_the_gap() {
        let t = resolve_local(local(2025, 3, 9, 2, 30), chrono_tz::America::New_York);
        assert_eq!(t.to_rfc3339(), "2025-03-09T07:30:00+00:00");
    }

    #[test]
    fn fold_means_the_earlier_instant() {
        let t = resolve_local(local(2025, 11, 2, 1, 30), chrono_tz::America::New_York);
        assert_eq!(t.to_rfc3339(), "2025-11-02T05:30:00+00:00");
    }

    #[test]
    fn ordinary_time() {
        let t = resolve_local(local(2025, 7, 1, 9, 0), chrono_tz::Europe::Berlin);
        assert_eq!(t.to_rfc3339(), "2025-07-01T07:00:00+00:00");
    }

    #[test]
    fn southern_hemisphere_and_half_hour_gap() {
        // Lord Howe moves by 30 minutes: 02:15 on its spring-forward day does not exist.
        let t = resolve_local(local(2025, 10, 5, 2, 15), chrono_tz::Australia::Lord_Howe);
        // Before the gap the offset is +10:30.
        assert_eq!(t.to_rfc3339(), "2025-10-04T15:45:00+00:00");
    }
}
