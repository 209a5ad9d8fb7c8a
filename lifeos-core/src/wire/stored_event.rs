//! An event as the log stores it and the API answers it: the domain event and its `seq`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::event::DomainEvent;

/// An event as stored: the domain event and its store-assigned position in the log.
///
/// Its JSON is the event's envelope with a `seq` member beside the others:
///
/// ```
/// # use lifeos_core::wire::StoredEvent;
/// let text = r#"{"seq":7,"id":"0193a0b0-0000-7000-8000-000000000001","type":"task.deleted",
///   "occurred_at":"2026-12-04T10:00:00Z","user_id":"00000000-0000-0000-0000-000000000001",
///   "source":"api","entity_type":"task","entity_id":"00000000-0000-0000-0000-000000000002",
///   "action":"deleted","data":{"task_id":"00000000-0000-0000-0000-000000000002"}}"#;
/// let e: StoredEvent = serde_json::from_str(text).unwrap();
/// assert_eq!((e.seq, e.event.kind()), (7, "task.deleted"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Position in the log: increasing, assigned at commit order, never reused.
    pub seq: u64,
    /// The event.
    pub event: DomainEvent,
}

impl Serialize for StoredEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            seq: u64,
            #[serde(flatten)]
            event: &'a DomainEvent,
        }
        Out {
            seq: self.seq,
            event: &self.event,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for StoredEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The envelope is read from a map without `seq`: `DomainEvent`'s reader is strict
        // about its own members only, so `seq` is taken out first.
        let mut map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let seq = map
            .remove("seq")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| serde::de::Error::missing_field("seq"))?;
        let event = DomainEvent::deserialize(serde_json::Value::Object(map))
            .map_err(serde::de::Error::custom)?;
        Ok(StoredEvent { seq, event })
    }
}
