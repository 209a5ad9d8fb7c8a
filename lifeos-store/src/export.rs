//! GDPR export, composed from the trait reads so every backend shares it.

use lifeos_core::{CalendarEvent, OAuthToken, Profile, Project, Subscription, Task, UserId};
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::model::{EventQuery, StoredEvent, TaskQuery};
use crate::traits::Store;

/// The export format tag written in every document.
pub const EXPORT_FORMAT: &str = "lifeos-export/1";

fn to_value<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::backend("serialising the export", e))
}

fn token_metadata(t: &OAuthToken) -> Value {
    json!({
        "id": t.id,
        "provider": t.provider,
        "key_id": t.key_id,
        "expires_at": t.expires_at,
        "scopes": t.scopes,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    })
}

/// The export document from its parts (one shape for every backend).
#[allow(clippy::too_many_arguments)]
pub(crate) fn document(
    user: UserId,
    profile: Option<&Profile>,
    projects: &[Project],
    tasks: &[Task],
    calendar: &[CalendarEvent],
    subscriptions: &[Subscription],
    tokens: &[OAuthToken],
    events: &[StoredEvent],
) -> Result<Value> {
    let profile = match profile {
        Some(p) => to_value(p)?,
        None => Value::Null,
    };
    let tokens: Vec<Value> = tokens.iter().map(token_metadata).collect();
    Ok(json!({
        "format": EXPORT_FORMAT,
        "user_id": user,
        "profile": profile,
        "projects": to_value(&projects)?,
        "tasks": to_value(&tasks)?,
        "calendar_events": to_value(&calendar)?,
        "subscriptions": to_value(&subscriptions)?,
        "oauth_tokens": tokens,
        "events": to_value(&events)?,
    }))
}

/// The export composed from trait reads (each read is consistent; the whole is not one
/// snapshot unless the backend overrides [`Store::export_user`], as SQLite does).
pub(crate) async fn export_user<S: Store + ?Sized>(store: &S, user: UserId) -> Result<Value> {
    let profile = match store.get_profile(user).await {
        Ok(p) => Some(p),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(e),
    };
    let projects = store.list_projects(user, true).await?;
    let tasks = store
        .list_all_tasks(user, &TaskQuery::new().include_deleted(true).limit(1000))
        .await?;
    let calendar = store.list_calendar_events(user, true).await?;
    let subscriptions = store.list_subscriptions(user).await?;
    let tokens = store.list_oauth_tokens(user).await?;
    let events = store
        .read_all_events(user, &EventQuery::new().limit(1000))
        .await?;
    document(
        user,
        profile.as_ref(),
        &projects,
        &tasks,
        &calendar,
        &subscriptions,
        &tokens,
        &events,
    )
}
