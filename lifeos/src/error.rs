//! The one error type of the application layer, and how each lower layer's error maps to it.
//!
//! Every variant has a stable [`ErrorKind`], which the REST server maps to an HTTP status
//! and the Python bindings to an exception class, without parsing messages.

use lifeos_core::plan::PlanError;
use lifeos_core::{TaskId, TaskStatus, ValidationErrors};
use lifeos_scheduler::refine::RefinerError;

/// A `Result` with the application layer's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, for callers that branch (an HTTP status, a Python exception class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is invalid (HTTP 422): see [`Error::validation`].
    Invalid,
    /// A task status change the lifecycle does not allow (HTTP 409 or 422).
    InvalidTransition,
    /// No such row for this user (HTTP 404).
    NotFound,
    /// A stale version, or a change that kept colliding with concurrent writers (HTTP 409).
    Conflict,
    /// A unique key is already taken (HTTP 409).
    Duplicate,
    /// A document (an iCalendar file) cannot be read at all (HTTP 422).
    Unreadable,
    /// The storage backend failed (HTTP 500 or 503); the cause is the `source()`.
    Storage,
    /// An AI quota is spent (HTTP 429 with `Retry-After`): see [`Error::QuotaExceeded`].
    RateLimited,
    /// A service the call needs (the AI quota store, the model) failed (HTTP 502 or 503).
    Unavailable,
    /// The model's answer broke a rule and was not used (HTTP 502 `bad-model-output`).
    BadModelOutput,
}

