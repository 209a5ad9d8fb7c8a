//! OAuth tokens for calendar providers, held only as ciphertext.
//!
//! Encryption (AES-256-GCM under a key the embedding app supplies) happens in the store;
//! this type never holds a token in clear, and its `Debug` prints lengths, not bytes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{OAuthTokenId, UserId};

/// An encrypted OAuth token pair for one provider of one user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthToken {
    /// Identity.
    pub id: OAuthTokenId,
    /// Owner.
    pub user_id: UserId,
    /// The provider (`google`, `outlook`, ...); one token per user and provider.
    pub provider: String,
    /// Ciphertext of the access token (nonce included, as the store writes it).
    pub access_token_ciphertext: Vec<u8>,
    /// Ciphertext of the refresh token.
    pub refresh_token_ciphertext: Vec<u8>,
    /// Which encryption key sealed the ciphertexts (for key rotation).
    pub key_id: u32,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change (a refresh or a key rotation).
    pub updated_at: DateTime<Utc>,
}

impl OAuthToken {
    /// Whether the access token has expired at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }
}

impl std::fmt::Debug for OAuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthToken")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("provider", &self.provider)
            .field(
                "access_token_ciphertext",
                &format_args!("<{} bytes>", self.access_token_ciphertext.len()),
            )
            .field(
                "refresh_token_ciphertext",
                &format_args!("<{} bytes>", self.refresh_token_ciphertext.len()),
            )
            .field("key_id", &self.key_id)
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;

    #[test]
    fn debug_never_prints_ciphertext_bytes() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let token = OAuthToken {
            id: OAuthTokenId::generate(now, &mut rng),
            user_id: UserId::generate(now, &mut rng),
            provider: "google".into(),
            access_token_ciphertext: vec![0xAB; 40],
            refresh_token_ciphertext: vec![0xCD; 48],
            key_id: 1,
            expires_at: now,
            scopes: vec!["calendar.readonly".into()],
            created_at: now,
            updated_at: now,
        };
        let text = format!("{token:?}");
        assert!(text.contains("<40 bytes>") && text.contains("<48 bytes>"));
        assert!(!text.contains("171"), "no byte values: {text}");
        assert!(token.is_expired(now));
    }
}
