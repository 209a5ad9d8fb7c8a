//! Calendar events over SQL: upsert by key, soft-delete, listings, the window read.

use chrono::{DateTime, Utc};
use lifeos_core::recurrence::RecurrenceRule;
use lifeos_core::{
    CalendarEvent, CalendarEventId, CalendarEventInput, CalendarEventPatch, DomainEvent,
    EventSource, UserId,
};

use super::DataRow;
use super::rows::CalendarRow;
use super::{Arg, Dialect, Step, Stmt, mutate, name, opt_nanos, to_json};
use crate::calendar_window::{CalendarWindow, UnreadableEvent};
use crate::error::{Error, Result};
use crate::rules::{self, CalIndex, nanos};
use crate::upsert_batch::{UpsertBatch, UpsertCounts};
use crate::upserted::Upserted;

async fn by_id<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    user: UserId,
    id: CalendarEventId,
) -> Result<Option<CalendarEvent>> {
    let args = vec![Arg::Uuid(*id.as_uuid()), Arg::Uuid(*user.as_uuid())];
    let stmt = Stmt::new(&d.sql().calendar_event, args, "reading a calendar event");
    CalendarRow::decode_first(d.data_rows(conn, stmt).await?)
}

async fn by_key<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    user: UserId,
    provider: &str,
    external_id: &str,
    recurrence_key: String,
) -> Result<Option<CalendarEvent>> {
    let args = vec![
        Arg::Uuid(*user.as_uuid()),
        Arg::Text(provider.to_owned()),
        Arg::Text(external_id.to_owned()),
        Arg::Text(recurrence_key),
    ];
    let stmt = Stmt::new(
        &d.sql().calendar_event_by_key,
        args,
        "reading a calendar event",
    );
    CalendarRow::decode_first(d.data_rows(conn, stmt).await?)
}

pub(crate) async fn write<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    e: &CalendarEvent,
    insert: bool,
) -> Result<()> {
    let index = CalIndex::of(e);
    let args = vec![
        Arg::Text(name(&e.provider)?),
        Arg::OptText(e.external_id.clone()),
        Arg::Text(rules::recurrence_key(e.recurrence_id.as_ref())),
        Arg::Text(index.kind.as_str().to_owned()),
        Arg::OptUuid(e.series_id.map(|s| *s.as_uuid())),
        Arg::Int(nanos(index.lo)),
        Arg::Int(nanos(index.hi)),
        Arg::OptInt(opt_nanos(index.series_until)),
        Arg::OptText(e.etag.clone()),
        Arg::OptInt(opt_nanos(e.deleted_at)),
        Arg::Text(to_json(e)?),
        Arg::Uuid(*e.id.as_uuid()),
        Arg::Uuid(*e.user_id.as_uuid()),
    ];
    let sql = if insert {
        &d.sql().insert_calendar_event
    } else {
        &d.sql().update_calendar_event
    };
    d.execute(conn, Stmt::new(sql, args, "writing a calendar event"))
        .await?;
    Ok(())
}

/// One upsert on `tx`: what it did, and its event when it wrote.
async fn upsert_on<D: Dialect>(
    d: &D,
    tx: &mut D::Conn,
    user: UserId,
    input: CalendarEventInput,
    now: DateTime<Utc>,
) -> Result<(Upserted<CalendarEvent>, Option<DomainEvent>)> {
    let provider = name(&input.provider)?;
    let key = rules::recurrence_key(input.recurrence_id.as_ref());
    let existing = match &input.external_id {
        Some(x) => by_key(d, tx, user, &provider, x, key).await?,
        None => None,
    };
    let series_id = match (input.series_id, &input.recurrence_id, &input.external_id) {
        (Some(s), _, _) => {
            if by_id(d, tx, user, s).await?.is_none() {
                return Err(Error::invalid("series_id", s, "an event of this user"));
            }
            Some(s)
        }
        (None, Some(_), Some(x)) => by_key(d, tx, user, &provider, x, String::new())
            .await?
            .map(|m| m.id),
        _ => None,
    };
    let changed =
        rules::upsert_calendar_event(d.ctx(), user, input, existing.as_ref(), series_id, now)?;
    let Some((row, e)) = changed else {
        // The rule reports "unchanged" only against a stored event.
        let old = existing.ok_or_else(|| Error::not_found("calendar_event", "(unchanged)"))?;
        return Ok((Upserted::Unchanged(old), None));
    };
    write(d, tx, &row, existing.is_none()).await?;
    let out = if existing.is_some() {
        Upserted::Updated(row)
    } else {
        Upserted::Created(row)
    };
    Ok((out, Some(e)))
}

pub(crate) async fn upsert_calendar_event<D: Dialect>(
    d: &D,
    user: UserId,
    input: CalendarEventInput,
) -> Result<Upserted<CalendarEvent>> {
    let now = d.ctx().now();
    let (out, _) = mutate(d, user, |mut tx| async move {
        match upsert_on(d, &mut tx, user, input, now).await? {
            (out, Some(e)) => Ok(Step::Write(tx, out, vec![e])),
            (out, None) => Ok(Step::Unchanged(tx, out)),
        }
    })
    .await?;
    Ok(out)
}

