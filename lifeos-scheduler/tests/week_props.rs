//! Week properties: generated week requests (mostly valid: chunks, pins, dependencies,
//! out-of-office days, previous plans, DST weeks) and hostile ones never panic; every plan
//! passes `validate_week`; reordering tasks, events and previous blocks changes nothing.

use lifeos_core::plan::PlanWeekRequest;
use lifeos_scheduler::{plan_week, validate_week};
use proptest::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde_json::{Value, json};

struct R(ChaCha8Rng);

impl R {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const ZONES: [&str; 5] = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
];
/// Mondays, some in DST weeks.
const STARTS: [&str; 4] = ["2026-03-02", "2026-03-23", "2026-09-28", "2026-07-13"];

fn instant(start: &str, day: u64, minute: u64, second: u64) -> String {
    let date =
        chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap() + chrono::Days::new(day);
    let (h, m) = (minute / 60 % 24, minute % 60);
    format!("{date}T{h:02}:{m:02}:{second:02}Z")
}

/// A week request as JSON; a few are deliberately invalid.
fn request(seed: u64, max_tasks: u64) -> Value {
    let mut r = R(ChaCha8Rng::seed_from_u64(seed));
    let start = *r.pick(&STARTS);
    let h = 1 + r.below(8);
    let n = r.below(max_tasks + 1);
    let ids: Vec<String> = (0..n)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let mut t = json!({"id": id, "title": format!("Task {i}"),
            "priority": r.below(4), "estimatedMinutes": 5 + 5 * r.below(36)});
        if r.chance(35) {
            let max = 15 + 15 * r.below(8);
            let n = 1 + r.below(4);
            let mut est = n * max - 5 * r.below(3);
            let mut min = if r.chance(50) {
                5 * (1 + r.below(max / 5))
            } else {
                max.min(30)
            };
            if n * min > est {
                min = 5;
            }
            if est <= max && n > 1 {
                est = n * max;
            }
            t["maxChunkMinutes"] = json!(max);
            t["minChunkMinutes"] = json!(min);
            t["estimatedMinutes"] = json!(est.max(5));
        }
        if r.chance(40) {
            t["dueDate"] = json!(instant(start, r.below(h + 2), r.below(1440), r.below(60)));
            t["hardDeadline"] = json!(r.chance(30));
        }
        if i > 0 && r.chance(20) {
            t["dependsOn"] = json!([ids[r.below(i as u64) as usize]]);
        }
        if r.chance(8) {
            t["pinnedStart"] = json!(instant(start, r.below(h + 1), r.below(1440), r.below(60)));
        }
        if r.chance(15) {
            t["status"] = json!(*r.pick(&["completed", "cancelled", "in_progress"]));
        }
        if r.chance(1) {
            t["priority"] = json!(9); // invalid
        }
        tasks.push(t);
    }
    let mut events = Vec::new();
    for _ in 0..r.below(4 + 2 * h) {
        let d = r.below(h);
        let s = r.below(1440);
        let e = s + r.below(120);
        let mut ev = json!({"title": "Meeting", "start": instant(start, d, s, 0),
            "end": instant(start, d, e.min(1439), 0)});
        if r.chance(8) {
            ev = json!({"title": "Away", "start": instant(start, d, 0, 0),
                "end": instant(start, d + 1, 0, 0), "isAllDay": true, "busy": r.chance(70)});
        }
        if r.chance(10) {
            ev["busy"] = json!(false);
        }
        events.push(ev);
    }
    let mut previous = Vec::new();
    for id in &ids {
        if r.chance(30) {
            let d = r.below(h);
            let s = 5 * r.below(288);
            let len = 5 * (1 + r.below(36));
            previous.push(json!({"taskId": id, "startTime": instant(start, d, s, 0),
                "endTime": instant(start, d, (s + len).min(1439), 59)}));
        }
    }
    let ws = r.below(12) * 60;
    let mut working: Vec<u64> = (1..=7).filter(|_| r.chance(70)).collect();
    if working.is_empty() {
        working.push(1);
    }
    json!({
        "timezone": *r.pick(&ZONES), "today": start, "horizonDays": h,
        "currentTime": instant(start, 0, r.below(1440), r.below(60)),
        "preferences": {"workdayStart": format!("{:02}:00", ws / 60),
            "workdayEnd": format!("{:02}:30", 12 + r.below(11)),
            "maxFocusHours": r.below(90) as f64 / 10.0,
            "meetingBufferMinutes": *r.pick(&[0, 5, 15, 30]),
            "workingDays": working},
        "tasks": tasks, "blockedTime": events, "previousPlan": previous
    })
}

fn check(request: &PlanWeekRequest) -> String {
    let response = plan_week(request).unwrap();
    if let Err(v) = validate_week(request, &response) {
        panic!("invalid plan: {v:?}\nrequest: {}", request.to_json());
    }
    serde_json::to_string(&response).unwrap()
}

#[test]
fn generated_week_requests_are_mostly_valid() {
    let valid = (0..200u64)
        .filter(|&s| PlanWeekRequest::from_value(&request(s, 12)).is_ok())
        .count();
    assert!(valid >= 170, "{valid} of 200 valid");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn week_plans_are_valid_and_independent_of_order(seed in any::<u64>(), rot in 0usize..7) {
        let value = request(seed, 14);
        let Ok(request) = PlanWeekRequest::from_value(&value) else { return Ok(()) };
        let first = check(&request);
        let mut shuffled = request.clone();
        shuffled.tasks.reverse();
        if !shuffled.tasks.is_empty() {
            let k = rot % shuffled.tasks.len();
            shuffled.tasks.rotate_left(k);
        }
        shuffled.blocked_time.reverse();
        shuffled.previous_plan.reverse();
        prop_assert_eq!(first, check(&shuffled));
    }

    #[test]
    fn hostile_week_requests_never_panic(seed in any::<u64>(), path in 0usize..60, junk in prop_oneof![
        Just(json!(null)), Just(json!(-1)), Just(json!(1e300)), Just(json!("24:00")),
        Just(json!("")), Just(json!([])), Just(json!({})), Just(json!(true)),
        Just(json!("2026-03-08T02:30:00.5+14:00")), Just(json!(["x"])), Just(json!(1440)),
        Just(json!(20160)), Just(json!(5)), Just(json!([7, 7])), Just(json!(14)),
    ]) {
        let mut value = request(seed, 6);
        let mut paths = Vec::new();
        fn pointers(v: &Value, here: String, out: &mut Vec<String>) {
            out.push(here.clone());
            match v {
                Value::Object(o) => o.iter().for_each(|(k, c)| pointers(c, format!("{here}/{k}"), out)),
                Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| pointers(c, format!("{here}/{i}"), out)),
                _ => {}
            }
        }
        pointers(&value, String::new(), &mut paths);
        if let Some(target) = value.pointer_mut(&paths[path % paths.len()]) {
            *target = junk;
        }
        if let Ok(request) = PlanWeekRequest::from_value(&value) {
            check(&request);
        }
    }

    #[test]
    fn arbitrary_text_never_panics_as_a_week(text in ".{0,200}") {
        let _ = PlanWeekRequest::from_json(&text);
    }
}
