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

use lifeos_store::idempotency::{StoredResponse, Written, with_render};

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

/// A workflow result that says whether it was saved ([`crate::DayPlan`],
/// [`crate::WeekPlan`]): its answer is rendered as it will be once saved.
pub(crate) trait Saved {
    /// Marks the result saved, or not.
    fn set_saved(&mut self, saved: bool);
}

/// Runs `save`, a save of task changes; with `respond`, the answer to `value` as it will
/// be once saved is stored by that save itself (in its transaction, under a pending
/// idempotency record). `value` is left marked unsaved: the caller marks it when `save`
/// succeeded.
pub(crate) async fn save_tasks<T: Saved, F: Future>(
    respond: Option<&Respond<T>>,
    value: &mut T,
    save: F,
) -> F::Output {
    let Some(respond) = respond else {
        return save.await;
    };
    value.set_saved(true);
    let answer = respond.render(value);
    value.set_saved(false);
    let render = move |w: Written<'_>| match w {
        Written::Tasks(_) => answer.clone(),
        _ => None,
    };
    with_render(render, save).await
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
