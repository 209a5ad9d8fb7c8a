//! The one AI budget: model calls per hour per tier (3/5/10/30/100) and the tier's
//! monthly allowance (30/150/500/2,000/10,000, over a rolling 30 days), both from
//! `lifeos_core::billing`. A cached proposal costs nothing; over a limit, a typed
//! [`QuotaExceeded`] comes before any model call.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lifeos_core::{Tier, UserId};

/// The window of the hourly limit.
pub const HOUR: Duration = Duration::from_secs(3_600);
/// The window of the monthly allowance (rolling).
pub const MONTH: Duration = Duration::from_secs(30 * 86_400);

/// Which limit was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QuotaWindow {
    /// AI calls per hour.
    Hour,
    /// AI calls per (rolling 30-day) month.
    Month,
}

/// An AI quota is spent: try again after `retry_after` (at least one second).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the {tier} tier's AI calls per {} are used up; retry after {}s", match .window { QuotaWindow::Hour => "hour", QuotaWindow::Month => "month" }, .retry_after.as_secs())]
#[non_exhaustive]
pub struct QuotaExceeded {
    /// Which limit.
    pub window: QuotaWindow,
    /// The tier whose limit it is.
    pub tier: Tier,
    /// When a call will be allowed again (whole seconds, at least 1).
    pub retry_after: Duration,
}

impl QuotaExceeded {
    /// `window`'s limit of `tier`, free again after `retry_after` (rounded up to whole
    /// seconds, at least one).
    pub fn new(window: QuotaWindow, tier: Tier, retry_after: Duration) -> Self {
        let secs = retry_after
            .as_secs()
            .saturating_add(u64::from(retry_after.subsec_nanos() > 0))
            .max(1);
        Self {
            window,
            tier,
            retry_after: Duration::from_secs(secs),
        }
    }
}

/// Why a unit could not be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuotaError {
    /// A limit is reached.
    #[error(transparent)]
    Exceeded(#[from] QuotaExceeded),
    /// The quota store failed (no unit was taken).
    #[error("the AI quota store failed: {0}")]
    Backend(String),
}

/// Counts AI calls per user against their tier's limits.
#[async_trait]
pub trait AiQuota: Send + Sync {
    /// Takes one AI call for `user` of `tier`, or says which limit is reached. `now` is the
    /// caller's time; a shared store may read its own clock instead (Redis does).
    ///
    /// # Errors
    /// [`QuotaError::Exceeded`] over a limit, [`QuotaError::Backend`] when the store fails.
    async fn take(&self, user: UserId, tier: Tier, now: DateTime<Utc>) -> Result<(), QuotaError>;
}

/// The check of one user's call times (oldest first, none older than [`MONTH`]) at `now`:
/// `Ok` when one more call fits.
pub(crate) fn check(calls: &VecDeque<i64>, tier: Tier, now_us: i64) -> Result<(), QuotaExceeded> {
    let hour = i64::try_from(HOUR.as_micros()).unwrap_or(i64::MAX);
    let month = i64::try_from(MONTH.as_micros()).unwrap_or(i64::MAX);
    let wait = |oldest: i64, window: i64| {
        Duration::from_micros(u64::try_from(oldest + window - now_us).unwrap_or(0))
    };
    let in_hour: Vec<i64> = calls
        .iter()
        .copied()
        .filter(|&t| t > now_us - hour)
        .collect();
    if in_hour.len() >= tier.ai_calls_per_hour() as usize {
        let oldest = in_hour.first().copied().unwrap_or(now_us);
        return Err(QuotaExceeded::new(
            QuotaWindow::Hour,
            tier,
            wait(oldest, hour),
        ));
    }
    if calls.len() >= tier.ai_requests_per_month() as usize {
        let oldest = calls.front().copied().unwrap_or(now_us);
        return Err(QuotaExceeded::new(
            QuotaWindow::Month,
            tier,
            wait(oldest, month),
        ));
    }
    Ok(())
}

/// An [`AiQuota`] in this process's memory, timed by the caller's `now`.
#[derive(Debug, Default)]
pub struct MemoryAiQuota {
    calls: Mutex<BTreeMap<UserId, VecDeque<i64>>>,
}

impl MemoryAiQuota {
    /// No calls counted yet.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl AiQuota for MemoryAiQuota {
    async fn take(&self, user: UserId, tier: Tier, now: DateTime<Utc>) -> Result<(), QuotaError> {
        let now_us = now.timestamp_micros();
        let month = i64::try_from(MONTH.as_micros()).unwrap_or(i64::MAX);
        let mut all = self
            .calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let calls = all.entry(user).or_default();
        while calls.front().is_some_and(|&t| t <= now_us - month) {
            calls.pop_front();
        }
        check(calls, tier, now_us)?;
        // Kept in order even if callers' clocks disagree slightly.
        let at = calls.back().map_or(now_us, |&last| last.max(now_us));
        calls.push_back(at);
        Ok(())
    }
}
