//! Reading the model's reply, leniently: unknown keys are ignored, an entry whose fields
//! cannot be read is kept as unreadable (repair drops it), but a reply that is not a JSON
//! object with a `scheduledTasks` array is a schema mismatch.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

/// One entry of `scheduledTasks`, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedEntry {
    /// `taskId`, if present and a UUID.
    pub task_id: Option<Uuid>,
    /// `startTime`, if present and an RFC 3339 instant.
    pub start: Option<DateTime<Utc>>,
    /// `endTime`, if present and an RFC 3339 instant.
    pub end: Option<DateTime<Utc>>,
}

/// A reply with the right shape.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// The entries of `scheduledTasks`, in proposal order.
    pub entries: Vec<ProposedEntry>,
    /// The strings of `insights` (other values ignored), unsanitised.
    pub insights: Vec<String>,
}

/// Why a reply could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// The text is not JSON.
    #[error("the model's reply is not JSON ({message})")]
    NotJson {
        /// The parser's message.
        message: String,
    },
    /// JSON, but not an object with a `scheduledTasks` array.
    #[error("the model's reply is not an object with a scheduledTasks array")]
    SchemaMismatch,
}

/// Reads a reply's text.
///
/// # Errors
/// [`ReplyError`] when the text is not JSON or lacks the `scheduledTasks` array.
pub fn parse_reply(text: &str) -> Result<Reply, ReplyError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ReplyError::NotJson {
        message: e.to_string(),
    })?;
    let Some(entries) = value.get("scheduledTasks").and_then(Value::as_array) else {
        return Err(ReplyError::SchemaMismatch);
    };
    let entries = entries.iter().map(entry).collect();
    let insights = value
        .get("insights")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Ok(Reply { entries, insights })
}

fn entry(value: &Value) -> ProposedEntry {
    let text = |key: &str| value.get(key).and_then(Value::as_str);
    let instant = |key: &str| {
        text(key)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    ProposedEntry {
        task_id: text("taskId").and_then(|s| Uuid::parse_str(s).ok()),
        start: instant("startTime"),
        end: instant("endTime"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_ignored_and_bad_fields_read_as_none() {
        let reply = parse_reply(
            r#"{"scheduledTasks":[
                {"taskId":"7e57d004-2b97-0e7a-b45f-5387367791cd","startTime":"2026-03-09T09:00:00+01:00",
                 "endTime":"2026-03-09T08:30:00Z","rationale":"x","extra":1},
                {"taskId":"nope","startTime":7},
                3],
               "insights":["a", 4, null, "b"], "mood": "sunny"}"#,
        )
        .unwrap();
        assert_eq!(reply.entries.len(), 3);
        assert_eq!(
            reply.entries[0].start,
            Some("2026-03-09T08:00:00Z".parse().unwrap())
        );
        assert!(reply.entries[0].task_id.is_some());
        assert_eq!(
            reply.entries[1],
            ProposedEntry {
                task_id: None,
                start: None,
                end: None
            }
        );
        assert_eq!(reply.entries[2].task_id, None);
        assert_eq!(reply.insights, ["a", "b"]);
    }

    #[test]
    fn shape_errors() {
        assert!(matches!(
            parse_reply("{\"scheduledTasks\": [").unwrap_err(),
            ReplyError::NotJson { .. }
        ));
        for text in [
            "[]",
            "{}",
            r#"{"scheduledTasks": {}}"#,
            r#""scheduledTasks""#,
        ] {
            assert_eq!(parse_reply(text).unwrap_err(), ReplyError::SchemaMismatch);
        }
        assert_eq!(
            parse_reply(r#"{"scheduledTasks": []}"#).unwrap(),
            Reply::default()
        );
    }
}
