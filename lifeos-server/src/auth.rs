//! Bearer JWT authentication (API.md "Authentication"): HS256 with the secret, RS256 and
//! ES256 with configured public keys, `exp`/`nbf` with 30 s of leeway read from the
//! server's clock, the audience, a UUID `sub`, and the tier claim.

use std::fmt;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lifeos::core::{Tier, UserId};
use serde_json::{Value, json};

/// Seconds of clock skew allowed on `exp` and `nbf`.
pub const LEEWAY_SECS: i64 = 30;

/// Why a configuration of keys was refused (the binary exits 2 naming the flag).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Neither a secret nor public keys.
    #[error("no JWT secret nor public keys configured")]
    Missing,
    /// The secret is empty.
    #[error("the JWT secret is empty")]
    EmptySecret,
    /// The PEM text holds no RSA or P-256 public key, or a block that is neither.
    #[error("the JWT public keys are not PEM RSA or P-256 public keys")]
    BadPem,
}

/// The keys tokens are verified with.
#[derive(Clone)]
pub struct AuthKeys {
    secret: Option<DecodingKey>,
    rsa: Vec<DecodingKey>,
    ec: Vec<DecodingKey>,
    audience: String,
}

impl fmt::Debug for AuthKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthKeys")
            .field("secret", &self.secret.is_some())
            .field("rsa_keys", &self.rsa.len())
            .field("ec_keys", &self.ec.len())
            .field("audience", &self.audience)
            .finish()
    }
}

impl AuthKeys {
    /// Keys from an HS256 `secret` and/or PEM text holding RSA and P-256 public keys,
    /// accepting tokens for `audience`.
    ///
    /// # Errors
    /// [`KeyError`] when nothing usable is given or a PEM block is not such a key.
    pub fn new(secret: Option<&str>, pem: Option<&str>, audience: &str) -> Result<Self, KeyError> {
        let secret = match secret {
            Some("") => return Err(KeyError::EmptySecret),
            Some(s) => {
                Some(DecodingKey::from_secret(s.as_bytes()).map_err(|_| KeyError::EmptySecret)?)
            }
            None => None,
        };
        let (mut rsa, mut ec) = (Vec::new(), Vec::new());
        if let Some(pem) = pem {
            let blocks = pem_blocks(pem);
            if blocks.is_empty() {
                return Err(KeyError::BadPem);
            }
            for block in blocks {
                if let Ok(key) = DecodingKey::from_rsa_pem(block.as_bytes()) {
                    rsa.push(key);
                } else if let Ok(key) = DecodingKey::from_ec_pem(block.as_bytes()) {
                    ec.push(key);
                } else {
                    return Err(KeyError::BadPem);
                }
            }
        }
        if secret.is_none() && rsa.is_empty() && ec.is_empty() {
            return Err(KeyError::Missing);
        }
        Ok(AuthKeys {
            secret,
            rsa,
            ec,
            audience: audience.to_owned(),
        })
    }

    /// The caller a bearer `token` proves at `now`, or `None` (never saying why to the
    /// client, never logging the token).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Caller> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let keys: &[DecodingKey] = match header.alg {
            Algorithm::HS256 => self.secret.as_slice(),
            Algorithm::RS256 => &self.rsa,
            Algorithm::ES256 => &self.ec,
            _ => &[],
        };
        let mut validation = Validation::new(header.alg);
        // Time and audience are checked below against the server's clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = keys.iter().find_map(|key| {
            jsonwebtoken::decode::<Value>(token, key, &validation)
                .ok()
                .map(|d| d.claims)
        })?;
        self.caller(&claims, now.timestamp())
    }

    fn caller(&self, claims: &Value, now: i64) -> Option<Caller> {
        let exp = claims.get("exp")?.as_f64()?;
        if (now as f64) >= exp + LEEWAY_SECS as f64 {
            return None;
        }
        if let Some(nbf) = claims.get("nbf")
            && ((now + LEEWAY_SECS) as f64) < nbf.as_f64()?
        {
            return None;
        }
        let audience_ok = match claims.get("aud")? {
            Value::String(a) => *a == self.audience,
            Value::Array(all) => all.iter().any(|a| a.as_str() == Some(&self.audience)),
            _ => false,
        };
        if !audience_ok {
            return None;
        }
        let user: UserId = claims.get("sub")?.as_str()?.parse().ok()?;
        let tier = claims
            .pointer("/app_metadata/tier")
            .and_then(Value::as_str)
            .and_then(parse_tier)
            .unwrap_or(Tier::Free);
        let email = claims
            .get("email")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Some(Caller {
            user,
            tier,
            email,
            expires_at: exp as i64 + LEEWAY_SECS,
        })
    }
}

