//! Field rules shared by several types, and serde support for patch fields.

use crate::error::Validator;

/// Records a problem when `text` is longer than `max` Unicode scalar values.
pub(crate) fn check_text(v: &mut Validator, field: &str, text: Option<&str>, max: usize) {
    if let Some(text) = text {
        v.check(
            text.chars().count() <= max,
            field,
            text,
            &format!("at most {max} characters"),
        );
    }
}

/// Records a problem when there are more than `max_count` labels or a label is not
/// 1..=`max_chars` characters after trimming (each named `field[i]`).
pub(crate) fn check_labels(
    v: &mut Validator,
    field: &str,
    labels: &[String],
    max_count: usize,
    max_chars: usize,
) {
    let distinct = normalize_labels(labels).len();
    v.check(
        distinct <= max_count,
        field,
        format!("{distinct} distinct labels"),
        &format!("at most {max_count} labels"),
    );
    for (i, label) in labels.iter().enumerate() {
        let n = label.trim().chars().count();
        v.check(
            (1..=max_chars).contains(&n),
            format!("{field}[{i}]"),
            label,
            &format!("1..={max_chars} characters after trimming"),
        );
    }
}

/// Labels trimmed, duplicates dropped, first occurrence's order kept.
pub(crate) fn normalize_labels(labels: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(labels.len());
    for label in labels {
        let label = label.trim();
        if !out.iter().any(|l| l == label) {
            out.push(label.to_owned());
        }
    }
    out
}

/// Serde for `Option<Option<T>>` patch fields: an absent key is `None` (leave as is), an
/// explicit `null` is `Some(None)` (clear), a value is `Some(Some(v))`. Use with
/// `#[serde(default, with = "...")]`; absent keys rely on the container's `#[serde(default)]`.
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `None` and `Some(None)` both as `null`; callers skip `None` at the container.
    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    /// Reads a present key: `null` is `Some(None)`, a value `Some(Some(v))`.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_and_deduplicated_in_first_order() {
        let labels: Vec<String> = [" b", "a", "b ", "c", "a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(normalize_labels(&labels), ["b", "a", "c"]);
    }
}