pub(crate) async fn upsert_calendar_events<D: Dialect>(
    d: &D,
    user: UserId,
    inputs: Vec<CalendarEventInput>,
    batch: UpsertBatch,
) -> Result<Vec<Result<Upserted<CalendarEvent>>>> {
    let now = d.ctx().now();
    let (out, _) = mutate(d, user, |mut tx| async move {
        let mut answers = Vec::with_capacity(inputs.len());
        let mut events = Vec::new();
        for (i, input) in inputs.into_iter().enumerate() {
            // The rules refuse before anything of this event is written, so the
            // transaction goes on without it.
            match upsert_on(d, &mut tx, user, input, now).await {
                Ok((out, e)) => {
                    events.extend(e);
                    answers.push(Ok(out));
                }
                Err(e) if e.is_invalid() && batch.lenient => answers.push(Err(e)),
                Err(e) => return Err(rules::batch_field(e, i)),
            }
        }
        if events.is_empty() {
            return Ok(Step::Unchanged(tx, answers));
        }
        if let Some(provider) = batch.synced_from {
            let payload = UpsertCounts::of(&answers).synced(provider);
            events.push(rules::recorded_event(
                d.ctx(),
                user,
                EventSource::Sync,
                payload,
                now,
            )?);
        }
        Ok(Step::Write(tx, answers, events))
    })
    .await?;
    Ok(out)
}

pub(crate) async fn get_calendar_event<D: Dialect>(
    d: &D,
    user: UserId,
    id: CalendarEventId,
) -> Result<CalendarEvent> {
    let mut conn = d.read(user).await?;
    by_id(d, &mut conn, user, id)
        .await?
        .ok_or_else(|| Error::not_found("calendar_event", id))
}

pub(crate) async fn update_calendar_event<D: Dialect>(
    d: &D,
    user: UserId,
    id: CalendarEventId,
    expected: Option<u64>,
    patch: CalendarEventPatch,
) -> Result<CalendarEvent> {
    let now = d.ctx().now();
    let (row, _) = mutate(d, user, |mut tx| async move {
        let current = by_id(d, &mut tx, user, id)
            .await?
            .ok_or_else(|| Error::not_found("calendar_event", id))?;
        match rules::patch_calendar_event(d.ctx(), &current, expected, &patch, now)? {
            Some((row, e)) => {
                write(d, &mut tx, &row, false).await?;
                Ok(Step::Write(tx, row, vec![e]))
            }
            None => Ok(Step::Unchanged(tx, current)),
        }
    })
    .await?;
    Ok(row)
}

pub(crate) async fn delete_calendar_event<D: Dialect>(
    d: &D,
    user: UserId,
    id: CalendarEventId,
    expected: Option<u64>,
) -> Result<CalendarEvent> {
    let now = d.ctx().now();
    let (row, _) = mutate(d, user, |mut tx| async move {
        let current = by_id(d, &mut tx, user, id)
            .await?
            .ok_or_else(|| Error::not_found("calendar_event", id))?;
        let (row, e) = rules::delete_calendar_event(d.ctx(), &current, expected, now)?;
        write(d, &mut tx, &row, false).await?;
        Ok(Step::Write(tx, row, vec![e]))
    })
    .await?;
    Ok(row)
}

pub(crate) async fn list_calendar_events<D: Dialect>(
    d: &D,
    user: UserId,
    include_deleted: bool,
) -> Result<Vec<CalendarEvent>> {
    let sql = if include_deleted {
        &d.sql().calendar_events_of_user
    } else {
        &d.sql().live_calendar_events_of_user
    };
    let mut conn = d.read(user).await?;
    let args = vec![Arg::Uuid(*user.as_uuid())];
    let stmt = Stmt::new(sql, args, "listing calendar events");
    CalendarRow::decode_all(d.data_rows(&mut conn, stmt).await?)
}

pub(crate) async fn calendar_window<D: Dialect>(
    d: &D,
    user: UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<CalendarWindow> {
    if to < from {
        return Err(Error::invalid("to", to.to_rfc3339(), "at or after from"));
    }
    let mut conn = d.read(user).await?;
    window_on(d, &mut conn, user, from, to).await
}

/// The window read on `conn` (a write transaction's too, for a `ReadGuard`).
pub(crate) async fn window_on<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    user: UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<CalendarWindow> {
    let args = vec![
        Arg::Uuid(*user.as_uuid()),
        Arg::Int(nanos(from)),
        Arg::Int(nanos(to)),
    ];
    let stmt = Stmt::new(&d.sql().calendar_window, args, "listing calendar events");
    let mut window = CalendarWindow::default();
    for row in d.data_rows(conn, stmt).await? {
        match serde_json::from_str::<CalendarEvent>(&row.data) {
            Ok(event) => window.events.push(event),
            Err(e) => match unreadable_rule(&row) {
                Some(skipped) => window.skipped.push(skipped),
                None => return Err(Error::corrupt("calendar_events", row.id, e)),
            },
        }
    }
    Ok(window)
}

/// The row as an event left out, when its rule is what cannot be read and the rest of
/// it is sound; `None` for any other damage.
fn unreadable_rule(row: &DataRow) -> Option<UnreadableEvent> {
    let mut value: serde_json::Value = serde_json::from_str(&row.data).ok()?;
    let rrule = value.get("rrule")?.as_str()?.to_owned();
    let reason = rrule.parse::<RecurrenceRule>().err()?.to_string();
    value["rrule"] = serde_json::Value::Null;
    let event: CalendarEvent = serde_json::from_value(value).ok()?;
    Some(UnreadableEvent {
        event_id: event.id,
        title: Some(event.title),
        rrule,
        reason,
    })
}
