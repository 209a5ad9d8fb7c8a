//! `X-Request-Id`: the client's when it is well formed, else a new UUID; on every
//! response, in every problem document, and in the request log.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::problem::finish_problem;
use crate::state::AppState;

/// The header's name.
pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The client's id if it matches `^[A-Za-z0-9._-]{1,64}$`.
    pub fn parse(text: &str) -> Option<RequestId> {
        let ok = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        ok.then(|| RequestId(text.to_owned()))
    }
}

/// The outermost layer: assigns the id, logs the request, and writes problem bodies.
pub(crate) async fn request_id_layer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(RequestId::parse)
        .unwrap_or_else(|| RequestId(state.new_uuid().to_string()));
    request.extensions_mut().insert(id.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let mut response = finish_problem(response, &id);
    // A CORS preflight answered by the CORS layer is a 204 (API.md "Service").
    if method == axum::http::Method::OPTIONS
        && response.status() == axum::http::StatusCode::OK
        && response
            .headers()
            .contains_key(axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN)
    {
        *response.status_mut() = axum::http::StatusCode::NO_CONTENT;
    }
    if let Ok(v) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), v);
    }
    tracing::info!(
        request_id = id.as_str(),
        %method,
        path,
        status = response.status().as_u16(),
        "request"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_ids_are_kept() {
        assert!(RequestId::parse("abc-1.2_3").is_some());
        assert!(RequestId::parse("").is_none());
        assert!(RequestId::parse(&"a".repeat(65)).is_none());
        assert!(RequestId::parse("a b").is_none());
        assert!(RequestId::parse("é").is_none());
    }
}
