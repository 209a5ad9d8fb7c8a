//! The crate's one error type, and structured validation errors.
//!
//! Validation collects every problem at once; each [`FieldError`] names the field (a path
//! such as `labels[3]`), the offending value and the rule it broke, so a server or the Python
//! bindings can render them without parsing strings.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest rendering of an offending value kept in a [`FieldError`]; longer values are cut
/// (on a character boundary) and marked with `…`, so a 1 MB title does not become a 1 MB error.
const MAX_VALUE_CHARS: usize = 80;

/// One problem with one field of an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldError {
    /// Path of the field from the input's root: `title`, `labels[3]`, `preferences.timezone`.
    pub field: String,
    /// The offending value as text (cut to 80 characters).
    pub value: String,
    /// What the field accepts: `1..=500 characters after trimming`, `one of pending, ...`.
    pub expected: String,
}

impl FieldError {
    /// A problem with `field`, whose `value` does not satisfy `expected`.
    pub fn new(
        field: impl Into<String>,
        value: impl fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        let value = value.to_string();
        let value = if value.chars().count() > MAX_VALUE_CHARS {
            let mut cut: String = value.chars().take(MAX_VALUE_CHARS).collect();
            cut.push('…');
            cut
        } else {
            value
        };
        Self {
            field: field.into(),
            value,
            expected: expected.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {:?} is not {}",
            self.field, self.value, self.expected
        )
    }
}

/// Every problem found in one input, in the order of its fields. Never empty: decoding an
/// empty list is refused, so [`ValidationErrors::first`] cannot fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<FieldError>", into = "Vec<FieldError>")]
pub struct ValidationErrors(Vec<FieldError>);

impl TryFrom<Vec<FieldError>> for ValidationErrors {
    type Error = &'static str;
    fn try_from(errors: Vec<FieldError>) -> Result<Self, Self::Error> {
        if errors.is_empty() {
            Err("a list of validation errors holds at least one error")
        } else {
            Ok(ValidationErrors(errors))
        }
    }
}

impl From<ValidationErrors> for Vec<FieldError> {
    fn from(errors: ValidationErrors) -> Self {
        errors.0
    }
}

impl ValidationErrors {
    /// The problems, in field order.
    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    /// The first problem.
    pub fn first(&self) -> &FieldError {
        // Construction guarantees at least one entry (see `Validator::finish`).
        &self.0[0]
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a `ValidationErrors` holds at least one problem.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names of the offending fields, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|e| e.field.as_str())
    }

    /// Whether some problem names `field`.
    pub fn has_field(&self, field: &str) -> bool {
        self.fields().any(|f| f == field)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Collects [`FieldError`]s while an input is checked, then yields `Ok` or every problem.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Records a problem with `field` unless `ok`.
    pub fn check(
        &mut self,
        ok: bool,
        field: impl Into<String>,
        value: impl fmt::Display,
        expected: &str,
    ) {
        if !ok {
            self.push(FieldError::new(field, value, expected));
        }
    }

    /// Takes the value of a nested check: `Ok(Some(v))` on success; its validation problems
    /// are recorded (giving `Ok(None)`); any other error is passed on.
    ///
    /// # Errors
    /// Any error of `result` that is not [`Error::Invalid`].
    pub fn absorb<T>(&mut self, result: Result<T, Error>) -> Result<Option<T>, Error> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(Error::Invalid(errors)) => {
                self.errors.extend(errors.0);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// `Ok(value)` when nothing was recorded, else [`Error::Invalid`] with every problem.
    ///
    /// # Errors
    /// [`Error::Invalid`] when at least one problem was recorded.
    pub fn finish<T>(self, value: T) -> Result<T, Error> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(Error::Invalid(ValidationErrors(self.errors)))
        }
    }
}

