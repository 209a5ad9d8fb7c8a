//! Reading a request's parts in API.md's order: `Content-Type` (415), headers and query
//! (400 naming them), the body (413), JSON syntax (400, field `""`), shape (422 at the
//! first path).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use lifeos::core::wire::ProblemField;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::problem::ApiError;

/// Whether the request carries a body (a non-zero `Content-Length`, or chunked).
fn has_body(headers: &HeaderMap) -> bool {
    match headers.get(header::CONTENT_LENGTH) {
        Some(v) => v.to_str().ok().and_then(|v| v.parse::<u64>().ok()) != Some(0),
        None => headers.contains_key(header::TRANSFER_ENCODING),
    }
}

/// The media type of `Content-Type`, lowercased, parameters dropped.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Checks `Content-Type` against `expected` (`application/json`): `Ok(true)` when a body
/// is to be read, `Ok(false)` when an optional body is absent.
///
/// # Errors
/// 415 when a body (or a required one) comes with another media type.
pub fn check_content_type(
    headers: &HeaderMap,
    expected: &'static str,
    required: bool,
) -> Result<bool, ApiError> {
    let media = media_type(headers);
    if !has_body(headers) && media.is_none() && !required {
        return Ok(false);
    }
    if media.as_deref() == Some(expected) {
        return Ok(true);
    }
    Err(ApiError::UnsupportedMediaType { expected })
}

/// Reads the body, at most `limit` bytes.
///
/// # Errors
/// 413 beyond `limit`; 400 when the body cannot be read.
pub async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(bytes),
        Err(e) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
                || format!("{e}").contains("length limit");
            if too_large {
                Err(ApiError::PayloadTooLarge { limit })
            } else {
                Err(ApiError::bad_param("", "the body could not be read"))
            }
        }
    }
}

/// Parses JSON `bytes` as `T` (an object): syntax errors are 400 on field `""`, shape
/// errors 422 at their path (`labels[2]`, `""` for a root that is not an object). An
/// empty body reads as `{}`.
///
/// # Errors
/// As above.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    if std::str::from_utf8(bytes).is_err() {
        return Err(ApiError::bad_param("", "the body is not UTF-8"));
    }
    // Syntax first: a body that is not JSON at all is a 400.
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_param("", format!("the body is not JSON ({e})")))?;
    // Every JSON body of this API is an object: another root is a wrong-type root.
    if !value.is_object() {
        return Err(ApiError::invalid("", "a JSON object"));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = json_path(e.path());
        let message = e.into_inner().to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        ApiError::Validation {
            detail: format!(
                "{}: {message}",
                if path.is_empty() { "body" } else { &path }
            ),
            errors: vec![ProblemField {
                field: path,
                message,
            }],
        }
    })
}

/// A path as PLANNER.md writes it: `labels[2]`, `preferences.timezone`, `""` at the root.
fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Enum { variant } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(variant);
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// The query string's parameters; a repeated or empty one is a 400 naming it.
///
/// # Errors
/// As above.
pub fn query_params(query: Option<&str>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|_| ApiError::bad_param("", "the query string is malformed"))?;
    for (key, value) in pairs {
        if value.is_empty() {
            return Err(ApiError::bad_param(&key, "must not be empty"));
        }
        if out.insert(key.clone(), value).is_some() {
            return Err(ApiError::bad_param(&key, "must not be repeated"));
        }
    }
    Ok(out)
}

/// `limit` in 1..=200 (default 50).
///
/// # Errors
/// 400 naming `limit`.
pub fn limit(params: &BTreeMap<String, String>) -> Result<u32, ApiError> {
    match params.get("limit") {
        None => Ok(50),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| ApiError::bad_param("limit", "an integer in 1..=200")),
    }
}

/// A boolean parameter: `true` or `false`.
///
/// # Errors
/// 400 naming it.
pub fn boolean(params: &BTreeMap<String, String>, name: &str) -> Result<Option<bool>, ApiError> {
    match params.get(name).map(String::as_str) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(ApiError::bad_param(name, "true or false")),
    }
}

