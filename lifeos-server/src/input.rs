//! Reading a request's parts in API.md's order: `Content-Type` (415), headers and query
//! (400 naming them), the body (413), JSON syntax (400, field `""`), shape (422 at the
//! first path).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use lifeos::core::wire::ProblemField;
use serde::Serialize;
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
    // An optional body that was not sent is absent, whatever `Content-Type` says.
    if !has_body(headers) && !required {
        return Ok(false);
    }
    let media = media_type(headers);
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

/// Reads an optional body: empty when [`check_content_type`] found none to read.
///
/// # Errors
/// As [`read_body`].
pub async fn read_optional_body(
    body: Body,
    has_body: bool,
    limit: usize,
) -> Result<axum::body::Bytes, ApiError> {
    if has_body {
        read_body(body, limit).await
    } else {
        Ok(axum::body::Bytes::new())
    }
}

/// Parses JSON `bytes` as `T` (an object): syntax errors are 400 on field `""`, shape
/// errors 422 at their path (`labels[2]`, `""` for a root that is not an object). An
/// empty or blank body is not JSON (400); a route whose body is optional does not parse
/// one it was not sent.
///
/// # Errors
/// As above.
pub fn parse_json<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Result<T, ApiError> {
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
    let value = integral(value);
    let parsed: T = serde_path_to_error::deserialize(value).map_err(|e| {
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
    })?;
    // Only the fields read (unknown keys are ignored, whatever they hold).
    let mut nul = Vec::new();
    if let Ok(read) = serde_json::to_value(&parsed) {
        find_nul(&read, &mut String::new(), &mut nul);
    }
    if !nul.is_empty() {
        return Err(ApiError::Validation {
            detail: format!("{} text(s) hold U+0000", nul.len()),
            errors: nul
                .into_iter()
                .map(|field| ProblemField {
                    field,
                    message: "must not contain U+0000".to_owned(),
                })
                .collect(),
        });
    }
    Ok(parsed)
}

/// A body's own rules (core's `validate` of a patch), checked before the stored resource
/// is looked up: API.md's "shape and rules" come before lookup and `If-Match`.
///
/// # Errors
/// 422 naming every field at fault.
pub fn rules(checked: Result<(), lifeos::core::Error>) -> Result<(), ApiError> {
    checked.map_err(|e| lifeos::Error::from(e).into())
}

/// The paths (as PLANNER.md writes them) of the strings in `value` holding U+0000, which
/// PostgreSQL cannot store: refused on every backend alike.
fn find_nul(value: &serde_json::Value, path: &mut String, out: &mut Vec<String>) {
    use serde_json::Value;
    match value {
        Value::String(text) if text.contains('\0') => out.push(path.clone()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                find_nul(item, path, out);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                find_nul(item, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// `value` with every number that has no fraction (`7010.0`) written as an integer: JSON
/// Schema (and so the OpenAPI document) counts it as one, serde's integers would refuse it.
/// Numbers beyond the 64-bit integers stay as they are.
fn integral(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let whole = n.as_f64().filter(|f| f.fract() == 0.0);
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            let int = whole.and_then(|f| {
                if f >= -(i64::MAX as f64) && f < i64::MAX as f64 {
                    Some(Value::from(f as i64))
                } else if f >= 0.0 && f < u64::MAX as f64 {
                    Some(Value::from(f as u64))
                } else {
                    None
                }
            });
            int.unwrap_or(Value::Number(n))
        }
        Value::Array(items) => Value::Array(items.into_iter().map(integral).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, integral(v))).collect())
        }
        other => other,
    }
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
        if value.contains('\0') {
            return Err(ApiError::bad_param(&key, "must not contain U+0000"));
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
        #[derive(serde::Deserialize, serde::Serialize, Debug)]
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
    fn integral_numbers_read_as_integers() {
        #[derive(Debug, serde::Deserialize, serde::Serialize)]
        struct Body {
            n: i64,
            f: f64,
            list: Vec<u64>,
        }
        let b: Body = parse_json(br#"{"n": 7010.0, "f": 2.0, "list": [1.0, 2]}"#).unwrap();
        assert_eq!((b.n, b.f, b.list), (7010, 2.0, vec![1, 2]));
        let e = parse_json::<Body>(br#"{"n": 1.5, "f": 1, "list": []}"#).unwrap_err();
        assert_eq!(e.problem("r").errors.unwrap()[0].field, "n");
        let e = parse_json::<Body>(br#"{"n": 1e300, "f": 1, "list": []}"#).unwrap_err();
        assert_eq!(e.problem("r").errors.unwrap()[0].field, "n");
    }

    #[test]
    fn texts_holding_nul_are_refused_naming_each() {
        #[derive(Debug, serde::Deserialize, serde::Serialize)]
        struct Body {
            title: String,
            labels: Vec<String>,
        }
        let e = parse_json::<Body>(b"{\"title\": \"a\\u0000\", \"labels\": [\"ok\", \"\\u0000\"]}")
            .unwrap_err()
            .problem("r");
        assert_eq!(e.status, 422);
        let fields: Vec<_> = e.errors.unwrap().into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["labels[1]", "title"]);
        // Unknown keys are ignored, whatever they hold.
        let ok = parse_json::<Body>(b"{\"title\": \"a\", \"labels\": [], \"x\": \"\\u0000\"}");
        assert_eq!(ok.unwrap().title, "a");
        let e = query_params(Some("q=a%00b")).unwrap_err().problem("r");
        assert_eq!((e.status, e.errors.unwrap()[0].field.as_str()), (400, "q"));
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
