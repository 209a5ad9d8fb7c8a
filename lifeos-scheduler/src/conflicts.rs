//! What each pinned block overlaps (PLANNER.md rule 7, for the day and the week): busy
//! timed events and other pinned blocks. Counted by binary search and named only where a
//! sentence names them, so that 10,000 pinned tasks over one hour cost `n log n`, not the
//! 50 million pairs they form; and warned about at most [`WARNED`] times, then summed up.

use crate::model::Event;

/// Most conflicts one warning or rationale names; it counts the rest.
pub(crate) const NAMED: usize = 3;
/// Most pinned tasks whose conflicts get a warning of their own; one more counts the rest.
pub(crate) const WARNED: usize = 100;

/// One interval of a sorted list, and the largest end of it and everything before it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: i64,
    end: i64,
    /// Largest end among this entry and the ones before it.
    reach: i64,
    /// An event index or a task index.
    who: usize,
}

/// Intervals sorted by start, with their ends sorted apart: how many overlap a block is two
/// binary searches; which overlap it, a walk from the first that reaches it.
#[derive(Debug, Default)]
struct Index {
    by_start: Vec<Entry>,
    ends: Vec<i64>,
}

impl Index {
    /// `items` are `(start, end, who)` with `start < end`, sorted by start (ties as given).
    fn new(items: impl Iterator<Item = (i64, i64, usize)>) -> Index {
        let mut reach = i64::MIN;
        let by_start: Vec<Entry> = items
            .map(|(start, end, who)| {
                reach = reach.max(end);
                Entry {
                    start,
                    end,
                    reach,
                    who,
                }
            })
            .collect();
        let mut ends: Vec<i64> = by_start.iter().map(|e| e.end).collect();
        ends.sort_unstable();
        Index { by_start, ends }
    }

    /// How many intervals overlap `[s, e)`: those starting before `e`, less those ending by
    /// `s` (which all start before `e` too).
    fn count(&self, s: i64, e: i64) -> usize {
        let started = self.by_start.partition_point(|x| x.start < e);
        let ended = self.ends.partition_point(|&x| x <= s);
        started.saturating_sub(ended)
    }

    /// The first intervals (by start) overlapping `[s, e)` whose `who` passes `keep`, at
    /// most `limit` of them.
    fn first(&self, s: i64, e: i64, limit: usize, keep: impl Fn(usize) -> bool) -> Vec<&Entry> {
        // Nothing before the first entry whose running reach passes `s` can overlap.
        let from = self.by_start.partition_point(|x| x.reach <= s);
        self.by_start[from..]
            .iter()
            .take_while(|x| x.start < e)
            .filter(|x| x.end > s && keep(x.who))
            .take(limit)
            .collect()
    }
}

/// One thing a pinned block overlaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// A busy timed event, by index in `Day::events`.
    Event(usize),
    /// Another pinned task, by task index.
    Pinned(usize),
}

/// The busy timed events and pinned blocks of a day, indexed for overlap queries.
#[derive(Debug)]
pub(crate) struct Conflicts {
    events: Index,
    pinned: Index,
}

impl Conflicts {
    /// `events` sorted by start (as `Day::events` and `Week::events` are, without empty
    /// ones); `pinned` the pinned blocks `(start, end, task)`, tasks indexed by id.
    pub(crate) fn new(
        events: &[Event],
        pinned: impl Iterator<Item = (i64, i64, usize)>,
    ) -> Conflicts {
        let mut pinned: Vec<(i64, i64, usize)> = pinned.collect();
        // Ties in start fall to the lower id.
        pinned.sort_unstable_by_key(|&(s, _, c)| (s, c));
        Conflicts {
            events: Index::new(
                events
                    .iter()
                    .enumerate()
                    .map(|(i, ev)| (ev.start, ev.end, i)),
            ),
            pinned: Index::new(pinned.into_iter()),
        }
    }

    /// How many events and other pinned blocks overlap `[s, e)`, the block of a pinned task
    /// (which has a length, so it overlaps itself: that one does not count).
    pub(crate) fn count(&self, s: i64, e: i64) -> usize {
        self.events.count(s, e) + self.pinned.count(s, e).saturating_sub(1)
    }

    /// The first `limit` conflicts of `[s, e)`, the block of pinned task `c`, by start
    /// (events before tasks at the same start).
    pub(crate) fn first(&self, c: usize, s: i64, e: i64, limit: usize) -> Vec<Conflict> {
        let events = self.events.first(s, e, limit, |_| true);
        let pinned = self.pinned.first(s, e, limit, |who| who != c);
        let mut all: Vec<(i64, u8, Conflict)> = events
            .into_iter()
            .map(|x| (x.start, 0, Conflict::Event(x.who)))
            .chain(
                pinned
                    .into_iter()
                    .map(|x| (x.start, 1, Conflict::Pinned(x.who))),
            )
            .collect();
        // Both lists come by start; a stable sort keeps each one's own order on ties.
        all.sort_by_key(|x| (x.0, x.1));
        all.into_iter().take(limit).map(|x| x.2).collect()
    }

    /// The events (not pinned blocks) overlapping `[s, e)`: how many, and the first `limit`.
    pub(crate) fn events(&self, s: i64, e: i64, limit: usize) -> (usize, Vec<usize>) {
        let first = self.events.first(s, e, limit, |_| true);
        (
            self.events.count(s, e),
            first.into_iter().map(|x| x.who).collect(),
        )
    }
}

/// `a`, `a and b`, `a, b and c`; with `more` left unnamed, `a, b, c and 7 more`.
pub(crate) fn and_list(items: &[String], more: usize) -> String {
    let mut items = items.to_vec();
    if more > 0 {
        items.push(format!("{more} more"));
    }
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// An event as a conflict warning names it: its title, or "an event".
pub(crate) fn event_name(events: &[Event], i: usize) -> String {
    match events.get(i) {
        Some(ev) if !ev.title.is_empty() => ev.title.clone(),
        _ => "an event".to_owned(),
    }
}

/// Conflict warnings of a response, at most [`WARNED`] of them, then one that counts the
/// pinned tasks left out (PLANNER.md rule 7).
#[derive(Debug, Default)]
pub(crate) struct Warned {
    given: usize,
    left_out: usize,
}

impl Warned {
    /// Whether the next pinned task with conflicts gets its own warning (else it is
    /// counted in the summary).
    pub(crate) fn admit(&mut self) -> bool {
        if self.given < WARNED {
            self.given += 1;
            true
        } else {
            self.left_out += 1;
            false
        }
    }

    /// The summary warning, when some pinned task was left out.
    pub(crate) fn summary(&self) -> Option<String> {
        let n = self.left_out;
        (n > 0).then(|| {
            format!(
                "{n} more pinned task{} overlap{} events or other pinned tasks (not listed).",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" }
            )
        })
    }
}
