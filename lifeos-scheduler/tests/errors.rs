//! The planner's one gate: a request built in Rust gets the same field errors, with the
//! same paths, messages and order, as the same request written as JSON.

use chrono::{DateTime, Utc};
use lifeos_core::plan::{BlockedTime, ClockTime, PlanDayRequest, PlanError, PlanTask};
use lifeos_scheduler::plan_day;
use uuid::Uuid;

const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";
const C: &str = "00000000-0000-4000-8000-00000000000c";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// A valid request with three tasks and one event, as JSON and as read.
fn valid() -> (serde_json::Value, PlanDayRequest) {
    let json = serde_json::json!({
        "timezone": "America/New_York", "today": "2026-03-08",
        "currentTime": "2026-03-08T14:02:00Z",
        "tasks": [{"id": A}, {"id": B, "dependsOn": [A]}, {"id": C}],
        "blockedTime": [{"title": "Standup", "start": "2026-03-08T15:00:00Z",
                         "end": "2026-03-08T15:15:00Z"}]
    });
    let request = PlanDayRequest::from_value(&json).unwrap();
    (json, request)
}

fn fields(err: &PlanError) -> Vec<&str> {
    err.errors.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn a_request_built_in_rust_gets_the_json_readers_errors() {
    let (mut json, mut built) = valid();
    assert!(plan_day(&built).is_ok());

    // The same mistakes, made once in Rust and once in the JSON text.
    built.preferences.workday_end = ClockTime::hour(8);
    json["preferences"] = serde_json::json!({"workdayEnd": "08:00", "maxFocusHours": 25,
                                             "meetingBufferMinutes": 2000});
    built.preferences.max_focus_hours = 25.0;
    built.preferences.meeting_buffer_minutes = 2000;
    built.tasks[0].priority = 7;
    json["tasks"][0]["priority"] = 7.into();
    built.tasks[0].depends_on = vec![Uuid::parse_str(B).unwrap()];
    json["tasks"][0]["dependsOn"] = serde_json::json!([B]);
    built.tasks[1].estimated_minutes = 0;
    json["tasks"][1]["estimatedMinutes"] = 0.into();
    built.tasks[1].pinned_start = Some(at("2026-03-08T15:00:00.5Z"));
    json["tasks"][1]["pinnedStart"] = "2026-03-08T15:00:00.5Z".into();
    built.tasks[2].id = Uuid::parse_str(A).unwrap();
    json["tasks"][2]["id"] = A.into();
    built.blocked_time[0].end = at("2026-03-08T14:00:00Z");
    json["blockedTime"][0]["end"] = "2026-03-08T14:00:00Z".into();

    let from_rust = plan_day(&built).unwrap_err();
    let from_json = PlanDayRequest::from_value(&json).unwrap_err();
    assert_eq!(from_rust, from_json);
    assert_eq!(
        fields(&from_rust),
        [
            "preferences.workdayEnd",
            "preferences.maxFocusHours",
            "preferences.meetingBufferMinutes",
            "tasks[0].priority",
            "tasks[0].dependsOn",
            "tasks[1].estimatedMinutes",
            "tasks[1].pinnedStart",
            "tasks[2].id",
            "blockedTime[0].end",
        ]
    );
    assert_eq!(from_rust.field, "preferences.workdayEnd");
    assert_eq!(
        from_rust.errors[3].message,
        "expected an integer in 0..=3, got 7"
    );
}

#[test]
fn values_json_cannot_carry_are_named_too() {
    let (_, mut built) = valid();
    built.preferences.max_focus_hours = f64::NAN;
    built.preferences.workday_start = ClockTime::END_OF_DAY;
    built.tasks.push(PlanTask {
        priority: 200,
        ..PlanTask::new(Uuid::parse_str(A).unwrap())
    });
    built.blocked_time.push(BlockedTime {
        title: "Backwards".into(),
        start: at("2026-03-08T12:00:00Z"),
        end: at("2026-03-08T11:00:00Z"),
        is_all_day: false,
        busy: None,
    });
    let err = plan_day(&built).unwrap_err();
    assert_eq!(
        fields(&err),
        [
            "preferences.workdayStart",
            "preferences.maxFocusHours",
            "tasks[3].id",
            "tasks[3].priority",
            "blockedTime[1].end",
        ]
    );
    assert_eq!(
        err.errors[1].message,
        "expected a number of hours in 0..=24, got NaN"
    );
    assert_eq!(err, built.check().unwrap_err());
}
