//! Keyset pages: task pages with opaque cursors on `(created_at, id)`, event pages by
//! `seq`.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use lifeos_core::Task;
use uuid::Uuid;

use crate::StoredEvent;
use crate::error::{Error, Result};

/// A position in a task listing: the `(created_at, id)` of the last row seen.
/// Written as text by `Display` and read back by `FromStr`, so it can travel in a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) id: Uuid,
}

impl Cursor {
    /// The cursor just after `task`.
    pub fn after(task: &Task) -> Self {
        Cursor {
            created_at: task.created_at,
            id: *task.id.as_uuid(),
        }
    }

    /// The cursor just after a row created at `created_at` with id `id` (a project, a
    /// calendar event: lists kept in `(created_at, id)` order).
    pub fn at(created_at: DateTime<Utc>, id: Uuid) -> Self {
        Cursor { created_at, id }
    }

    /// Whether a row at `(created_at, id)` comes after this cursor.
    pub fn precedes(&self, created_at: DateTime<Utc>, id: Uuid) -> bool {
        (created_at, id) > (self.created_at, self.id)
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}_{}",
            self.created_at.timestamp(),
            self.created_at.timestamp_subsec_nanos(),
            self.id.simple()
        )
    }
}

impl FromStr for Cursor {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let bad = || Error::invalid("cursor", text, "a cursor returned by a previous page");
        let (time, id) = text.split_once('_').ok_or_else(bad)?;
        let (secs, nanos) = time.split_once('.').ok_or_else(bad)?;
        let secs: i64 = secs.parse().map_err(|_| bad())?;
        let nanos: u32 = nanos.parse().map_err(|_| bad())?;
        let created_at = DateTime::from_timestamp(secs, nanos).ok_or_else(bad)?;
        let id = Uuid::parse_str(id).map_err(|_| bad())?;
        Ok(Cursor { created_at, id })
    }
}

/// One page of a listing, and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows, in `(created_at, id)` order.
    pub items: Vec<T>,
    /// Pass as `after` to read the next page.
    pub next: Option<Cursor>,
}

/// A page of events in `seq` order; `next` is the `after_seq` of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage {
    /// The events.
    pub events: Vec<StoredEvent>,
    /// Pass as `after_seq` to read on; `None` when this was the last page.
    pub next: Option<u64>,
}

/// The first `limit` of `rows` (already in order), with a cursor when more follow.
pub(crate) fn page(mut rows: Vec<Task>, limit: u32) -> Page<Task> {
    let limit = limit as usize;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(Cursor::after)
    } else {
        None
    };
    Page { items: rows, next }
}
