//! Calendar events in memory.

use super::prelude::*;

#[async_trait]
impl CalendarStore for MemoryStore {
    async fn upsert_calendar_event(
        &self,
        user: UserId,
        input: CalendarEventInput,
    ) -> Result<Upserted<CalendarEvent>> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let (out, e) = upsert_in(&mut state.calendar, ctx, user, input, now)?;
            Ok((out, e.into_iter().collect()))
        })
    }

    async fn upsert_calendar_events(
        &self,
        user: UserId,
        inputs: Vec<CalendarEventInput>,
        batch: crate::UpsertBatch,
    ) -> Result<Vec<Result<Upserted<CalendarEvent>>>> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            // Written on a copy of the calendar, kept only if the whole batch passes.
            let mut work = state.calendar.clone();
            let mut answers = Vec::with_capacity(inputs.len());
            let mut events = Vec::new();
            for (i, input) in inputs.into_iter().enumerate() {
                match upsert_in(&mut work, ctx, user, input, now) {
                    Ok((out, e)) => {
                        events.extend(e);
                        answers.push(Ok(out));
                    }
                    Err(e) if e.is_invalid() && batch.lenient => answers.push(Err(e)),
                    Err(e) => return Err(rules::batch_field(e, i)),
                }
            }
            if let (Some(provider), false) = (batch.synced_from, events.is_empty()) {
                let payload = crate::UpsertCounts::of(&answers).synced(provider);
                events.push(rules::recorded_event(
                    ctx,
                    user,
                    EventSource::Sync,
                    payload,
                    now,
                )?);
            }
            state.calendar = work;
            Ok((answers, events))
        })
    }

    async fn get_calendar_event(&self, user: UserId, id: CalendarEventId) -> Result<CalendarEvent> {
        self.read(|s| own(&s.calendar, &id, user, |e| e.user_id).cloned())
            .ok_or_else(|| Error::not_found("calendar_event", id))
    }

    async fn update_calendar_event(
        &self,
        user: UserId,
        id: CalendarEventId,
        expected_version: Option<u64>,
        patch: lifeos_core::CalendarEventPatch,
    ) -> Result<CalendarEvent> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let current = own(&state.calendar, &id, user, |e| e.user_id)
                .ok_or_else(|| Error::not_found("calendar_event", id))?;
            match rules::patch_calendar_event(ctx, current, expected_version, &patch, now)? {
                Some((row, e)) => {
                    state.calendar.insert(row.clone());
                    Ok((row, vec![e]))
                }
                None => Ok((current.clone(), Vec::new())),
            }
        })
    }

    async fn delete_calendar_event_at(
        &self,
        user: UserId,
        id: CalendarEventId,
        expected_version: Option<u64>,
    ) -> Result<CalendarEvent> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let current = own(&state.calendar, &id, user, |e| e.user_id)
                .ok_or_else(|| Error::not_found("calendar_event", id))?;
            let (row, e) = rules::delete_calendar_event(ctx, current, expected_version, now)?;
            state.calendar.insert(row.clone());
            Ok((row, vec![e]))
        })
    }

    async fn list_calendar_events(
        &self,
        user: UserId,
        include_deleted: bool,
    ) -> Result<Vec<CalendarEvent>> {
        Ok(self.read(|s| {
            s.calendar
                .values()
                .filter(|e| e.user_id == user && (include_deleted || e.deleted_at.is_none()))
                .cloned()
                .collect()
        }))
    }

    async fn list_events_for_window(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarEvent>> {
        if to < from {
            return Err(Error::invalid("to", to.to_rfc3339(), "at or after from"));
        }
        Ok(self.read(|s| window_of(s, user, from, to)))
    }
}

/// The user's live events that may touch `[from, to]` (see
/// [`CalendarStore::list_events_for_window`]), ordered by id.
pub(super) fn window_of(
    s: &State,
    user: UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<CalendarEvent> {
    let live: Vec<(&CalendarEvent, CalIndex)> = s
        .calendar
        .values()
        .filter(|e| e.user_id == user && e.deleted_at.is_none())
        .map(|e| (e, CalIndex::of(e)))
        .collect();
    let masters: BTreeSet<CalendarEventId> = live
        .iter()
        .filter(|(_, i)| i.kind == CalKind::Master && i.series_may_touch(from, to))
        .map(|(e, _)| e.id)
        .collect();
    live.into_iter()
        .filter(|(e, i)| match i.kind {
            CalKind::Single => i.overlaps(from, to),
            CalKind::Master => masters.contains(&e.id),
            CalKind::Override => {
                i.overlaps(from, to) || e.series_id.is_some_and(|s| masters.contains(&s))
            }
        })
        .map(|(e, _)| e.clone())
        .collect()
}

/// One upsert on `state`: what it did, and its event when it wrote.
fn upsert_in(
    calendar: &mut super::calendar_table::CalendarTable,
    ctx: &crate::ctx::Ctx,
    user: UserId,
    input: CalendarEventInput,
    now: DateTime<Utc>,
) -> Result<(Upserted<CalendarEvent>, Option<lifeos_core::DomainEvent>)> {
    let key = rules::recurrence_key(input.recurrence_id.as_ref());
    let existing = input
        .external_id
        .as_ref()
        .and_then(|x| calendar.by_key(user, input.provider, x, key));
    let series_id = match input.series_id {
        Some(s) => {
            if own(calendar, &s, user, |e| e.user_id).is_none() {
                return Err(Error::invalid("series_id", s, "an event of this user"));
            }
            Some(s)
        }
        // An override's series: the master under its UID, found by the index.
        None if input.recurrence_id.is_some() => input
            .external_id
            .as_ref()
            .and_then(|x| calendar.by_key(user, input.provider, x, String::new()))
            .map(|e| e.id),
        None => None,
    };
    let existing = existing.cloned();
    match rules::upsert_calendar_event(ctx, user, input, existing.as_ref(), series_id, now)? {
        None => Ok((
            Upserted::Unchanged(existing.ok_or_else(|| Error::not_found("calendar_event", "?"))?),
            None,
        )),
        Some((row, e)) => {
            calendar.insert(row.clone());
            let out = if existing.is_some() {
                Upserted::Updated(row)
            } else {
                Upserted::Created(row)
            };
            Ok((out, Some(e)))
        }
    }
}
