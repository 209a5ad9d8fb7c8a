//! The `general` budget of API.md: GCRA per user, burst = quota per minute, in process
//! (bounded memory) or shared through Redis (one Lua script reading Redis' `TIME`), with
//! the local limiter taking over while Redis fails.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use lifeos::core::{Tier, UserId};

/// The general budget's window, in microseconds (one minute).
pub const GENERAL_WINDOW_US: i64 = 60_000_000;
/// Users tracked by the local limiter before idle ones are dropped.
pub const LOCAL_CAPACITY: usize = 100_000;

/// Requests per minute of the `general` budget for `tier` (before the multiplier).
pub fn general_per_minute(tier: Tier) -> u32 {
    match tier {
        Tier::Starter => 120,
        Tier::Pro => 300,
        Tier::Team => 600,
        Tier::Enterprise => 1200,
        _ => 60,
    }
}

/// A quota scaled by the multiplier (`None`: limits off).
pub fn scaled(quota: u32, multiplier: f64) -> Option<u32> {
    if multiplier <= 0.0 || !multiplier.is_finite() {
        return None;
    }
    let q = (f64::from(quota) * multiplier).round();
    Some(if q < 1.0 {
        1
    } else if q > f64::from(u32::MAX) {
        u32::MAX
    } else {
        q as u32
    })
}

/// What one check decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// Requests left in the burst.
    pub remaining: u32,
    /// Whole seconds until the budget is full again.
    pub reset_secs: u64,
    /// Whole seconds until a request is accepted again (0 when allowed).
    pub retry_after_secs: u64,
}

/// One GCRA step: the stored theoretical arrival time `tat` (µs), `now` (µs), the
/// `quota` per `window` (µs). Returns the decision and the new `tat` when allowed.
pub fn gcra(tat: Option<i64>, now: i64, quota: u32, window: i64) -> (Decision, Option<i64>) {
    let quota = i64::from(quota.max(1));
    let interval = (window / quota).max(1);
    let tat = tat.unwrap_or(now).max(now);
    let new_tat = tat + interval;
    let ahead = new_tat - now;
    if ahead > window {
        let wait = ahead - window;
        let decision = Decision {
            allowed: false,
            remaining: 0,
            reset_secs: ceil_secs(tat - now),
            retry_after_secs: ceil_secs(wait).max(1),
        };
        return (decision, None);
    }
    let decision = Decision {
        allowed: true,
        remaining: u32::try_from((window - ahead) / interval).unwrap_or(u32::MAX),
        reset_secs: ceil_secs(ahead),
        retry_after_secs: 0,
    };
    (decision, Some(new_tat))
}

fn ceil_secs(us: i64) -> u64 {
    u64::try_from((us.max(0) + 999_999) / 1_000_000).unwrap_or(0)
}

/// The in-process limiter: one arrival time per user, idle users dropped beyond
/// [`LOCAL_CAPACITY`] (an idle user's budget is full, so dropping it changes nothing).
#[derive(Debug, Default)]
pub struct LocalLimiter {
    tats: Mutex<HashMap<UserId, i64>>,
}

impl LocalLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one request of `user`'s budget of `quota` per minute at `now`.
    pub fn check(&self, user: UserId, quota: u32, now: DateTime<Utc>) -> Decision {
        let now = now.timestamp_micros();
        let mut tats = self
            .tats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (decision, new_tat) = gcra(tats.get(&user).copied(), now, quota, GENERAL_WINDOW_US);
        if let Some(t) = new_tat {
            if tats.len() >= LOCAL_CAPACITY && !tats.contains_key(&user) {
                tats.retain(|_, t| *t > now);
            }
            if tats.len() < LOCAL_CAPACITY || tats.contains_key(&user) {
                tats.insert(user, t);
            }
        }
        decision
    }

    /// How many users are tracked.
    pub fn tracked(&self) -> usize {
        self.tats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }
}

/// The GCRA step in Redis: `KEYS[1]` the user's key; `ARGV` quota and window (µs). Reads
/// `TIME`, so every process shares one clock. Returns {allowed, remaining, reset µs,
/// retry µs}.
#[cfg(feature = "redis")]
pub const GCRA_LUA: &str = r#"
local quota = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = math.max(1, math.floor(window / quota))
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval
local ahead = new_tat - now
if ahead > window then
  return {0, 0, tat - now, ahead - window}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil(ahead / 1000) + 1)
return {1, math.floor((window - ahead) / interval), ahead, 0}
"#;

