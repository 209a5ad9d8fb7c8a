//! Keyset pages of projects and calendar events in `(created_at, id)` order, as the REST
//! API lists them: a page holds the rows after a cursor, and an item that exists from
//! before the first page to after the last appears exactly once however rows are added
//! meanwhile (`created_at` never changes).

use chrono::{DateTime, Utc};
use lifeos_core::{CalendarEvent, Project, ProjectId, UserId};
use lifeos_store::{Cursor, Page};
use uuid::Uuid;

use crate::LifeOs;
use crate::error::{Error, Result};

/// The largest page.
const MAX_PAGE: u32 = 1000;

/// The rows after `after`, at most `limit`, in `(created_at, id)` order.
fn page_of<T>(
    mut rows: Vec<T>,
    key: impl Fn(&T) -> (DateTime<Utc>, Uuid),
    after: Option<Cursor>,
    limit: u32,
) -> Result<Page<T>> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::from(lifeos_core::Error::invalid(
            "limit",
            limit.to_string(),
            "an integer in 1..=1000",
        )));
    }
    rows.retain(|r| {
        let (created_at, id) = key(r);
        after.is_none_or(|c| c.precedes(created_at, id))
    });
    rows.sort_by_key(|r| key(r));
    let limit = limit as usize;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| {
            let (created_at, id) = key(r);
            Cursor::at(created_at, id)
        })
    } else {
        None
    };
    Ok(Page { items: rows, next })
}

impl LifeOs {
    /// A page of the user's projects (not deleted ones, archived ones too) after `after`.
    ///
    /// # Errors
    /// [`Error::Invalid`] on `limit` outside 1..=1000; [`Error::Storage`].
    pub async fn projects_page(
        &self,
        user: UserId,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<Project>> {
        let rows = self.projects(user, false).await?;
        page_of(rows, |p| (p.created_at, *p.id.as_uuid()), after, limit)
    }

    /// A page of the user's calendar events (not deleted ones) after `after`.
    ///
    /// # Errors
    /// [`Error::Invalid`] on `limit` outside 1..=1000; [`Error::Storage`].
    pub async fn events_page(
        &self,
        user: UserId,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<CalendarEvent>> {
        let rows = self
            .store()
            .list_calendar_events(user, false)
            .await
            .map_err(Error::store("listing events"))?;
        page_of(rows, |e| (e.created_at, *e.id.as_uuid()), after, limit)
    }

    /// Soft-deletes a project (`project.deleted`) when its version is `expected_version`
    /// (when given).
    ///
    /// The version is checked by reading before the delete: a change committed between
    /// the two is not detected (the store has no guarded project delete yet).
    ///
    /// # Errors
    /// [`Error::Conflict`] when the stored version is another; [`Error::NotFound`] (also
    /// when already deleted); [`Error::Storage`].
    pub async fn delete_project_at(
        &self,
        user: UserId,
        id: ProjectId,
        expected_version: Option<u64>,
    ) -> Result<Project> {
        if let Some(expected) = expected_version {
            let current = self.project(user, id).await?;
            if current.deleted_at.is_some() {
                return Err(Error::NotFound {
                    entity: "project",
                    id: id.to_string(),
                });
            }
            if current.version != expected {
                return Err(Error::Conflict {
                    entity: "project",
                    id: id.to_string(),
                    expected,
                    actual: current.version,
                });
            }
        }
        self.delete_project(user, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn pages_follow_created_at_then_id_and_end_with_no_cursor() {
        let t = |s| Utc.timestamp_opt(s, 0).single().unwrap();
        // (created_at, id): two rows share an instant, so the id decides.
        let rows = vec![(t(2), 1u128), (t(1), 9), (t(2), 0), (t(3), 5)];
        let key = |r: &(DateTime<Utc>, u128)| (r.0, Uuid::from_u128(r.1));
        let first = page_of(rows.clone(), key, None, 2).unwrap();
        assert_eq!(first.items, [(t(1), 9), (t(2), 0)]);
        let second = page_of(rows.clone(), key, first.next, 2).unwrap();
        assert_eq!(second.items, [(t(2), 1), (t(3), 5)]);
        assert_eq!(second.next, None, "the last page has no cursor");
        let exact = page_of(rows.clone(), key, None, 4).unwrap();
        assert_eq!((exact.items.len(), exact.next), (4, None));
        assert!(page_of(rows, key, None, 0).is_err());
    }
}
