//! The plan cache and the AI quota in Redis (feature `redis`), shared by every process on
//! the same Redis: the cache with Redis's own expiry, the quota as one Lua script (atomic,
//! the time read inside Redis).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use lifeos_core::{Tier, UserId};
use lifeos_scheduler::refine::Proposal;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;

use super::cache::{DEFAULT_TTL, PlanCache};
use super::quota::{AiQuota, HOUR, MONTH, QuotaError, QuotaExceeded, QuotaWindow};

/// Connects to `url` (`redis://host:port/db`).
async fn connect(url: &str) -> Result<ConnectionManager, String> {
    let client = redis::Client::open(url).map_err(|e| format!("redis url: {e}"))?;
    ConnectionManager::new(client)
        .await
        .map_err(|e| format!("connecting to redis: {e}"))
}

/// A [`PlanCache`] in Redis: one string per key, expiring after the time to live.
#[derive(Clone)]
pub struct RedisPlanCache {
    conn: ConnectionManager,
    prefix: String,
    ttl: Duration,
}

impl std::fmt::Debug for RedisPlanCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisPlanCache")
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl RedisPlanCache {
    /// A cache on the Redis at `url`, keys under `prefix`, kept 5 minutes.
    ///
    /// # Errors
    /// A message when Redis cannot be reached.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, String> {
        Ok(Self::with_connection(connect(url).await?, prefix))
    }

    /// A cache over an open connection (one an application already holds, such as a
    /// server's rate limiter's), keys under `prefix`, kept 5 minutes.
    pub fn with_connection(conn: ConnectionManager, prefix: &str) -> Self {
        Self {
            conn,
            prefix: prefix.to_owned(),
            ttl: DEFAULT_TTL,
        }
    }

    /// The same cache keeping proposals for `ttl` (at least a millisecond).
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.max(Duration::milliseconds(1));
        self
    }

    fn key(&self, key: &str) -> String {
        format!("{}plan:{key}", self.prefix)
    }
}

#[async_trait]
impl PlanCache for RedisPlanCache {
    async fn get(&self, key: &str, _now: DateTime<Utc>) -> Result<Option<Proposal>, String> {
        let mut conn = self.conn.clone();
        let text: Option<String> = conn
            .get(self.key(key))
            .await
            .map_err(|e| format!("reading the plan cache: {e}"))?;
        // An entry this version cannot read is a miss, not an error.
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    async fn put(&self, key: &str, proposal: &Proposal, _now: DateTime<Utc>) -> Result<(), String> {
        let mut conn = self.conn.clone();
        let text = serde_json::to_string(proposal).map_err(|e| e.to_string())?;
        let ms = u64::try_from(self.ttl.num_milliseconds())
            .unwrap_or(1)
            .max(1);
        conn.pset_ex::<_, _, ()>(self.key(key), text, ms)
            .await
            .map_err(|e| format!("writing the plan cache: {e}"))
    }
}

/// Takes one call if both windows allow it. KEYS[1]: the user's call times (a sorted set
/// of microseconds), KEYS[2]: a sequence for unique members. ARGV: hourly limit, monthly
/// limit, hour and month in microseconds. Returns `{1, 0}` when taken, else `{0, window,
/// wait_us}` (window 1 hour, 2 month). Lua numbers are doubles: microseconds since 1970
/// stay exact (below 2^53).
const TAKE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local per_hour, per_month = tonumber(ARGV[1]), tonumber(ARGV[2])
local hour, month = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - month)
local in_hour = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - hour), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
if redis.call('ZCOUNT', KEYS[1], '(' .. (now - hour), '+inf') >= per_hour then
  return {0, 1, tonumber(in_hour[2]) + hour - now}
end
if redis.call('ZCARD', KEYS[1]) >= per_month then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, 2, tonumber(oldest[2]) + month - now}
end
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], now, string.format('%.0f', now) .. ':' .. seq)
redis.call('PEXPIRE', KEYS[1], math.floor(month / 1000))
redis.call('PEXPIRE', KEYS[2], math.floor(month / 1000))
return {1, 0, 0}
";

/// An [`AiQuota`] in Redis: atomic across processes, timed by Redis's clock.
#[derive(Clone)]
pub struct RedisAiQuota {
    conn: ConnectionManager,
    prefix: String,
    script: redis::Script,
}

impl std::fmt::Debug for RedisAiQuota {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisAiQuota")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisAiQuota {
    /// Quotas on the Redis at `url`, keys under `prefix`.
    ///
    /// # Errors
    /// A message when Redis cannot be reached.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, String> {
        Ok(Self::with_connection(connect(url).await?, prefix))
    }

    /// Quotas over an open connection (one an application already holds, such as a
    /// server's rate limiter's), keys under `prefix`.
    pub fn with_connection(conn: ConnectionManager, prefix: &str) -> Self {
        Self {
            conn,
            prefix: prefix.to_owned(),
            script: redis::Script::new(TAKE),
        }
    }
}

#[async_trait]
impl AiQuota for RedisAiQuota {
    async fn take(&self, user: UserId, tier: Tier, _now: DateTime<Utc>) -> Result<(), QuotaError> {
        let mut conn = self.conn.clone();
        let micros = |d: std::time::Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let (taken, window, wait_us): (i64, i64, i64) = self
            .script
            .key(format!("{}ai:{user}:calls", self.prefix))
            .key(format!("{}ai:{user}:seq", self.prefix))
            .arg(tier.ai_calls_per_hour())
            .arg(tier.ai_requests_per_month())
            .arg(micros(HOUR))
            .arg(micros(MONTH))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| QuotaError::Backend(e.to_string()))?;
        if taken == 1 {
            return Ok(());
        }
        let window = if window == 2 {
            QuotaWindow::Month
        } else {
            QuotaWindow::Hour
        };
        let wait = std::time::Duration::from_micros(u64::try_from(wait_us).unwrap_or(0));
        Err(QuotaExceeded::new(window, tier, wait).into())
    }
}
