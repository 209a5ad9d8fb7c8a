//! The listener task: LISTEN/NOTIFY turned into events for in-process subscribers.

use std::sync::Arc;
use std::time::Duration;

use lifeos_core::UserId;
use sqlx::postgres::{PgListener, PgPool};
use uuid::Uuid;

use super::{Mode, Pending, Shared, begin_sql};
use crate::StoredEvent;
use crate::error::Result;
use crate::sql::{EventRow, db};

/// The listener task: turns notifications (`<user> <seq>`) into published events, read
/// through RLS as the notified user.
pub(super) async fn listen(shared: Arc<Shared>, pool: PgPool, mut listener: PgListener) {
    // Whether the notifications are known to be complete since the listener started.
    let mut complete = true;
    loop {
        let note = match listener.try_recv().await {
            Ok(Some(note)) => {
                complete = true;
                note
            }
            Ok(None) | Err(_) => {
                // The connection dropped (it reconnects on the next try_recv): what was
                // notified meanwhile is lost, so every subscriber is told it lagged.
                if complete {
                    shared.ctx.hub.gap();
                    complete = false;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Some((user, seq)) = note.payload().split_once(' ') else {
            continue;
        };
        let (Ok(user), Ok(seq)) = (Uuid::parse_str(user), seq.parse::<i64>()) else {
            continue;
        };
        // This store's own event: skip it, or mark it in flight so its writer waits for
        // the delivery rather than returning before it.
        let own = {
            let mut pending = shared.pending();
            match pending.get_mut(&seq) {
                Some(Pending::Skip) => {
                    pending.remove(&seq);
                    continue;
                }
                Some(entry) => {
                    if let Pending::Queued(waiter) = entry {
                        *entry = Pending::InFlight(waiter.take());
                    }
                    true
                }
                None => false,
            }
        };
        if shared.ctx.hub.has_subscribers()
            && let Ok(Some(e)) = fetch_event(&pool, UserId::from_uuid(user), seq).await
        {
            shared.ctx.hub.publish([e]);
        }
        if own && let Some(Pending::InFlight(Some(waiter))) = shared.pending().remove(&seq) {
            let _ = waiter.send(());
        }
    }
}

async fn fetch_event(pool: &PgPool, user: UserId, seq: i64) -> Result<Option<StoredEvent>> {
    let mut tx = pool
        .begin_with(begin_sql(user, Mode::Read))
        .await
        .map_err(db("reading an event"))?;
    let row: Option<String> = sqlx::query_scalar("SELECT envelope FROM events WHERE seq = $1")
        .bind(seq)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading an event"))?;
    row.map(|envelope| StoredEvent::try_from(EventRow { seq, envelope }))
        .transpose()
}
