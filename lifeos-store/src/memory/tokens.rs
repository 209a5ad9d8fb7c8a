//! OAuth tokens in memory.

use super::prelude::*;

impl MemoryStore {
    fn token_of(state: &State, user: UserId, provider: &str) -> Option<OAuthToken> {
        state
            .tokens
            .values()
            .find(|t| t.user_id == user && t.provider == provider)
            .cloned()
    }
}

#[async_trait]
impl OAuthTokenStore for MemoryStore {
    async fn put_oauth_token(
        &self,
        user: UserId,
        provider: &str,
        secret: OAuthSecret,
    ) -> Result<OAuthToken> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let existing = Self::token_of(state, user, provider);
            let (token, e) =
                rules::seal_token(ctx, user, provider, &secret, existing.as_ref(), now)?;
            state.tokens.insert(token.id, token.clone());
            Ok((token, vec![e]))
        })
    }

    async fn get_oauth_token(&self, user: UserId, provider: &str) -> Result<OAuthToken> {
        let provider = rules::provider_key(provider)?;
        self.read(|s| Self::token_of(s, user, provider))
            .ok_or_else(|| Error::not_found("oauth_token", provider))
    }

    async fn open_oauth_token(&self, user: UserId, provider: &str) -> Result<OAuthSecret> {
        let token = self.get_oauth_token(user, provider).await?;
        rules::open_token(self.ctx.keyring()?, &token)
    }

    async fn list_oauth_tokens(&self, user: UserId) -> Result<Vec<OAuthToken>> {
        Ok(self.read(|s| {
            let mut rows: Vec<OAuthToken> = s
                .tokens
                .values()
                .filter(|t| t.user_id == user)
                .cloned()
                .collect();
            rows.sort_by(|a, b| a.provider.cmp(&b.provider));
            rows
        }))
    }

    async fn delete_oauth_token(&self, user: UserId, provider: &str) -> Result<()> {
        let provider = rules::provider_key(provider)?;
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let token = Self::token_of(state, user, provider)
                .ok_or_else(|| Error::not_found("oauth_token", provider))?;
            state.tokens.remove(&token.id);
            Ok(((), vec![rules::token_deleted(ctx, &token, now)]))
        })
    }

    async fn rotate_oauth_tokens(&self, user: UserId) -> Result<u32> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let mut out = Vec::new();
            let mut events = Vec::new();
            for t in state.tokens.values().filter(|t| t.user_id == user) {
                if let Some((sealed, e)) = rules::reseal_token(ctx, t, now)? {
                    out.push(sealed);
                    events.push(e);
                }
            }
            let n = u32::try_from(out.len()).unwrap_or(u32::MAX);
            for t in out {
                state.tokens.insert(t.id, t);
            }
            Ok((n, events))
        })
    }
}
