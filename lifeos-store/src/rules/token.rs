//! OAuth tokens: seal, open, re-seal under the current key, delete.

use chrono::{DateTime, Utc};
use lifeos_core::event::OAuthTokenChanged;
use lifeos_core::{DomainEvent, EventPayload, EventSource, OAuthToken, OAuthTokenId, UserId};

use super::{check_instant, event};
use crate::crypto::{Keyring, OAuthSecret, aad};
use crate::ctx::Ctx;
use crate::error::{Error, Result};

fn check_provider(provider: &str) -> Result<()> {
    let n = provider.chars().count();
    if (1..=50).contains(&n) && !provider.contains('/') {
        Ok(())
    } else {
        Err(Error::invalid(
            "provider",
            provider,
            "1..=50 characters, no '/'",
        ))
    }
}

/// The provider name checked, for lookups.
pub(crate) fn provider_key(provider: &str) -> Result<&str> {
    check_provider(provider)?;
    Ok(provider)
}

/// A token sealed under the current key, replacing `existing`, and its event.
pub(crate) fn seal_token(
    ctx: &Ctx,
    user: UserId,
    provider: &str,
    secret: &OAuthSecret,
    existing: Option<&OAuthToken>,
    now: DateTime<Utc>,
) -> Result<(OAuthToken, DomainEvent)> {
    check_provider(provider)?;
    check_instant("expires_at", Some(secret.expires_at))?;
    let ring = ctx.keyring()?;
    let key_id = ring.current_key_id();
    let token = OAuthToken {
        id: match existing {
            Some(old) => old.id,
            None => ctx.with_rng(|rng| OAuthTokenId::generate(now, rng)),
        },
        user_id: user,
        provider: provider.to_owned(),
        access_token_ciphertext: ring.seal(
            key_id,
            secret.access_token.as_bytes(),
            &aad(user, provider, "access"),
        )?,
        refresh_token_ciphertext: ring.seal(
            key_id,
            secret.refresh_token.as_bytes(),
            &aad(user, provider, "refresh"),
        )?,
        key_id,
        expires_at: secret.expires_at,
        scopes: secret.scopes.clone(),
        created_at: existing.map_or(now, |o| o.created_at),
        updated_at: now,
    };
    let payload = EventPayload::OAuthTokenStored(OAuthTokenChanged {
        token_id: token.id,
        provider: token.provider.clone(),
        key_id: token.key_id,
    });
    let e = event(ctx, user, now, EventSource::Api, payload);
    Ok((token, e))
}

/// Opens a sealed token.
pub(crate) fn open_token(ring: &Keyring, token: &OAuthToken) -> Result<OAuthSecret> {
    let user = token.user_id;
    let p = &token.provider;
    let text = |bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|_| Error::Crypto {
            message: "opened token is not UTF-8".into(),
        })
    };
    Ok(OAuthSecret {
        access_token: text(ring.open(
            token.key_id,
            &token.access_token_ciphertext,
            &aad(user, p, "access"),
        )?)?,
        refresh_token: text(ring.open(
            token.key_id,
            &token.refresh_token_ciphertext,
            &aad(user, p, "refresh"),
        )?)?,
        expires_at: token.expires_at,
        scopes: token.scopes.clone(),
    })
}

/// The token re-sealed under the current key and its event; `None` if already current.
pub(crate) fn reseal_token(
    ctx: &Ctx,
    token: &OAuthToken,
    now: DateTime<Utc>,
) -> Result<Option<(OAuthToken, DomainEvent)>> {
    let ring = ctx.keyring()?;
    if token.key_id == ring.current_key_id() {
        return Ok(None);
    }
    let secret = open_token(ring, token)?;
    let (mut sealed, _) = seal_token(
        ctx,
        token.user_id,
        &token.provider,
        &secret,
        Some(token),
        now,
    )?;
    sealed.updated_at = now;
    let payload = EventPayload::OAuthTokenRotated(OAuthTokenChanged {
        token_id: sealed.id,
        provider: sealed.provider.clone(),
        key_id: sealed.key_id,
    });
    let e = event(ctx, token.user_id, now, EventSource::Cron, payload);
    Ok(Some((sealed, e)))
}

/// The `oauth_token.deleted` event.
pub(crate) fn token_deleted(ctx: &Ctx, token: &OAuthToken, now: DateTime<Utc>) -> DomainEvent {
    let payload = EventPayload::OAuthTokenDeleted(OAuthTokenChanged {
        token_id: token.id,
        provider: token.provider.clone(),
        key_id: 0,
    });
    event(ctx, token.user_id, now, EventSource::Api, payload)
}
