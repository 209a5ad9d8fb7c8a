//! The recurrence of an imported `VEVENT` beyond its first `RRULE`: the rule's scale,
//! further `RRULE`s (RFC 2445's union), and `RDATE` periods of their own length.

use chrono::{Duration, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use rand_core::RngCore;

use super::ImportOptions;
use super::parse::Property;
use super::read::{Caveats, caveat};
use crate::calendar::{CalendarEvent, EventTime, RecurrenceRange};
use crate::id::CalendarEventId;
use crate::recurrence::{RecurrenceRule, Series, Window, rule_matches_start};

/// Most instances one extra `RRULE` contributes as `RDATE`s.
pub(super) const MAX_EXTRA_RULE_DATES: usize = 1_000;

/// The instances of a second (third, ...) `RRULE` of an event starting at `start`, as
/// `RDATE`s: at most [`MAX_EXTRA_RULE_DATES`], with a caveat when the rule has more (an
/// endless rule) or cannot be read (it is left out, the event kept).
pub(super) fn extra_rule_dates(
    start: &EventTime,
    prop: &Property,
    caveats: &mut Caveats,
) -> Vec<EventTime> {
    let value = prop.value.trim();
    if value.is_empty() {
        caveat(caveats, prop.line, "an empty RRULE: no recurrence".into());
        return Vec::new();
    }
    let local_start = match *start {
        EventTime::Date(d) => d.and_time(NaiveTime::MIN),
        EventTime::Floating(l) | EventTime::Zoned { local: l, .. } => l,
        EventTime::Utc(t) => t.naive_utc(),
    };
    let series = gregorian(value).and_then(|v| {
        let mut rule: RecurrenceRule = v.parse().map_err(|e: crate::Error| e.to_string())?;
        // The series' DTSTART is the first rule's; this rule's COUNT counts its own
        // matches (as python-dateutil's rruleset does), DTSTART only if it matches.
        if let Some(n) = rule.count
            && !rule_matches_start(&rule, local_start)
        {
            rule.count = Some(n.saturating_add(1));
        }
        Series::from_rule(*start, Some(rule)).map_err(|e| e.to_string())
    });
    let series = match series {
        Ok(s) => s,
        Err(message) => {
            caveat(
                caveats,
                prop.line,
                format!("{message}: this RRULE is left out"),
            );
            return Vec::new();
        }
    };
    let window = match *start {
        EventTime::Zoned { .. } | EventTime::Utc(_) => Window::Instants {
            from: start.to_utc(Tz::UTC),
            to: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        },
        EventTime::Date(_) | EventTime::Floating(_) => Window::Local {
            from: local_start,
            to: NaiveDate::MAX.and_time(NaiveTime::MIN),
        },
    };
    let expansion = match series.expand(&window) {
        Ok(e) => e,
        Err(e) => {
            caveat(caveats, prop.line, format!("{e}: this RRULE is left out"));
            return Vec::new();
        }
    };
    // DTSTART is already the series' first instance.
    let dates: Vec<EventTime> = expansion
        .occurrences
        .iter()
        .map(|o| o.start)
        .filter(|s| s != start)
        .collect();
    if dates.len() > MAX_EXTRA_RULE_DATES || expansion.truncated {
        caveat(
            caveats,
            prop.line,
            format!(
                "a further RRULE is kept as its first {MAX_EXTRA_RULE_DATES} instances \
                 (RDATEs): later ones are left out"
            ),
        );
    }
    dates.into_iter().take(MAX_EXTRA_RULE_DATES).collect()
}

/// An `RDATE` period takes its own length (RFC 5545 section 3.8.5.2), which a series
/// cannot hold. Each period whose length differs from the event's becomes an override of
/// that instance (`RECURRENCE-ID` = the period's start), as a server would write it; on an
/// event without `UID`, which an override could not name, it becomes an event of its own
/// and leaves the event's `RDATE`s. Returns the event and those events.
pub(super) fn split_periods<R: RngCore + ?Sized>(
    mut master: CalendarEvent,
    periods: &[(EventTime, EventTime)],
    options: &ImportOptions,
    rng: &mut R,
) -> (CalendarEvent, Vec<CalendarEvent>) {
    let length = |s: &EventTime, e: &EventTime| e.to_utc(Tz::UTC) - s.to_utc(Tz::UTC);
    let own = length(&master.start, &master.end);
    let apart: Vec<(EventTime, EventTime)> = periods
        .iter()
        .filter(|(s, e)| length(s, e) != own && length(s, e) >= Duration::zero())
        .copied()
        .collect();
    let standalone = master.external_id.is_none();
    if standalone {
        master.rdates.retain(|d| !apart.iter().any(|(s, _)| s == d));
    }
    let events = apart
        .iter()
        .map(|(s, e)| CalendarEvent {
            id: CalendarEventId::generate(options.now, rng),
            start: *s,
            end: *e,
            duration: None,
            rrule: None,
            rdates: Vec::new(),
            exdates: Vec::new(),
            recurrence_id: if standalone { None } else { Some(*s) },
            recurrence_range: RecurrenceRange::ThisInstance,
            ..master.clone()
        })
        .collect();
    (master, events)
}

/// An `RRULE` value without `RSCALE=GREGORIAN` (RFC 7529; the only scale LifeOS expands),
/// or why the rule cannot be read.
pub(super) fn gregorian(value: &str) -> Result<String, String> {
    let mut parts = Vec::new();
    for part in value.trim().split(';').filter(|p| !p.trim().is_empty()) {
        let (name, v) = part.split_once('=').unwrap_or((part, ""));
        match name.trim().to_ascii_uppercase().as_str() {
            "RSCALE" if v.trim().eq_ignore_ascii_case("GREGORIAN") => {}
            "RSCALE" => {
                return Err(format!(
                    "RRULE: RSCALE={} is not supported (only GREGORIAN)",
                    v.trim()
                ));
            }
            // OMIT (the default) is RFC 5545's own behaviour for days a month lacks.
            "SKIP" if v.trim().eq_ignore_ascii_case("OMIT") => {}
            "SKIP" => {
                return Err(format!(
                    "RRULE: SKIP={} is not supported (only OMIT)",
                    v.trim()
                ));
            }
            _ => parts.push(part),
        }
    }
    Ok(parts.join(";"))
}

/// Whether `master`'s series (its rule, `RDATE`s and `EXDATE`s) has an instance whose
/// start is `recurrence_id`; `None` when the series cannot be expanded.
pub(super) fn has_instance(master: &CalendarEvent, recurrence_id: &EventTime) -> Option<bool> {
    let mut series = Series::from_rule(master.start, master.rrule.clone()).ok()?;
    series.rdates.clone_from(&master.rdates);
    series.exdates.clone_from(&master.exdates);
    let margin = Duration::days(2);
    let window = match master.start {
        EventTime::Zoned { .. } | EventTime::Utc(_) => {
            let at = recurrence_id.to_utc(Tz::UTC);
            Window::Instants {
                from: at.checked_sub_signed(margin)?,
                to: at.checked_add_signed(margin)?,
            }
        }
        EventTime::Date(_) | EventTime::Floating(_) => {
            let at = recurrence_id.to_utc(Tz::UTC).naive_utc();
            Window::Local {
                from: at.checked_sub_signed(margin)?,
                to: at.checked_add_signed(margin)?,
            }
        }
    };
    let expansion = series.expand(&window).ok()?;
    let at = recurrence_id.to_utc(Tz::UTC);
    Some(
        expansion
            .occurrences
            .iter()
            .any(|o| o.recurrence_id.to_utc(Tz::UTC) == at),
    )
}
