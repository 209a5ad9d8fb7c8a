//! `utoipa::ToSchema` for the types whose serde form is written by hand (feature
//! `openapi`): the typed ids (a UUID string), [`ClockTime`] (`HH:MM`),
//! [`RecurrenceRule`] (RFC 5545 `RRULE` text), [`DomainEvent`] (the log's envelope) and
//! [`crate::wire::StoredEvent`] (the envelope with its `seq`).
//! Every other wire type derives its schema beside its serde derive.

use std::borrow::Cow;

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{RefOr, schema::AllOfBuilder};
use utoipa::{PartialSchema, ToSchema};

use crate::event::{DomainEvent, EventSource};
use crate::id::{
    CalendarEventId, EventId, OAuthTokenId, ProjectId, SubscriptionId, TaskId, UserId,
};
use crate::recurrence::RecurrenceRule;
use crate::time::ClockTime;

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

macro_rules! uuid_schema {
    ($($id:ident),*) => {$(
        impl PartialSchema for $id {
            fn schema() -> RefOr<Schema> {
                string(concat!("An id (", stringify!($id), "): a lowercase hyphenated UUID."))
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .into()
            }
        }

        impl ToSchema for $id {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($id))
            }
        }
    )*};
}

uuid_schema!(
    UserId,
    TaskId,
    ProjectId,
    CalendarEventId,
    SubscriptionId,
    EventId,
    OAuthTokenId
);

impl PartialSchema for ClockTime {
    fn schema() -> RefOr<Schema> {
        string("A time of day, `HH:MM` from `00:00` to `24:00`.")
            .pattern(Some("^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"))
            .into()
    }
}

impl ToSchema for ClockTime {}

impl PartialSchema for RecurrenceRule {
    fn schema() -> RefOr<Schema> {
        string("An RFC 5545 recurrence rule (`FREQ=WEEKLY;BYDAY=MO`), at most 4,096 bytes.")
            .max_length(Some(4096))
            .into()
    }
}

impl ToSchema for RecurrenceRule {}

/// The envelope as `DomainEvent`'s `Serialize` writes it.
impl PartialSchema for DomainEvent {
    fn schema() -> RefOr<Schema> {
        let text = |d: &str| string(d);
        ObjectBuilder::new()
            .description(Some("One entry of the event log."))
            .property("id", EventId::schema())
            .property("type", text("The event type (`task.created`, ...)."))
            .property(
                "occurred_at",
                text("When the change happened (RFC 3339 UTC).")
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
            )
            .property("user_id", UserId::schema())
            .property(
                "source",
                RefOr::Ref(utoipa::openapi::Ref::from_schema_name(EventSource::name())),
            )
            .property(
                "entity_type",
                text("`task`, `project`, `calendar_event`, ..."),
            )
            .property(
                "entity_id",
                text("The entity the event is about.")
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
            )
            .property("action", text("`created`, `updated`, ..."))
            .property(
                "data",
                ObjectBuilder::new().description(Some("The type's own fields.")),
            )
            .required("id")
            .required("type")
            .required("occurred_at")
            .required("user_id")
            .required("source")
            .required("entity_type")
            .required("entity_id")
            .required("action")
            .required("data")
            .into()
    }
}

impl ToSchema for DomainEvent {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((EventSource::name().into_owned(), EventSource::schema()));
    }
}

/// `DomainEvent`'s envelope with its log position: what `StoredEvent` serializes to.
pub fn with_seq() -> RefOr<Schema> {
    AllOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .property(
                    "seq",
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                        .minimum(Some(1))
                        .description(Some("Position in the user's log.")),
                )
                .required("seq"),
        )
        .item(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
            DomainEvent::name(),
        )))
        .into()
}

impl PartialSchema for crate::wire::StoredEvent {
    fn schema() -> RefOr<Schema> {
        with_seq()
    }
}

impl ToSchema for crate::wire::StoredEvent {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((DomainEvent::name().into_owned(), DomainEvent::schema()));
        DomainEvent::schemas(schemas);
    }
}
