//! Regressions of issue 13 ("bounded cost"): days and weeks far larger than the committed
//! ones, planned on a small stack, so that recursion as deep as a dependency chain, or
//! output that grows with the square of the tasks, fails here.

use lifeos_core::plan::{PlanDayRequest, PlanWeekRequest};
use lifeos_scheduler::{plan_day, plan_week, validate, validate_week};
use serde_json::{Value, json};

/// Stack of the thread that plans: an eighth of a test thread's default. A walk that
/// recursed once per link of a 10,000-task chain would need far more.
const STACK: usize = 256 * 1024;

fn id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// `n` tasks of 10 to 45 minutes and mixed priorities, task `i` depending on `deps(i)`.
fn tasks(n: usize, deps: impl Fn(usize) -> Vec<usize>) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let on: Vec<String> = deps(i).into_iter().map(id).collect();
            let minutes = [10, 15, 30, 45][i % 4];
            json!({"id": id(i), "title": format!("T{i}"), "priority": i % 4,
                   "estimatedMinutes": minutes, "dependsOn": on})
        })
        .collect()
}

fn day(tasks: Vec<Value>) -> PlanDayRequest {
    PlanDayRequest::from_value(&json!({"timezone": "UTC", "today": "2026-03-10",
        "currentTime": "2026-03-10T07:00:00Z", "tasks": tasks,
        "blockedTime": [{"title": "Standup", "start": "2026-03-10T09:30:00Z",
                         "end": "2026-03-10T09:45:00Z"}]}))
    .unwrap()
}

/// Runs `f` on a thread with a stack of [`STACK`] bytes.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// Task numbers in a response's scheduled blocks, by start.
fn scheduled(ids: impl Iterator<Item = uuid::Uuid>) -> Vec<usize> {
    ids.map(|u| u.to_string()[24..].parse().unwrap()).collect()
}

#[test]
fn a_chain_of_ten_thousand_tasks_plans_on_a_small_stack() {
    let request = day(tasks(10_000, |i| if i == 0 { vec![] } else { vec![i - 1] }));
    let (request, response) = on_small_stack(move || {
        let response = plan_day(&request).unwrap();
        (request, response)
    });
    validate(&request, &response).unwrap();
    // The chain runs from its head, each link after the one before, as far as the cap goes.
    let done = scheduled(response.scheduled_tasks.iter().map(|s| s.task_id));
    assert!(done.len() >= 8, "{done:?}");
    assert_eq!(done, (0..done.len()).collect::<Vec<_>>());
    assert_eq!(response.unscheduled_tasks.len(), 10_000 - done.len());
}

#[test]
fn ten_thousand_tasks_with_many_dependencies_each_plan_on_a_small_stack() {
    // Each task waits for up to 20 earlier ones, spread over the whole day: long paths,
    // many diamonds, and early tasks with thousands of dependents.
    let request = day(tasks(10_000, |i| {
        let mut on: Vec<usize> = (1..=20)
            .map(|k| (i * 7919 + k * 104_729) % i.max(1))
            .collect();
        on.retain(|&d| d < i);
        on.sort_unstable();
        on.dedup();
        on
    }));
    let (request, response) = on_small_stack(move || {
        let response = plan_day(&request).unwrap();
        (request, response)
    });
    validate(&request, &response).unwrap();
    assert!(!response.scheduled_tasks.is_empty());
}

#[test]
fn a_week_with_a_chain_of_ten_thousand_tasks_plans_on_a_small_stack() {
    let request = PlanWeekRequest::from_value(&json!({"timezone": "UTC",
        "today": "2026-03-09", "currentTime": "2026-03-09T07:00:00Z", "horizonDays": 7,
        "tasks": tasks(10_000, |i| if i == 0 { vec![] } else { vec![i - 1] })}))
    .unwrap();
    let (request, response) = on_small_stack(move || {
        let response = plan_week(&request).unwrap();
        (request, response)
    });
    validate_week(&request, &response).unwrap();
    let mut done = scheduled(response.scheduled_tasks.iter().map(|s| s.task_id));
    done.sort_unstable();
    done.dedup();
    assert!(done.len() >= 20, "{done:?}");
    assert_eq!(done, (0..done.len()).collect::<Vec<_>>());
}

#[test]
fn ten_thousand_overlapping_pinned_tasks_get_a_bounded_list_of_warnings() {
    // Every pinned block overlaps all the others and the meeting: 50 million pairs.
    let mut list: Vec<Value> = (0..10_000)
        .map(|i| {
            json!({"id": id(i), "title": format!("P{i}"), "estimatedMinutes": 30 + i % 30,
                   "pinnedStart": format!("2026-03-10T10:{:02}:00Z", i % 20)})
        })
        .collect();
    list.push(json!({"id": id(10_000), "title": "Free", "estimatedMinutes": 30}));
    let request = PlanDayRequest::from_value(&json!({"timezone": "UTC",
        "today": "2026-03-10", "currentTime": "2026-03-10T07:00:00Z", "tasks": list,
        "blockedTime": [{"title": "Review", "start": "2026-03-10T10:00:00Z",
                         "end": "2026-03-10T11:00:00Z"}]}))
    .unwrap();
    let (request, response) = on_small_stack(move || {
        let response = plan_day(&request).unwrap();
        (request, response)
    });
    validate(&request, &response).unwrap();
    // The pinned minutes are far over the cap: the free task waits.
    assert_eq!(response.scheduled_tasks.len(), 10_000);
    assert_eq!(response.unscheduled_tasks[0].code.as_str(), "focus_cap");
    let conflicts: Vec<&String> = response
        .warnings
        .iter()
        .filter(|w| w.starts_with("Pinned "))
        .collect();
    // One warning for each of the first 100 pinned tasks (by id), then one summary.
    assert_eq!(conflicts.len(), 100, "{:?}", response.warnings);
    assert_eq!(
        conflicts[0],
        "Pinned \"P0\" at 10:00 overlaps Review, pinned \"P20\", pinned \"P40\" and 9997 more."
    );
    assert!(
        conflicts
            .iter()
            .all(|w| w.ends_with(" and 9997 more.") && w.matches("pinned \"").count() <= 3)
    );
    assert!(response.warnings.contains(
        &"9900 more pinned tasks overlap events or other pinned tasks (not listed).".to_owned()
    ));
    // The rest: more work than the cap allows.
    assert_eq!(response.warnings.len(), 102, "{:?}", response.warnings);
    let bytes: usize = response.warnings.iter().map(String::len).sum();
    assert!(bytes < 20_000, "{bytes} bytes of warnings");
}
