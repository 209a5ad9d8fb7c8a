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

/// One mistake, made both in the typed request and in its JSON.
fn mistake(kind: u8, k: usize, json: &mut serde_json::Value, built: &mut PlanDayRequest) {
    let n = built.tasks.len();
    let e = built.blocked_time.len();
    match kind {
        0 if n > 0 => {
            let p = 4 + (k % 200) as u8;
            built.tasks[k % n].priority = p;
            json["tasks"][k % n]["priority"] = p.into();
        }
        1 if n > 0 => {
            let m = if k.is_multiple_of(2) {
                0
            } else {
                1441 + k as u32
            };
            built.tasks[k % n].estimated_minutes = m;
            json["tasks"][k % n]["estimatedMinutes"] = m.into();
        }
        2 => {
            let m = 1441 + k as u32;
            built.preferences.meeting_buffer_minutes = m;
            json["preferences"]["meetingBufferMinutes"] = m.into();
        }
        3 => {
            let h = 25 + (k % 50) as u32;
            built.preferences.max_focus_hours = f64::from(h);
            json["preferences"]["maxFocusHours"] = h.into();
        }
        4 => {
            let start = built.preferences.workday_start;
            built.preferences.workday_end = start;
            json["preferences"]["workdayEnd"] = start.to_string().into();
        }
        5 if n > 1 => {
            let id = built.tasks[0].id;
            built.tasks[1 + k % (n - 1)].id = id;
            json["tasks"][1 + k % (n - 1)]["id"] = id.to_string().into();
        }
        6 if n > 1 => {
            let (a, b) = (0, 1 + k % (n - 1));
            let (ida, idb) = (built.tasks[a].id, built.tasks[b].id);
            built.tasks[a].depends_on.push(idb);
            built.tasks[b].depends_on.push(ida);
            json["tasks"][a]["dependsOn"] =
                serde_json::to_value(&built.tasks[a].depends_on).unwrap();
            json["tasks"][b]["dependsOn"] =
                serde_json::to_value(&built.tasks[b].depends_on).unwrap();
        }
        7 if e > 0 => {
            let ev = &mut built.blocked_time[k % e];
            ev.end = ev.start - chrono::Duration::minutes(1 + k as i64 % 90);
            json["blockedTime"][k % e]["end"] = ev.end.to_rfc3339().into();
        }
        8 if n > 0 => {
            let t = at("2026-03-08T15:00:00.25Z");
            built.tasks[k % n].pinned_start = Some(t);
            json["tasks"][k % n]["pinnedStart"] = t.to_rfc3339().into();
        }
        _ => {}
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any mix of mistakes gives the same errors, in the same order, from Rust and JSON.
    #[test]
    fn rust_and_json_requests_get_the_same_errors(
        seed in proptest::prelude::any::<u64>(),
        mistakes in proptest::collection::vec((0u8..9, 0usize..1000), 1..4),
    ) {
        let mut json = crate::props::request(seed, 8);
        let Ok(mut built) = PlanDayRequest::from_value(&json) else { return Ok(()) };
        if json.get("preferences").is_none_or(|p| !p.is_object()) {
            json["preferences"] = serde_json::json!({});
        }
        for (kind, k) in mistakes {
            mistake(kind, k, &mut json, &mut built);
        }
        let from_json = PlanDayRequest::from_value(&json).err();
        let from_rust = built.check().err();
        proptest::prop_assert_eq!(&from_rust, &from_json);
        proptest::prop_assert_eq!(plan_day(&built).err(), from_rust);
    }
}
