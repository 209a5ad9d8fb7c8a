//! The rows the SQL backends read, and their conversions into domain values. Every row
//! keeps its domain value as JSON (`data`) beside the columns filters and keys need; a
//! row that does not decode is [`Error::Corrupt`], naming the table and the key, never a
//! default.

use lifeos_core::{CalendarEvent, OAuthToken, Profile, Project, Subscription, Task};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::StoredEvent;
use crate::error::{Error, Result};

/// A row read as its key and its JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DataRow {
    pub(crate) id: Uuid,
    pub(crate) data: String,
}

/// A task row read with its keyset position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyedRow {
    pub(crate) created_at: i64,
    pub(crate) id: Uuid,
    pub(crate) data: String,
}

/// An event log row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventRow {
    pub(crate) seq: i64,
    pub(crate) envelope: String,
}

fn decode<T: DeserializeOwned>(table: &'static str, id: &Uuid, data: &str) -> Result<T> {
    serde_json::from_str(data).map_err(|e| Error::corrupt(table, id, e))
}

/// A stored `seq` as the log's position (never negative in a sound log).
pub(crate) fn seq(table: &'static str, seq: i64) -> Result<u64> {
    u64::try_from(seq).map_err(|e| Error::corrupt(table, seq, e))
}

macro_rules! data_row {
    ($row:ident, $domain:ty, $table:literal) => {
        #[doc = concat!("A row of `", $table, "`.")]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub(crate) struct $row(pub(crate) DataRow);

        impl TryFrom<$row> for $domain {
            type Error = Error;
            fn try_from(row: $row) -> Result<Self> {
                decode($table, &row.0.id, &row.0.data)
            }
        }

        impl $row {
            /// Every row of a listing, decoded.
            #[allow(dead_code)]
            pub(crate) fn decode_all(rows: Vec<DataRow>) -> Result<Vec<$domain>> {
                rows.into_iter()
                    .map(|r| <$domain>::try_from($row(r)))
                    .collect()
            }

            /// The first row of a lookup, decoded.
            pub(crate) fn decode_first(rows: Vec<DataRow>) -> Result<Option<$domain>> {
                rows.into_iter()
                    .next()
                    .map(|r| <$domain>::try_from($row(r)))
                    .transpose()
            }
        }
    };
}

data_row!(TaskRow, Task, "tasks");
data_row!(ProjectRow, Project, "projects");
data_row!(CalendarRow, CalendarEvent, "calendar_events");
data_row!(ProfileRow, Profile, "profiles");
data_row!(SubscriptionRow, Subscription, "subscriptions");
data_row!(TokenRow, OAuthToken, "oauth_tokens");

impl TryFrom<KeyedRow> for Task {
    type Error = Error;
    fn try_from(row: KeyedRow) -> Result<Self> {
        decode("tasks", &row.id, &row.data)
    }
}

impl TryFrom<EventRow> for StoredEvent {
    type Error = Error;
    fn try_from(row: EventRow) -> Result<Self> {
        let event = serde_json::from_str(&row.envelope)
            .map_err(|e| Error::corrupt("events", row.seq, e))?;
        Ok(StoredEvent {
            seq: seq("events", row.seq)?,
            event,
        })
    }
}

impl EventRow {
    /// Every row of a log read, decoded.
    pub(crate) fn decode_all(rows: Vec<EventRow>) -> Result<Vec<StoredEvent>> {
        rows.into_iter().map(StoredEvent::try_from).collect()
    }
}
