//! Authentication (API.md "Authentication"; conformance item 2, forgery).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::support::*;

fn claims(s: &Server, user: &str) -> Value {
    let now = s.clock.now_utc().timestamp();
    json!({"sub": user, "aud": "authenticated", "iat": now, "exp": now + 600})
}

fn hs256(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret).unwrap(),
    )
    .unwrap()
}

/// Asserts a 401 `invalid_token` that does not echo any part of `token`.
async fn refused(s: &Server, token: &str) {
    let a = answer(s.http.get(s.url("/api/v1/me")).bearer_auth(token)).await;
    a.problem(401, "unauthorized");
    assert_eq!(
        a.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
    for part in token.split('.').filter(|p| p.len() > 8) {
        assert!(!a.text.contains(part), "the answer echoes the token");
    }
}

#[tokio::test]
async fn no_credentials_is_a_plain_bearer_challenge() {
    let s = start(Backend::Sqlite).await.unwrap();
    let a = answer(s.http.get(s.url("/api/v1/tasks"))).await;
    a.problem(401, "unauthorized");
    assert_eq!(a.header("www-authenticate"), Some("Bearer"));
}

#[tokio::test]
async fn a_valid_hs256_token_is_accepted() {
    let s = start(Backend::Sqlite).await.unwrap();
    let me = fresh_user();
    let a = answer(
        s.http
            .get(s.url("/api/v1/me"))
            .bearer_auth(hs256(&claims(&s, &me.to_string()), SECRET.as_bytes())),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["id"], me.to_string());
}

#[tokio::test]
async fn an_altered_payload_or_signature_is_refused() {
    let s = start(Backend::Sqlite).await.unwrap();
    let good = hs256(&claims(&s, &fresh_user().to_string()), SECRET.as_bytes());
    let parts: Vec<&str> = good.split('.').collect();
    let other = URL_SAFE_NO_PAD.encode(claims(&s, &fresh_user().to_string()).to_string());
    refused(&s, &format!("{}.{}.{}", parts[0], other, parts[2])).await;
    let mut sig = parts[2].to_owned();
    let last = if sig.ends_with('A') { 'B' } else { 'A' };
    sig.pop();
    sig.push(last);
    refused(&s, &format!("{}.{}.{}", parts[0], parts[1], sig)).await;
    refused(
        &s,
        &hs256(&claims(&s, &fresh_user().to_string()), b"another secret"),
    )
    .await;
}

#[tokio::test]
async fn alg_none_in_any_case_is_refused() {
    let s = start(Backend::Sqlite).await.unwrap();
    let payload = URL_SAFE_NO_PAD.encode(claims(&s, &fresh_user().to_string()).to_string());
    for alg in ["none", "None", "NONE"] {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT"}).to_string());
        refused(&s, &format!("{header}.{payload}.")).await;
    }
}

#[tokio::test]
async fn hs256_keyed_by_the_public_pem_is_refused() {
    let mut setup = Setup::new(Backend::Sqlite);
    setup.keys =
        Some(lifeos_server::AuthKeys::new(None, Some(RSA_PUBLIC), "authenticated").unwrap());
    let s = start_with(setup).await.unwrap();
    let c = claims(&s, &fresh_user().to_string());
    refused(&s, &hs256(&c, RSA_PUBLIC.as_bytes())).await;
    // The matching RS256 token is accepted.
    let rs = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &c,
        &EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap(),
    )
    .unwrap();
    let a = answer(s.http.get(s.url("/api/v1/me")).bearer_auth(rs)).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn es256_with_a_p256_key_is_accepted() {
    let mut setup = Setup::new(Backend::Sqlite);
    let pems = format!("{RSA_PUBLIC}\n{EC_PUBLIC}");
    setup.keys = Some(lifeos_server::AuthKeys::new(None, Some(&pems), "authenticated").unwrap());
    let s = start_with(setup).await.unwrap();
    let es = jsonwebtoken::encode(
        &Header::new(Algorithm::ES256),
        &claims(&s, &fresh_user().to_string()),
        &EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).unwrap(),
    )
    .unwrap();
    let a = answer(s.http.get(s.url("/api/v1/me")).bearer_auth(es)).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn rs256_with_only_a_secret_is_refused() {
    let s = start(Backend::Sqlite).await.unwrap();
    let rs = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims(&s, &fresh_user().to_string()),
        &EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap(),
    )
    .unwrap();
    refused(&s, &rs).await;
}

#[tokio::test]
async fn exp_and_nbf_have_30_seconds_of_leeway_and_no_more() {
    let s = start(Backend::Sqlite).await.unwrap();
    let now = s.clock.now_utc().timestamp();
    let with = |extra: Value| {
        let mut c = claims(&s, &fresh_user().to_string());
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        hs256(&c, SECRET.as_bytes())
    };
    let ok = |token: String| {
        let s = &s;
        async move {
            answer(s.http.get(s.url("/api/v1/me")).bearer_auth(token))
                .await
                .status
        }
    };
    assert_eq!(ok(with(json!({"exp": now - 29}))).await, 200);
    refused(&s, &with(json!({"exp": now - 30}))).await;
    refused(&s, &with(json!({"exp": now - 31}))).await;
    assert_eq!(ok(with(json!({"nbf": now + 30}))).await, 200);
    refused(&s, &with(json!({"nbf": now + 31}))).await;
}

#[tokio::test]
async fn a_missing_exp_a_bad_aud_or_a_non_uuid_sub_is_refused() {
    let s = start(Backend::Sqlite).await.unwrap();
    let mut c = claims(&s, &fresh_user().to_string());
    c.as_object_mut().unwrap().remove("exp");
    refused(&s, &hs256(&c, SECRET.as_bytes())).await;
    let mut c = claims(&s, &fresh_user().to_string());
    c["exp"] = json!("tomorrow");
    refused(&s, &hs256(&c, SECRET.as_bytes())).await;
    let mut c = claims(&s, &fresh_user().to_string());
    c["aud"] = json!("someone-else");
    refused(&s, &hs256(&c, SECRET.as_bytes())).await;
    c["aud"] = json!(["x", "authenticated"]);
    let a = answer(
        s.http
            .get(s.url("/api/v1/me"))
            .bearer_auth(hs256(&c, SECRET.as_bytes())),
    )
    .await;
    assert_eq!(a.status, 200, "an audience array holding ours is accepted");
    refused(&s, &hs256(&claims(&s, "not-a-uuid"), SECRET.as_bytes())).await;
}

#[tokio::test]
async fn the_first_request_creates_the_profile_from_the_email_claim() {
    let s = start(Backend::Sqlite).await.unwrap();
    let me = fresh_user();
    let mut c = claims(&s, &me.to_string());
    c["email"] = json!("ada@example.com");
    let a = answer(
        s.http
            .get(s.url("/api/v1/tasks"))
            .bearer_auth(hs256(&c, SECRET.as_bytes())),
    )
    .await;
    assert_eq!(a.status, 200);
    let a = answer(s.get("/api/v1/me", me)).await;
    assert_eq!(a.body["email"], "ada@example.com");
    assert_eq!(a.header("etag"), Some("\"1\""));
    let other = fresh_user();
    let a = answer(s.get("/api/v1/me", other)).await;
    assert_eq!(a.body["email"], format!("{other}@users.invalid"));
}
