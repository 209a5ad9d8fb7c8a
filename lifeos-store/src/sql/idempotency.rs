//! Idempotency records over SQL: read a live one, write one (purging the user's expired
//! ones first) on a change's transaction or on its own.

use chrono::{DateTime, Utc};
use lifeos_core::UserId;

use super::{Arg, Dialect, Stmt, to_json};
use crate::error::{Error, Result};
use crate::idempotency::{IDEMPOTENCY_TTL, IdempotencyRecord, IdempotencyScope, duplicate};
use crate::rules::nanos;

/// The oldest `created_at` (exclusive) still live at `now`.
fn live_after(now: DateTime<Utc>) -> i64 {
    nanos(now - IDEMPOTENCY_TTL)
}

pub(crate) async fn idempotency_record<D: Dialect>(
    d: &D,
    user: UserId,
    scope: &IdempotencyScope,
) -> Result<Option<IdempotencyRecord>> {
    let now = d.ctx().now();
    let mut conn = d.read(user).await?;
    let args = vec![
        Arg::Uuid(*user.as_uuid()),
        Arg::Text(scope.storage_key()),
        Arg::Int(live_after(now)),
    ];
    let stmt = Stmt::new(
        &d.sql().idempotency_record,
        args,
        "reading an idempotency record",
    );
    let rows = d.data_rows(&mut conn, stmt).await?;
    rows.first()
        .map(|row| {
            serde_json::from_str::<IdempotencyRecord>(&row.data)
                .map_err(|e| Error::corrupt("idempotency_records", &scope.key, e))
        })
        .transpose()
}

/// Writes `record` on `conn` (a write transaction of `user`), after purging the user's
/// expired records; a live record of the same scope is a duplicate.
pub(crate) async fn write<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    user: UserId,
    record: &IdempotencyRecord,
) -> Result<()> {
    let purge = vec![
        Arg::Uuid(*user.as_uuid()),
        Arg::Int(live_after(record.created_at)),
    ];
    d.execute(
        conn,
        Stmt::new(
            &d.sql().purge_idempotency_records,
            purge,
            "purging idempotency records",
        ),
    )
    .await?;
    let args = vec![
        Arg::Uuid(*user.as_uuid()),
        Arg::Text(record.scope.storage_key()),
        Arg::Int(nanos(record.created_at)),
        Arg::Text(to_json(record)?),
    ];
    let stmt = Stmt::new(
        &d.sql().insert_idempotency_record,
        args,
        "storing an idempotency record",
    );
    match d.execute(conn, stmt).await {
        Ok(_) => Ok(()),
        Err(Error::Duplicate { .. }) => Err(duplicate(&record.scope)),
        Err(e) => Err(e),
    }
}

pub(crate) async fn put_idempotency_record<D: Dialect>(
    d: &D,
    user: UserId,
    mut record: IdempotencyRecord,
) -> Result<()> {
    record.created_at = d.ctx().now();
    let mut tx = d.begin(user).await?;
    match write(d, &mut tx, user, &record).await {
        Ok(()) => d.commit(tx, Vec::new()).await,
        Err(e) => {
            d.rollback(tx).await?;
            Err(e)
        }
    }
}
