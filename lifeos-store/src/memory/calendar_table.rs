//! The calendar events in memory, with the index the SQL backends keep as
//! `calendar_events_external`: an import finds an event (and an override its series) by
//! provider, `UID` and `RECURRENCE-ID` without scanning every event.

use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;

use lifeos_core::{CalendarEvent, CalendarEventId, Provider, UserId};

use crate::rules;

/// An event's place in the external index: its owner, provider, external id and
/// recurrence key (empty for a series master or a single event).
type ExternalKey = (UserId, Provider, String, String);

/// Events by id, and the external index over them. Reads go through `Deref`; every write
/// goes through a method here, so that the index never drifts from the events.
#[derive(Debug, Default, Clone)]
pub(crate) struct CalendarTable {
    events: BTreeMap<CalendarEventId, CalendarEvent>,
    external: HashMap<ExternalKey, CalendarEventId>,
}

fn key_of(e: &CalendarEvent) -> Option<ExternalKey> {
    let external_id = e.external_id.clone()?;
    Some((
        e.user_id,
        e.provider,
        external_id,
        rules::recurrence_key(e.recurrence_id.as_ref()),
    ))
}

impl CalendarTable {
    /// The event of `user` stored under this provider, external id and recurrence key.
    pub(in crate::memory) fn by_key(
        &self,
        user: UserId,
        provider: Provider,
        external_id: &str,
        recurrence_key: String,
    ) -> Option<&CalendarEvent> {
        let key = (user, provider, external_id.to_owned(), recurrence_key);
        self.external.get(&key).and_then(|id| self.events.get(id))
    }

    /// Stores `event` (new or replacing the one with its id).
    pub(in crate::memory) fn insert(&mut self, event: CalendarEvent) {
        if let Some(old) = self.events.get(&event.id)
            && let Some(old_key) = key_of(old)
            && key_of(&event).as_ref() != Some(&old_key)
            && self.external.get(&old_key) == Some(&event.id)
        {
            self.external.remove(&old_key);
        }
        if let Some(key) = key_of(&event) {
            self.external.insert(key, event.id);
        }
        self.events.insert(event.id, event);
    }

    /// Stores each of `events`.
    pub(in crate::memory) fn extend(&mut self, events: impl IntoIterator<Item = CalendarEvent>) {
        for e in events {
            self.insert(e);
        }
    }

    /// Removes every event of `user`; how many there were.
    pub(in crate::memory) fn remove_user(&mut self, user: UserId) -> u64 {
        let before = self.events.len();
        self.events.retain(|_, e| e.user_id != user);
        self.external.retain(|(owner, ..), _| *owner != user);
        (before - self.events.len()) as u64
    }
}

impl Deref for CalendarTable {
    type Target = BTreeMap<CalendarEventId, CalendarEvent>;

    fn deref(&self) -> &Self::Target {
        &self.events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use lifeos_core::{EventStatus, EventTime, RecurrenceRange, Transparency};
    use uuid::Uuid;

    fn event(user: UserId, uid: &str, n: u128) -> CalendarEvent {
        let start = Utc.with_ymd_and_hms(2026, 3, 9, 9, 0, 0).unwrap();
        CalendarEvent {
            id: CalendarEventId::from_uuid(Uuid::from_u128(n)),
            user_id: user,
            provider: Provider::Ics,
            external_id: Some(uid.to_owned()),
            title: "Meeting".into(),
            description: None,
            location: None,
            start: EventTime::Utc(start),
            end: EventTime::Utc(start + chrono::Duration::hours(1)),
            duration: None,
            rrule: None,
            rdates: Vec::new(),
            exdates: Vec::new(),
            series_id: None,
            recurrence_id: None,
            recurrence_range: RecurrenceRange::default(),
            status: EventStatus::default(),
            transparency: Transparency::default(),
            attendees: Vec::new(),
            conference_url: None,
            etag: None,
            synced_at: None,
            created_at: start,
            updated_at: start,
            deleted_at: None,
            version: 1,
        }
    }

    fn found(t: &CalendarTable, user: UserId, uid: &str) -> Option<CalendarEventId> {
        t.by_key(user, Provider::Ics, uid, String::new())
            .map(|e| e.id)
    }

    #[test]
    fn the_index_follows_inserts_replacements_and_erasure() {
        let me = UserId::from_uuid(Uuid::from_u128(1));
        let other = UserId::from_uuid(Uuid::from_u128(2));
        let mine = CalendarEventId::from_uuid(Uuid::from_u128(10));
        let mut table = CalendarTable::default();
        table.extend([event(me, "a@x", 10), event(other, "a@x", 11)]);
        assert_eq!(found(&table, me, "a@x"), Some(mine));
        assert_eq!(
            table.by_key(me, Provider::Google, "a@x", String::new()),
            None,
            "the provider is part of the key"
        );
        // Its external id changed: the old key no longer finds it, the new one does.
        table.insert(event(me, "b@x", 10));
        assert_eq!(found(&table, me, "a@x"), None);
        assert_eq!(found(&table, me, "b@x"), Some(mine));
        assert!(
            found(&table, other, "a@x").is_some(),
            "another user's key stays"
        );
        assert_eq!(table.remove_user(me), 1);
        assert_eq!(found(&table, me, "b@x"), None);
        assert_eq!(table.len(), 1);
    }
}
