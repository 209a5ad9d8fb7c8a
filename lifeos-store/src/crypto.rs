//! AES-256-GCM sealing of OAuth tokens under keys the embedding app supplies.
//!
//! A sealed value is `nonce (12 bytes) || ciphertext || tag (16 bytes)`. The nonce is drawn
//! from the OS RNG for every seal (the one use of the OS RNG in LifeOS). The associated data
//! binds each ciphertext to its user, provider and field, so a ciphertext copied into another
//! row does not open.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use lifeos_core::UserId;

use crate::error::{Error, Result};

const NONCE_LEN: usize = 12;

/// A 256-bit AES key. Its `Debug` never prints the bytes.
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

impl EncryptionKey {
    /// A key from 32 bytes (from the app's secret store or KMS).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        EncryptionKey(bytes)
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey(<redacted>)")
    }
}

/// The keys tokens may be sealed under: one current key (used to seal) and older keys
/// (used only to open, until [`crate::OAuthTokenStore::rotate_oauth_tokens`] re-seals their
/// tokens under the current key). Clones share one keyring, so an app can rotate keys
/// while its store runs ([`Keyring::rotate_to`]).
#[derive(Clone, Debug)]
pub struct Keyring {
    inner: Arc<RwLock<Keys>>,
}

#[derive(Debug)]
struct Keys {
    current: u32,
    keys: BTreeMap<u32, EncryptionKey>,
}

impl Keyring {
    /// A keyring whose current key is `key`, known as `key_id`.
    pub fn new(key_id: u32, key: EncryptionKey) -> Self {
        Keyring {
            inner: Arc::new(RwLock::new(Keys {
                current: key_id,
                keys: BTreeMap::from([(key_id, key)]),
            })),
        }
    }

    /// Adds an older key that may still open tokens sealed under `key_id`.
    pub fn with_old_key(self, key_id: u32, key: EncryptionKey) -> Self {
        write(&self.inner).keys.entry(key_id).or_insert(key);
        self
    }

    /// Makes `key` (as `key_id`) the key new seals use; the previous keys stay to open
    /// older tokens. Every clone of this keyring sees the change.
    pub fn rotate_to(&self, key_id: u32, key: EncryptionKey) {
        let mut keys = write(&self.inner);
        keys.keys.insert(key_id, key);
        keys.current = key_id;
    }

    /// Forgets an old key (after rotation re-sealed its tokens). The current key stays.
    pub fn remove_key(&self, key_id: u32) {
        let mut keys = write(&self.inner);
        if keys.current != key_id {
            keys.keys.remove(&key_id);
        }
    }

    /// The id of the key new seals use.
    pub fn current_key_id(&self) -> u32 {
        read(&self.inner).current
    }

    fn cipher(&self, key_id: u32) -> Result<Aes256Gcm> {
        let keys = read(&self.inner);
        let key = keys.keys.get(&key_id).ok_or_else(|| Error::Crypto {
            message: format!("no key with id {key_id} in the keyring"),
        })?;
        Ok(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key.0)))
    }

    /// Seals `plain` under the key `key_id`.
    pub(crate) fn seal(&self, key_id: u32, plain: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        let cipher = self.cipher(key_id)?;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: plain, aad })
            .map_err(|_| Error::Crypto {
                message: "sealing failed".into(),
            })?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a value sealed under `key_id`.
    pub(crate) fn open(&self, key_id: u32, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        let cipher = self.cipher(key_id)?;
        if sealed.len() < NONCE_LEN + 16 {
            return Err(Error::Crypto {
                message: "ciphertext too short".into(),
            });
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
            .map_err(|_| Error::Crypto {
                message: format!(
                    "ciphertext does not open under key {key_id} (wrong key or tampered)"
                ),
            })
    }
}

fn read(lock: &RwLock<Keys>) -> RwLockReadGuard<'_, Keys> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write(lock: &RwLock<Keys>) -> RwLockWriteGuard<'_, Keys> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The associated data of one token field: binds it to its user, provider and field.
pub(crate) fn aad(user: UserId, provider: &str, field: &str) -> Vec<u8> {
    format!("lifeos/oauth/v1/{user}/{provider}/{field}").into_bytes()
}

/// An OAuth token pair in clear, as the app hands it to the store or gets it back.
/// Its `Debug` prints lengths only.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthSecret {
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// Granted scopes.
    pub scopes: Vec<String>,
}

impl fmt::Debug for OAuthSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSecret")
            .field(
                "access_token",
                &format_args!("<{} bytes>", self.access_token.len()),
            )
            .field(
                "refresh_token",
                &format_args!("<{} bytes>", self.refresh_token.len()),
            )
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserId {
        UserId::from_uuid(uuid::Uuid::from_u128(7))
    }

    #[test]
    fn seal_open_round_trip_and_nonces_differ() {
        let ring = Keyring::new(1, EncryptionKey::from_bytes([3; 32]));
        let aad = aad(user(), "google", "access");
        let a = ring.seal(1, b"token", &aad).unwrap();
        let b = ring.seal(1, b"token", &aad).unwrap();
        assert_ne!(a, b);
        assert_eq!(ring.open(1, &a, &aad).unwrap(), b"token");
    }

    #[test]
    fn wrong_aad_key_or_tampering_fails() {
        let ring = Keyring::new(1, EncryptionKey::from_bytes([3; 32]));
        let aad1 = aad(user(), "google", "access");
        let mut sealed = ring.seal(1, b"token", &aad1).unwrap();
        assert!(
            ring.open(1, &sealed, &aad(user(), "google", "refresh"))
                .is_err()
        );
        assert!(ring.open(2, &sealed, &aad1).is_err());
        let other = Keyring::new(1, EncryptionKey::from_bytes([4; 32]));
        assert!(other.open(1, &sealed, &aad1).is_err());
        sealed[14] ^= 1;
        assert_eq!(
            ring.open(1, &sealed, &aad1).unwrap_err().kind(),
            crate::ErrorKind::Crypto
        );
        assert!(!format!("{ring:?}").contains('3'));
    }
}
