//! A user's calendar events in a window: their occurrences, and the planner's `blockedTime`
//! entries made from them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::{InstanceLength, Override, Series, Window};
use crate::calendar::{CalendarEvent, EventStatus, EventTime, NominalDuration, Transparency};
use crate::error::Error;
use crate::id::CalendarEventId;
use crate::plan::BlockedTime;

fn shift(t: chrono::NaiveDateTime, days: i64) -> chrono::NaiveDateTime {
    t.checked_add_signed(Duration::days(days))
        .unwrap_or(if days < 0 {
            chrono::NaiveDateTime::MIN
        } else {
            chrono::NaiveDateTime::MAX
        })
}

/// For each master id, the indexes in `events` of its overrides (not deleted, naming it as
/// their series, with a recurrence id), in input order: built once, so that finding a
/// series' overrides does not scan every event (30,000 events took 25 s a plan).
fn overrides_by_master(events: &[CalendarEvent]) -> HashMap<CalendarEventId, Vec<usize>> {
    let mut map: HashMap<CalendarEventId, Vec<usize>> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        if let (None, Some(sid), Some(_)) = (e.deleted_at, e.series_id, e.recurrence_id) {
            map.entry(sid).or_default().push(i);
        }
    }
    map
}

/// The series of one master event, with its overrides: `overrides` holds their indexes in
/// `events` (see [`overrides_by_master`]).
fn series_of(
    master: &CalendarEvent,
    events: &[CalendarEvent],
    overrides: &[usize],
) -> Result<(Series, Vec<usize>), Error> {
    // An override standing alone (its master missing) is the one instance it names, with
    // the RDATEs it lists: the RRULE some generators copy onto every instance (khal's
    // tests) would repeat it as a second series.
    let rule = match master.recurrence_id {
        Some(_) => None,
        None => master.rrule.clone(),
    };
    let mut series = Series::from_rule(master.start, rule)?;
    series.rdates.clone_from(&master.rdates);
    series.exdates.clone_from(&master.exdates);
    series.length = length_of(master);
    let mut indexes = Vec::new();
    for &i in overrides {
        let Some(e) = events.get(i) else { continue };
        let Some(rid) = e.recurrence_id else { continue };
        series.overrides.push(Override {
            recurrence_id: rid,
            start: e.start,
            end: Some(e.end),
            range: e.recurrence_range,
            cancelled: e.status == EventStatus::Cancelled,
        });
        indexes.push(i);
    }
    Ok((series, indexes))
}

/// How long an event's instances last: its nominal duration when it has one, else the
/// exact time from start to end (whole days for a date event, wall-clock time for a
/// floating one).
pub(crate) fn length_of(e: &CalendarEvent) -> InstanceLength {
    if let Some(d) = e.duration {
        return InstanceLength::Nominal(d);
    }
    match (e.start, e.end) {
        (EventTime::Date(s), EventTime::Date(t)) => InstanceLength::Nominal(NominalDuration {
            days: (t - s).num_days(),
            seconds: 0,
        }),
        (EventTime::Floating(s), EventTime::Floating(t)) => InstanceLength::Exact(t - s),
        (s, t) => InstanceLength::Exact(t.to_utc(Tz::UTC) - s.to_utc(Tz::UTC)),
    }
}

/// One occurrence of a user's event in a window: which event it comes from (the series
/// master, or the override that replaced the instance), when it runs, and the original start
/// of the instance (its recurrence id).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventOccurrence {
    /// The event whose data this occurrence shows: the master, or the override.
    pub event_id: CalendarEventId,
    /// Its title.
    pub title: String,
    /// Start instant (an all-day occurrence's local midnight in the viewer's zone).
    pub start: DateTime<Utc>,
    /// End instant, exclusive.
    pub end: DateTime<Utc>,
    /// Whether it is an all-day occurrence.
    pub is_all_day: bool,
    /// Whether it blocks time (the event's transparency).
    pub busy: bool,
    /// The original start of the instance, as the series generated it.
    pub recurrence_id: EventTime,
}

