//! One call, attempted until it succeeds or the policy gives up: the token (refreshed once
//! on a 401), the reused `Idempotency-Key`, retryable statuses and `Retry-After`.

use std::time::Duration;

use bytes::Bytes;
use lifeos_core::wire::Problem;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::{RetryContext, retry_after, sample};

/// A body to send.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    pub(crate) content_type: &'static str,
    pub(crate) bytes: Bytes,
}

/// Everything needed to build each attempt of one call afresh.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) method: reqwest::Method,
    /// Under the base URL, `/api/v1/...` or `/health`.
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Body>,
    pub(crate) if_match: Option<String>,
    pub(crate) key: Option<String>,
    pub(crate) last_event_id: Option<u64>,
}

impl Call {
    pub(crate) fn new(method: reqwest::Method, path: impl Into<String>) -> Self {
        Call {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            if_match: None,
            key: None,
            last_event_id: None,
        }
    }

    /// Sets `name` (replacing an earlier value: the server refuses repeated parameters).
    pub(crate) fn set(&mut self, name: &'static str, value: impl Into<String>) {
        self.query.retain(|(k, _)| *k != name);
        self.query.push((name, value.into()));
    }

    pub(crate) fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let bytes = serde_json::to_vec(value).map_err(|e| Error::decode(0, e))?;
        self.body = Some(Body {
            content_type: "application/json",
            bytes: Bytes::from(bytes),
        });
        Ok(())
    }
}

/// A complete answer: status, headers, body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    fn problem(&self) -> Option<Problem> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The error for a non-2xx answer.
    pub(crate) fn into_error(self) -> Error {
        let Some(problem) = self.problem() else {
            let text = String::from_utf8_lossy(&self.body)
                .chars()
                .take(200)
                .collect::<String>();
            return Error::decode(self.status, format!("not a problem document: {text:?}"));
        };
        let problem = Box::new(problem);
        match (self.status, problem.slug()) {
            (412, _) | (409, Some("conflict")) => Error::Conflict {
                status: self.status,
                current_version: self
                    .header("etag")
                    .and_then(|e| e.trim_matches('"').parse().ok()),
                problem,
            },
            (429, _) => Error::RateLimited {
                retry_after: self.retry_after(),
                problem,
            },
            (status, _) => Error::Api { status, problem },
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        retry_after(self.header("retry-after")?, self.header("date"))
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// What one attempt gave.
pub(crate) enum Outcome {
    /// A whole answer (any status).
    Whole(Answer),
    /// A 2xx answer whose body is still to be read (the event feed).
    Streaming(reqwest::Response),
}

impl Client {
    /// Runs `call` to a whole answer; non-2xx answers become errors.
    pub(crate) async fn run(&self, call: &Call) -> Result<Answer> {
        match self.run_outcome(call, false).await? {
            Outcome::Whole(a) if (200..300).contains(&a.status) => Ok(a),
            Outcome::Whole(a) => Err(a.into_error()),
            Outcome::Streaming(_) => Err(Error::Config("a stream where none was asked".into())),
        }
    }

    /// Runs `call`, retrying as the policy allows, within the total time bound.
    pub(crate) async fn run_outcome(&self, call: &Call, stream: bool) -> Result<Outcome> {
        match self.inner.total_timeout {
            Some(bound) => tokio::time::timeout(bound, self.attempts(call, stream))
                .await
                .map_err(|_| Error::TotalTimeout(bound))?,
            None => self.attempts(call, stream).await,
        }
    }

    async fn attempts(&self, call: &Call, stream: bool) -> Result<Outcome> {
        let provider = self.inner.tokens.clone();
        let mut token = match &provider {
            Some(p) => Some(p.token().await.map_err(Error::Token)?),
            None => None,
        };
        let mut refreshed = false;
        let mut attempt = 0u32;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            let (status, hint, failure) = match self.attempt(call, token.as_deref(), stream).await {
                Ok(Outcome::Whole(answer)) => {
                    let status = answer.status;
                    if status == 401
                        && !refreshed
                        && let Some(p) = &provider
                    {
                        refreshed = true;
                        if let Some(fresh) = p.refresh().await.map_err(Error::Token)? {
                            token = Some(fresh);
                            attempt -= 1;
                            continue;
                        }
                    }
                    if !retryable(&answer) {
                        return Ok(Outcome::Whole(answer));
                    }
                    let hint = answer.retry_after();
                    (Some(status), hint, Err(answer))
                }
                Ok(streaming) => return Ok(streaming),
                Err(e) => (None, None, Ok(e)),
            };
            let context = RetryContext {
                attempt,
                waited,
                retry_after: hint,
                status,
            };
            let random = self.with_rng(sample);
            match self.inner.retry.next_delay(&context, random) {
                Some(delay) => {
                    tokio::time::sleep(delay).await;
                    waited = waited.saturating_add(delay);
                }
                None => {
                    return match failure {
                        Err(answer) => Ok(Outcome::Whole(answer)),
                        Ok(error) => Err(error),
                    };
                }
            }
        }
    }

    /// One attempt, built afresh: a transport failure is an `Err`.
    async fn attempt(&self, call: &Call, token: Option<&str>, stream: bool) -> Result<Outcome> {
        let url = format!("{}{}", self.inner.base, call.path);
        let mut url =
            reqwest::Url::parse(&url).map_err(|e| Error::Config(format!("URL {url:?}: {e}")))?;
        if !call.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &call.query {
                pairs.append_pair(k, v);
            }
        }
        let http = if stream {
            &self.inner.stream_http
        } else {
            &self.inner.http
        };
        let mut request = http.request(call.method.clone(), url);
        if let Some(token) = token {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| Error::Config("the token is not a valid header value".into()))?;
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        if let Some(key) = &call.key {
            request = request.header("idempotency-key", key.as_str());
        }
        if let Some(m) = &call.if_match {
            request = request.header(reqwest::header::IF_MATCH, m.as_str());
        }
        if let Some(seq) = call.last_event_id {
            request = request.header("last-event-id", seq.to_string());
        }
        if stream {
            request = request.header(reqwest::header::ACCEPT, "text/event-stream");
        }
        if let Some(body) = &call.body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, body.content_type)
                .body(body.bytes.clone());
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        if stream && (200..300).contains(&status) {
            return Ok(Outcome::Streaming(response));
        }
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?;
        Ok(Outcome::Whole(Answer {
            status,
            headers,
            body,
        }))
    }
}

/// Whether an answer may be retried: 429, 503 and other 5xx (every write carries an
/// idempotency key, so a retry never applies twice), 409 `idempotency-in-flight`.
fn retryable(answer: &Answer) -> bool {
    match answer.status {
        429 | 500 | 502 | 503 | 504 => true,
        409 => answer
            .problem()
            .is_some_and(|p| p.slug() == Some("idempotency-in-flight")),
        _ => false,
    }
}

pub(crate) fn transport(e: reqwest::Error) -> Error {
    let what = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "request"
    };
    Error::transport(what, e)
}
