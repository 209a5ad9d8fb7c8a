//! `PATCH /calendar/events/{id}` through the client: the fields set, `If-Match`, the
//! create's rules, a keyed retry replayed.

use chrono::{TimeZone, Utc};
use lifeos::core::{CalendarEventId, CalendarEventInput, CalendarEventPatch, EventTime, Provider};
use lifeos_client::Error;

use crate::on_backends;
use crate::support::{Backend, fresh_user, start_unlimited};

async fn patch_an_event(backend: Backend) {
    let Some(server) = start_unlimited(backend).await else {
        return;
    };
    let c = server.client(fresh_user());
    let at = |h| EventTime::Utc(Utc.with_ymd_and_hms(2026, 12, 4, h, 0, 0).unwrap());
    let mut input = CalendarEventInput::new(Provider::Manual, "Standup", at(9), at(10));
    input.description = Some("daily".into());
    let event = c.calendar().create(&input).send().await.unwrap();
    assert_eq!(event.version, 1);

    let rename = CalendarEventPatch {
        title: Some("Retro".into()),
        description: Some(None),
        end: Some(at(11)),
        ..CalendarEventPatch::default()
    };
    // A stale version: 412, nothing changed.
    let err = c
        .calendar()
        .update(event.id, &rename)
        .if_match(7)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict { status: 412, .. }),
        "{err:?}"
    );
    assert_eq!(c.calendar().get(event.id).send().await.unwrap(), event);

    let sent = c
        .calendar()
        .update(event.id, &rename)
        .if_match(event.version)
        .idempotency_key("rename-1")
        .send_with_meta()
        .await
        .unwrap();
    let patched = sent.value.clone();
    assert_eq!(
        (sent.status, sent.version, sent.replayed),
        (200, Some(2), false)
    );
    assert_eq!(
        (patched.title.as_str(), patched.description.as_deref()),
        ("Retro", None)
    );
    assert_eq!((patched.start, patched.end), (at(9), at(11)));
    assert_eq!(c.calendar().get(event.id).send().await.unwrap(), patched);

    // The same call retried by the application: replayed, not applied twice (its
    // `If-Match` of version 1 would now be a 412).
    let again = c
        .calendar()
        .update(event.id, &rename)
        .if_match(event.version)
        .idempotency_key("rename-1")
        .send_with_meta()
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.value, patched);

    // The create's rules, naming the field.
    let backwards = CalendarEventPatch {
        end: Some(at(8)),
        ..CalendarEventPatch::default()
    };
    let err = c
        .calendar()
        .update(event.id, &backwards)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert_eq!(err.field_errors()[0].field, "end");
    let other_kind = CalendarEventPatch {
        end: Some(EventTime::Date(
            chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        )),
        ..CalendarEventPatch::default()
    };
    let err = c
        .calendar()
        .update(event.id, &other_kind)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.field_errors()[0].field, "end");
    assert_eq!(c.calendar().get(event.id).send().await.unwrap().version, 2);

    // Without If-Match: the current version; unknown or deleted ids: 404.
    let busy = CalendarEventPatch {
        location: Some(Some("Room 4".into())),
        ..CalendarEventPatch::default()
    };
    let moved = c.calendar().update(event.id, &busy).send().await.unwrap();
    assert_eq!(
        (moved.location.as_deref(), moved.version),
        (Some("Room 4"), 3)
    );
    let nobody = CalendarEventId::from_uuid(uuid::Uuid::from_u128(9));
    let err = c.calendar().update(nobody, &busy).send().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    c.calendar().delete(event.id).send().await.unwrap();
    let err = c
        .calendar()
        .update(event.id, &busy)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    // Someone else's event is not found either.
    let theirs = server.client(fresh_user());
    let mine = c.calendar().create(&input).send().await.unwrap();
    let err = theirs
        .calendar()
        .update(mine.id, &busy)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}
on_backends!(calendar_events_are_patched, patch_an_event);
