//! The plan cache: the model's PROPOSAL for a day, not the final plan. On a hit, repair
//! and acceptance run again against the current request (so a cached answer never places a
//! task before `currentTime`), and no model is called.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use lifeos_core::plan::PlanDayRequest;
use lifeos_core::{Task, UserId};
use lifeos_scheduler::refine::Proposal;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// How long a proposal is kept by default (the original's 5 minutes).
pub const DEFAULT_TTL: Duration = Duration::minutes(5);

/// Where proposals are kept between plans of the same day.
#[async_trait]
pub trait PlanCache: Send + Sync {
    /// The proposal stored under `key`, if it has not expired at `now`.
    ///
    /// # Errors
    /// A message for a person when the cache cannot be read (the plan then asks the model).
    async fn get(&self, key: &str, now: DateTime<Utc>) -> Result<Option<Proposal>, String>;

    /// Stores `proposal` under `key` from `now` for the cache's time to live.
    ///
    /// # Errors
    /// A message for a person when the cache cannot be written (the plan goes on).
    async fn put(&self, key: &str, proposal: &Proposal, now: DateTime<Utc>) -> Result<(), String>;
}

/// The cache key of a day: the user, each task's id and version, the request without its
/// `currentTime` (the preferences, the date, the zone, the busy events as planned: any
/// change to an event changes them), the instructions and the model; SHA-256, hex.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use lifeos::core::plan::PlanDayRequest;
/// use lifeos::core::UserId;
/// use lifeos::refinement::cache_key;
///
/// let at = |h| format!(r#"{{"timezone": "UTC", "today": "2026-03-09",
///     "currentTime": "2026-03-09T{h}:00:00Z", "tasks": []}}"#);
/// let user = UserId::from_uuid(uuid::Uuid::nil());
/// let a = PlanDayRequest::from_json(&at("08"))?;
/// let b = PlanDayRequest::from_json(&at("09"))?;
/// // Later the same day, the same key; other instructions, another key.
/// assert_eq!(cache_key(user, &a, &[], None, "gpt-4o"), cache_key(user, &b, &[], None, "gpt-4o"));
/// assert_ne!(cache_key(user, &a, &[], Some("calls after lunch"), "gpt-4o"),
///            cache_key(user, &a, &[], None, "gpt-4o"));
/// # Ok::<(), lifeos::core::plan::PlanError>(())
/// ```
pub fn cache_key(
    user: UserId,
    request: &PlanDayRequest,
    tasks: &[Task],
    instructions: Option<&str>,
    model: &str,
) -> String {
    let mut day = serde_json::to_value(request).unwrap_or(Value::Null);
    if let Some(map) = day.as_object_mut() {
        map.remove("currentTime");
    }
    let mut versions: Vec<(String, u64)> = tasks
        .iter()
        .map(|t| (t.id.to_string(), t.version))
        .collect();
    versions.sort();
    let material = json!({
        "user": user.to_string(),
        "model": model,
        "instructions": instructions.unwrap_or(""),
        "versions": versions,
        "day": day,
    });
    let digest = Sha256::digest(material.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A [`PlanCache`] in this process's memory, with a time to live read from `now`.
#[derive(Debug)]
pub struct MemoryPlanCache {
    ttl: Duration,
    entries: Mutex<BTreeMap<String, (DateTime<Utc>, Proposal)>>,
}

impl Default for MemoryPlanCache {
    fn default() -> Self {
        Self::new(DEFAULT_TTL)
    }
}

impl MemoryPlanCache {
    /// An empty cache keeping proposals for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(BTreeMap::new()),
        }
    }
}

#[async_trait]
impl PlanCache for MemoryPlanCache {
    async fn get(&self, key: &str, now: DateTime<Utc>) -> Result<Option<Proposal>, String> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Expired entries go as they are met, and with every read (bounded memory).
        entries.retain(|_, (expires, _)| *expires > now);
        Ok(entries.get(key).map(|(_, p)| p.clone()))
    }

    async fn put(&self, key: &str, proposal: &Proposal, now: DateTime<Utc>) -> Result<(), String> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.insert(key.to_owned(), (now + self.ttl, proposal.clone()));
        Ok(())
    }
}
