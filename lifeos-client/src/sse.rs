//! The event feed (`GET /events/stream`) as a `Stream` of [`StoredEvent`]s: Server-Sent
//! Events parsed from the body, resumed with `Last-Event-ID` after a dropped connection.

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use lifeos_core::wire::StoredEvent;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::exec::{Call, Outcome, transport};
use crate::retry::{RetryContext, sample};

type Body = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// The event feed: [`crate::api::Events::feed`].
#[must_use = "a feed does nothing until streamed"]
#[derive(Debug, Clone)]
pub struct Feed {
    client: Client,
    after: Option<u64>,
}

impl Feed {
    pub(crate) fn new(client: &Client) -> Self {
        Feed {
            client: client.clone(),
            after: None,
        }
    }

    /// Replays the log's events after `seq` first (0: the whole log), then live ones.
    /// Without it, only events committed after connecting arrive.
    pub fn after(mut self, seq: u64) -> Self {
        self.after = Some(seq);
        self
    }

    /// The events, in `seq` order, none repeated. A dropped connection is reopened with
    /// `Last-Event-ID` (the last `seq` received), waiting as the retry policy says; the
    /// stream ends after a `user.erased` event, or with an error once the policy gives up.
    pub fn stream(self) -> impl Stream<Item = Result<StoredEvent>> + Send + 'static {
        let state = FeedState {
            client: self.client,
            last: self.after,
            body: None,
            parser: Parser::default(),
            failures: 0,
            waited: Duration::ZERO,
            done: false,
        };
        futures_util::stream::unfold(state, |mut s| async move {
            let item = s.next_event().await?;
            Some((item, s))
        })
    }
}

struct FeedState {
    client: Client,
    last: Option<u64>,
    body: Option<Body>,
    parser: Parser,
    /// Reconnections since the last event received.
    failures: u32,
    waited: Duration,
    done: bool,
}

impl FeedState {
    async fn next_event(&mut self) -> Option<Result<StoredEvent>> {
        loop {
            if self.done {
                return None;
            }
            if let Some(data) = self.parser.next_data() {
                let event: StoredEvent = match serde_json::from_str(&data) {
                    Ok(e) => e,
                    Err(e) => {
                        self.done = true;
                        return Some(Err(Error::decode(200, e)));
                    }
                };
                if self.last.is_some_and(|l| event.seq <= l) {
                    continue;
                }
                self.last = Some(event.seq);
                self.failures = 0;
                self.waited = Duration::ZERO;
                if event.event.kind() == "user.erased" {
                    self.done = true;
                }
                return Some(Ok(event));
            }
            let Some(body) = self.body.as_mut() else {
                if let Err(e) = self.connect().await {
                    self.done = true;
                    return Some(Err(e));
                }
                continue;
            };
            match body.next().await {
                Some(Ok(chunk)) => self.parser.push(&chunk),
                Some(Err(e)) => {
                    if let Err(e) = self.dropped(Some(transport(e))).await {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
                None => {
                    if let Err(e) = self.dropped(None).await {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
        }
    }

    async fn connect(&mut self) -> Result<()> {
        let mut call = Call::new(reqwest::Method::GET, "/api/v1/events/stream");
        call.last_event_id = self.last;
        match self.client.run_outcome(&call, true).await? {
            Outcome::Streaming(response) => {
                self.parser = Parser::default();
                self.body = Some(Box::pin(response.bytes_stream()));
                Ok(())
            }
            Outcome::Whole(answer) => Err(answer.into_error()),
        }
    }

    /// The connection ended (cleanly or not): wait as the policy says, then reconnect on
    /// the next poll; the policy giving up ends the feed with `error` (or a closed-stream
    /// error).
    async fn dropped(&mut self, error: Option<Error>) -> Result<()> {
        self.body = None;
        self.failures += 1;
        let context = RetryContext {
            attempt: self.failures,
            waited: self.waited,
            retry_after: None,
            status: None,
        };
        let random = self.client.with_rng(sample);
        match self.client.inner.retry.next_delay(&context, random) {
            Some(delay) => {
                tokio::time::sleep(delay).await;
                self.waited = self.waited.saturating_add(delay);
                Ok(())
            }
            None => Err(error.unwrap_or_else(|| {
                Error::transport("stream", "the event stream closed and was not reopened")
            })),
        }
    }
}

/// An incremental `text/event-stream` parser keeping only `data` (the `id` is the
/// payload's `seq`, the `event` its `type`).
#[derive(Default)]
struct Parser {
    buffer: Vec<u8>,
    data: Vec<String>,
    ready: std::collections::VecDeque<String>,
}

impl Parser {
    fn push(&mut self, chunk: &[u8]) {
        self.buffer.extend_from_slice(chunk);
        while let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() {
                    self.ready.push_back(self.data.join("\n"));
                    self.data.clear();
                }
            } else if let Some(value) = line.strip_prefix("data:") {
                self.data
                    .push(value.strip_prefix(' ').unwrap_or(value).to_owned());
            }
            // `id:`, `event:`, `retry:` and `:` comments carry nothing the payload lacks.
        }
    }

    fn next_data(&mut self) -> Option<String> {
        self.ready.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::Parser;

    #[test]
    fn parser_joins_split_chunks_and_skips_comments() {
        let mut p = Parser::default();
        p.push(b": keep-alive\n\nid: 1\nevent: task.created\nda");
        assert_eq!(p.next_data(), None);
        p.push(b"ta: {\"a\":1}\r\n\r\nid: 2\ndata: x\ndata: y\n\n");
        assert_eq!(p.next_data().as_deref(), Some("{\"a\":1}"));
        assert_eq!(p.next_data().as_deref(), Some("x\ny"));
        assert_eq!(p.next_data(), None);
    }
}
