//! GDPR export: [`UserExport`], everything a store holds about one user.

use lifeos_core::{
    CalendarEvent, OAuthToken, OAuthTokenId, Profile, Project, Subscription, Task, UserId,
};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::query::{EventQuery, TaskQuery};
use crate::stored_event::StoredEvent;
use crate::traits::Store;

/// The export format tag written in every document.
pub const EXPORT_FORMAT: &str = "lifeos-export/1";

/// An OAuth token as exported: its metadata only; the ciphertexts stay in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TokenMetadata {
    /// The token record's id.
    pub id: OAuthTokenId,
    /// The provider it is for (`google`, ...).
    pub provider: String,
    /// The id of the key that sealed it.
    pub key_id: u32,
    /// When the access token expires.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The granted scopes.
    pub scopes: Vec<String>,
    /// When it was first stored.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it was last stored or re-sealed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&OAuthToken> for TokenMetadata {
    fn from(t: &OAuthToken) -> Self {
        TokenMetadata {
            id: t.id,
            provider: t.provider.clone(),
            key_id: t.key_id,
            expires_at: t.expires_at,
            scopes: t.scopes.clone(),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// Everything a store holds about one user, as [`Store::export_user`] returns it.
///
/// Serialises (with serde, or [`UserExport::to_json`]) to one JSON document,
/// `{"format": "lifeos-export/1", "user_id", "profile", "projects", "tasks",
/// "calendar_events", "subscriptions", "oauth_tokens", "events"}`, every object's keys in
/// sorted order, so the same data always gives the same bytes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserExport {
    /// The user exported.
    pub user_id: UserId,
    /// The profile, if the user has one.
    pub profile: Option<Profile>,
    /// Projects in `(created_at, id)` order, deleted ones too.
    pub projects: Vec<Project>,
    /// Tasks in `(created_at, id)` order, deleted ones too.
    pub tasks: Vec<Task>,
    /// Calendar events by id, deleted ones too.
    pub calendar_events: Vec<CalendarEvent>,
    /// Subscriptions, oldest first.
    pub subscriptions: Vec<Subscription>,
    /// OAuth token records by provider (metadata only).
    pub oauth_tokens: Vec<TokenMetadata>,
    /// The user's event log with `seq`, in `seq` order.
    pub events: Vec<StoredEvent>,
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::backend("serialising the export", e))
}

impl UserExport {
    /// The format tag of the document ([`EXPORT_FORMAT`]).
    pub fn format(&self) -> &'static str {
        EXPORT_FORMAT
    }

    /// The export as one JSON value (the document described on the type).
    ///
    /// # Errors
    /// [`Error::Backend`] if a value cannot be serialised (it always can for values the
    /// store returned).
    pub fn to_json(&self) -> Result<Value> {
        let profile = match &self.profile {
            Some(p) => to_value(p)?,
            None => Value::Null,
        };
        let mut doc = serde_json::Map::new();
        doc.insert("format".into(), Value::from(EXPORT_FORMAT));
        doc.insert("user_id".into(), to_value(&self.user_id)?);
        doc.insert("profile".into(), profile);
        doc.insert("projects".into(), to_value(&self.projects)?);
        doc.insert("tasks".into(), to_value(&self.tasks)?);
        doc.insert("calendar_events".into(), to_value(&self.calendar_events)?);
        doc.insert("subscriptions".into(), to_value(&self.subscriptions)?);
        doc.insert("oauth_tokens".into(), to_value(&self.oauth_tokens)?);
        doc.insert("events".into(), to_value(&self.events)?);
        Ok(Value::Object(doc))
    }
}

impl Serialize for UserExport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json()
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

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
    Ok(UserExport {
        user_id: user,
        profile,
        projects,
        tasks,
        calendar_events,
        subscriptions,
        oauth_tokens: tokens.iter().map(TokenMetadata::from).collect(),
        events,
    })
}
