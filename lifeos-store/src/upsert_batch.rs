//! Upserting many calendar events in one transaction ([`crate::CalendarStore::upsert_calendar_events`]):
//! how a batch treats an event the rules refuse, and what it did, counted once per row.

use std::collections::BTreeMap;

use lifeos_core::calendar::Provider;
use lifeos_core::event::CalendarSynced;
use lifeos_core::{CalendarEvent, CalendarEventId, EventPayload};

use crate::error::Error;
use crate::upserted::Upserted;

/// How [`crate::CalendarStore::upsert_calendar_events`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UpsertBatch {
    /// An event the rules refuse is skipped and answered with its error, and the others
    /// are written; otherwise (the default) it fails the whole batch, nothing written.
    pub lenient: bool,
    /// When something was written, a `calendar.synced` event from this provider records
    /// the counts ([`UpsertCounts`]) in the same transaction.
    pub synced_from: Option<Provider>,
}

impl UpsertBatch {
    /// All or nothing, no `calendar.synced` event.
    pub fn new() -> Self {
        UpsertBatch::default()
    }

    /// Skips refused events instead of failing the batch.
    pub fn lenient(mut self, lenient: bool) -> Self {
        self.lenient = lenient;
        self
    }

    /// Records a `calendar.synced` event from `provider` when something was written.
    pub fn synced_from(mut self, provider: Provider) -> Self {
        self.synced_from = Some(provider);
        self
    }
}

/// What a batch did, once per row: a row first created by the batch counts as created
/// however often the batch wrote it again (a repeated `UID` in one file), a row that
/// existed counts as updated if any write changed it, else unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UpsertCounts {
    /// Rows created.
    pub created: usize,
    /// Rows that existed and changed.
    pub updated: usize,
    /// Rows that existed and did not change.
    pub unchanged: usize,
}

impl UpsertCounts {
    /// The counts of a batch's answers (refused events are not counted).
    pub fn of<'a>(
        answers: impl IntoIterator<Item = &'a Result<Upserted<CalendarEvent>, Error>>,
    ) -> Self {
        #[derive(PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
        enum Did {
            Unchanged,
            Updated,
            Created,
        }
        let mut rows: BTreeMap<CalendarEventId, Did> = BTreeMap::new();
        for answer in answers.into_iter().flatten() {
            let did = match answer {
                Upserted::Created(_) => Did::Created,
                Upserted::Updated(_) => Did::Updated,
                Upserted::Unchanged(_) => Did::Unchanged,
            };
            let id = answer.get().id;
            // A row's first answer decides whether the batch created it.
            let first = *rows.entry(id).or_insert(did);
            if first != Did::Created && did == Did::Updated {
                rows.insert(id, Did::Updated);
            }
        }
        let count = |d: Did| rows.values().filter(|v| **v == d).count();
        UpsertCounts {
            created: count(Did::Created),
            updated: count(Did::Updated),
            unchanged: count(Did::Unchanged),
        }
    }

    /// Rows created or changed.
    pub fn written(&self) -> usize {
        self.created + self.updated
    }

    /// The `calendar.synced` payload of these counts from `provider`.
    pub(crate) fn synced(&self, provider: Provider) -> EventPayload {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        EventPayload::CalendarSynced(CalendarSynced {
            provider,
            events_added: count(self.created),
            events_updated: count(self.updated),
            events_deleted: 0,
        })
    }
}
