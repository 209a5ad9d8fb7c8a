//! Subscriptions over SQL.

use lifeos_core::{Subscription, SubscriptionInput, UserId};

use super::rows::SubscriptionRow;
use super::{Arg, Dialect, Step, Stmt, mutate, to_json};
use crate::error::{Error, Result};
use crate::rules::{self, nanos};
use crate::upserted::Upserted;

pub(crate) async fn upsert_subscription<D: Dialect>(
    d: &D,
    user: UserId,
    input: SubscriptionInput,
) -> Result<Upserted<Subscription>> {
    let now = d.ctx().now();
    let (out, _) = mutate(d, user, |mut tx| async move {
        let args = vec![
            Arg::Uuid(*user.as_uuid()),
            Arg::Text(input.stripe_subscription_id.clone()),
        ];
        let stmt = Stmt::new(&d.sql().subscription, args, "reading a subscription");
        let existing = SubscriptionRow::decode_first(d.data_rows(&mut tx, stmt).await?)?;
        let changed = rules::upsert_subscription(d.ctx(), user, &input, existing.as_ref(), now)?;
        let Some((s, e)) = changed else {
            // The rule reports "unchanged" only against a stored subscription.
            let old = existing
                .ok_or_else(|| Error::not_found("subscription", &input.stripe_subscription_id))?;
            return Ok(Step::Unchanged(tx, Upserted::Unchanged(old)));
        };
        let args = vec![
            Arg::Uuid(*s.id.as_uuid()),
            Arg::Uuid(*user.as_uuid()),
            Arg::Text(s.stripe_subscription_id.clone()),
            Arg::Int(nanos(s.created_at)),
            Arg::Text(to_json(&s)?),
        ];
        let stmt = Stmt::new(&d.sql().upsert_subscription, args, "writing a subscription");
        d.execute(&mut tx, stmt).await?;
        let out = if existing.is_some() {
            Upserted::Updated(s)
        } else {
            Upserted::Created(s)
        };
        Ok(Step::Write(tx, out, vec![e]))
    })
    .await?;
    Ok(out)
}

pub(crate) async fn list_subscriptions<D: Dialect>(
    d: &D,
    user: UserId,
) -> Result<Vec<Subscription>> {
    let mut conn = d.read(user).await?;
    let args = vec![Arg::Uuid(*user.as_uuid())];
    let stmt = Stmt::new(
        &d.sql().subscriptions_of_user,
        args,
        "listing subscriptions",
    );
    SubscriptionRow::decode_all(d.data_rows(&mut conn, stmt).await?)
}