/// An event left out of an expansion because its series cannot be expanded (a rule that
/// does not suit its start, such as `FREQ=HOURLY` on an all-day event, stored before
/// rules were checked against their start). The rest of the day is still expanded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SkippedEvent {
    /// The event left out.
    pub event_id: CalendarEventId,
    /// Its title.
    pub title: String,
    /// Why ([`Error::Recurrence`] naming the rule part).
    pub error: Error,
}

impl SkippedEvent {
    /// A sentence for a person: which event was left out and why.
    pub fn warning(&self) -> String {
        format!(
            "calendar event {} ({:?}) was left out: {}",
            self.event_id, self.title, self.error
        )
    }
}

/// An event whose series hit an expansion bound ([`super::MAX_OCCURRENCES`],
/// [`super::MAX_ITERATIONS`]) inside a window: its instances from [`TruncatedEvent::from`]
/// on are unknown (a `FREQ=SECONDLY` rule with no end stops after 10,000 instances).
/// [`blocked_time`] blocks the rest of the window with a busy one, so that no task is
/// planned over instances it could not list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TruncatedEvent {
    /// The series' master event.
    pub event_id: CalendarEventId,
    /// Its title.
    pub title: String,
    /// The instant from which its instances are unknown, within the window.
    pub from: DateTime<Utc>,
    /// Whether it blocks time (the event's transparency).
    pub busy: bool,
}

impl TruncatedEvent {
    /// A sentence for a person: which event repeats too often to expand, and what the
    /// planner makes of it.
    pub fn warning(&self) -> String {
        let then = if self.busy {
            "the rest of the window is treated as busy"
        } else {
            "it is free time, so nothing is blocked"
        };
        format!(
            "calendar event {} ({:?}) repeats too often to expand past {}: {then}",
            self.event_id,
            self.title,
            self.from.format("%Y-%m-%dT%H:%M:%SZ")
        )
    }
}

/// A user's occurrences in a window, whether an expansion was cut short by its bounds, and
/// the events left out.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct EventOccurrences {
    /// The occurrences, sorted by start, end, title and event id.
    pub entries: Vec<EventOccurrence>,
    /// Whether some series hit [`super::MAX_OCCURRENCES`] or [`super::MAX_ITERATIONS`].
    pub truncated: bool,
    /// Events whose series could not be expanded, in input order.
    pub skipped: Vec<SkippedEvent>,
    /// Series cut short inside the window, in input order.
    pub truncated_events: Vec<TruncatedEvent>,
}

