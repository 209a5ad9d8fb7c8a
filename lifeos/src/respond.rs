//! A keyed caller's answer, rendered by a workflow inside its save transaction.
//!
//! The REST server stores the answer of a keyed request (its `Idempotency-Key`) in the
//! transaction of the change it answers, so a retry after a crash finds both or neither.
//! When the answer is a report of the workflow (a plan, an import's counts) rather than a
//! stored row, only the workflow knows it when the save runs: the caller hands it a
//! [`Respond`], and the workflow renders the answer in that save through the store's
//! [`with_render`](lifeos_store::idempotency::with_render). Outside a pending record
//! (`with_pending`) nothing is stored.

use std::fmt;
use std::sync::Arc;

use lifeos_store::idempotency::StoredResponse;

/// Renders the caller's answer to a workflow's result `T` ([`crate::DayPlan`],
/// [`crate::ImportReport`]), or `None` for no stored answer. Cheap to clone; two are
/// equal when they are the same function.
pub struct Respond<T>(Arc<RenderFn<T>>);

/// The function a [`Respond`] holds.
type RenderFn<T> = dyn Fn(&T) -> Option<StoredResponse> + Send + Sync;

impl<T> Respond<T> {
    /// A renderer calling `render`.
    pub fn new(render: impl Fn(&T) -> Option<StoredResponse> + Send + Sync + 'static) -> Self {
        Respond(Arc::new(render))
    }

    /// The answer to `value`.
    pub(crate) fn render(&self, value: &T) -> Option<StoredResponse> {
        (self.0)(value)
    }
}

impl<T> Clone for Respond<T> {
    fn clone(&self) -> Self {
        Respond(Arc::clone(&self.0))
    }
}

impl<T> fmt::Debug for Respond<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Respond(..)")
    }
}

impl<T> PartialEq for Respond<T> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.0), Arc::as_ptr(&other.0))
    }
}

impl<T> Eq for Respond<T> {}
