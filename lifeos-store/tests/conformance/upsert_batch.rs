//! Upserting a batch of calendar events: one transaction, strict or lenient, counted once
//! per row, with its `calendar.synced` event.

use chrono::Duration;
use lifeos_core::calendar::{EventTime, Provider};
use lifeos_store::{CalendarEventInput, Store, UpsertBatch, UpsertCounts};

use super::{Make, kinds, options, t0, user};

fn input(key: &str, h: i64, title: &str) -> CalendarEventInput {
    let at = |h| EventTime::Utc(t0() + Duration::hours(h));
    let mut e = CalendarEventInput::new(Provider::Ics, title, at(h), at(h + 1));
    e.external_id = Some(key.into());
    e.etag = Some(format!("{key}:{title}"));
    e
}

pub async fn a_batch_of_events_is_one_transaction<S: Store>(make: &impl Make<S>) {
    let store = make(options(43)).await;
    let u = user(1);
    let mut bad = input("bad", 3, "x");
    bad.end = EventTime::Utc(t0() - Duration::hours(5));
    let batch = || vec![input("a", 1, "A"), input("b", 2, "B"), bad.clone()];

    // Strict: the refused third event fails the batch, named by index; nothing written.
    let err = store
        .upsert_calendar_events(u, batch(), UpsertBatch::new().synced_from(Provider::Ics))
        .await
        .unwrap_err();
    assert!(
        err.field().is_some_and(|f| f.starts_with("events[2].")),
        "{err}"
    );
    assert!(
        store
            .list_calendar_events(u, true)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(kinds(&store, u).await.is_empty());

    // Lenient: the others written, the refused one answered with its error.
    let lenient = UpsertBatch::new().lenient(true).synced_from(Provider::Ics);
    let answers = store
        .upsert_calendar_events(u, batch(), lenient)
        .await
        .unwrap();
    assert!(answers[0].is_ok() && answers[1].is_ok() && answers[2].is_err());
    assert_eq!(UpsertCounts::of(&answers).created, 2);
    assert_eq!(
        kinds(&store, u).await,
        [
            "calendar_event.created",
            "calendar_event.created",
            "calendar.synced"
        ]
    );

    // A key twice in one batch: one row, created once; the last write wins.
    let twice = vec![input("c", 4, "C1"), input("c", 4, "C2"), input("a", 1, "A")];
    let answers = store
        .upsert_calendar_events(u, twice, lenient)
        .await
        .unwrap();
    let counts = UpsertCounts::of(&answers);
    assert_eq!(
        (counts.created, counts.updated, counts.unchanged),
        (1, 0, 1)
    );
    let titles: Vec<String> = store
        .list_calendar_events(u, false)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.title)
        .collect();
    assert_eq!(titles.len(), 3);
    assert!(titles.contains(&"C2".to_owned()));

    // Nothing to change: no event at all.
    let before = kinds(&store, u).await;
    let answers = store
        .upsert_calendar_events(u, vec![input("a", 1, "A")], lenient)
        .await
        .unwrap();
    assert_eq!(UpsertCounts::of(&answers).written(), 0);
    assert_eq!(kinds(&store, u).await, before);
}
