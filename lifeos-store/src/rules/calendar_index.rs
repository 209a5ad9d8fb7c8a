//! The coarse instants the calendar window pre-filter compares, identical in every
//! backend.

use chrono::{DateTime, Duration, Utc};
use lifeos_core::CalendarEvent;
use lifeos_core::calendar::EventTime;
use lifeos_core::recurrence::{RecurrenceRule, Until};

/// What kind of calendar row an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CalKind {
    Single,
    Master,
    Override,
}

impl CalKind {
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CalKind::Single => "single",
            CalKind::Master => "master",
            CalKind::Override => "override",
        }
    }
}

/// The coarse instants the window pre-filter compares, identical in every backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CalIndex {
    pub(crate) kind: CalKind,
    /// Earliest instant the first start can denote.
    pub(crate) lo: DateTime<Utc>,
    /// Latest instant the first end can denote.
    pub(crate) hi: DateTime<Utc>,
    /// For a master: the latest instant any occurrence can end; `None`: unbounded.
    pub(crate) series_until: Option<DateTime<Utc>>,
}

/// Any zone's offset lies within 15 hours of UTC.
fn slack() -> Duration {
    Duration::hours(15)
}

fn coarse(t: &EventTime) -> (DateTime<Utc>, DateTime<Utc>) {
    match *t {
        EventTime::Date(d) => {
            let at = d.and_time(chrono::NaiveTime::MIN).and_utc();
            (at - slack(), at + slack())
        }
        EventTime::Floating(l) => {
            let at = l.and_utc();
            (at - slack(), at + slack())
        }
        EventTime::Zoned { .. } | EventTime::Utc(_) => {
            let at = t.to_utc(chrono_tz::Tz::UTC);
            (at, at)
        }
    }
}

/// The UNTIL of a rule as a coarse latest instant, if it has one.
fn rrule_until(rule: &RecurrenceRule) -> Option<DateTime<Utc>> {
    let naive = match rule.until()? {
        Until::Date(d) => d.and_time(chrono::NaiveTime::MIN) + Duration::days(1),
        Until::Local(t) | Until::Utc(t) => t,
    };
    Some(naive.and_utc() + slack())
}

impl CalIndex {
    pub(crate) fn of(e: &CalendarEvent) -> CalIndex {
        let (lo, _) = coarse(&e.start);
        let (_, hi) = coarse(&e.end);
        let kind = if e.series_id.is_some() || e.recurrence_id.is_some() {
            CalKind::Override
        } else if e.rrule.is_some() || !e.rdates.is_empty() {
            CalKind::Master
        } else {
            CalKind::Single
        };
        let series_until = if kind == CalKind::Master {
            let duration = (hi - lo).max(Duration::zero());
            let rule_end = match &e.rrule {
                None => Some(hi),
                Some(rule) => rrule_until(rule).map(|u| u + duration),
            };
            rule_end.map(|end| {
                e.rdates
                    .iter()
                    .map(|r| coarse(r).1 + duration)
                    .fold(end.max(hi), DateTime::max)
            })
        } else {
            None
        };
        CalIndex {
            kind,
            lo,
            hi,
            series_until,
        }
    }

    /// Whether the row itself meets `[from, to]`.
    pub(crate) fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.lo <= to && self.hi >= from
    }

    /// Whether a master's series may have an occurrence meeting `[from, to]`.
    pub(crate) fn series_may_touch(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.lo <= to && self.series_until.is_none_or(|u| u >= from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::Ctx;
    use lifeos_core::calendar::Provider;
    use lifeos_core::{CalendarEventInput, UserId};

    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
    }

    #[test]
    fn rrule_until_forms() {
        let until = |text: &str| rrule_until(&text.parse().unwrap());
        assert_eq!(
            until("FREQ=DAILY;UNTIL=20260310T120000Z"),
            Some(at(10, 12) + slack())
        );
        assert_eq!(
            until("FREQ=DAILY;UNTIL=20260310"),
            Some(at(11, 0) + slack())
        );
        assert_eq!(until("FREQ=DAILY;COUNT=3"), None);
        assert!(
            "FREQ=DAILY;UNTIL=garbage"
                .parse::<RecurrenceRule>()
                .is_err()
        );
    }

    #[test]
    fn window_index_of_masters_and_floating_times() {
        let ctx = Ctx::new(crate::StoreOptions::new());
        let mut input = CalendarEventInput::new(
            Provider::Manual,
            "m",
            EventTime::Utc(at(1, 9)),
            EventTime::Utc(at(1, 10)),
        );
        input.rrule = Some("FREQ=DAILY;UNTIL=20260305T090000Z".parse().unwrap());
        input.rdates = vec![EventTime::Utc(at(20, 9))];
        let user = UserId::from_uuid(uuid::Uuid::from_u128(1));
        let (e, _) = super::super::upsert_calendar_event(&ctx, user, input, None, None, at(1, 0))
            .unwrap()
            .unwrap();
        let i = CalIndex::of(&e);
        assert_eq!(i.kind, CalKind::Master);
        // The last RDATE (plus the instance length) bounds the series.
        assert_eq!(i.series_until, Some(at(20, 10)));
        assert!(i.series_may_touch(at(20, 9), at(20, 11)));
        assert!(!i.series_may_touch(at(21, 0), at(22, 0)));
        let floating = EventTime::Floating(at(2, 9).naive_utc());
        assert_eq!(coarse(&floating), (at(1, 18), at(3, 0)));
    }
}
