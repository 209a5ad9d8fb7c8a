//! `/api/v1/events`: the event log, as pages and as a live feed.

use lifeos_core::wire::StoredEvent;
use reqwest::Method;

use crate::client::Client;
use crate::exec::Call;
use crate::request::ListRequest;
use crate::sse::Feed;

/// The event routes: [`Client::events`].
#[derive(Debug, Clone)]
pub struct Events {
    client: Client,
}

impl Events {
    pub(crate) fn new(client: &Client) -> Self {
        Events {
            client: client.clone(),
        }
    }

    /// `GET /events`: events with `seq` above [`ListRequest::cursor`] (a seq; the
    /// page's `next_cursor` goes back as `after`), in order.
    pub fn list(&self) -> ListRequest<StoredEvent> {
        ListRequest::new(
            &self.client,
            Call::new(Method::GET, "/api/v1/events"),
            "after",
        )
    }

    /// `GET /events/stream`: the live feed, resuming with `Last-Event-ID`.
    pub fn feed(&self) -> Feed {
        Feed::new(&self.client)
    }
}
