//! The server's one error type, [`ApiError`], and the one place it becomes an HTTP
//! response: an RFC 9457 problem document (API.md "Problems").

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lifeos::ErrorKind;
use lifeos::core::ValidationErrors;
use lifeos::core::wire::{PROBLEM_TYPE_PREFIX, Problem, ProblemField};
use lifeos::scheduler::refine::RefinerError;

use crate::request_id::RequestId;

/// Everything a request can fail with. [`IntoResponse`] maps each to its status, slug and
/// headers; the request id is filled in by the request-id layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// 400 `bad-request`: a body that is not JSON, a bad parameter, header or cursor.
    #[error("{detail}")]
    BadRequest {
        /// What is wrong.
        detail: String,
        /// The fields at fault.
        errors: Vec<ProblemField>,
    },
    /// 401 `unauthorized`; `credentials` says whether any were sent (the challenge then
    /// carries `error="invalid_token"`).
    #[error("authentication required")]
    Unauthorized {
        /// Whether an `Authorization` header was present.
        credentials: bool,
    },
    /// 404 `not-found`.
    #[error("not found")]
    NotFound,
    /// 405 `method-not-allowed`.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409 `invalid-transition`.
    #[error("{0}")]
    InvalidTransition(String),
    /// 409 `conflict`.
    #[error("{0}")]
    Conflict(String),
    /// 409 `dependency-cycle`.
    #[error("{0}")]
    DependencyCycle(String),
    /// 409 `idempotency-in-flight` (`Retry-After: 1`): the same keyed request is running.
    #[error("a request with this Idempotency-Key is still in progress: retry shortly")]
    IdempotencyInFlight,
    /// 422 `idempotency-key-reuse`: the key was used for another request.
    #[error("this Idempotency-Key was used for another request (method, path, query or body)")]
    IdempotencyKeyReuse,
    /// 412 `precondition-failed`.
    #[error("If-Match does not name the current version")]
    PreconditionFailed,
    /// 413 `payload-too-large`.
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit of this route.
        limit: usize,
    },
    /// 415 `unsupported-media-type`.
    #[error("the body must be {expected}")]
    UnsupportedMediaType {
        /// The media type the route takes.
        expected: &'static str,
    },
    /// 422 `validation`.
    #[error("{detail}")]
    Validation {
        /// What is wrong.
        detail: String,
        /// Every broken rule.
        errors: Vec<ProblemField>,
    },
    /// 422 `ical`.
    #[error("{message}")]
    Ical {
        /// The 1-based physical line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// 429 `rate-limited`.
    #[error("too many requests")]
    RateLimited {
        /// Whole seconds until a request is accepted again (at least 1).
        retry_after: u64,
    },
    /// 500 `internal`: the cause is logged, never answered.
    #[error("internal error")]
    Internal,
    /// 502 `bad-model-output`: the language model answered, but its answer broke a rule
    /// (or was a refusal); nothing was changed.
    #[error("{0}")]
    BadModelOutput(String),
    /// 503 `unavailable`.
    #[error("{0}")]
    Unavailable(String),
    /// 503 `timeout`.
    #[error("the request took longer than the server's timeout")]
    Timeout,
    /// 503 `timeout`: the language model did not answer within the AI timeout
    /// (`--ai-timeout-secs`); nothing was changed.
    #[error("the language model did not answer within {timeout_ms} ms")]
    ModelTimeout {
        /// The AI timeout, in milliseconds.
        timeout_ms: u64,
    },
}

/// Every problem slug this server answers with (`type` is
/// `https://lifeos.dev/problems/<slug>`), with its status.
pub const PROBLEM_SLUGS: [(u16, &str); 19] = [
    (400, "bad-request"),
    (401, "unauthorized"),
    (404, "not-found"),
    (405, "method-not-allowed"),
    (409, "invalid-transition"),
    (409, "conflict"),
    (409, "dependency-cycle"),
    (409, "idempotency-in-flight"),
    (412, "precondition-failed"),
    (413, "payload-too-large"),
    (415, "unsupported-media-type"),
    (422, "validation"),
    (422, "ical"),
    (422, "idempotency-key-reuse"),
    (429, "rate-limited"),
    (500, "internal"),
    (502, "bad-model-output"),
    (503, "unavailable"),
    (503, "timeout"),
];

