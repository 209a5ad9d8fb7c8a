//! When and how long to wait before retrying: [`RetryPolicy`], exponential [`Backoff`]
//! with full jitter from the client's injected RNG, and [`NoRetry`]; reading
//! `Retry-After` in seconds or as an HTTP-date.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand_core::RngCore;

/// What the client knows when an attempt failed in a retryable way (429, 503, 409
/// `idempotency-in-flight`, another 5xx of a GET or keyed write, a transport error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryContext {
    /// The attempt that failed, from 1.
    pub attempt: u32,
    /// The total of the delays already waited in this call.
    pub waited: Duration,
    /// The server's `Retry-After`, if it sent one.
    pub retry_after: Option<Duration>,
    /// The HTTP status, `None` for a transport error.
    pub status: Option<u16>,
}

/// Decides whether and when to retry. The client rebuilds the request for each attempt,
/// reusing the call's `Idempotency-Key`.
pub trait RetryPolicy: Send + Sync {
    /// The delay before the next attempt, or `None` to give up. `random` is a uniform
    /// sample from the client's RNG, for jitter.
    fn next_delay(&self, context: &RetryContext, random: u64) -> Option<Duration>;
}

/// A shared policy (the caller keeps a handle, to inspect it).
impl<P: RetryPolicy + ?Sized> RetryPolicy for std::sync::Arc<P> {
    fn next_delay(&self, context: &RetryContext, random: u64) -> Option<Duration> {
        (**self).next_delay(context, random)
    }
}

/// Never retries.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRetry;

impl RetryPolicy for NoRetry {
    fn next_delay(&self, _: &RetryContext, _: u64) -> Option<Duration> {
        None
    }
}

/// Exponential backoff with full jitter, honouring `Retry-After`, bounded in attempts and
/// in the total time waited.
///
/// The n-th retry waits a uniform time in `[0, min(max_delay, base * 2^(n-1))]`, or the
/// server's `Retry-After` when it asks for longer (a bounded `Retry-After`: one over
/// `max_delay` ends the retries, since waiting that long is the caller's choice).
///
/// ```
/// use std::time::Duration;
/// use lifeos_client::{Backoff, RetryContext, RetryPolicy};
/// let b = Backoff::new();
/// let mut c = RetryContext::first();
/// c.retry_after = Some(Duration::from_secs(2));
/// assert_eq!(b.next_delay(&c, 0), Some(Duration::from_secs(2)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first retry's delay ceiling (default 100 ms).
    pub base: Duration,
    /// The largest single delay (default 10 s).
    pub max_delay: Duration,
    /// The most attempts in one call, the first included (default 6).
    pub max_attempts: u32,
    /// The most time waited between attempts in one call (default 30 s).
    pub max_total_wait: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(100),
            max_delay: Duration::from_secs(10),
            max_attempts: 6,
            max_total_wait: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The defaults documented on the fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// With `base` as the first retry's ceiling.
    pub fn base(mut self, base: Duration) -> Self {
        self.base = base;
        self
    }

    /// With `max` as the largest single delay.
    pub fn max_delay(mut self, max: Duration) -> Self {
        self.max_delay = max;
        self
    }

    /// With at most `n` attempts per call.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n;
        self
    }

    /// With at most `total` waited between attempts of one call.
    pub fn max_total_wait(mut self, total: Duration) -> Self {
        self.max_total_wait = total;
        self
    }
}

impl RetryPolicy for Backoff {
    fn next_delay(&self, c: &RetryContext, random: u64) -> Option<Duration> {
        if c.attempt >= self.max_attempts {
            return None;
        }
        let shift = c.attempt.saturating_sub(1).min(20);
        let ceiling = self.base.saturating_mul(1u32 << shift).min(self.max_delay);
        let ceiling_ns = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let jittered = Duration::from_nanos(random % ceiling_ns.saturating_add(1));
        let delay = match c.retry_after {
            Some(after) if after > self.max_delay => return None,
            Some(after) => after.max(jittered),
            None => jittered,
        };
        (c.waited.saturating_add(delay) <= self.max_total_wait).then_some(delay)
    }
}

impl RetryContext {
    /// The context of a first failed attempt with no hint, for tests and examples.
    pub fn first() -> Self {
        RetryContext {
            attempt: 1,
            waited: Duration::ZERO,
            retry_after: None,
            status: None,
        }
    }
}

/// `Retry-After` as a delay: whole seconds, or an HTTP-date measured from the response's
/// own `Date` header (the client never reads the local clock; without `Date` an HTTP-date
/// is ignored). A date in the past is no delay.
///
/// ```
/// use std::time::Duration;
/// use lifeos_client::retry_after;
/// assert_eq!(retry_after("3", None), Some(Duration::from_secs(3)));
/// let date = Some("Sat, 05 Dec 2026 10:00:00 GMT");
/// assert_eq!(retry_after("Sat, 05 Dec 2026 10:00:02 GMT", date), Some(Duration::from_secs(2)));
/// ```
pub fn retry_after(value: &str, date: Option<&str>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = http_date(value)?;
    let now = http_date(date?)?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

fn http_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A uniform sample for jitter.
pub(crate) fn sample(rng: &mut dyn RngCore) -> u64 {
    rng.next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(attempt: u32) -> RetryContext {
        RetryContext {
            attempt,
            ..RetryContext::first()
        }
    }

    #[test]
    fn backoff_grows_within_its_ceiling_and_stops_at_max_attempts() {
        let b = Backoff::new()
            .base(Duration::from_millis(100))
            .max_attempts(4);
        // The largest sample reaches the ceiling: 100, 200, 400 ms.
        let top = |n| b.next_delay(&ctx(n), u64::MAX - 1);
        assert!(top(1).unwrap() <= Duration::from_millis(100));
        assert!(top(2).unwrap() <= Duration::from_millis(200));
        assert!(top(3).unwrap() > Duration::from_millis(200));
        assert_eq!(b.next_delay(&ctx(4), 7), None);
        // Jitter: different samples, different delays.
        assert_ne!(b.next_delay(&ctx(3), 1), b.next_delay(&ctx(3), 99_999_999));
    }

    #[test]
    fn retry_after_wins_over_a_shorter_backoff_and_a_long_one_gives_up() {
        let b = Backoff::new().max_delay(Duration::from_secs(5));
        let mut c = ctx(1);
        c.retry_after = Some(Duration::from_secs(3));
        assert_eq!(b.next_delay(&c, 0), Some(Duration::from_secs(3)));
        c.retry_after = Some(Duration::from_secs(60));
        assert_eq!(b.next_delay(&c, 0), None);
    }

    #[test]
    fn total_wait_is_bounded() {
        let b = Backoff::new().max_total_wait(Duration::from_secs(1));
        let mut c = ctx(1);
        c.retry_after = Some(Duration::from_millis(600));
        c.waited = Duration::from_millis(500);
        assert_eq!(b.next_delay(&c, 0), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(retry_after(" 1 ", None), Some(Duration::from_secs(1)));
        let date = Some("Sat, 05 Dec 2026 10:00:00 GMT");
        assert_eq!(
            retry_after("Sat, 05 Dec 2026 10:01:00 GMT", date),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            retry_after("Sat, 05 Dec 2026 09:00:00 GMT", date),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("Sat, 05 Dec 2026 10:01:00 GMT", None), None);
        assert_eq!(retry_after("soon", date), None);
    }
}