/// What went wrong, for callers that branch on it. Stable across releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An input failed validation.
    Invalid,
    /// A task status change that the lifecycle does not allow.
    InvalidTransition,
    /// A recurrence rule that cannot be parsed or is invalid for its start.
    Recurrence,
    /// An iCalendar document that cannot be imported.
    Ical,
}

/// The error of every fallible `lifeos-core` operation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// One or more fields are invalid; every problem is listed.
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// The task lifecycle does not allow this status change.
    #[error("status: a task cannot go from {from} to {to}")]
    InvalidTransition {
        /// The current status.
        from: crate::task::TaskStatus,
        /// The requested status.
        to: crate::task::TaskStatus,
    },
    /// A recurrence rule is malformed or invalid; `part` names it (`BYMONTHDAY=32`).
    #[error("recurrence rule: {part}: {message}")]
    Recurrence {
        /// The offending rule part, as written.
        part: String,
        /// What is wrong with it.
        message: String,
    },
    /// An iCalendar document could not be imported; `line` is 1-based (0 when unknown).
    #[error("iCalendar line {line}: {message}")]
    Ical {
        /// 1-based line of the (unfolded) content line at fault, 0 when not tied to a line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// A single-field validation error.
    pub fn invalid(
        field: impl Into<String>,
        value: impl fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::Invalid(ValidationErrors(vec![FieldError::new(
            field, value, expected,
        )]))
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid(_) => ErrorKind::Invalid,
            Error::InvalidTransition { .. } => ErrorKind::InvalidTransition,
            Error::Recurrence { .. } => ErrorKind::Recurrence,
            Error::Ical { .. } => ErrorKind::Ical,
        }
    }

    /// The first offending field, where the error is tied to one: the first validation
    /// problem's path, `status` for a refused transition, `rrule` for a recurrence rule.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid(errors) => Some(errors.first().field.as_str()),
            Error::InvalidTransition { .. } => Some("status"),
            Error::Recurrence { .. } => Some("rrule"),
            Error::Ical { .. } => None,
        }
    }

    /// The validation problems, when this is [`Error::Invalid`].
    pub fn validation(&self) -> Option<&ValidationErrors> {
        match self {
            Error::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}

/// The fields an [`Error::Invalid`] names, in order (none for another error): for tests.
#[cfg(test)]
pub(crate) fn invalid_fields(e: Error) -> Vec<String> {
    e.validation()
        .map(|v| v.fields().map(str::to_owned).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_collects_every_problem_in_order() {
        let mut v = Validator::new();
        v.check(false, "title", "", "1..=500 characters after trimming");
        v.check(true, "priority", 2, "0..=3");
        v.check(
            false,
            "labels[1]",
            "x".repeat(60),
            "1..=50 characters after trimming",
        );
        let err = v.finish(()).unwrap_err();
        let errors = err.validation().unwrap();
        assert_eq!(errors.fields().collect::<Vec<_>>(), ["title", "labels[1]"]);
        assert_eq!(err.field(), Some("title"));
        assert_eq!(err.kind(), ErrorKind::Invalid);
    }

    #[test]
    fn long_values_are_cut() {
        let e = FieldError::new("title", "é".repeat(1000), "short");
        assert_eq!(e.value.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(e.value.ends_with('…'));
    }

    #[test]
    fn an_empty_list_does_not_decode_and_a_full_one_round_trips() {
        assert!(serde_json::from_str::<ValidationErrors>("[]").is_err());
        let mut v = Validator::new();
        v.check(false, "title", "", "1..=500 characters after trimming");
        let errors = v.finish(()).unwrap_err().validation().unwrap().clone();
        let json = serde_json::to_string(&errors).unwrap();
        assert!(json.starts_with("[{"), "{json}");
        let back: ValidationErrors = serde_json::from_str(&json).unwrap();
        assert_eq!(back.first().field, "title");
        assert_eq!(back, errors);
    }

    #[test]
    fn empty_validator_is_ok() {
        assert_eq!(Validator::new().finish(5).unwrap(), 5);
    }
}