impl ApiError {
    /// A 400 naming `field`.
    pub fn bad_param(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("{field}: {message}"),
            errors: vec![ProblemField {
                field: field.to_owned(),
                message,
            }],
        }
    }

    /// A 422 naming `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::Validation {
            detail: format!("{field}: {message}"),
            errors: vec![ProblemField {
                field: field.to_owned(),
                message,
            }],
        }
    }

    /// A 422 listing every problem of `errors`, each field renamed by `rename`.
    pub fn from_validation(errors: &ValidationErrors, rename: impl Fn(&str) -> String) -> Self {
        let errors: Vec<ProblemField> = errors
            .iter()
            .map(|e| ProblemField {
                field: rename(&e.field),
                message: format!("expected {}", e.expected),
            })
            .collect();
        let detail = match errors.len() {
            1 => "1 field is invalid".to_owned(),
            n => format!("{n} fields are invalid"),
        };
        ApiError::Validation { detail, errors }
    }

    /// Maps an application-layer error, renaming validation fields by `rename`: by its
    /// type, the same on every route (a dependency cycle, the AI budget, the model's
    /// failures), never by its message.
    pub fn from_app_renamed(e: lifeos::Error, rename: impl Fn(&str) -> String) -> Self {
        match e.kind() {
            ErrorKind::Invalid => match &e {
                lifeos::Error::DependencyCycle { message, .. } => {
                    ApiError::DependencyCycle(message.clone())
                }
                _ => match e.validation() {
                    Some(v) => ApiError::from_validation(v, rename),
                    None => ApiError::invalid(&rename(e.field().unwrap_or("")), e.to_string()),
                },
            },
            ErrorKind::RateLimited => match &e {
                lifeos::Error::QuotaExceeded(q) => ApiError::RateLimited {
                    retry_after: whole_seconds(q.retry_after),
                },
                _ => ApiError::RateLimited { retry_after: 1 },
            },
            ErrorKind::BadModelOutput => ApiError::BadModelOutput(e.to_string()),
            ErrorKind::Unavailable => match e.model_failure() {
                Some(failure) => ApiError::from_model_failure(failure),
                None => {
                    tracing::warn!(error = %e, "a service the request needs failed");
                    match &e {
                        lifeos::Error::Unavailable {
                            service: "model", ..
                        } => ApiError::Unavailable(
                            "this needs a language model, and none is configured on this server"
                                .into(),
                        ),
                        _ => ApiError::Unavailable(
                            "a service this request needs is unavailable: retry later".into(),
                        ),
                    }
                }
            },
            ErrorKind::InvalidTransition => ApiError::InvalidTransition(e.to_string()),
            ErrorKind::NotFound => ApiError::NotFound,
            ErrorKind::Conflict => ApiError::Conflict(
                "the resource changed concurrently: read it again and retry".into(),
            ),
            ErrorKind::Duplicate => ApiError::Conflict("already exists".into()),
            ErrorKind::Unreadable => match &e {
                lifeos::Error::Ical { line, message } => ApiError::Ical {
                    line: *line,
                    message: message.clone(),
                },
                _ => ApiError::invalid("", e.to_string()),
            },
            _ => {
                tracing::error!(error = %e, cause = ?std::error::Error::source(&e), "store failure");
                ApiError::Internal
            }
        }
    }

    /// Maps the model's failure to answer: its timeout is 503 `timeout`; its server
    /// rate-limiting, failing or out of reach is 503 `unavailable` (the cause is logged,
    /// never answered: it may name internal hosts).
    pub fn from_model_failure(failure: &RefinerError) -> Self {
        tracing::warn!(error = %failure, "the language model gave no answer");
        match failure {
            RefinerError::Timeout { timeout_ms } => ApiError::ModelTimeout {
                timeout_ms: *timeout_ms,
            },
            RefinerError::Http { status: 429 } => ApiError::Unavailable(
                "the language model's server is rate-limiting this server: retry later".into(),
            ),
            RefinerError::Http { status } => ApiError::Unavailable(format!(
                "the language model's server answered HTTP {status}: retry later"
            )),
            RefinerError::InputBudget { .. } => ApiError::Unavailable(
                "the request is larger than the language model's input budget".into(),
            ),
            _ => ApiError::Unavailable(
                "the language model's server could not be reached: retry later".into(),
            ),
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        use ApiError::*;
        match self {
            BadRequest { .. } => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
            Unauthorized { .. } => (StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"),
            NotFound => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            InvalidTransition(_) => (
                StatusCode::CONFLICT,
                "invalid-transition",
                "Invalid status transition",
            ),
            Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            DependencyCycle(_) => (StatusCode::CONFLICT, "dependency-cycle", "Dependency cycle"),
            IdempotencyInFlight => (
                StatusCode::CONFLICT,
                "idempotency-in-flight",
                "Request in progress",
            ),
            IdempotencyKeyReuse => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reuse",
                "Idempotency key reused",
            ),
            PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition failed",
            ),
            PayloadTooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
            ),
            UnsupportedMediaType { .. } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            Validation { .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Validation failed",
            ),
            Ical { .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "ical",
                "Unreadable iCalendar document",
            ),
            RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Rate limited",
            ),
            Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
            ),
            BadModelOutput(_) => (
                StatusCode::BAD_GATEWAY,
                "bad-model-output",
                "Unusable model output",
            ),
            Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
            ),
            Timeout | ModelTimeout { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "timeout", "Timeout")
            }
        }
    }

    /// The problem document of this error for `request_id`.
    pub fn problem(&self, request_id: &str) -> Problem {
        let (status, slug, title) = self.parts();
        let errors = match self {
            ApiError::BadRequest { errors, .. } | ApiError::Validation { errors, .. } => {
                Some(errors.clone())
            }
            _ => None,
        };
        Problem {
            kind: format!("{PROBLEM_TYPE_PREFIX}{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            request_id: request_id.to_owned(),
            errors,
            line: match self {
                ApiError::Ical { line, .. } => Some(*line),
                _ => None,
            },
        }
    }
}