/// An authenticated caller (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user (`sub`).
    pub user: UserId,
    /// Their tier (`app_metadata.tier`, else free).
    pub tier: Tier,
    /// The `email` claim, if any.
    pub email: Option<String>,
    /// When the token stops being accepted (Unix seconds, leeway included).
    pub expires_at: i64,
}

/// A tier by its name: `free`, `starter`, `pro`, `team`, `enterprise`.
pub fn parse_tier(name: &str) -> Option<Tier> {
    Tier::ALL.into_iter().find(|t| t.as_str() == name)
}

/// An HS256 token for `user` as `--dev-token` prints it: `sub`, `aud`, `role:
/// "authenticated"`, `iat` = `now`, `exp` = `iat` + `ttl_secs`, and `app_metadata.tier`
/// when a tier is given.
///
/// # Errors
/// When the token cannot be signed.
pub fn dev_token(
    secret: &str,
    user: UserId,
    audience: &str,
    tier: Option<Tier>,
    now: DateTime<Utc>,
    ttl_secs: u64,
) -> Result<String, jsonwebtoken::errors::Error> {
    let iat = now.timestamp();
    let mut claims = json!({
        "sub": user.to_string(),
        "aud": audience,
        "role": "authenticated",
        "iat": iat,
        "exp": iat.saturating_add(i64::try_from(ttl_secs).unwrap_or(i64::MAX)),
    });
    if let (Some(tier), Some(map)) = (tier, claims.as_object_mut()) {
        map.insert("app_metadata".into(), json!({ "tier": tier.as_str() }));
    }
    let key = EncodingKey::from_secret(secret.as_bytes())?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)
}

/// The `-----BEGIN …-----` … `-----END …-----` blocks of `text`.
fn pem_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN ") {
            current = Some(String::new());
        }
        if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
        if line.starts_with("-----END ")
            && let Some(block) = current.take()
        {
            blocks.push(block);
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_dev_token_verifies_and_carries_the_tier() {
        let keys = AuthKeys::new(Some("s3cret"), None, "authenticated").unwrap();
        let user = UserId::from_uuid(uuid::Uuid::from_u128(7));
        let token = dev_token("s3cret", user, "authenticated", Some(Tier::Pro), now(), 60).unwrap();
        let caller = keys.verify(&token, now()).unwrap();
        assert_eq!((caller.user, caller.tier), (user, Tier::Pro));
        // Valid until exp + 30 s, exclusive.
        let later = now() + chrono::Duration::seconds(89);
        assert!(keys.verify(&token, later).is_some());
        assert!(
            keys.verify(&token, later + chrono::Duration::seconds(1))
                .is_none()
        );
        assert!(
            AuthKeys::new(Some("other"), None, "authenticated")
                .unwrap()
                .verify(&token, now())
                .is_none()
        );
        assert!(
            AuthKeys::new(Some("s3cret"), None, "elsewhere")
                .unwrap()
                .verify(&token, now())
                .is_none()
        );
    }

    #[test]
    fn nothing_configured_or_bad_pem_is_refused() {
        assert!(matches!(
            AuthKeys::new(None, None, "a"),
            Err(KeyError::Missing)
        ));
        assert!(matches!(
            AuthKeys::new(None, Some("not pem"), "a"),
            Err(KeyError::BadPem)
        ));
    }
}