/// The occurrences of `events` overlapping `[from, to)`, read by a user in `tz`.
///
/// Series are expanded (masters with their overrides: events whose `series_id` names the
/// master and that carry a `recurrence_id`; an override whose master is missing is a
/// single event, with its `RDATE`s but not its `RRULE`); cancelled and deleted events and instances are
/// left out. All-day events span the instants of their local midnights in `tz`; floating
/// times are read in `tz`. An instant occurrence (start == end) counts when it lies in the
/// window. An event whose series cannot be expanded (its rule does not suit its start) is
/// left out and listed in [`EventOccurrences::skipped`]: one bad event never fails the day.
/// A series cut short by the expansion bounds inside the window is listed in
/// [`EventOccurrences::truncated_events`], with the instant from which it is incomplete.
///
/// # Errors
/// None today; the `Result` is kept for errors a later rule check may add.
pub fn occurrences(
    events: &[CalendarEvent],
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<EventOccurrences, Error> {
    let mut out = Vec::new();
    let mut truncated = false;
    let mut skipped = Vec::new();
    let mut truncated_events = Vec::new();
    let masters: HashSet<CalendarEventId> = events
        .iter()
        .filter(|e| e.deleted_at.is_none())
        .map(|e| e.id)
        .collect();
    let overrides = overrides_by_master(events);
    for master in events {
        if master.deleted_at.is_some() || master.status == EventStatus::Cancelled {
            continue;
        }
        // Overrides belong to their master (unless it is missing: then they stand alone).
        if master.recurrence_id.is_some() && master.series_id.is_some_and(|s| masters.contains(&s))
        {
            continue;
        }
        let skip = |error: Error| SkippedEvent {
            event_id: master.id,
            title: master.title.clone(),
            error,
        };
        let own = overrides.get(&master.id).map_or(&[][..], Vec::as_slice);
        let (series, override_events) = match series_of(master, events, own) {
            Ok(found) => found,
            Err(error) => {
                skipped.push(skip(error));
                continue;
            }
        };
        let window = match master.start {
            EventTime::Zoned { .. } | EventTime::Utc(_) => Window::Instants { from, to },
            EventTime::Date(_) | EventTime::Floating(_) => Window::Local {
                from: shift(from.with_timezone(&tz).naive_local(), -2),
                to: shift(to.with_timezone(&tz).naive_local(), 2),
            },
        };
        let expansion = match series.expand_overlapping(&window) {
            Ok(expansion) => expansion,
            Err(error) => {
                skipped.push(skip(error));
                continue;
            }
        };
        truncated |= expansion.truncated;
        if let Some(cut) = expansion.incomplete_from.map(|t| t.to_utc(tz))
            && cut < to
        {
            truncated_events.push(TruncatedEvent {
                event_id: master.id,
                title: master.title.clone(),
                from: cut.max(from),
                busy: master.transparency == Transparency::Busy,
            });
        }
        for occ in expansion.occurrences {
            let source = occ
                .override_index
                .and_then(|i| override_events.get(i))
                .and_then(|&i| events.get(i))
                .unwrap_or(master);
            let start = occ.start.to_utc(tz);
            let end = occ.end.to_utc(tz).max(start);
            let overlaps = start < to && (end > from || (start == end && start >= from));
            if !overlaps {
                continue;
            }
            out.push(EventOccurrence {
                event_id: source.id,
                title: source.title.clone(),
                start,
                end,
                is_all_day: occ.start.is_date(),
                busy: source.transparency == Transparency::Busy,
                recurrence_id: occ.recurrence_id,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.start, a.end, &a.title, a.event_id).cmp(&(b.start, b.end, &b.title, b.event_id))
    });
    Ok(EventOccurrences {
        entries: out,
        truncated,
        skipped,
        truncated_events,
    })
}

/// A user's `blockedTime` entries, whether an expansion was cut short by its bounds, and
/// the events left out.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct BlockedTimes {
    /// The entries, sorted by start, end and title.
    pub entries: Vec<BlockedTime>,
    /// Whether some series hit [`super::MAX_OCCURRENCES`] or [`super::MAX_ITERATIONS`].
    pub truncated: bool,
    /// Events whose series could not be expanded (see [`occurrences`]).
    pub skipped: Vec<SkippedEvent>,
    /// Series cut short inside the window (see [`TruncatedEvent`]): each busy one also
    /// blocks the window from where it was cut to its end. A caller warns about each
    /// ([`TruncatedEvent::warning`]).
    pub truncated_events: Vec<TruncatedEvent>,
}

/// The planner's `blockedTime` entries for `events` overlapping `[from, to)`, read by a user
/// in `tz`: the [`occurrences`] as the planner's wire entries, `busy` set from each event's
/// transparency (free events are `busy: false`). Events that cannot be expanded are
/// left out and listed in [`BlockedTimes::skipped`].
///
/// A busy series cut short inside the window (see [`TruncatedEvent`]) also blocks the rest
/// of the window: one busy timed entry, titled as the event, from where its instances are
/// unknown to `to`. Without it the rest of the day would look free, and tasks would be
/// planned over the instances the expansion could not list.
///
/// # Errors
/// As [`occurrences`].
pub fn blocked_time(
    events: &[CalendarEvent],
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<BlockedTimes, Error> {
    let found = occurrences(events, tz, from, to)?;
    let mut entries: Vec<BlockedTime> = found
        .entries
        .into_iter()
        .map(|o| BlockedTime {
            title: o.title,
            start: o.start,
            end: o.end,
            is_all_day: o.is_all_day,
            busy: Some(o.busy),
        })
        .collect();
    let rest = found.truncated_events.iter().filter(|t| t.busy);
    entries.extend(rest.map(|t| BlockedTime {
        title: t.title.clone(),
        start: t.from,
        end: to,
        is_all_day: false,
        busy: Some(true),
    }));
    entries.sort_by(|a, b| (a.start, a.end, &a.title).cmp(&(b.start, b.end, &b.title)));
    Ok(BlockedTimes {
        entries,
        truncated: found.truncated,
        skipped: found.skipped,
        truncated_events: found.truncated_events,
    })
}
