//! Fuzzes refinement's reply reader and repair: a model's reply, as raw text or built from
//! the bytes, on one of a few hostile days. Whatever the reply, repair gives a valid plan,
//! acceptance never falls below the tolerance, and the answer prints and re-parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lifeos_core::plan::{PlanDayRequest, PlanDayResponse};
use lifeos_scheduler::refine::{
    FinishReason, Outcome, Proposal, RefineOptions, Usage, apply, parse_reply, repair,
};
use lifeos_scheduler::{plan_day, validate};
use serde_json::{Value, json};
use std::sync::OnceLock;

/// Days with what repair must respect: a DST gap, a 45-minute offset, pinned tasks (one
/// on an event, one on another day), dependencies, hard deadlines, a closed task, events
/// with buffers, a tight focus cap. Short windows keep each run cheap.
const DAYS: [&str; 3] = [
    // New York on its spring-forward night: the window 01:00-05:00 local holds the gap.
    r#"{"timezone":"America/New_York","today":"2026-03-08","currentTime":"2026-03-08T05:30:00Z",
       "preferences":{"workdayStart":"01:00","workdayEnd":"05:00","peakHoursStart":"01:00",
                      "peakHoursEnd":"03:30","maxFocusHours":2},
       "tasks":[
        {"id":"00000000-0000-4000-8000-000000000000","priority":3,"estimatedMinutes":60,"dueDate":"2026-03-08T08:30:00Z","hardDeadline":true},
        {"id":"00000000-0000-4000-8000-000000000001","priority":2,"estimatedMinutes":30,"dependsOn":["00000000-0000-4000-8000-000000000000"]},
        {"id":"00000000-0000-4000-8000-000000000002","priority":1,"estimatedMinutes":45,"pinnedStart":"2026-03-08T08:00:00Z"},
        {"id":"00000000-0000-4000-8000-000000000003","estimatedMinutes":25,"status":"completed"},
        {"id":"00000000-0000-4000-8000-000000000004","priority":2,"estimatedMinutes":90,"dueDate":"2026-03-08T08:00:00Z"},
        {"id":"00000000-0000-4000-8000-000000000005","estimatedMinutes":15,"pinnedStart":"2026-03-09T15:00:00Z"},
        {"id":"00000000-0000-4000-8000-000000000006","priority":1,"estimatedMinutes":20,"dependsOn":["00000000-0000-4000-8000-000000000005"]},
        {"id":"00000000-0000-4000-8000-000000000007","priority":3,"estimatedMinutes":35}],
       "blockedTime":[{"title":"Standup","start":"2026-03-08T07:00:00Z","end":"2026-03-08T07:15:00Z"},
                      {"title":"Review","start":"2026-03-08T08:10:00Z","end":"2026-03-08T08:40:00Z"}]}"#,
    // Kathmandu (UTC+05:45), a 30-minute buffer, a task longer than the window.
    r#"{"timezone":"Asia/Kathmandu","today":"2026-07-15","currentTime":"2026-07-15T00:00:00Z",
       "preferences":{"workdayEnd":"13:00","meetingBufferMinutes":30,"peakHoursStart":"10:00",
                      "peakHoursEnd":"12:00"},
       "tasks":[
        {"id":"00000000-0000-4000-8000-000000000010","priority":3,"estimatedMinutes":120},
        {"id":"00000000-0000-4000-8000-000000000011","priority":2,"estimatedMinutes":5},
        {"id":"00000000-0000-4000-8000-000000000012","priority":0,"estimatedMinutes":480},
        {"id":"00000000-0000-4000-8000-000000000013","priority":1,"estimatedMinutes":40,"dependsOn":["00000000-0000-4000-8000-000000000011","00000000-0000-4000-8000-000000000010"]}],
       "blockedTime":[{"start":"2026-07-15T05:00:00Z","end":"2026-07-15T05:30:00Z"},
                      {"title":"Off","start":"2026-07-14T18:15:00Z","end":"2026-07-15T18:15:00Z","isAllDay":true,"busy":false}]}"#,
    // A busy all-day event: only pinned tasks may be planned.
    r#"{"timezone":"UTC","today":"2026-11-01","currentTime":"2026-11-01T08:00:00Z",
       "tasks":[{"id":"00000000-0000-4000-8000-000000000020","priority":3,"estimatedMinutes":30},
                {"id":"00000000-0000-4000-8000-000000000021","estimatedMinutes":30}],
       "blockedTime":[{"title":"Away","start":"2026-11-01T00:00:00Z","end":"2026-11-02T00:00:00Z","isAllDay":true}]}"#,
];

