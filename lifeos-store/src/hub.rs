//! In-process event fan-out for [`crate::EventLog::subscribe`].

use std::sync::Arc;

use lifeos_core::UserId;
use tokio::sync::broadcast;

use crate::StoredEvent;
use crate::error::{Error, Result};

/// What the hub fans out.
#[derive(Debug)]
enum Delivery {
    /// A committed event.
    Event(StoredEvent),
    /// Events may have been committed that no subscriber will get (the PostgreSQL
    /// listener lost its connection meanwhile).
    Gap,
}

/// Fans committed events out to subscribers. Events are published only after their
/// transaction commits, in `seq` order.
#[derive(Debug)]
pub(crate) struct EventHub {
    tx: broadcast::Sender<Arc<Delivery>>,
}

impl EventHub {
    pub(crate) fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity);
        EventHub { tx }
    }

    pub(crate) fn publish(&self, events: impl IntoIterator<Item = StoredEvent>) {
        for e in events {
            // No subscriber is not an error.
            let _ = self.tx.send(Arc::new(Delivery::Event(e)));
        }
    }

    /// Tells every subscriber that events may have been missed.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn gap(&self) {
        let _ = self.tx.send(Arc::new(Delivery::Gap));
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
            last_seq: None,
        }
    }
}

/// The events of one user, as they are committed from now on. Other users' events are
/// never delivered.
#[derive(Debug)]
pub struct EventStream {
    rx: broadcast::Receiver<Arc<Delivery>>,
    user: UserId,
    last_seq: Option<u64>,
}

impl EventStream {
    /// The user this stream follows.
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The `seq` of the last event this stream returned.
    pub fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }

    /// What one delivery means for this stream: an event of its user, a lag, or nothing.
    fn take(&mut self, delivery: &Delivery) -> Option<Result<StoredEvent>> {
        match delivery {
            Delivery::Event(e) if e.event.user_id == self.user => {
                self.last_seq = Some(e.seq);
                Some(Ok(e.clone()))
            }
            Delivery::Event(_) => None,
            Delivery::Gap => Some(Err(Error::Lagged {
                missed: None,
                last_seq: self.last_seq,
            })),
        }
    }

    /// Waits for the next event of this user; `None` once the store is dropped.
    ///
    /// # Errors
    /// [`Error::Lagged`] (naming the last `seq` this stream returned) when the subscriber
    /// fell more than the buffer behind, or when the store lost its notification
    /// connection and may have missed events meanwhile; the stream goes on with newer
    /// events (read the log after that `seq` to fill the gap).
    pub async fn recv(&mut self) -> Option<Result<StoredEvent>> {
        loop {
            match self.rx.recv().await {
                Ok(d) => {
                    if let Some(out) = self.take(&d) {
                        return Some(out);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    return Some(Err(Error::Lagged {
                        missed: Some(missed),
                        last_seq: self.last_seq,
                    }));
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
                Ok(d) => {
                    if let Some(out) = self.take(&d) {
                        return Some(out);
                    }
                }
                Err(broadcast::error::TryRecvError::Lagged(missed)) => {
                    return Some(Err(Error::Lagged {
                        missed: Some(missed),
                        last_seq: self.last_seq,
                    }));
                }
                Err(_) => return None,
            }
        }
    }
}
