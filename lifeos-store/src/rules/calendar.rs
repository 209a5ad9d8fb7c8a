//! Calendar events: upsert by key, soft-delete.

use chrono::{DateTime, Utc};
use lifeos_core::calendar::{EventTime, Provider};
use lifeos_core::event::{CalendarEventChanged, CalendarEventRef};
use lifeos_core::{
    CalendarEvent, CalendarEventId, CalendarEventInput, CalendarEventPatch, DomainEvent,
    EventPayload, EventSource, UserId,
};

use super::calendar_index::CalIndex;
use super::{check_instant, check_version, event};
use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// The key a calendar event is upserted by, besides provider and external id.
pub(crate) fn recurrence_key(recurrence_id: Option<&EventTime>) -> String {
    recurrence_id
        .and_then(|r| serde_json::to_string(r).ok())
        .unwrap_or_default()
}

/// The calendar event an upsert writes, and its event; `None` when the etag is unchanged.
pub(crate) fn upsert_calendar_event(
    ctx: &Ctx,
    user: UserId,
    input: CalendarEventInput,
    existing: Option<&CalendarEvent>,
    series_id: Option<CalendarEventId>,
    now: DateTime<Utc>,
) -> Result<Option<(CalendarEvent, DomainEvent)>> {
    if let Some(old) = existing
        && old.deleted_at.is_none()
        && old.etag.is_some()
        && old.etag == input.etag
    {
        return Ok(None);
    }
    let id = match existing {
        Some(old) => old.id,
        None => ctx.with_rng(|rng| CalendarEventId::generate(now, rng)),
    };
    let synced_at = (input.provider != Provider::Manual).then_some(now);
    let event_row = CalendarEvent {
        id,
        user_id: user,
        provider: input.provider,
        external_id: input.external_id,
        title: input.title,
        description: input.description,
        location: input.location,
        start: input.start,
        end: input.end,
        duration: input.duration,
        rrule: input.rrule,
        rdates: input.rdates,
        exdates: input.exdates,
        series_id,
        recurrence_id: input.recurrence_id,
        recurrence_range: input.recurrence_range,
        status: input.status,
        transparency: input.transparency,
        attendees: input.attendees,
        conference_url: input.conference_url,
        etag: input.etag,
        synced_at,
        created_at: existing.map_or(now, |o| o.created_at),
        updated_at: now,
        deleted_at: None,
        version: existing.map_or(1, |o| o.version + 1),
    };
    event_row.validate()?;
    let index = CalIndex::of(&event_row);
    check_instant("start", Some(index.lo))?;
    check_instant("end", Some(index.hi))?;
    let changed = CalendarEventChanged {
        calendar_event_id: id,
        provider: event_row.provider,
        external_id: event_row.external_id.clone(),
        etag: event_row.etag.clone(),
    };
    let payload = if existing.is_some() {
        EventPayload::CalendarEventUpdated(changed)
    } else {
        EventPayload::CalendarEventCreated(changed)
    };
    let source = if event_row.provider == Provider::Manual {
        EventSource::Api
    } else {
        EventSource::Sync
    };
    let e = event(ctx, user, now, source, payload);
    Ok(Some((event_row, e)))
}

/// The calendar event patched, and its `calendar_event.updated` event; `None` for a
/// patch that changes nothing (same version, no event).
pub(crate) fn patch_calendar_event(
    ctx: &Ctx,
    current: &CalendarEvent,
    expected: Option<u64>,
    patch: &CalendarEventPatch,
    now: DateTime<Utc>,
) -> Result<Option<(CalendarEvent, DomainEvent)>> {
    if current.deleted_at.is_some() {
        return Err(Error::not_found("calendar_event", current.id));
    }
    check_version("calendar_event", current.id, expected, current.version)?;
    let mut row = patch.apply(current);
    if row == *current {
        return Ok(None);
    }
    row.validate()?;
    let index = CalIndex::of(&row);
    check_instant("start", Some(index.lo))?;
    check_instant("end", Some(index.hi))?;
    row.updated_at = now;
    row.version = current.version + 1;
    let payload = EventPayload::CalendarEventUpdated(CalendarEventChanged {
        calendar_event_id: row.id,
        provider: row.provider,
        external_id: row.external_id.clone(),
        etag: row.etag.clone(),
    });
    let e = event(ctx, row.user_id, now, EventSource::Api, payload);
    Ok(Some((row, e)))
}

/// The calendar event soft-deleted, and its `calendar_event.deleted` event.
pub(crate) fn delete_calendar_event(
    ctx: &Ctx,
    current: &CalendarEvent,
    expected: Option<u64>,
    now: DateTime<Utc>,
) -> Result<(CalendarEvent, DomainEvent)> {
    if current.deleted_at.is_some() {
        return Err(Error::not_found("calendar_event", current.id));
    }
    check_version("calendar_event", current.id, expected, current.version)?;
    let mut row = current.clone();
    row.deleted_at = Some(now);
    row.updated_at = now;
    row.version += 1;
    let payload = EventPayload::CalendarEventDeleted(CalendarEventRef {
        calendar_event_id: row.id,
    });
    let e = event(ctx, row.user_id, now, EventSource::Api, payload);
    Ok((row, e))
}