fn z(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A reply built from bytes: per entry, a task (or a stranger), a start in minutes from
/// the UTC midnight of `today` (on the 5-minute grid or not) and a length.
fn built(request: &PlanDayRequest, data: &[u8]) -> String {
    let midnight = request
        .today
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp();
    let entries: Vec<Value> = data
        .chunks_exact(4)
        .map(|c| {
            let id = match request.tasks.get(usize::from(c[0] % 12)) {
                Some(t) => json!(t.id),
                None => json!(format!("00000000-0000-4000-9000-{:012}", c[0])),
            };
            let minute = i64::from(u16::from_le_bytes([c[1], c[2]]) % 840) - 60;
            let start = midnight
                + if c[3] & 1 == 0 {
                    minute - minute.rem_euclid(5)
                } else {
                    minute
                } * 60;
            let length = request
                .tasks
                .iter()
                .find(|t| json!(t.id) == id)
                .map_or(30, |t| i64::from(t.estimated_minutes));
            let length = if c[3] & 2 == 0 {
                length
            } else {
                i64::from(c[3] >> 2) * 5
            };
            json!({"taskId": id, "startTime": z(start), "endTime": z(start + length * 60)})
        })
        .collect();
    json!({"scheduledTasks": entries, "insights": ["built"]}).to_string()
}

/// Each day with its deterministic plan and score, computed once per process (CI runs
/// the unoptimised build: every run counts).
fn day(k: usize) -> &'static (PlanDayRequest, PlanDayResponse, i64) {
    static DAYS_PLANNED: OnceLock<Vec<(PlanDayRequest, PlanDayResponse, i64)>> = OnceLock::new();
    &DAYS_PLANNED.get_or_init(|| {
        DAYS.iter()
            .map(|text| {
                let request = PlanDayRequest::from_json(text).expect("a fixed day");
                let base = plan_day(&request).expect("a fixed day plans");
                let score = validate(&request, &base).expect("the planner's plan is valid");
                (request, base, score.quarter_points)
            })
            .collect()
    })[k]
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let (request, base, base_score) = day(usize::from(head % 3));
    let text = if head & 4 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        text.to_owned()
    } else {
        built(request, rest)
    };

    if head & 16 == 0 {
        // Repair alone gives a valid plan and accounts for every entry.
        let Ok(reply) = parse_reply(&text) else {
            return;
        };
        let repaired = repair(request, &reply).expect("a fixed day repairs");
        if let Err(v) = validate(request, &repaired.response) {
            panic!("repair broke a rule: {v:?}\nreply: {text}");
        }
        assert_eq!(repaired.kept + repaired.dropped.len(), reply.entries.len());
        return;
    }

    // The whole judgement: valid, within the tolerance, prints and re-parses.
    let tolerance = f64::from(head >> 5) / 7.0;
    let options = RefineOptions::new().tolerance(tolerance).expect("in 0..=1");
    let finish = if head & 8 == 0 {
        FinishReason::Stop
    } else {
        FinishReason::Length
    };
    let proposal = Proposal::new(text, Usage::default()).with_finish_reason(finish);
    let outcome = Outcome::new(Some("fuzz".to_owned()), Ok(proposal));
    let answer = apply(request, base, outcome, &options).expect("a fixed day refines");
    let score = match validate(request, &answer) {
        Ok(s) => s.quarter_points,
        Err(v) => panic!("invalid answer: {v:?}"),
    };
    assert!(score as f64 >= (1.0 - tolerance) * *base_score as f64);

    let json = serde_json::to_string(&answer).expect("an answer prints");
    let back: PlanDayResponse = serde_json::from_str(&json).expect("an answer re-parses");
    assert_eq!(back, answer);
});
