//! The client's one error type: what the server refused (its problem document), what
//! could not be sent or read, and what the client itself gave up on.

use std::time::Duration;

use lifeos_core::wire::{Problem, ProblemField};

/// A boxed lower-layer error (reqwest, serde_json, a token provider's own error).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Every failure of a [`crate::Client`] call.
///
/// `Display` describes this layer; a lower layer's cause is reachable through
/// [`std::error::Error::source`] only.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a problem document not covered by a variant below.
    #[error("the server answered {status}: {}", problem.detail)]
    Api {
        /// The HTTP status.
        status: u16,
        /// The RFC 9457 document (its `request_id`, slug and field errors).
        problem: Box<Problem>,
    },
    /// `If-Match` named a version that is no longer current (412), or the resource
    /// changed concurrently (409 `conflict`). `current_version` is the response's `ETag`
    /// when the server sent one; the client never guesses it.
    #[error("the resource changed ({status}): {}", problem.detail)]
    Conflict {
        /// 409 or 412.
        status: u16,
        /// The problem document.
        problem: Box<Problem>,
        /// The version the server reported in `ETag`, if any.
        current_version: Option<u64>,
    },
    /// 429 after the retry policy gave up; `retry_after` is the server's `Retry-After`.
    #[error("rate limited: {}", problem.detail)]
    RateLimited {
        /// The problem document.
        problem: Box<Problem>,
        /// How long the server asked to wait.
        retry_after: Option<Duration>,
    },
    /// The request could not be sent or its answer not received (connection refused,
    /// reset, timed out, TLS).
    #[error("the request failed in transport ({what})")]
    Transport {
        /// A short description: `connect`, `timeout`, `body`, ...
        what: &'static str,
        /// The HTTP library's error.
        #[source]
        source: BoxError,
    },
    /// A response whose body is not what the route documents.
    #[error("could not read the server's {status} answer")]
    Decode {
        /// The HTTP status.
        status: u16,
        /// Why it could not be read.
        #[source]
        source: BoxError,
    },
    /// The token provider failed to give or refresh a token.
    #[error("the token provider failed")]
    Token(#[source] BoxError),
    /// The whole call, retries included, took longer than the client's total time bound.
    #[error("the call took longer than its total time bound of {0:?}")]
    TotalTimeout(Duration),
    /// The client or request was built with an invalid value (base URL, header).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

/// Result alias of the client.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status of a server answer, `None` for transport and client-side errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::Conflict { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// The server's problem document, if it sent one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Error::Api { problem, .. }
            | Error::Conflict { problem, .. }
            | Error::RateLimited { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// The problem's slug (`validation`, `not-found`, ...).
    pub fn slug(&self) -> Option<&str> {
        self.problem().and_then(Problem::slug)
    }

    /// The server's `request_id` of the failed request (for support and logs).
    pub fn request_id(&self) -> Option<&str> {
        self.problem().map(|p| p.request_id.as_str())
    }

    /// Every broken rule the server named (400 and 422), empty otherwise.
    pub fn field_errors(&self) -> &[ProblemField] {
        self.problem()
            .and_then(|p| p.errors.as_deref())
            .unwrap_or(&[])
    }

    /// Whether the resource was not found (404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether a version precondition failed or the resource changed concurrently.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Conflict { .. })
    }

    /// Whether the server refused a state change (409 `invalid-transition`).
    pub fn is_invalid_transition(&self) -> bool {
        self.slug() == Some("invalid-transition")
    }

    /// Whether the request broke validation rules (422 `validation`).
    pub fn is_validation(&self) -> bool {
        self.slug() == Some("validation")
    }

    pub(crate) fn transport(what: &'static str, e: impl Into<BoxError>) -> Self {
        Error::Transport {
            what,
            source: e.into(),
        }
    }

    pub(crate) fn decode(status: u16, e: impl Into<BoxError>) -> Self {
        Error::Decode {
            status,
            source: e.into(),
        }
    }
}
