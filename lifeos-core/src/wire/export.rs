//! The GDPR export document `lifeos-export/1`: everything a store holds about one user,
//! as `Store::export_user` builds it and `GET /me/export` answers it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::billing::Subscription;
use crate::calendar::CalendarEvent;
use crate::id::{OAuthTokenId, UserId};
use crate::oauth::OAuthToken;
use crate::profile::Profile;
use crate::project::Project;
use crate::task::Task;
use crate::wire::StoredEvent;

/// The export format tag written in every document.
pub const EXPORT_FORMAT: &str = "lifeos-export/1";

/// An OAuth token as exported: its metadata only; the ciphertexts stay in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Everything a store holds about one user.
///
/// Serialises (with serde, or [`UserExport::to_json`]) to one JSON document,
/// `{"format": "lifeos-export/1", "user_id", "profile", "projects", "tasks",
/// "calendar_events", "subscriptions", "oauth_tokens", "events"}`, every object's keys in
/// sorted order, so the same data always gives the same bytes. Reading a document checks
/// its `format`.
///
/// ```
/// # use lifeos_core::wire::UserExport;
/// let text = r#"{"format":"lifeos-export/1","user_id":"00000000-0000-0000-0000-000000000001",
///   "profile":null,"projects":[],"tasks":[],"calendar_events":[],"subscriptions":[],
///   "oauth_tokens":[],"events":[]}"#;
/// let doc: UserExport = serde_json::from_str(text).unwrap();
/// assert!(doc.tasks.is_empty());
/// assert!(serde_json::from_str::<UserExport>(&text.replace("/1", "/9")).is_err());
/// ```
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

/// The document exactly as written.
#[derive(Serialize, Deserialize)]
struct Document<P, T, C, S, O, E> {
    format: String,
    user_id: UserId,
    profile: Option<Profile>,
    projects: P,
    tasks: T,
    calendar_events: C,
    subscriptions: S,
    oauth_tokens: O,
    events: E,
}

impl UserExport {
    /// An export of `user` holding nothing yet (fill the fields).
    pub fn new(user_id: UserId) -> Self {
        UserExport {
            user_id,
            profile: None,
            projects: Vec::new(),
            tasks: Vec::new(),
            calendar_events: Vec::new(),
            subscriptions: Vec::new(),
            oauth_tokens: Vec::new(),
            events: Vec::new(),
        }
    }

    /// The format tag of the document ([`EXPORT_FORMAT`]).
    pub fn format(&self) -> &'static str {
        EXPORT_FORMAT
    }

    /// The export as one JSON value (the document described on the type); objects are
    /// `serde_json` maps, so their keys come out sorted.
    ///
    /// # Errors
    /// When a value cannot be serialised (values a store returned always can).
    pub fn to_json(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(Document {
            format: EXPORT_FORMAT.to_owned(),
            user_id: self.user_id,
            profile: self.profile.clone(),
            projects: &self.projects,
            tasks: &self.tasks,
            calendar_events: &self.calendar_events,
            subscriptions: &self.subscriptions,
            oauth_tokens: &self.oauth_tokens,
            events: &self.events,
        })
    }
}

impl Serialize for UserExport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json()
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for UserExport {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        type Owned = Document<
            Vec<Project>,
            Vec<Task>,
            Vec<CalendarEvent>,
            Vec<Subscription>,
            Vec<TokenMetadata>,
            Vec<StoredEvent>,
        >;
        let doc = Owned::deserialize(d)?;
        if doc.format != EXPORT_FORMAT {
            return Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&doc.format),
                &EXPORT_FORMAT,
            ));
        }
        Ok(UserExport {
            user_id: doc.user_id,
            profile: doc.profile,
            projects: doc.projects,
            tasks: doc.tasks,
            calendar_events: doc.calendar_events,
            subscriptions: doc.subscriptions,
            oauth_tokens: doc.oauth_tokens,
            events: doc.events,
        })
    }
}
