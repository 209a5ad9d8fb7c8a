//! The whole of one user over SQL: GDPR export (one snapshot) and erasure.

use lifeos_core::UserId;

use super::rows::{
    CalendarRow, EventRow, ProfileRow, ProjectRow, SubscriptionRow, TaskRow, TokenRow,
};
use super::{Arg, Dialect, Step, Stmt, mutate};
use crate::error::{Error, Result};
use crate::export::{TokenMetadata, UserExport};
use crate::rules;
use crate::traits::Erasure;

pub(crate) async fn export_user<D: Dialect>(d: &D, user: UserId) -> Result<UserExport> {
    let sql = d.sql();
    let mut tx = d.snapshot(user).await?;
    let arg = || vec![Arg::Uuid(*user.as_uuid())];
    let stmt = |s| Stmt::new(s, arg(), "exporting");
    let profile = ProfileRow::decode_first(d.data_rows(&mut tx, stmt(&sql.profile)).await?)?;
    let projects =
        ProjectRow::decode_all(d.data_rows(&mut tx, stmt(&sql.projects_of_user)).await?)?;
    let tasks = TaskRow::decode_all(d.data_rows(&mut tx, stmt(&sql.tasks_of_user)).await?)?;
    let calendar_events = CalendarRow::decode_all(
        d.data_rows(&mut tx, stmt(&sql.calendar_events_of_user))
            .await?,
    )?;
    let subscriptions = SubscriptionRow::decode_all(
        d.data_rows(&mut tx, stmt(&sql.subscriptions_of_user))
            .await?,
    )?;
    let tokens = TokenRow::decode_all(d.data_rows(&mut tx, stmt(&sql.tokens_of_user)).await?)?;
    let events = EventRow::decode_all(d.event_rows(&mut tx, stmt(&sql.events_of_user)).await?)?;
    d.finish(tx).await?;
    let mut export = UserExport::new(user);
    export.profile = profile;
    export.projects = projects;
    export.tasks = tasks;
    export.calendar_events = calendar_events;
    export.subscriptions = subscriptions;
    export.oauth_tokens = tokens.iter().map(TokenMetadata::from).collect();
    export.events = events;
    Ok(export)
}

pub(crate) async fn erase_user<D: Dialect>(d: &D, user: UserId) -> Result<Erasure> {
    let now = d.ctx().now();
    let (counts, mut stored) = mutate(d, user, |mut tx| async move {
        let counts = d.erase(&mut tx, user).await?;
        // Not counted: the tombstone lists the user's data, and this request's own
        // record (if keyed) is written after, in the same transaction.
        let args = vec![Arg::Uuid(*user.as_uuid())];
        let stmt = Stmt::new(&d.sql().erase_idempotency_records, args, "erasing a user");
        d.execute(&mut tx, stmt).await?;
        let e = rules::tombstone(d.ctx(), user, counts.clone(), now);
        Ok(Step::Write(tx, counts, vec![e]))
    })
    .await?;
    let tombstone = stored
        .pop()
        .ok_or_else(|| Error::corrupt("events", "(tombstone)", "no event appended"))?;
    Ok(Erasure { counts, tombstone })
}
