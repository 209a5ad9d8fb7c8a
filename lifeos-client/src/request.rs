//! The request builders every resource handle returns: [`Get`], [`Write`], [`ListRequest`]
//! (a page, or a `Stream` following cursors), and what a sent request answered, [`Sent`].

use std::marker::PhantomData;

use futures_util::Stream;
use lifeos_core::wire::List;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::exec::{Answer, Call};

/// A value and what its answer said about it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Sent<T> {
    /// The decoded body.
    pub value: T,
    /// The HTTP status (201 for a create, 200 for an upsert that updated...).
    pub status: u16,
    /// `Idempotent-Replayed: true`: the server answered a stored earlier result.
    pub replayed: bool,
    /// The `ETag` version, for one-resource answers.
    pub version: Option<u64>,
    /// The `Location` of a created resource.
    pub location: Option<String>,
    /// The server's `X-Request-Id`.
    pub request_id: Option<String>,
}

fn decode<T: DeserializeOwned>(answer: Answer) -> Result<Sent<T>> {
    let value =
        serde_json::from_slice(&answer.body).map_err(|e| Error::decode(answer.status, e))?;
    Ok(meta(answer, value))
}

fn meta<T>(answer: Answer, value: T) -> Sent<T> {
    Sent {
        value,
        status: answer.status,
        replayed: answer.header("idempotent-replayed") == Some("true"),
        version: answer
            .header("etag")
            .and_then(|e| e.trim_matches('"').parse().ok()),
        location: answer.header("location").map(str::to_owned),
        request_id: answer.header("x-request-id").map(str::to_owned),
    }
}

/// A read of one document.
#[must_use = "a request does nothing until sent"]
#[derive(Debug)]
pub struct Get<T> {
    client: Client,
    pub(crate) call: Call,
    _t: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Get<T> {
    pub(crate) fn new(client: &Client, call: Call) -> Self {
        Get {
            client: client.clone(),
            call,
            _t: PhantomData,
        }
    }

    /// Sends the request.
    ///
    /// # Errors
    /// See [`Error`]: the server's problem, transport, decoding.
    pub async fn send(self) -> Result<T> {
        Ok(self.send_with_meta().await?.value)
    }

    /// Sends the request, keeping the answer's status and headers.
    ///
    /// # Errors
    /// As [`Get::send`].
    pub async fn send_with_meta(self) -> Result<Sent<T>> {
        decode(self.client.run(&self.call).await?)
    }
}

/// A read of one text document (`text/calendar`).
#[must_use = "a request does nothing until sent"]
#[derive(Debug, Clone)]
pub struct GetText {
    client: Client,
    call: Call,
}

impl GetText {
    pub(crate) fn new(client: &Client, call: Call) -> Self {
        GetText {
            client: client.clone(),
            call,
        }
    }

    /// Sends the request; the body as text.
    ///
    /// # Errors
    /// As [`Get::send`]; a body that is not UTF-8 is [`Error::Decode`].
    pub async fn send(self) -> Result<String> {
        let answer = self.client.run(&self.call).await?;
        String::from_utf8(answer.body.to_vec()).map_err(|e| Error::decode(answer.status, e))
    }
}

/// A change: POST, PATCH or DELETE, with an automatic `Idempotency-Key` reused by every
/// retry of this call, and an optional `If-Match`.
#[must_use = "a request does nothing until sent"]
#[derive(Debug)]
pub struct Write<T> {
    client: Client,
    pub(crate) call: Call,
    pending: Option<Error>,
    _t: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Write<T> {
    pub(crate) fn new(client: &Client, mut call: Call) -> Self {
        call.key = Some(client.new_key());
        Write {
            client: client.clone(),
            call,
            pending: None,
            _t: PhantomData,
        }
    }

    pub(crate) fn with_json<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        if let Err(e) = self.call.json(body) {
            self.pending = Some(e);
        }
        self
    }

    /// Applies only if the resource is at `version` (`If-Match: "<version>"`); else the
    /// call fails with [`Error::Conflict`] (412) and nothing changes.
    pub fn if_match(mut self, version: u64) -> Self {
        self.call.if_match = Some(format!("\"{version}\""));
        self
    }

    /// Replaces the automatic `Idempotency-Key` (1..=255 visible ASCII characters), to
    /// make a call retried by the application itself apply once.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.call.key = Some(key.into());
        self
    }

    /// The `Idempotency-Key` this call sends.
    pub fn key(&self) -> Option<&str> {
        self.call.key.as_deref()
    }

    /// Sends the change.
    ///
    /// # Errors
    /// See [`Error`]; a stale `if_match` is [`Error::Conflict`].
    pub async fn send(self) -> Result<T> {
        Ok(self.send_with_meta().await?.value)
    }

    /// Sends the change, keeping the answer's status and headers (`replayed`...).
    ///
    /// # Errors
    /// As [`Write::send`].
    pub async fn send_with_meta(self) -> Result<Sent<T>> {
        if let Some(e) = self.pending {
            return Err(e);
        }
        decode(self.client.run(&self.call).await?)
    }
}

/// A list route: one page with [`ListRequest::send`], or every item with
/// [`ListRequest::stream`] (following `next_cursor` page after page).
#[must_use = "a request does nothing until sent"]
#[derive(Debug)]
pub struct ListRequest<T> {
    client: Client,
    pub(crate) call: Call,
    /// The parameter the next cursor goes back as: `cursor`, or `after` on events.
    cursor_param: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for ListRequest<T> {
    fn clone(&self) -> Self {
        ListRequest {
            client: self.client.clone(),
            call: self.call.clone(),
            cursor_param: self.cursor_param,
            _t: PhantomData,
        }
    }
}

impl<T> Clone for Get<T> {
    fn clone(&self) -> Self {
        Get {
            client: self.client.clone(),
            call: self.call.clone(),
            _t: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> ListRequest<T> {
    pub(crate) fn new(client: &Client, call: Call, cursor_param: &'static str) -> Self {
        ListRequest {
            client: client.clone(),
            call,
            cursor_param,
            _t: PhantomData,
        }
    }

    pub(crate) fn param(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.call.set(name, value);
        self
    }

    /// Page size, 1..=200 (the server's default is 50).
    pub fn limit(self, limit: u32) -> Self {
        self.param("limit", limit.to_string())
    }

    /// Starts after this cursor (a page's `next_cursor`).
    pub fn cursor(self, cursor: impl Into<String>) -> Self {
        let name = self.cursor_param;
        self.param(name, cursor)
    }

    /// One page.
    ///
    /// # Errors
    /// See [`Error`]; a bad filter or cursor is a 400 naming it.
    pub async fn send(self) -> Result<List<T>> {
        Ok(decode(self.client.run(&self.call).await?)?.value)
    }

    /// Every item from here on, page after page; ends after the last page, or after the
    /// first error.
    pub fn stream(self) -> impl Stream<Item = Result<T>> + Send + 'static {
        struct State<T> {
            request: Option<ListRequest<T>>,
            items: std::vec::IntoIter<T>,
        }
        let start = State {
            request: Some(self),
            items: Vec::new().into_iter(),
        };
        futures_util::stream::unfold(start, |mut state| async move {
            loop {
                if let Some(item) = state.items.next() {
                    return Some((Ok(item), state));
                }
                let request = state.request.take()?;
                let next = request.clone();
                match request.send().await {
                    Ok(page) => {
                        state.items = page.results.into_iter();
                        state.request = page.next_cursor.map(|c| next.cursor(c));
                    }
                    Err(e) => return Some((Err(e), state)),
                }
            }
        })
    }
}
