//! The event log over SQL: reads with filters and cursors, recorded events.

use lifeos_core::{EventPayload, EventSource, UserId};

use super::rows::EventRow;
use super::{Arg, Dialect, SqlBuf, Step, mutate};
use crate::StoredEvent;
use crate::error::{Error, Result};
use crate::page::EventPage;
use crate::query::EventQuery;
use crate::rules::{self, nanos};

pub(crate) async fn read_events<D: Dialect>(
    d: &D,
    user: UserId,
    query: &EventQuery,
) -> Result<EventPage> {
    query.check()?;
    let mut q = SqlBuf::new(
        d.sql().style,
        "SELECT seq, envelope FROM events WHERE user_id = ",
    );
    q.bind(Arg::Uuid(*user.as_uuid()));
    if let Some(after) = query.after_seq {
        q.push(" AND seq > ")
            .bind(Arg::Int(i64::try_from(after).unwrap_or(i64::MAX)));
    }
    if !query.types.is_empty() {
        q.push(" AND event_type IN (");
        for (i, t) in query.types.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(Arg::Text(t.clone()));
        }
        q.push(")");
    }
    if let Some(entity) = query.entity_id {
        q.push(" AND entity_id = ").bind(Arg::Uuid(entity));
    }
    if let Some(r) = query.occurred {
        if let Some(from) = r.from {
            q.push(" AND occurred_at >= ").bind(Arg::Int(nanos(from)));
        }
        if let Some(to) = r.to {
            q.push(" AND occurred_at < ").bind(Arg::Int(nanos(to)));
        }
    }
    q.push(" ORDER BY seq LIMIT ")
        .bind(Arg::Int(i64::from(query.limit) + 1));
    let mut conn = d.read(user).await?;
    let rows = d.event_rows(&mut conn, q.stmt("reading events")).await?;
    let mut events = EventRow::decode_all(rows)?;
    let limit = query.limit as usize;
    let next = if events.len() > limit {
        events.truncate(limit);
        events.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(EventPage { events, next })
}

pub(crate) async fn record_event<D: Dialect>(
    d: &D,
    user: UserId,
    source: EventSource,
    payload: EventPayload,
) -> Result<StoredEvent> {
    let now = d.ctx().now();
    let e = rules::recorded_event(d.ctx(), user, source, payload, now)?;
    let ((), mut stored) = mutate(
        d,
        user,
        |tx| async move { Ok(Step::Write(tx, (), vec![e])) },
    )
    .await?;
    stored
        .pop()
        .ok_or_else(|| Error::corrupt("events", "(recorded)", "no event appended"))
}
