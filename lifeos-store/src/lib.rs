//! LifeOS storage.
#![doc = "placeholder"]

pub mod clock;
pub mod crypto;
pub mod error;
pub mod export;
mod hub;
mod logic;
pub mod memory;
pub mod model;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod traits;

pub use clock::{Clock, ManualClock, StoreOptions, SystemClock};
pub use crypto::{EncryptionKey, Keyring, OAuthSecret};
pub use error::{Error, ErrorKind, Result};
pub use hub::EventStream;
pub use memory::MemoryStore;
pub use model::{
    CalendarEventInput, Cursor, EventPage, EventQuery, Page, StoredEvent, SubscriptionInput,
    TaskChange, TaskOp, TaskQuery, TimeRange, Upserted, fold,
};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use traits::{
    CalendarStore, Erasure, EventLog, OAuthTokenStore, ProfileStore, ProjectStore, Store,
    SubscriptionStore, TaskStore,
};

/// The store traits, to bring their methods into scope: `use lifeos_store::prelude::*;`.
pub mod prelude {
    pub use crate::traits::{
        CalendarStore, EventLog, OAuthTokenStore, ProfileStore, ProjectStore, Store,
        SubscriptionStore, TaskStore,
    };
}
