//! Fuzzes the week planner (PLANNER-WEEK.md): a request read from JSON (input starting with
//! `{`) or built from the bytes (chunked tasks, pins, dependencies, deadlines, meetings,
//! all-day events, DST zones, a previous plan), so the search is reached without a corpus.
//! Every request the reader accepts must plan, the plan must pass `validate_week`, the
//! request must print and re-read equal, and the same request with its tasks, events and
//! previous blocks reversed must give the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lifeos_core::plan::PlanWeekRequest;
use lifeos_scheduler::{plan_week, validate_week};
use serde_json::{Value, json};

/// Reads the input's bytes one at a time (0 once they run out).
struct Bytes<'a>(std::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn next(&mut self) -> u32 {
        u32::from(self.0.next().copied().unwrap_or(0))
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n.max(1)
    }
}

const ZONES: [&str; 4] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
];
/// Weeks around DST changes in the zones above, and an ordinary one.
const DAYS: [&str; 4] = ["2026-03-27", "2026-10-23", "2026-03-06", "2026-06-15"];

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn instant(day: &str, hour: u32, minute: u32, plus_days: u32) -> String {
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap_or_default()
        + chrono::Duration::days(i64::from(plus_days));
    format!("{date}T{:02}:{:02}:00Z", hour % 24, minute % 60)
}

fn built(data: &[u8]) -> String {
    let mut b = Bytes(data.iter());
    let day = DAYS[b.below(4) as usize];
    let horizon = 1 + b.below(14);
    let start = 6 + b.below(6);
    let tasks_n = b.below(13);
    let mut tasks = Vec::new();
    for i in 0..tasks_n {
        let chunked = b.below(3) == 0;
        let mut t = json!({
            "id": id(i + 1),
            "title": format!("Task {i}"),
            "priority": b.below(4),
            "estimatedMinutes": if chunked { 30 * (1 + b.below(20)) } else { 5 * (1 + b.below(48)) },
        });
        if chunked {
            let max = 30 * (1 + b.below(4));
            t["maxChunkMinutes"] = json!(max);
            if b.below(2) == 0 {
                t["minChunkMinutes"] = json!(30);
            }
        }
        match b.below(6) {
            0 => t["dueDate"] = json!(instant(day, 8 + b.below(10), 0, b.below(horizon + 2))),
            1 => {
                t["dueDate"] = json!(instant(day, 8 + b.below(10), 0, b.below(horizon + 2)));
                t["hardDeadline"] = json!(true);
            }
            2 => {
                t["pinnedStart"] = json!(instant(
                    day,
                    7 + b.below(10),
                    15 * b.below(4),
                    b.below(horizon + 1)
                ))
            }
            _ => {}
        }
        if i > 0 && b.below(4) == 0 {
            t["dependsOn"] = json!([id(1 + b.below(i + 1))]);
        }
        if b.below(8) == 0 {
            t["status"] = json!(["completed", "in_progress", "cancelled"][b.below(3) as usize]);
        }
        tasks.push(t);
    }
    let mut blocked = Vec::new();
    for i in 0..b.below(10) {
        let d = b.below(horizon + 1);
        if b.below(6) == 0 {
            blocked.push(
                json!({"title": format!("Away {i}"), "start": instant(day, 0, 0, d),
                                "end": instant(day, 0, 0, d + 1), "isAllDay": true}),
            );
        } else {
            let h = 7 + b.below(10);
            let m = 15 * b.below(4);
            let len = 15 * (1 + b.below(8));
            blocked.push(
                json!({"title": format!("Meeting {i}"), "start": instant(day, h, m, d),
                                "end": instant(day, h + (m + len) / 60, (m + len) % 60, d)}),
            );
        }
    }
    let mut previous = Vec::new();
    for _ in 0..b.below(6) {
        let (h, d) = (7 + b.below(10), b.below(horizon));
        previous.push(
            json!({"taskId": id(1 + b.below(tasks_n.max(1))), "startTime": instant(day, h, 0, d),
                             "endTime": instant(day, h + 1, 0, d)}),
        );
    }
    json!({
        "timezone": ZONES[b.below(4) as usize],
        "today": day,
        "currentTime": instant(day, b.below(24), 5 * b.below(12), 0),
        "horizonDays": horizon,
        "preferences": {
            "workdayStart": format!("{start:02}:00"),
            "workdayEnd": format!("{:02}:00", start + 4 + b.below(8)),
            "peakHoursStart": format!("{:02}:00", start + 1),
            "peakHoursEnd": format!("{:02}:00", start + 3),
            "maxFocusHours": 1 + b.below(8),
            "meetingBufferMinutes": 5 * b.below(4),
            "workingDays": if b.below(3) == 0 { json!([1, 2, 3, 4, 5, 6, 7]) } else { json!([1, 2, 3, 4, 5]) },
        },
        "tasks": tasks,
        "blockedTime": blocked,
        "previousPlan": previous,
    })
    .to_string()
}

fn reversed(text: &str) -> Option<PlanWeekRequest> {
    let mut v: Value = serde_json::from_str(text).ok()?;
    for key in ["tasks", "blockedTime", "previousPlan"] {
        if let Some(list) = v.get_mut(key).and_then(Value::as_array_mut) {
            list.reverse();
        }
    }
    PlanWeekRequest::from_json(&v.to_string()).ok()
}

fuzz_target!(|data: &[u8]| {
    let text = if data.first() == Some(&b'{') {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        text.to_owned()
    } else {
        built(data)
    };
    let Ok(request) = PlanWeekRequest::from_json(&text) else {
        return;
    };
    // Keep each input cheap: the planner's budgets are per request, not per fuzz run.
    if request.tasks.len() > 16 || request.blocked_time.len() > 40 {
        return;
    }
    let response = plan_week(&request).expect("a parsed request plans");
    if let Err(violations) = validate_week(&request, &response) {
        panic!("invalid plan: {violations:?}\n{text}");
    }
    let again =
        PlanWeekRequest::from_json(&request.to_json()).expect("a printed request re-parses");
    assert_eq!(again, request);
    let bytes = serde_json::to_string(&response).expect("a response prints");
    let other = reversed(&text).expect("the reversed request reads");
    let other = plan_week(&other).expect("the reversed request plans");
    assert_eq!(
        serde_json::to_string(&other).expect("prints"),
        bytes,
        "order changed the plan"
    );
});
