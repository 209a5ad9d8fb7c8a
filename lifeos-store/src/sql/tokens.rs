//! OAuth tokens over SQL.

use lifeos_core::{OAuthToken, UserId};

use super::rows::TokenRow;
use super::{Arg, Dialect, Step, Stmt, mutate, to_json};
use crate::crypto::OAuthSecret;
use crate::error::{Error, Result};
use crate::rules;

async fn fetch<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    user: UserId,
    provider: &str,
) -> Result<Option<OAuthToken>> {
    let args = vec![Arg::Uuid(*user.as_uuid()), Arg::Text(provider.to_owned())];
    let rows = d
        .data_rows(conn, Stmt::new(&d.sql().token, args, "reading a token"))
        .await?;
    TokenRow::decode_first(rows)
}

async fn write<D: Dialect>(d: &D, conn: &mut D::Conn, t: &OAuthToken) -> Result<()> {
    let args = vec![
        Arg::Uuid(*t.id.as_uuid()),
        Arg::Uuid(*t.user_id.as_uuid()),
        Arg::Text(t.provider.clone()),
        Arg::Int(i64::from(t.key_id)),
        Arg::Text(to_json(t)?),
    ];
    d.execute(
        conn,
        Stmt::new(&d.sql().upsert_token, args, "writing a token"),
    )
    .await?;
    Ok(())
}

async fn all<D: Dialect>(d: &D, conn: &mut D::Conn, user: UserId) -> Result<Vec<OAuthToken>> {
    let args = vec![Arg::Uuid(*user.as_uuid())];
    let stmt = Stmt::new(&d.sql().tokens_of_user, args, "reading tokens");
    TokenRow::decode_all(d.data_rows(conn, stmt).await?)
}

pub(crate) async fn put_oauth_token<D: Dialect>(
    d: &D,
    user: UserId,
    provider: &str,
    secret: OAuthSecret,
) -> Result<OAuthToken> {
    let now = d.ctx().now();
    let provider = rules::provider_key(provider)?;
    let (token, _) = mutate(d, user, |mut tx| async move {
        let existing = fetch(d, &mut tx, user, provider).await?;
        let (token, e) =
            rules::seal_token(d.ctx(), user, provider, &secret, existing.as_ref(), now)?;
        write(d, &mut tx, &token).await?;
        Ok(Step::Write(tx, token, vec![e]))
    })
    .await?;
    Ok(token)
}

pub(crate) async fn get_oauth_token<D: Dialect>(
    d: &D,
    user: UserId,
    provider: &str,
) -> Result<OAuthToken> {
    let provider = rules::provider_key(provider)?;
    let mut conn = d.read(user).await?;
    fetch(d, &mut conn, user, provider)
        .await?
        .ok_or_else(|| Error::not_found("oauth_token", provider))
}

pub(crate) async fn list_oauth_tokens<D: Dialect>(d: &D, user: UserId) -> Result<Vec<OAuthToken>> {
    let mut conn = d.read(user).await?;
    all(d, &mut conn, user).await
}

pub(crate) async fn delete_oauth_token<D: Dialect>(
    d: &D,
    user: UserId,
    provider: &str,
) -> Result<()> {
    let now = d.ctx().now();
    let provider = rules::provider_key(provider)?;
    mutate(d, user, |mut tx| async move {
        let token = fetch(d, &mut tx, user, provider)
            .await?
            .ok_or_else(|| Error::not_found("oauth_token", provider))?;
        let args = vec![Arg::Uuid(*token.id.as_uuid()), Arg::Uuid(*user.as_uuid())];
        d.execute(
            &mut tx,
            Stmt::new(&d.sql().delete_token, args, "deleting a token"),
        )
        .await?;
        let e = rules::token_deleted(d.ctx(), &token, now);
        Ok(Step::Write(tx, (), vec![e]))
    })
    .await?;
    Ok(())
}

pub(crate) async fn rotate_oauth_tokens<D: Dialect>(d: &D, user: UserId) -> Result<u32> {
    let now = d.ctx().now();
    let (n, _) = mutate(d, user, |mut tx| async move {
        let mut events = Vec::new();
        for token in all(d, &mut tx, user).await? {
            if let Some((sealed, e)) = rules::reseal_token(d.ctx(), &token, now)? {
                write(d, &mut tx, &sealed).await?;
                events.push(e);
            }
        }
        let n = u32::try_from(events.len()).unwrap_or(u32::MAX);
        Ok(Step::Write(tx, n, events))
    })
    .await?;
    Ok(n)
}
