//! The refiner's own HTTP path under async-openai (its `middleware` feature): bounded
//! retries of 429, 5xx and refused connections, honouring `Retry-After` but never waiting
//! past the refinement's one deadline (async-openai's own layer would sleep a server's whole
//! `Retry-After`). Time is read from the injected clock, jitter drawn from the injected RNG.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use rand_core::RngCore;
use reqwest::header::HeaderMap;

use super::super::clock::MonotonicClock;

/// First backoff delay without `Retry-After`; it doubles at each retry.
const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest backoff delay without `Retry-After`.
const BACKOFF_CAP: Duration = Duration::from_secs(8);

/// The RNG the jitter comes from, shared by the calls of one refiner.
pub(crate) type SharedRng = Arc<Mutex<dyn RngCore + Send>>;

/// What one model call's HTTP path needs.
#[derive(Clone)]
pub(crate) struct Attempts {
    pub(crate) http: reqwest::Client,
    pub(crate) clock: Arc<dyn MonotonicClock>,
    pub(crate) rng: SharedRng,
    /// Clock reading past which no retry is started.
    pub(crate) deadline: Duration,
    pub(crate) max_retries: u32,
    /// The last HTTP status seen, and how many requests were sent.
    pub(crate) seen: Arc<Mutex<Seen>>,
}

/// What the HTTP path saw, for the refiner's error and its tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) status: Option<u16>,
    pub(crate) requests: u32,
}

/// The server's wait, from `retry-after-ms` (OpenAI's) or `Retry-After` in seconds (an
/// HTTP date would need the wall clock: it is treated as absent).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    text("retry-after")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e9)
        .map(Duration::from_secs_f64)
}

/// Exponential backoff with jitter: a uniform draw in `[d/2, d]`, `d` doubling from
/// [`BACKOFF_BASE`] up to [`BACKOFF_CAP`].
pub(crate) fn backoff(retry: u32, rng: &SharedRng) -> Duration {
    let full = BACKOFF_BASE
        .saturating_mul(2_u32.saturating_pow(retry))
        .min(BACKOFF_CAP);
    let half = full / 2;
    let span = u64::try_from(half.as_micros()).unwrap_or(u64::MAX).max(1);
    let draw = rng
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .next_u64();
    half + Duration::from_micros(draw % (span + 1))
}

impl Attempts {
    fn note(&self, status: Option<u16>) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.requests += 1;
        if status.is_some() {
            seen.status = status;
        }
    }

    /// Whether waiting `delay` still leaves the next attempt before the deadline.
    fn can_wait(&self, delay: Duration) -> bool {
        self.clock.elapsed().saturating_add(delay) < self.deadline
    }

    /// Sends `factory`'s request, retrying while the rules allow; the last response (or
    /// connection error) is async-openai's to read.
    pub(crate) async fn send(
        self,
        factory: HttpRequestFactory,
    ) -> Result<reqwest::Response, OpenAIError> {
        let mut retry = 0;
        loop {
            let request = factory.build().await?;
            let result = self.http.execute(request).await;
            let (retryable, server_wait) = match &result {
                Ok(response) => {
                    let status = response.status();
                    self.note(Some(status.as_u16()));
                    (
                        status.as_u16() == 429 || status.is_server_error(),
                        retry_after(response.headers()),
                    )
                }
                Err(error) => {
                    self.note(None);
                    (error.is_connect(), None)
                }
            };
            if !retryable || retry >= self.max_retries {
                return result.map_err(OpenAIError::Reqwest);
            }
            let delay = server_wait.unwrap_or_else(|| backoff(retry, &self.rng));
            if !self.can_wait(delay) {
                return result.map_err(OpenAIError::Reqwest);
            }
            drop(result);
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    struct Seq(u64);
    impl RngCore for Seq {
        fn next_u32(&mut self) -> u32 {
            self.next_u64() as u32
        }
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
            self.0
        }
        fn fill_bytes(&mut self, dst: &mut [u8]) {
            for b in dst {
                *b = self.next_u32() as u8;
            }
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_milliseconds() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
        let mut date = HeaderMap::new();
        date.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&date), None);
        date.insert("retry-after", HeaderValue::from_static("-3"));
        assert_eq!(retry_after(&date), None);
    }

    #[test]
    fn backoff_is_jittered_within_bounds_and_capped() {
        let rng: SharedRng = Arc::new(Mutex::new(Seq(7)));
        let mut draws = std::collections::BTreeSet::new();
        for _ in 0..20 {
            let d = backoff(0, &rng);
            assert!(d >= Duration::from_millis(250) && d <= Duration::from_millis(500));
            draws.insert(d);
        }
        assert!(draws.len() > 1, "the jitter varies");
        let late = backoff(30, &rng);
        assert!(late >= Duration::from_secs(4) && late <= Duration::from_secs(8));
    }
}