/// The error of every fallible call of [`crate::LifeOs`].
///
/// `Display` describes what failed at this layer; a lower layer's cause is reachable
/// through [`std::error::Error::source`] only.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is invalid; every problem is listed, each naming its field.
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// The planner's request breaks a rule of `PLANNER.md` (every problem, each at its
    /// path); only a request built from data the store let through can, such as a
    /// dependency cycle.
    #[error("invalid plan request: {}: {}", .0.field, .0.message)]
    InvalidPlanRequest(PlanError),
    /// The tasks' dependencies form a cycle, so no plan can order them (only data written
    /// before the store refused cycles holds one): nothing was planned or saved. Its own
    /// variant so callers branch on the type (the REST server's 409 `dependency-cycle`),
    /// never on a message.
    #[error("{field}: {message}")]
    DependencyCycle {
        /// The request path of the cycle's first task: `tasks[3].dependsOn`.
        field: String,
        /// The tasks of the cycle, in dependency order, starting from the lowest id.
        tasks: Vec<TaskId>,
        /// The cycle named by the tasks' titles, for a person.
        message: String,
    },
    /// The task lifecycle does not allow this status change.
    #[error("status: a task cannot go from {from} to {to}")]
    InvalidTransition {
        /// The current status.
        from: TaskStatus,
        /// The requested status.
        to: TaskStatus,
    },
    /// No such row for this user (another user's row is reported the same way).
    #[error("{entity} {id} not found")]
    NotFound {
        /// The kind of row: `task`, `project`, `profile`, ...
        entity: &'static str,
        /// The id looked up.
        id: String,
    },
    /// The write named a stale version: re-read and retry.
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
    /// A guarded write was refused: a row it was computed from changed since it was read.
    #[error("{entity} {id} changed since it was read")]
    Changed {
        /// The kind of row.
        entity: &'static str,
        /// The row's id.
        id: String,
    },
    /// A plan could not be saved because its tasks kept changing underneath it.
    #[error(
        "the plan of {date} could not be saved: its tasks changed {attempts} times while planning"
    )]
    PlanConflict {
        /// The local date planned.
        date: chrono::NaiveDate,
        /// How many times the day was planned.
        attempts: u32,
    },
    /// A unique key is already taken.
    #[error("{entity} {key}: already exists")]
    Duplicate {
        /// The kind of row.
        entity: &'static str,
        /// The key that collided.
        key: String,
    },
    /// An iCalendar document cannot be read (malformed content lines, unbalanced
    /// components), or, in strict mode, one of its events cannot.
    #[error("iCalendar line {line}: {message}")]
    Ical {
        /// The 1-based physical line at fault (0 when not tied to a line).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An AI quota of the caller's tier is spent: nothing was asked of the model and
    /// nothing saved. The caller may plan again without refinement.
    #[error("AI quota exceeded: {0}")]
    QuotaExceeded(crate::refinement::QuotaExceeded),
    /// A service the call needs failed: the AI quota store, or the model (its reply could
    /// not be used). Nothing was saved.
    #[error("{service} unavailable: {message}")]
    Unavailable {
        /// The service: `ai quota`, `model`.
        service: &'static str,
        /// What went wrong, for a person (no secrets).
        message: String,
    },
    /// The model gave no usable answer (it timed out, its server was rate-limiting or
    /// failing, or could not be reached): nothing was changed. What happened is the typed
    /// cause, also reachable through [`Error::model_failure`].
    #[error("the model gave no usable answer")]
    Model(#[source] RefinerError),
    /// The model's answer broke a rule (a task breakdown), or the model refused: nothing
    /// was changed.
    #[error("the model's answer was not used: {0}")]
    BadModelOutput(crate::breakdown::BreakdownRejected),
    /// The storage backend failed while doing `context`.
    #[error("storage failed while {context}")]
    Storage {
        /// What the workflow was doing.
        context: &'static str,
        /// The store's error.
        #[source]
        source: lifeos_store::Error,
    },
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid(_) | Error::InvalidPlanRequest(_) | Error::DependencyCycle { .. } => {
                ErrorKind::Invalid
            }
            Error::InvalidTransition { .. } => ErrorKind::InvalidTransition,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Conflict { .. } | Error::Changed { .. } | Error::PlanConflict { .. } => {
                ErrorKind::Conflict
            }
            Error::Duplicate { .. } => ErrorKind::Duplicate,
            Error::Ical { .. } => ErrorKind::Unreadable,
            Error::Storage { .. } => ErrorKind::Storage,
            Error::QuotaExceeded(_) => ErrorKind::RateLimited,
            Error::Unavailable { .. } | Error::Model(_) => ErrorKind::Unavailable,
            Error::BadModelOutput(_) => ErrorKind::BadModelOutput,
        }
    }

    /// The field at fault, where the error is tied to one: the first validation problem's
    /// path, or `status` for a refused transition.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid(errors) => Some(errors.first().field.as_str()),
            Error::InvalidPlanRequest(e) => Some(e.field.as_str()),
            Error::DependencyCycle { field, .. } => Some(field.as_str()),
            Error::InvalidTransition { .. } => Some("status"),
            _ => None,
        }
    }

    /// Every validation problem, when the input was invalid.
    pub fn validation(&self) -> Option<&ValidationErrors> {
        match self {
            Error::Invalid(errors) => Some(errors),
            _ => None,
        }
    }

    /// Whether the tasks' dependencies form a cycle ([`Error::DependencyCycle`]).
    pub fn is_dependency_cycle(&self) -> bool {
        matches!(self, Error::DependencyCycle { .. })
    }

    /// What went wrong with the model, when it gave no usable answer ([`Error::Model`]):
    /// a timeout, an HTTP status (429 when its server was rate-limiting), a connection
    /// failure.
    pub fn model_failure(&self) -> Option<&RefinerError> {
        match self {
            Error::Model(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this is a conflict (a stale version, or a plan that kept colliding).
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }

    /// Whether the row was not found.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// Maps a store error met while doing `context`.
    pub(crate) fn store(context: &'static str) -> impl FnOnce(lifeos_store::Error) -> Error {
        move |e| Error::from_store(context, e)
    }

    fn from_store(context: &'static str, e: lifeos_store::Error) -> Error {
        use lifeos_store::Error as S;
        match e {
            S::NotFound { entity, id } => Error::NotFound { entity, id },
            S::Conflict {
                entity,
                id,
                expected,
                actual,
            } => Error::Conflict {
                entity,
                id,
                expected,
                actual,
            },
            S::Changed { entity, id } => Error::Changed { entity, id },
            S::Duplicate { entity, key } => Error::Duplicate { entity, key },
            S::Invalid(errors) => Error::Invalid(errors),
            other => Error::Storage {
                context,
                source: other,
            },
        }
    }
}

impl From<lifeos_core::Error> for Error {
    fn from(e: lifeos_core::Error) -> Self {
        use lifeos_core::Error as C;
        match e {
            C::Invalid(errors) => Error::Invalid(errors),
            C::InvalidTransition { from, to } => Error::InvalidTransition { from, to },
            C::Ical { line, message } => Error::Ical { line, message },
            // A recurrence rule's problem, naming the rule part, is the `rrule` field's.
            C::Recurrence { part, message } => Error::from(C::invalid(
                "rrule",
                part,
                format!("a valid rule ({message})"),
            )),
            other => Error::from(C::invalid(
                other.field().unwrap_or(""),
                "",
                other.to_string(),
            )),
        }
    }
}

impl From<PlanError> for Error {
    fn from(e: PlanError) -> Self {
        Error::InvalidPlanRequest(e)
    }
}
