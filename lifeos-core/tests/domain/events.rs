//! One JSON fixture per event type: it decodes to the typed payload, and re-encodes to the
//! exact same JSON.

use lifeos_core::event::{EVENT_TYPES, EventPayload};
use lifeos_core::*;

fn check(kind: &str, json: &str) -> DomainEvent {
    let fixture: serde_json::Value = serde_json::from_str(json).unwrap();
    let event: DomainEvent = serde_json::from_str(json).unwrap();
    assert_eq!(event.kind(), kind);
    assert_eq!(fixture["type"], kind);
    assert_eq!(
        event.payload.entity_type(),
        fixture["entity_type"].as_str().unwrap()
    );
    assert_eq!(event.payload.action(), fixture["action"].as_str().unwrap());
    assert_eq!(
        event.entity_id().to_string(),
        fixture["entity_id"].as_str().unwrap()
    );
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        fixture,
        "re-encoding {kind}"
    );
    event
}

macro_rules! fixtures {
    ($($test:ident => $kind:literal, $variant:ident;)*) => {
        $(
            #[test]
            fn $test() {
                let event = check($kind, include_str!(concat!("../fixtures/events/", $kind, ".json")));
                assert!(matches!(event.payload, EventPayload::$variant(_)), "{:?}", event.payload);
            }
        )*

        #[test]
        fn every_event_type_has_a_fixture() {
            let covered = [$($kind),*];
            for kind in EVENT_TYPES {
                assert!(covered.contains(kind), "no fixture for {kind}");
            }
            assert_eq!(covered.len(), EVENT_TYPES.len());
        }
    };
}

fixtures! {
    task_created => "task.created", TaskCreated;
    task_updated => "task.updated", TaskUpdated;
    task_completed => "task.completed", TaskCompleted;
    task_deleted => "task.deleted", TaskDeleted;
    task_restored => "task.restored", TaskRestored;
    task_scheduled => "task.scheduled", TaskScheduled;
    project_created => "project.created", ProjectCreated;
    project_updated => "project.updated", ProjectUpdated;
    project_deleted => "project.deleted", ProjectDeleted;
    calendar_event_created => "calendar_event.created", CalendarEventCreated;
    calendar_event_updated => "calendar_event.updated", CalendarEventUpdated;
    calendar_event_deleted => "calendar_event.deleted", CalendarEventDeleted;
    calendar_synced => "calendar.synced", CalendarSynced;
    ai_plan_generated => "ai.plan_generated", PlanGenerated;
    subscription_changed => "subscription.changed", SubscriptionChanged;
    profile_updated => "profile.updated", ProfileUpdated;
    oauth_token_stored => "oauth_token.stored", OAuthTokenStored;
    oauth_token_rotated => "oauth_token.rotated", OAuthTokenRotated;
    oauth_token_deleted => "oauth_token.deleted", OAuthTokenDeleted;
    user_erased => "user.erased", UserErased;
}

#[test]
fn an_unknown_type_decodes_to_unknown_and_round_trips() {
    let json = include_str!("../fixtures/events/unknown.habit.streak_extended.json");
    let event = check("habit.streak_extended", json);
    match &event.payload {
        EventPayload::Unknown {
            kind,
            entity_type,
            action,
            raw,
            ..
        } => {
            assert_eq!(kind, "habit.streak_extended");
            assert_eq!(entity_type, "habit");
            assert_eq!(action, "streak_extended");
            assert_eq!(raw["days"], 12);
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn a_known_type_with_malformed_data_is_an_error() {
    let json = include_str!("../fixtures/events/task.completed.json")
        .replace("\"completed_via_ai\": false", "\"completed_via_ai\": 3");
    assert!(serde_json::from_str::<DomainEvent>(&json).is_err());
}

#[test]
fn oauth_events_carry_no_secret_fields() {
    for kind in [
        "oauth_token.stored",
        "oauth_token.rotated",
        "oauth_token.deleted",
    ] {
        let path = format!(
            "{}/tests/fixtures/events/{kind}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let fixture: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let keys: Vec<&str> = fixture["data"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["key_id", "provider", "token_id"]);
    }
}

#[test]
fn a_task_scheduled_event_written_before_blocks_still_decodes() {
    let json = include_str!("../fixtures/events/task.scheduled.before_blocks.json");
    let event: DomainEvent = serde_json::from_str(json).unwrap();
    match &event.payload {
        EventPayload::TaskScheduled(s) => {
            assert!(s.blocks.is_empty());
            assert_eq!(s.scheduled_start.to_rfc3339(), "2026-03-08T14:30:00+00:00");
        }
        other => panic!("expected TaskScheduled, got {other:?}"),
    }
    // Written again, it gains the (empty) field and reads back the same.
    let again: DomainEvent = serde_json::from_value(serde_json::to_value(&event).unwrap()).unwrap();
    assert_eq!(again, event);
}

#[test]
fn a_refined_plan_event_of_this_version_decodes_and_an_older_one_gets_defaults() {
    use lifeos_core::event::PlanGenerated;
    use lifeos_core::plan::RefinementStatus;
    let refined = check(
        "ai.plan_generated",
        include_str!("../fixtures/events/ai.plan_generated.refined.json"),
    );
    let EventPayload::PlanGenerated(p) = &refined.payload else {
        panic!("{:?}", refined.payload);
    };
    assert_eq!(p.model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(
        (p.tokens_in, p.tokens_out, p.tokens_used),
        (1200, 340, 1540)
    );
    assert!(!p.cache_hit);
    assert_eq!(p.refinement, Some(RefinementStatus::Accepted));
    assert_eq!(p.latency_ms, 812);

    // Written before the usage fields existed: they decode as their defaults.
    let older = check(
        "ai.plan_generated",
        include_str!("../fixtures/events/ai.plan_generated.json"),
    );
    let EventPayload::PlanGenerated(p) = &older.payload else {
        panic!("{:?}", older.payload);
    };
    assert_eq!(
        *p,
        PlanGenerated {
            plan_date: p.plan_date,
            tasks_scheduled: 5,
            tasks_unscheduled: 2,
            tokens_used: 0,
            latency_ms: 3,
            ..PlanGenerated::default()
        }
    );

    // A cache hit says so, and round-trips.
    let hit = include_str!("../fixtures/events/ai.plan_generated.refined.json").replace(
        "\"refinement\": \"accepted\"",
        "\"cache_hit\": true, \"refinement\": \"rejected\"",
    );
    let event: DomainEvent = serde_json::from_str(&hit).unwrap();
    let EventPayload::PlanGenerated(p) = &event.payload else {
        panic!("{:?}", event.payload);
    };
    assert!(p.cache_hit);
    assert_eq!(p.refinement, Some(RefinementStatus::Rejected));
}
