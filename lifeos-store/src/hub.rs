//! In-process event fan-out for [`crate::EventLog::subscribe`].

use std::sync::Arc;

use lifeos_core::UserId;
use tokio::sync::broadcast;

use crate::error::{Error, Result};
use crate::model::StoredEvent;

/// Fans committed events out to subscribers. Events are published only after their
/// transaction commits, in `seq` order.
#[derive(Debug)]
pub(crate) struct EventHub {
    tx: broadcast::Sender<Arc<StoredEvent>>,
}

impl EventHub {
    pub(crate) fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity);
        EventHub { tx }
    }

    pub(crate) fn publish(&self, events: impl IntoIterator<Item = StoredEvent>) {
        for e in events {
            // No subscriber is not an error.
            let _ = self.tx.send(Arc::new(e));
        }
    }

    /// Whether anyone subscribes now (the PostgreSQL listener skips fetching otherwise).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn has_subscribers(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    pub(crate) fn subscribe(&self, user: UserId) -> EventStream {
        EventStream {
            rx: self.tx.subscribe(),
            user,
        }
    }
}

/// The events of one user, as they are committed from now on. Other users' events are
/// never delivered.
#[derive(Debug)]
pub struct EventStream {
    rx: broadcast::Receiver<Arc<StoredEvent>>,
    user: UserId,
}

impl EventStream {
    /// The user this stream follows.
    pub fn user(&self) -> UserId {
        self.user
    }

    /// Waits for the next event of this user; `None` once the store is dropped.
    ///
    /// # Errors
    /// [`Error::Lagged`] when the subscriber fell more than the buffer behind; the stream
    /// goes on with newer events (read the log from the last `seq` seen to fill the gap).
    pub async fn recv(&mut self) -> Option<Result<StoredEvent>> {
        loop {
            match self.rx.recv().await {
                Ok(e) if e.event.user_id == self.user => return Some(Ok((*e).clone())),
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    return Some(Err(Error::Lagged { missed }));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// The next event of this user if one is already waiting, without blocking.
    ///
    /// # Errors
    /// [`Error::Lagged`] as for [`EventStream::recv`].
    pub fn try_recv(&mut self) -> Option<Result<StoredEvent>> {
        loop {
            match self.rx.try_recv() {
                Ok(e) if e.event.user_id == self.user => return Some(Ok((*e).clone())),
                Ok(_) => {}
                Err(broadcast::error::TryRecvError::Lagged(missed)) => {
                    return Some(Err(Error::Lagged { missed }));
                }
                Err(_) => return None,
            }
        }
    }
}
