//! GDPR export: composing core's [`UserExport`] (the `lifeos-export/1` document) from a
//! store's reads.

use lifeos_core::UserId;

pub use lifeos_core::wire::{EXPORT_FORMAT, TokenMetadata, UserExport};

use crate::error::Result;
use crate::query::{EventQuery, TaskQuery};
use crate::traits::Store;

/// The export composed from trait reads (each read is consistent; the whole is not one
/// snapshot unless the backend overrides [`Store::export_user`], as the SQL backends do).
pub(crate) async fn export_user<S: Store + ?Sized>(store: &S, user: UserId) -> Result<UserExport> {
    let profile = match store.get_profile(user).await {
        Ok(p) => Some(p),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(e),
    };
    let projects = store.list_projects(user, true).await?;
    let tasks = store
        .list_all_tasks(user, &TaskQuery::new().include_deleted(true).limit(1000))
        .await?;
    let calendar_events = store.list_calendar_events(user, true).await?;
    let subscriptions = store.list_subscriptions(user).await?;
    let tokens = store.list_oauth_tokens(user).await?;
    let events = store
        .read_all_events(user, &EventQuery::new().limit(1000))
        .await?;
    let mut export = UserExport::new(user);
    export.profile = profile;
    export.projects = projects;
    export.tasks = tasks;
    export.calendar_events = calendar_events;
    export.subscriptions = subscriptions;
    export.oauth_tokens = tokens.iter().map(TokenMetadata::from).collect();
    export.events = events;
    Ok(export)
}
