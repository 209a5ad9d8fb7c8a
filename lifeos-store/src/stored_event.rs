//! An event as the log stores it: the domain event and its `seq`.

use lifeos_core::DomainEvent;
use serde::Serialize;

/// An event as stored: the domain event and its store-assigned position in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Position in the log: increasing, assigned at commit order, never reused.
    pub seq: u64,
    /// The event.
    pub event: DomainEvent,
}

impl Serialize for StoredEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
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