/// An RFC 3339 instant parameter within 1677-09-22..2262-04-11.
///
/// # Errors
/// 400 naming it.
pub fn instant(
    params: &BTreeMap<String, String>,
    name: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => chrono::DateTime::parse_from_rfc3339(v)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc))
            .filter(|t| t.timestamp_nanos_opt().is_some())
            .map(Some)
            .ok_or_else(|| ApiError::bad_param(name, "an RFC 3339 instant")),
    }
}

/// Checks that body instants lie within 1677-09-22..2262-04-11 (what every backend
/// stores exactly): one 422 listing every field outside.
///
/// # Errors
/// 422 naming each field.
pub fn instants_in_range(
    fields: &[(&str, Option<chrono::DateTime<chrono::Utc>>)],
) -> Result<(), ApiError> {
    let errors: Vec<ProblemField> = fields
        .iter()
        .filter(|(_, t)| t.is_some_and(|t| t.timestamp_nanos_opt().is_none()))
        .map(|(field, _)| ProblemField {
            field: (*field).to_owned(),
            message: "an instant from 1677-09-22 to 2262-04-11".to_owned(),
        })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(ApiError::Validation {
        detail: format!("{} instant(s) out of range", errors.len()),
        errors,
    })
}

/// A path id: anything but a UUID is a 404, as an unknown id.
///
/// # Errors
/// 404.
pub fn path_id<T: From<Uuid>>(text: &str) -> Result<T, ApiError> {
    Uuid::parse_str(text)
        .map(T::from)
        .map_err(|_| ApiError::NotFound)
}

/// `If-Match`: absent (`None`), `*` (`None`), or one `"<n>"`.
///
/// # Errors
/// 400 naming `If-Match` for anything else.
pub fn if_match(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let mut values = headers.get_all(header::IF_MATCH).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let bad = || ApiError::bad_param("If-Match", "* or one \"<version>\"");
    if values.next().is_some() {
        return Err(bad());
    }
    let text = value.to_str().map_err(|_| bad())?.trim();
    if text == "*" {
        return Ok(None);
    }
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.parse::<u64>().ok())
        .map(Some)
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_name_their_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            labels: Vec<String>,
        }
        let e = parse_json::<T>(br#"{"labels":["a","b",3]}"#).unwrap_err();
        assert_eq!(e.problem("r").errors.unwrap()[0].field, "labels[2]");
        let e = parse_json::<T>(b"{nope").unwrap_err();
        let p = e.problem("r");
        assert_eq!((p.status, p.errors.unwrap()[0].field.as_str()), (400, ""));
        let e = parse_json::<T>(b"[]").unwrap_err();
        let p = e.problem("r");
        assert_eq!((p.status, p.errors.unwrap()[0].field.as_str()), (422, ""));
    }

    #[test]
    fn query_parameters_refuse_repeats_and_empties() {
        assert!(query_params(Some("a=1&b=2")).is_ok());
        let e = query_params(Some("a=1&a=2")).unwrap_err();
        assert_eq!(e.problem("r").errors.unwrap()[0].field, "a");
        assert!(query_params(Some("a=")).is_err());
        assert!(limit(&query_params(Some("limit=201")).unwrap()).is_err());
    }

    #[test]
    fn if_match_takes_star_or_one_version() {
        let mut h = HeaderMap::new();
        assert_eq!(if_match(&h).unwrap(), None);
        h.insert(header::IF_MATCH, "\"3\"".parse().unwrap());
        assert_eq!(if_match(&h).unwrap(), Some(3));
        h.insert(header::IF_MATCH, "*".parse().unwrap());
        assert_eq!(if_match(&h).unwrap(), None);
        h.insert(header::IF_MATCH, "3".parse().unwrap());
        assert!(if_match(&h).is_err());
    }
}