/// Whole seconds, rounded up, at least 1 (`Retry-After`).
fn whole_seconds(d: std::time::Duration) -> u64 {
    d.as_secs()
        .saturating_add(u64::from(d.subsec_nanos() > 0))
        .max(1)
}

impl From<lifeos::Error> for ApiError {
    fn from(e: lifeos::Error) -> Self {
        ApiError::from_app_renamed(e, str::to_owned)
    }
}

impl From<lifeos::store::Error> for ApiError {
    fn from(e: lifeos::store::Error) -> Self {
        use lifeos::store::ErrorKind as S;
        match e.kind() {
            S::NotFound => ApiError::NotFound,
            S::Conflict => ApiError::Conflict(
                "the resource changed concurrently: read it again and retry".into(),
            ),
            S::Invalid => match e.validation() {
                Some(v) => ApiError::from_validation(v, str::to_owned),
                None => ApiError::invalid("", "invalid input"),
            },
            _ => {
                tracing::error!(error = %e, cause = ?std::error::Error::source(&e), "store failure");
                ApiError::Internal
            }
        }
    }
}

/// The problem's body is written by the request-id layer once the request id is known;
/// this response carries the error in its extensions until then.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _, _) = self.parts();
        let mut headers = HeaderMap::new();
        match &self {
            ApiError::Unauthorized { credentials } => {
                let challenge = if *credentials {
                    "Bearer error=\"invalid_token\""
                } else {
                    "Bearer"
                };
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(challenge),
                );
            }
            ApiError::RateLimited { retry_after } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after.max(&1).to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            ApiError::IdempotencyInFlight => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        let mut response = (status, headers).into_response();
        response
            .extensions_mut()
            .insert(PendingProblem(std::sync::Arc::new(self)));
        response
    }
}

/// An error waiting for its request id (a response extension).
#[derive(Clone, Debug)]
pub(crate) struct PendingProblem(pub(crate) std::sync::Arc<ApiError>);

