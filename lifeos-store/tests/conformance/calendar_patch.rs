//! Calendar events carry a version: +1 per change, patches and deletes guarded by it.

use chrono::Duration;
use lifeos_core::CalendarEventPatch;
use lifeos_core::calendar::{EventTime, Provider};
use lifeos_store::{CalendarEventInput, ErrorKind, Store};

use super::{Make, event_count, kinds, options, t0, user};

pub async fn calendar_events_are_versioned_and_patched_at_a_version<S: Store>(make: &impl Make<S>) {
    let store = make(options(81)).await;
    let u = user(1);
    let at = |h| EventTime::Utc(t0() + Duration::hours(h));
    let created = store
        .upsert_calendar_event(
            u,
            CalendarEventInput::new(Provider::Manual, "1:1", at(1), at(2)),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.version, 1);

    let patch = CalendarEventPatch {
        title: Some("1:1 (moved)".into()),
        end: Some(at(3)),
        location: Some(Some("Room 4".into())),
        ..CalendarEventPatch::default()
    };
    let patched = store
        .update_calendar_event(u, created.id, Some(1), patch.clone())
        .await
        .unwrap();
    assert_eq!(patched.version, 2);
    assert_eq!(
        (
            patched.title.as_str(),
            patched.end,
            patched.location.as_deref()
        ),
        ("1:1 (moved)", at(3), Some("Room 4"))
    );
    assert_eq!(
        (patched.start, patched.created_at),
        (created.start, created.created_at)
    );
    assert_eq!(
        store.get_calendar_event(u, created.id).await.unwrap(),
        patched
    );
    assert_eq!(
        kinds(&store, u).await,
        ["calendar_event.created", "calendar_event.updated"]
    );

    // A stale version: a conflict, nothing written.
    let stale = store
        .update_calendar_event(u, created.id, Some(1), patch.clone())
        .await
        .unwrap_err();
    assert_eq!(stale.kind(), ErrorKind::Conflict);
    // A patch that changes nothing: same version, no event.
    let events = event_count(&store, u).await;
    let same = store
        .update_calendar_event(u, created.id, Some(2), patch)
        .await
        .unwrap();
    assert_eq!(same, patched);
    let empty = store
        .update_calendar_event(u, created.id, None, CalendarEventPatch::default())
        .await
        .unwrap();
    assert_eq!(empty.version, 2);
    assert_eq!(event_count(&store, u).await, events);
    // The event's own rules, naming the field; nothing written.
    let bad = CalendarEventPatch {
        end: Some(at(0)),
        ..CalendarEventPatch::default()
    };
    let e = store
        .update_calendar_event(u, created.id, None, bad)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(
        e.validation().unwrap().fields().collect::<Vec<_>>(),
        ["end"]
    );
    // Clearing a nullable field.
    let cleared = store
        .update_calendar_event(
            u,
            created.id,
            None,
            CalendarEventPatch {
                location: Some(None),
                ..CalendarEventPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((cleared.location, cleared.version), (None, 3));

    // Another user's event is not found.
    let theirs = store
        .update_calendar_event(user(2), created.id, None, CalendarEventPatch::default())
        .await
        .unwrap_err();
    assert_eq!(theirs.kind(), ErrorKind::NotFound);

    // Delete at a version.
    let e = store
        .delete_calendar_event_at(u, created.id, Some(2))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let deleted = store
        .delete_calendar_event_at(u, created.id, Some(3))
        .await
        .unwrap();
    assert_eq!(deleted.version, 4);
    assert!(deleted.deleted_at.is_some());
    for e in [
        store
            .update_calendar_event(u, created.id, None, CalendarEventPatch::default())
            .await
            .unwrap_err(),
        store
            .delete_calendar_event(u, created.id)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::NotFound);
    }

    // An upsert that updates counts too; the same etag changes nothing.
    let mut input = CalendarEventInput::new(Provider::Google, "Sync", at(5), at(6));
    input.external_id = Some("g-1".into());
    input.etag = Some("e1".into());
    let first = store.upsert_calendar_event(u, input.clone()).await.unwrap();
    assert_eq!(first.get().version, 1);
    let same = store.upsert_calendar_event(u, input.clone()).await.unwrap();
    assert_eq!(same.get().version, 1);
    input.etag = Some("e2".into());
    let updated = store.upsert_calendar_event(u, input).await.unwrap();
    assert_eq!(updated.get().version, 2);
}
