//! The event log and erasure in memory.

use super::prelude::*;

#[async_trait]
impl EventLog for MemoryStore {
    async fn read_events(&self, user: UserId, query: &EventQuery) -> Result<EventPage> {
        query.check()?;
        Ok(self.read(|s| {
            let limit = query.limit as usize;
            let mut events: Vec<StoredEvent> = s
                .events
                .iter()
                .filter(|e| {
                    e.event.user_id == user
                        && query.after_seq.is_none_or(|a| e.seq > a)
                        && query.matches(&e.event)
                })
                .take(limit + 1)
                .cloned()
                .collect();
            let next = if events.len() > limit {
                events.truncate(limit);
                events.last().map(|e| e.seq)
            } else {
                None
            };
            EventPage { events, next }
        }))
    }

    fn subscribe(&self, user: UserId) -> EventStream {
        self.ctx.hub.subscribe(user)
    }

    async fn record_event(
        &self,
        user: UserId,
        source: EventSource,
        payload: EventPayload,
    ) -> Result<StoredEvent> {
        let now = self.ctx.now();
        let e = rules::recorded_event(&self.ctx, user, source, payload, now)?;
        let mut state = lock(&self.state);
        let mut stored = state.append(vec![e]);
        let out = stored
            .pop()
            .ok_or_else(|| Error::not_found("event", "recorded"))?;
        self.ctx.hub.publish([out.clone()]);
        Ok(out)
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn erase_user(&self, user: UserId) -> Result<Erasure> {
        let now = self.ctx.now();
        let mut state = lock(&self.state);
        check_pending(&state, user, || now)?;
        let mut counts = BTreeMap::new();
        fn drain<K: Ord + Copy, V>(map: &mut BTreeMap<K, V>, keep: impl Fn(&V) -> bool) -> u64 {
            let before = map.len();
            map.retain(|_, v| keep(v));
            (before - map.len()) as u64
        }
        counts.insert(
            "tasks".to_owned(),
            drain(&mut state.tasks, |t| t.user_id != user),
        );
        counts.insert(
            "projects".to_owned(),
            drain(&mut state.projects, |p| p.user_id != user),
        );
        counts.insert(
            "calendar_events".to_owned(),
            state.calendar.remove_user(user),
        );
        counts.insert(
            "subscriptions".to_owned(),
            drain(&mut state.subscriptions, |s| s.user_id != user),
        );
        counts.insert(
            "oauth_tokens".to_owned(),
            drain(&mut state.tokens, |t| t.user_id != user),
        );
        counts.insert(
            "profiles".to_owned(),
            u64::from(state.profiles.remove(&user).is_some()),
        );
        let before = state.events.len();
        state
            .events
            .retain(|e| e.event.user_id != user || rules::is_tombstone(&e.event));
        counts.insert("events".to_owned(), (before - state.events.len()) as u64);
        // Not counted (as on SQL): this request's own record is written after.
        state.idempotency.retain(|(u, _), _| *u != user);
        let e = rules::tombstone(&self.ctx, user, counts.clone(), now);
        let mut stored = state.append(vec![e]);
        record_pending(&mut state, user, &counts, || now);
        let tombstone = stored
            .pop()
            .ok_or_else(|| Error::not_found("event", "tombstone"))?;
        self.ctx.hub.publish([tombstone.clone()]);
        Ok(Erasure { counts, tombstone })
    }
}