/// Writes the problem body of a response: the pending [`ApiError`]'s, or, for an error
/// status produced by the router or a layer (404, 405, ...), the matching problem.
pub(crate) fn finish_problem(mut response: Response, id: &RequestId) -> Response {
    let pending = response.extensions_mut().remove::<PendingProblem>();
    let status = response.status();
    let error = match pending {
        Some(p) => p.0,
        None if status == StatusCode::NOT_FOUND && !has_body_type(&response) => {
            std::sync::Arc::new(ApiError::NotFound)
        }
        None if status == StatusCode::METHOD_NOT_ALLOWED => {
            std::sync::Arc::new(ApiError::MethodNotAllowed)
        }
        None => return response,
    };
    let body = match serde_json::to_vec(&error.problem(id.as_str())) {
        Ok(body) => body,
        Err(_) => return response,
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

fn has_body_type(response: &Response) -> bool {
    response.headers().contains_key(header::CONTENT_TYPE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_slug_is_listed_with_its_status() {
        let all = [
            ApiError::bad_param("x", "y"),
            ApiError::Unauthorized { credentials: true },
            ApiError::NotFound,
            ApiError::MethodNotAllowed,
            ApiError::InvalidTransition(String::new()),
            ApiError::Conflict(String::new()),
            ApiError::DependencyCycle(String::new()),
            ApiError::IdempotencyInFlight,
            ApiError::IdempotencyKeyReuse,
            ApiError::PreconditionFailed,
            ApiError::PayloadTooLarge { limit: 1 },
            ApiError::UnsupportedMediaType { expected: "a/b" },
            ApiError::invalid("x", "y"),
            ApiError::Ical {
                line: 1,
                message: String::new(),
            },
            ApiError::RateLimited { retry_after: 1 },
            ApiError::Internal,
            ApiError::BadModelOutput(String::new()),
            ApiError::Unavailable(String::new()),
            ApiError::Timeout,
            ApiError::ModelTimeout { timeout_ms: 1 },
        ];
        let mut seen = Vec::new();
        for e in &all {
            let p = e.problem("r");
            let entry = (p.status, p.slug().unwrap().to_owned());
            assert!(
                PROBLEM_SLUGS.contains(&(entry.0, entry.1.as_str())),
                "{entry:?} is listed"
            );
            seen.push(entry);
        }
        // Two errors may share a slug (the request's and the model's timeout).
        seen.sort_unstable();
        seen.dedup();
        let mut listed: Vec<(u16, String)> = PROBLEM_SLUGS
            .iter()
            .map(|(s, slug)| (*s, (*slug).to_owned()))
            .collect();
        listed.sort_unstable();
        assert_eq!(seen, listed, "and nothing else is");
    }

    #[test]
    fn application_errors_map_by_type_not_by_message() {
        use lifeos::refinement::{QuotaExceeded, QuotaWindow};
        use std::time::Duration;
        let slug = |e: lifeos::Error| {
            let p = ApiError::from(e).problem("r");
            (p.status, p.slug().map(str::to_owned))
        };
        let cycle = lifeos::Error::DependencyCycle {
            field: "tasks[0].dependsOn".into(),
            tasks: Vec::new(),
            message: "any words at all".into(),
        };
        assert_eq!(slug(cycle), (409, Some("dependency-cycle".into())));
        let quota = QuotaExceeded::new(
            QuotaWindow::Hour,
            lifeos::core::Tier::Free,
            Duration::from_millis(1500),
        );
        let e = ApiError::from(lifeos::Error::QuotaExceeded(quota));
        assert!(
            matches!(e, ApiError::RateLimited { retry_after: 2 }),
            "{e:?}"
        );
        let model = |failure| slug(lifeos::Error::Model(failure));
        assert_eq!(
            model(RefinerError::Timeout { timeout_ms: 20_000 }),
            (503, Some("timeout".into()))
        );
        assert_eq!(
            model(RefinerError::Http { status: 429 }),
            (503, Some("unavailable".into()))
        );
        let secret = RefinerError::Connection {
            message: "http://internal-host:8000 refused".into(),
        };
        let p = ApiError::from(lifeos::Error::Model(secret)).problem("r");
        assert_eq!((p.status, p.slug()), (503, Some("unavailable")));
        assert!(!p.detail.contains("internal-host"), "{}", p.detail);
        let none = lifeos::Error::Unavailable {
            service: "model",
            message: "no language model is configured".into(),
        };
        assert_eq!(slug(none), (503, Some("unavailable".into())));
    }

    #[test]
    fn every_error_has_a_slug_and_the_database_text_never_shows() {
        let e = ApiError::from(lifeos::store::Error::Backend {
            context: "listing tasks",
            source: Box::new(std::io::Error::other("SELECT secret FROM tasks")),
        });
        let p = e.problem("r");
        assert_eq!((p.status, p.slug()), (500, Some("internal")));
        assert!(!serde_json::to_string(&p).unwrap().contains("SELECT"));
    }
}
