//! `utoipa::ToSchema` for [`StoredEvent`] (feature `openapi`): core's event envelope with
//! its `seq`, as its `Serialize` writes it.

use lifeos_core::DomainEvent;
use utoipa::openapi::{RefOr, schema::Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::stored_event::StoredEvent;

impl PartialSchema for StoredEvent {
    fn schema() -> RefOr<Schema> {
        lifeos_core::openapi::with_seq()
    }
}

impl ToSchema for StoredEvent {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((DomainEvent::name().into_owned(), DomainEvent::schema()));
        DomainEvent::schemas(schemas);
    }
}
