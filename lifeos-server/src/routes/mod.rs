//! The handlers, one module per resource.

pub(crate) mod breakdown;
pub(crate) mod calendar;
pub(crate) mod calendar_events;
pub(crate) mod events;
pub(crate) mod keyed_plan;
pub(crate) mod me;
pub(crate) mod plan;
pub(crate) mod plan_week;
pub(crate) mod projects;
pub(crate) mod service;
pub(crate) mod tasks;
pub(crate) mod usage;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A JSON response with `ETag: "<version>"`.
pub(crate) fn with_etag<T: Serialize>(
    status: axum::http::StatusCode,
    value: &T,
    version: u64,
) -> Response {
    let mut response = (status, axum::Json(value)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// `response` with `Location: <path>` (a created resource's address).
pub(crate) fn with_location(mut response: Response, path: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(path) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}
