//! What an upsert did.

/// What an upsert did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Upserted<T> {
    /// A new row (`*.created` event).
    Created(T),
    /// The row changed (`*.updated` event).
    Updated(T),
    /// Same etag: nothing changed, no event.
    Unchanged(T),
}

impl<T> Upserted<T> {
    /// The row as stored now.
    pub fn into_inner(self) -> T {
        match self {
            Upserted::Created(t) | Upserted::Updated(t) | Upserted::Unchanged(t) => t,
        }
    }

    /// The row as stored now.
    pub fn get(&self) -> &T {
        match self {
            Upserted::Created(t) | Upserted::Updated(t) | Upserted::Unchanged(t) => t,
        }
    }
}
