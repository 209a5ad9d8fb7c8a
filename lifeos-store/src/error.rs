//! The crate's one error type.

use lifeos_core::ValidationErrors;

/// What went wrong, for callers that branch on it. Stable across releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The row does not exist for this user.
    NotFound,
    /// A write named a stale version, was computed from rows that changed since, or
    /// collided with a unique key.
    Conflict,
    /// The input failed validation.
    Invalid,
    /// The storage backend failed (I/O, SQL, a corrupt row).
    Backend,
    /// A token could not be encrypted or decrypted.
    Crypto,
    /// An event subscriber fell behind and missed events.
    Lagged,
}

/// The error of every fallible `lifeos-store` operation.
///
/// Backend causes (sqlx, serde) are reachable only through
/// [`std::error::Error::source`], never as public variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No such row for this user (another user's row is reported the same way).
    #[error("{entity} {id} not found")]
    NotFound {
        /// The kind of row: `task`, `project`, `profile`, ...
        entity: &'static str,
        /// The id looked up.
        id: String,
    },
    /// The write named `expected` but the row is at `actual`: re-read and retry.
    #[error("{entity} {id}: stale version {expected}, the stored version is {actual}")]
    Conflict {
        /// The kind of row.
        entity: &'static str,
        /// The row's id.
        id: String,
        /// The version the caller read.
        expected: u64,
        /// The version stored now.
        actual: u64,
    },
    /// A guarded write was refused: a row it was computed from changed since it was read
    /// (see [`crate::ReadGuard`]). Read again and recompute.
    #[error("{entity} {id} changed since it was read")]
    Changed {
        /// The kind of row.
        entity: &'static str,
        /// The row's id.
        id: String,
    },
    /// A unique key is already taken (such as a profile that already exists).
    #[error("{entity} {key}: already exists")]
    Duplicate {
        /// The kind of row.
        entity: &'static str,
        /// The key that collided.
        key: String,
    },
    /// The input is invalid; every problem is listed, each naming its field.
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// The backend failed while doing `context`; the cause is the `source()`.
    #[error("storage backend failed while {context}")]
    Backend {
        /// What the store was doing.
        context: &'static str,
        /// The backend's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A stored row cannot be decoded (written by something else, or damaged): the store
    /// never substitutes a default. The cause is the `source()`.
    #[error("stored {table} row {id} cannot be decoded")]
    Corrupt {
        /// The table (`tasks`, `events`, ...).
        table: &'static str,
        /// The row's key (an id, or an event's `seq`).
        id: String,
        /// What failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A token could not be sealed or opened (wrong or missing key, tampered ciphertext).
    #[error("token encryption: {message}")]
    Crypto {
        /// What failed (never key or token bytes).
        message: String,
    },
    /// An event subscriber missed events: it fell more than the buffer behind, or the
    /// store's notification connection dropped and reconnected. Read the log after
    /// `last_seq` to catch up.
    #[error("event subscriber lagged and missed events")]
    Lagged {
        /// How many events were dropped, when known (a lost connection cannot tell).
        missed: Option<u64>,
        /// The `seq` of the last event the subscriber received (`None`: none yet).
        last_seq: Option<u64>,
    },
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Conflict { .. } | Error::Changed { .. } | Error::Duplicate { .. } => {
                ErrorKind::Conflict
            }
            Error::Invalid(_) => ErrorKind::Invalid,
            Error::Backend { .. } | Error::Corrupt { .. } => ErrorKind::Backend,
            Error::Crypto { .. } => ErrorKind::Crypto,
            Error::Lagged { .. } => ErrorKind::Lagged,
        }
    }

    /// Whether the row was not found.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// Whether a stale version or a taken unique key refused the write.
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }

    /// Whether the input was invalid.
    pub fn is_invalid(&self) -> bool {
        self.kind() == ErrorKind::Invalid
    }

    /// Whether the backend failed.
    pub fn is_backend(&self) -> bool {
        self.kind() == ErrorKind::Backend
    }

    /// The validation problems, when this is [`Error::Invalid`].
    pub fn validation(&self) -> Option<&ValidationErrors> {
        match self {
            Error::Invalid(errors) => Some(errors),
            _ => None,
        }
    }

    /// The first offending field of a validation error.
    pub fn field(&self) -> Option<&str> {
        self.validation().map(|e| e.first().field.as_str())
    }

    pub(crate) fn not_found(entity: &'static str, id: impl std::fmt::Display) -> Self {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub(crate) fn invalid(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::from(lifeos_core::Error::invalid(field, value, expected))
    }

    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn corrupt(
        table: &'static str,
        id: impl std::fmt::Display,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Error::Corrupt {
            table,
            id: id.to_string(),
            source: source.into(),
        }
    }

    pub(crate) fn backend(
        context: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Backend {
            context,
            source: Box::new(source),
        }
    }
}

impl From<lifeos_core::Error> for Error {
    fn from(error: lifeos_core::Error) -> Self {
        match error {
            lifeos_core::Error::Invalid(errors) => Error::Invalid(errors),
            lifeos_core::Error::InvalidTransition { from, to } => {
                match lifeos_core::Error::invalid(
                    "status",
                    to,
                    format!("a status reachable from {from}"),
                ) {
                    lifeos_core::Error::Invalid(errors) => Error::Invalid(errors),
                    other => Error::backend("mapping a domain error", other),
                }
            }
            other => match lifeos_core::Error::invalid(
                other.field().unwrap_or("input"),
                other.to_string(),
                "valid input",
            ) {
                lifeos_core::Error::Invalid(errors) => Error::Invalid(errors),
                other => Error::backend("mapping a domain error", other),
            },
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A JSON document that could not be written (the export's `to_json`).
impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Self {
        Error::backend("writing a JSON document", error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn kinds_predicates_and_one_layer_display() {
        let e = Error::backend("listing tasks", std::io::Error::other("disk on fire"));
        assert!(e.is_backend());
        assert_eq!(e.to_string(), "storage backend failed while listing tasks");
        assert_eq!(e.source().unwrap().to_string(), "disk on fire");
        let c = Error::Conflict {
            entity: "task",
            id: "x".into(),
            expected: 1,
            actual: 2,
        };
        assert!(c.is_conflict() && !c.is_not_found());
        assert_eq!(
            c.to_string(),
            "task x: stale version 1, the stored version is 2"
        );
        let t = Error::from(lifeos_core::Error::InvalidTransition {
            from: lifeos_core::TaskStatus::Completed,
            to: lifeos_core::TaskStatus::Completed,
        });
        assert_eq!((t.kind(), t.field()), (ErrorKind::Invalid, Some("status")));
        assert!(Error::not_found("task", 1).is_not_found());
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Error>();
    }
}