/// The shared limiter in Redis.
#[cfg(feature = "redis")]
#[derive(Clone)]
pub struct RedisLimiter {
    conn: redis::aio::ConnectionManager,
    script: std::sync::Arc<redis::Script>,
    prefix: String,
}

#[cfg(feature = "redis")]
impl std::fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "redis")]
impl RedisLimiter {
    /// Connects to `url`; keys are `<prefix>general:<user>`.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn connect(url: &str, prefix: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        let conn = redis::aio::ConnectionManager::new(client).await?;
        Ok(RedisLimiter {
            conn,
            script: std::sync::Arc::new(redis::Script::new(GCRA_LUA)),
            prefix: prefix.to_owned(),
        })
    }

    /// Its connection, to share (the plan cache and the AI quota use it too).
    pub fn connection(&self) -> redis::aio::ConnectionManager {
        self.conn.clone()
    }

    /// Takes one request of `user`'s budget.
    ///
    /// # Errors
    /// A Redis fault (the caller falls back to the local limiter).
    pub async fn check(&self, user: UserId, quota: u32) -> redis::RedisResult<Decision> {
        let mut conn = self.conn.clone();
        let key = format!("{}general:{user}", self.prefix);
        let (allowed, remaining, reset, retry): (i64, i64, i64, i64) = self
            .script
            .key(key)
            .arg(quota.max(1))
            .arg(GENERAL_WINDOW_US)
            .invoke_async(&mut conn)
            .await?;
        Ok(Decision {
            allowed: allowed == 1,
            remaining: u32::try_from(remaining.max(0)).unwrap_or(u32::MAX),
            reset_secs: ceil_secs(reset),
            retry_after_secs: if allowed == 1 {
                0
            } else {
                ceil_secs(retry).max(1)
            },
        })
    }

    /// Marks an `Idempotency-Key` slot in flight for `ttl` unless it is held: the
    /// holder's fingerprint then (see `crate::idempotency`).
    ///
    /// # Errors
    /// Redis errors.
    pub async fn mark_in_flight(
        &self,
        slot: &str,
        fingerprint: &str,
        ttl: std::time::Duration,
    ) -> redis::RedisResult<Option<String>> {
        let mut conn = self.conn.clone();
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        redis::Script::new(crate::idempotency::MARK_LUA)
            .key(format!("{}idem:{slot}", self.prefix))
            .arg(fingerprint)
            .arg(ttl_ms)
            .invoke_async(&mut conn)
            .await
    }

    /// Clears an in-flight mark if it still holds `fingerprint`.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn clear_in_flight(&self, slot: &str, fingerprint: &str) -> redis::RedisResult<()> {
        let mut conn = self.conn.clone();
        let _: i64 = redis::Script::new(crate::idempotency::CLEAR_LUA)
            .key(format!("{}idem:{slot}", self.prefix))
            .arg(fingerprint)
            .invoke_async(&mut conn)
            .await?;
        Ok(())
    }

    /// Whether Redis answers a `PING`.
    pub async fn ping(&self) -> bool {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_burst_is_the_quota_and_the_next_waits_a_second() {
        let mut tat = None;
        for i in 0..60 {
            let (d, t) = gcra(tat, 1_000, 60, GENERAL_WINDOW_US);
            assert!(d.allowed, "request {i}");
            assert_eq!(d.remaining, 59 - i);
            tat = t;
        }
        let (d, t) = gcra(tat, 1_000, 60, GENERAL_WINDOW_US);
        assert!(!d.allowed && t.is_none());
        assert_eq!(d.retry_after_secs, 1);
        let (d, _) = gcra(tat, 1_000 + 1_000_000, 60, GENERAL_WINDOW_US);
        assert!(d.allowed);
    }

    #[test]
    fn the_multiplier_scales_and_zero_turns_limits_off() {
        assert_eq!(scaled(60, 1.0), Some(60));
        assert_eq!(scaled(60, 0.5), Some(30));
        assert_eq!(scaled(60, 0.0), None);
        assert_eq!(scaled(3, 0.01), Some(1));
    }

    #[test]
    fn the_local_limiter_drops_only_idle_users() {
        let l = LocalLimiter::new();
        let now = DateTime::from_timestamp(1_000, 0).unwrap();
        let user = UserId::from_uuid(uuid::Uuid::from_u128(1));
        assert!(l.check(user, 1, now).allowed);
        assert!(!l.check(user, 1, now).allowed);
        assert_eq!(l.tracked(), 1);
    }
}
