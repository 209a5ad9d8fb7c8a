//! Properties: generated requests (mostly valid) and hostile ones never panic; every
//! response passes `validate`; reordering tasks and events changes nothing.

use lifeos_core::plan::PlanDayRequest;
use lifeos_scheduler::{plan_day, validate};
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

const ZONES: [&str; 6] = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Auckland",
];
const DAYS: [&str; 5] = [
    "2026-03-08",
    "2026-11-01",
    "2026-04-05",
    "2026-10-04",
    "2026-07-15",
];

fn instant(day: &str, minute: u64, second: u64) -> String {
    let (h, m) = (minute / 60 % 24, minute % 60);
    format!("{day}T{h:02}:{m:02}:{second:02}Z")
}

/// A request as JSON; about 5% are deliberately invalid.
pub(crate) fn request(seed: u64, max_tasks: u64) -> Value {
    let mut r = R(ChaCha8Rng::seed_from_u64(seed));
    let day = *r.pick(&DAYS);
    let n = r.below(max_tasks + 1);
    let ids: Vec<String> = (0..n)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let mut t = json!({"id": id, "title": format!("Task {i}"),
            "priority": r.below(4), "estimatedMinutes": 1 + r.below(180)});
        if r.chance(40) {
            t["dueDate"] = json!(instant(day, r.below(1440), r.below(60)));
            t["hardDeadline"] = json!(r.chance(30));
        }
        if i > 0 && r.chance(20) {
            t["dependsOn"] = json!([ids[r.below(i as u64) as usize]]);
        }
        if r.chance(8) {
            t["pinnedStart"] = json!(instant(day, r.below(1440), r.below(60)));
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
    for _ in 0..r.below(8) {
        let s = r.below(1440);
        let e = s + r.below(120);
        let mut ev = json!({"title": "Meeting", "start": instant(day, s, 0), "end": instant(day, e.min(1439), 0)});
        if r.chance(10) {
            ev = json!({"title": "Away", "start": format!("{day}T00:00:00Z"),
                "end": format!("{day}T23:59:00Z"), "isAllDay": true, "busy": r.chance(50)});
        }
        if r.chance(10) {
            ev["busy"] = json!(false);
        }
        events.push(ev);
    }
    let start = r.below(12) * 60;
    json!({
        "timezone": *r.pick(&ZONES), "today": day,
        "currentTime": instant(day, r.below(1440), r.below(60)),
        "preferences": {"workdayStart": format!("{:02}:00", start / 60),
            "workdayEnd": format!("{:02}:30", 12 + r.below(11)),
            "maxFocusHours": r.below(90) as f64 / 10.0,
            "meetingBufferMinutes": *r.pick(&[0, 5, 15, 30])},
        "tasks": tasks, "blockedTime": events
    })
}

fn check(request: &PlanDayRequest) -> String {
    let response = plan_day(request).unwrap();
    if let Err(v) = validate(request, &response) {
        panic!("invalid plan: {v:?}\nrequest: {}", request.to_json());
    }
    serde_json::to_string(&response).unwrap()
}

#[test]
fn generated_requests_are_mostly_valid() {
    let valid = (0..200u64)
        .filter(|&s| PlanDayRequest::from_value(&request(s, 12)).is_ok())
        .count();
    assert!(valid >= 180, "{valid} of 200 valid");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn plans_are_valid_and_independent_of_order(seed in any::<u64>(), rot in 0usize..7) {
        let value = request(seed, 14);
        let Ok(request) = PlanDayRequest::from_value(&value) else { return Ok(()) };
        let first = check(&request);
        let mut shuffled = request.clone();
        shuffled.tasks.reverse();
        if !shuffled.tasks.is_empty() {
            let k = rot % shuffled.tasks.len();
            shuffled.tasks.rotate_left(k);
        }
        shuffled.blocked_time.reverse();
        prop_assert_eq!(first, check(&shuffled));
    }

    #[test]
    fn hostile_requests_never_panic(seed in any::<u64>(), path in 0usize..40, junk in prop_oneof![
        Just(json!(null)), Just(json!(-1)), Just(json!(1e300)), Just(json!("24:00")),
        Just(json!("")), Just(json!([])), Just(json!({})), Just(json!(true)),
        Just(json!("2026-03-08T02:30:00.5+14:00")), Just(json!(["x"])), Just(json!(1440)),
    ]) {
        let mut value = request(seed, 6);
        // Overwrite one field somewhere in the request with junk.
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
        if let Ok(request) = PlanDayRequest::from_value(&value) {
            check(&request);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = PlanDayRequest::from_json(&text);
    }
}
