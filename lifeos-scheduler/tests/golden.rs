//! Golden cases: each pins one rule or one reading of PLANNER.md, with its expected score
//! (quarter points) and codes. Unless a case says otherwise: UTC, 2026-03-10, now 07:00,
//! workday 09:00-17:00, peak 09:00-12:00, cap 6 h, buffer 15 min.

use lifeos_core::plan::{PlanDayRequest, PlanDayResponse};
use lifeos_scheduler::{plan_day, validate};
use serde_json::{Value, json};

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn task(n: u32, extra: Value) -> Value {
    let mut t = json!({"id": id(n), "title": format!("T{n}")});
    if let (Some(o), Value::Object(e)) = (t.as_object_mut(), extra) {
        o.extend(e);
    }
    t
}

/// Plans `overlay` merged over the default request; checks validity; returns the score,
/// the codes as `(task number, code)` and the response.
fn run(overlay: Value) -> (i64, Vec<(u32, String)>, PlanDayResponse) {
    let mut base = json!({"timezone": "UTC", "today": "2026-03-10",
        "currentTime": "2026-03-10T07:00:00Z", "tasks": []});
    if let (Some(o), Value::Object(e)) = (base.as_object_mut(), overlay) {
        o.extend(e);
    }
    let request = PlanDayRequest::from_value(&base).unwrap();
    let response = plan_day(&request).unwrap();
    let score = validate(&request, &response)
        .unwrap_or_else(|v| panic!("invalid plan {v:?}\n{response:#?}"))
        .quarter_points;
    let codes = response
        .unscheduled_tasks
        .iter()
        .map(|u| {
            let n = u.task_id.to_string()[24..].parse::<u32>().unwrap();
            (n, u.code.as_str().to_owned())
        })
        .collect();
    (score, codes, response)
}

fn codes(list: &[(u32, &str)]) -> Vec<(u32, String)> {
    list.iter().map(|(n, c)| (*n, (*c).to_owned())).collect()
}

fn start_of(r: &PlanDayResponse, n: u32) -> String {
    let s = r
        .scheduled_tasks
        .iter()
        .find(|s| s.task_id.to_string() == id(n))
        .unwrap();
    s.start_time.format("%H:%M:%S").to_string()
}

#[test]
fn a_plain_task_scores_four_quarters_a_minute_and_starts_at_nine() {
    let (score, c, r) = run(json!({"tasks": [task(1, json!({}))]}));
    assert_eq!((score, c), (120, vec![]));
    assert_eq!(start_of(&r, 1), "09:00:00");
}

#[test]
fn top_priority_earns_the_peak_bonus() {
    let (score, _, _) =
        run(json!({"tasks": [task(1, json!({"priority": 3, "estimatedMinutes": 60}))]}));
    assert_eq!(score, 8 * 60 * 5);
}

#[test]
fn due_today_doubles_urgency() {
    let t = task(
        1,
        json!({"priority": 3, "estimatedMinutes": 60, "dueDate": "2026-03-10T18:00:00Z"}),
    );
    assert_eq!(run(json!({"tasks": [t]})).0, 8 * 2 * 60 * 5);
}

#[test]
fn medium_priority_gets_no_peak_bonus() {
    let t = task(1, json!({"priority": 1}));
    assert_eq!(run(json!({"tasks": [t]})).0, 2 * 30 * 4);
}

#[test]
fn peak_needs_the_whole_block_inside() {
    // Peak 09:00-09:20 cannot hold a 30-minute block.
    let t = task(1, json!({"priority": 2}));
    let (score, _, _) = run(json!({"tasks": [t],
        "preferences": {"peakHoursStart": "09:00", "peakHoursEnd": "09:20"}}));
    assert_eq!(score, 4 * 30 * 4);
}

#[test]
fn completed_and_cancelled_are_not_actionable() {
    let (score, c, _) = run(json!({"tasks": [
        task(1, json!({"status": "completed"})),
        task(2, json!({"status": "cancelled", "pinnedStart": "2026-03-10T10:00:00Z"})),
    ]}));
    assert_eq!(
        (score, c),
        (0, codes(&[(1, "not_actionable"), (2, "not_actionable")]))
    );
}

#[test]
fn pinned_to_another_day_is_not_actionable() {
    let t = task(1, json!({"pinnedStart": "2026-03-11T10:00:00Z"}));
    assert_eq!(
        run(json!({"tasks": [t]})).1,
        codes(&[(1, "not_actionable")])
    );
}

#[test]
fn pinned_today_keeps_its_exact_second_and_scores() {
    let t = task(1, json!({"pinnedStart": "2026-03-10T10:03:17Z"}));
    let (score, c, r) = run(json!({"tasks": [t]}));
    assert_eq!((score, c), (120, vec![]));
    assert_eq!(start_of(&r, 1), "10:03:17");
}

#[test]
fn pinned_before_now_and_over_a_meeting_is_still_scheduled_with_warnings() {
    let t = task(
        1,
        json!({"pinnedStart": "2026-03-10T06:00:00Z", "title": "Gym"}),
    );
    let (score, _, r) = run(json!({"tasks": [t], "blockedTime": [
        {"title": "Call", "start": "2026-03-10T06:10:00Z", "end": "2026-03-10T06:20:00Z"}]}));
    assert_eq!(score, 120);
    assert!(
        r.warnings.iter().any(|w| w.contains("overlaps Call")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn each_pinned_task_gets_one_warning_naming_three_conflicts_and_counting_the_rest() {
    // Rule 7: A overlaps Call, B, Sync and Late; B overlaps Call, A, Sync and Late; C
    // overlaps nothing. Names come by start, an event before a task at the same start.
    let (_, _, r) = run(json!({"tasks": [
        task(1, json!({"title": "A", "pinnedStart": "2026-03-10T10:00:00Z"})),
        task(2, json!({"title": "B", "pinnedStart": "2026-03-10T10:15:00Z"})),
        task(3, json!({"title": "C", "pinnedStart": "2026-03-10T13:00:00Z"})),
    ], "blockedTime": [
        {"title": "Late", "start": "2026-03-10T10:29:00Z", "end": "2026-03-10T11:00:00Z"},
        {"title": "Sync", "start": "2026-03-10T10:25:00Z", "end": "2026-03-10T10:40:00Z"},
        {"title": "Call", "start": "2026-03-10T10:00:00Z", "end": "2026-03-10T10:20:00Z"},
    ]}));
    assert_eq!(
        r.warnings,
        [
            "Pinned \"A\" at 10:00 overlaps Call, pinned \"B\", Sync and 1 more.",
            "Pinned \"B\" at 10:15 overlaps Call, pinned \"A\", Sync and 1 more.",
        ]
    );
    let rationale = |n: u32| {
        let s = r
            .scheduled_tasks
            .iter()
            .find(|s| s.task_id.to_string() == id(n));
        s.unwrap().rationale.clone()
    };
    assert_eq!(
        rationale(2),
        "Low priority: pinned by you at 10:15, overlapping \"Call\", \"Sync\", \"Late\""
    );
}

#[test]
fn past_a_hundred_conflict_warnings_one_more_counts_the_pinned_tasks_left_out() {
    // 103 pinned tasks over one meeting: 100 warnings, then one for the last three.
    let tasks: Vec<Value> = (1..=103)
        .map(|n| {
            task(
                n,
                json!({"estimatedMinutes": 1, "pinnedStart": "2026-03-10T10:00:00Z"}),
            )
        })
        .collect();
    let (_, _, r) = run(json!({"preferences": {"maxFocusHours": 24}, "tasks": tasks,
        "blockedTime": [{"title": "Call", "start": "2026-03-10T09:30:00Z",
                         "end": "2026-03-10T10:30:00Z"}]}));
    assert_eq!(r.warnings.len(), 101, "{:?}", r.warnings);
    assert_eq!(
        r.warnings[0],
        "Pinned \"T1\" at 10:00 overlaps Call, pinned \"T2\", pinned \"T3\" and 100 more."
    );
    assert_eq!(
        r.warnings[100],
        "3 more pinned tasks overlap events or other pinned tasks (not listed)."
    );
}

#[test]
fn free_tasks_never_overlap_a_pinned_block() {
    let (score, _, r) = run(json!({"preferences": {"workdayEnd": "10:00"}, "tasks": [
        task(1, json!({"pinnedStart": "2026-03-10T09:10:00Z"})),
        task(2, json!({"estimatedMinutes": 20})),
    ]}));
    assert_eq!(score, 120 + 80);
    assert_eq!(start_of(&r, 2), "09:40:00");
}

#[test]
fn longer_than_the_window_is_too_long() {
    let t = task(1, json!({"estimatedMinutes": 600}));
    assert_eq!(run(json!({"tasks": [t]})).1, codes(&[(1, "too_long")]));
}

#[test]
fn after_the_workday_everything_is_too_long() {
    let (score, c, _) = run(json!({"currentTime": "2026-03-10T18:00:00Z",
        "tasks": [task(1, json!({"estimatedMinutes": 5}))]}));
    assert_eq!((score, c), (0, codes(&[(1, "too_long")])));
}

#[test]
fn too_long_counts_from_the_first_grid_start_after_now() {
    // Now 16:31:10: the first grid start is 16:35, leaving 25 minutes.
    let (_, c, _) = run(json!({"currentTime": "2026-03-10T16:31:10Z", "tasks": [
        task(1, json!({"estimatedMinutes": 25})), task(2, json!({"estimatedMinutes": 26}))]}));
    assert_eq!(c, codes(&[(2, "too_long")]));
}

#[test]
fn now_off_the_grid_moves_the_start_to_the_next_grid_point() {
    let (_, _, r) =
        run(json!({"currentTime": "2026-03-10T13:02:30Z", "tasks": [task(1, json!({}))]}));
    assert_eq!(start_of(&r, 1), "13:05:00");
}

#[test]
fn now_before_today_leaves_the_whole_workday() {
    let (_, _, r) =
        run(json!({"currentTime": "2026-03-01T13:02:30Z", "tasks": [task(1, json!({}))]}));
    assert_eq!(start_of(&r, 1), "09:00:00");
}

#[test]
fn an_impossible_hard_deadline_is_deadline() {
    let t = task(
        1,
        json!({"dueDate": "2026-03-10T09:20:00Z", "hardDeadline": true}),
    );
    assert_eq!(run(json!({"tasks": [t]})).1, codes(&[(1, "deadline")]));
}

#[test]
fn a_hard_deadline_is_met_and_not_late() {
    let t = task(
        1,
        json!({"priority": 3, "estimatedMinutes": 60,
        "dueDate": "2026-03-10T10:00:00Z", "hardDeadline": true}),
    );
    let (score, _, r) = run(json!({"tasks": [t]}));
    assert_eq!(score, 8 * 2 * 60 * 5);
    assert_eq!(start_of(&r, 1), "09:00:00");
}

#[test]
fn deadline_counts_meetings_and_their_buffers() {
    let t = task(
        1,
        json!({"dueDate": "2026-03-10T10:25:00Z", "hardDeadline": true}),
    );
    let (_, c, _) = run(json!({"tasks": [t], "blockedTime": [
        {"title": "Standup", "start": "2026-03-10T09:00:00Z", "end": "2026-03-10T09:45:00Z"}]}));
    assert_eq!(c, codes(&[(1, "deadline")]));
}

#[test]
fn deadline_ignores_other_tasks_so_a_taken_slot_is_no_slot() {
    let (_, c, _) = run(json!({"tasks": [
        task(1, json!({"priority": 3, "dueDate": "2026-03-10T09:30:00Z", "hardDeadline": true})),
        task(2, json!({"priority": 0, "dueDate": "2026-03-10T09:30:00Z", "hardDeadline": true})),
    ]}));
    assert_eq!(c, codes(&[(2, "no_slot")]));
}

#[test]
fn hard_deadline_is_ignored_without_a_due_date() {
    let t = task(1, json!({"hardDeadline": true}));
    assert_eq!(run(json!({"tasks": [t]})).0, 120);
}

#[test]
fn the_focus_cap_leaves_the_rest_as_focus_cap() {
    let (score, c, _) = run(json!({"preferences": {"maxFocusHours": 1}, "tasks": [
        task(1, json!({"priority": 3, "estimatedMinutes": 45})),
        task(2, json!({"priority": 2, "estimatedMinutes": 45})),
    ]}));
    assert_eq!((score, c), (8 * 45 * 5, codes(&[(2, "focus_cap")])));
}

#[test]
fn the_cap_rounds_half_up_to_whole_minutes() {
    // 0.125 h = 7.5 min -> 8 min: an 8-minute task fits.
    let (score, c, _) = run(json!({"preferences": {"maxFocusHours": 0.125},
        "tasks": [task(1, json!({"estimatedMinutes": 8}))]}));
    assert_eq!((score, c), (32, vec![]));
}

#[test]
fn a_zero_cap_makes_every_placeable_task_focus_cap() {
    let (score, c, _) = run(json!({"preferences": {"maxFocusHours": 0},
        "tasks": [task(1, json!({}))]}));
    assert_eq!((score, c), (0, codes(&[(1, "focus_cap")])));
}

#[test]
fn pinned_minutes_over_the_cap_are_kept_and_nothing_else_fits() {
    let (score, c, _) = run(json!({"preferences": {"maxFocusHours": 0.5}, "tasks": [
        task(1, json!({"estimatedMinutes": 60, "pinnedStart": "2026-03-10T13:00:00Z"})),
        task(2, json!({"estimatedMinutes": 5})),
    ]}));
    assert_eq!((score, c), (240, codes(&[(2, "focus_cap")])));
}

#[test]
fn a_full_window_is_no_slot() {
    let (score, c, _) = run(json!({"preferences": {"workdayEnd": "10:00"}, "tasks": [
        task(1, json!({"priority": 3, "estimatedMinutes": 60})),
        task(2, json!({"priority": 2, "estimatedMinutes": 60})),
    ]}));
    assert_eq!((score, c), (2400, codes(&[(2, "no_slot")])));
}

#[test]
fn two_small_tasks_beat_one_big_one() {
    let (score, c, _) = run(
        json!({"preferences": {"maxFocusHours": 0.8333333}, "tasks": [
            task(1, json!({"priority": 3, "estimatedMinutes": 50})),
            task(2, json!({"priority": 3, "estimatedMinutes": 25, "dueDate": "2026-03-10T17:00:00Z"})),
            task(3, json!({"priority": 3, "estimatedMinutes": 25, "dueDate": "2026-03-10T17:00:00Z"})),
        ]}),
    );
    assert_eq!((score, c), (2 * 8 * 2 * 25 * 5, codes(&[(1, "focus_cap")])));
}

#[test]
fn a_dependency_on_an_unplaceable_task_is_blocked() {
    let (_, c, _) = run(json!({"tasks": [
        task(1, json!({"estimatedMinutes": 600})),
        task(2, json!({"dependsOn": [id(1)]})),
    ]}));
    assert_eq!(c, codes(&[(1, "too_long"), (2, "blocked")]));
}

#[test]
fn a_dependent_starts_after_its_dependency_ends() {
    let (score, _, r) = run(json!({"tasks": [
        task(1, json!({"priority": 0, "estimatedMinutes": 60})),
        task(2, json!({"priority": 3, "estimatedMinutes": 60, "dependsOn": [id(1)]})),
    ]}));
    assert_eq!(score, 240 + 8 * 60 * 5);
    assert_eq!(
        (start_of(&r, 1).as_str(), start_of(&r, 2).as_str()),
        ("09:00:00", "10:00:00")
    );
}

#[test]
fn unknown_and_finished_dependencies_count_as_done() {
    let (score, c, _) = run(json!({"tasks": [
        task(1, json!({"status": "completed"})),
        task(2, json!({"dependsOn": [id(1), id(99)]})),
    ]}));
    assert_eq!((score, c), (120, codes(&[(1, "not_actionable")])));
}

#[test]
fn a_dependency_pinned_to_another_day_blocks() {
    let (_, c, _) = run(json!({"tasks": [
        task(1, json!({"pinnedStart": "2026-03-11T09:00:00Z"})),
        task(2, json!({"dependsOn": [id(1)]})),
    ]}));
    assert_eq!(c, codes(&[(1, "not_actionable"), (2, "blocked")]));
}

#[test]
fn a_dependent_of_a_pinned_task_starts_after_the_pin() {
    let (_, _, r) = run(json!({"tasks": [
        task(1, json!({"pinnedStart": "2026-03-10T13:00:00Z"})),
        task(2, json!({"dependsOn": [id(1)]})),
    ]}));
    assert_eq!(start_of(&r, 2), "13:30:00");
}

#[test]
fn a_busy_all_day_event_blocks_the_day_but_not_pins() {
    let (score, c, r) = run(json!({"tasks": [
        task(1, json!({})),
        task(2, json!({"pinnedStart": "2026-03-10T10:00:00Z"})),
    ], "blockedTime": [{"title": "Vacation", "start": "2026-03-10T00:00:00Z",
        "end": "2026-03-11T00:00:00Z", "isAllDay": true, "busy": true}]}));
    assert_eq!((score, c), (120, codes(&[(1, "no_slot")])));
    assert!(r.warnings.iter().any(|w| w.contains("Out of office")));
}

#[test]
fn all_day_events_are_free_by_default_and_free_events_block_nothing() {
    let (score, _, r) = run(json!({"tasks": [task(1, json!({}))], "blockedTime": [
        {"title": "Holiday", "start": "2026-03-10T00:00:00Z", "end": "2026-03-11T00:00:00Z", "isAllDay": true},
        {"title": "Focus", "start": "2026-03-10T09:00:00Z", "end": "2026-03-10T10:00:00Z", "busy": false}]}));
    assert_eq!(score, 120);
    assert_eq!(start_of(&r, 1), "09:00:00");
}

#[test]
fn an_empty_event_has_no_buffer() {
    let (_, _, r) = run(json!({"tasks": [task(1, json!({}))], "blockedTime": [
        {"title": "Ping", "start": "2026-03-10T09:00:00Z", "end": "2026-03-10T09:00:00Z"}]}));
    assert_eq!(start_of(&r, 1), "09:00:00");
}

#[test]
fn buffers_apply_on_both_sides_even_outside_the_window() {
    let (_, c, r) = run(json!({"tasks": [
        task(1, json!({"estimatedMinutes": 15, "priority": 1})),
        task(2, json!({"estimatedMinutes": 20})),
    ], "blockedTime": [
        {"title": "Early", "start": "2026-03-10T08:00:00Z", "end": "2026-03-10T09:00:00Z"},
        {"title": "A", "start": "2026-03-10T09:30:00Z", "end": "2026-03-10T12:00:00Z"},
        {"title": "B", "start": "2026-03-10T12:45:00Z", "end": "2026-03-10T17:00:00Z"}]}));
    assert_eq!(start_of(&r, 1), "12:15:00");
    assert_eq!(c, codes(&[(2, "no_slot")]));
}

#[test]
fn with_no_buffer_tasks_touch_meetings() {
    let (_, _, r) = run(
        json!({"preferences": {"meetingBufferMinutes": 0}, "tasks": [task(1, json!({}))],
        "blockedTime": [{"title": "A", "start": "2026-03-10T08:00:00Z", "end": "2026-03-10T09:10:00Z"}]}),
    );
    assert_eq!(start_of(&r, 1), "09:10:00");
}

#[test]
fn a_soft_due_date_passed_halves_the_value() {
    let t = task(1, json!({"dueDate": "2026-03-10T09:10:00Z"}));
    assert_eq!(run(json!({"tasks": [t]})).0, 2 * 30 * 2);
}

#[test]
fn overdue_tasks_are_urgent_late_and_warned() {
    let t = task(
        1,
        json!({"dueDate": "2026-03-08T09:10:00Z", "title": "Taxes"}),
    );
    let (score, _, r) = run(json!({"tasks": [t]}));
    assert_eq!(score, 2 * 30 * 2);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("\"Taxes\" is overdue"))
    );
}

#[test]
fn due_exactly_at_the_next_midnight_counts_as_today() {
    let t1 = task(1, json!({"dueDate": "2026-03-11T00:00:00Z"}));
    let t2 = task(2, json!({"dueDate": "2026-03-11T00:00:01Z"}));
    assert_eq!(run(json!({"tasks": [t1, t2]})).0, 240 + 120);
}

#[test]
fn a_spring_forward_day_is_23_hours() {
    // New York, 2026-03-08: 01:00 to 04:00 local is 2 hours (02:00-03:00 does not exist).
    let (_, c, _) = run(
        json!({"timezone": "America/New_York", "today": "2026-03-08",
        "currentTime": "2026-03-08T00:00:00Z",
        "preferences": {"workdayStart": "01:00", "workdayEnd": "04:00"},
        "tasks": [task(1, json!({"estimatedMinutes": 120})), task(2, json!({"estimatedMinutes": 125}))]}),
    );
    assert_eq!(c, codes(&[(2, "too_long")]));
}

#[test]
fn a_fall_back_day_repeats_an_hour() {
    // New York, 2026-11-01: 00:00 to 03:00 local lasts 4 hours.
    let (_, c, _) = run(
        json!({"timezone": "America/New_York", "today": "2026-11-01",
        "currentTime": "2026-11-01T00:00:00Z",
        "preferences": {"workdayStart": "00:00", "workdayEnd": "03:00", "maxFocusHours": 8},
        "tasks": [task(1, json!({"estimatedMinutes": 240}))]}),
    );
    assert!(c.is_empty());
}

#[test]
fn the_grid_is_local_time_in_odd_offsets() {
    // Monrovia in 1971 was UTC-00:44:30: local 09:00 is 09:44:30Z.
    let (_, _, r) = run(json!({"timezone": "Africa/Monrovia", "today": "1971-06-01",
        "currentTime": "1971-06-01T00:00:00Z", "tasks": [task(1, json!({}))]}));
    assert_eq!(start_of(&r, 1), "09:44:30");
}

#[test]
fn a_workday_to_midnight_uses_24_00() {
    let (_, c, _) = run(
        json!({"preferences": {"workdayStart": "20:00", "workdayEnd": "24:00"},
        "tasks": [task(1, json!({"estimatedMinutes": 240})), task(2, json!({"estimatedMinutes": 5}))]}),
    );
    assert_eq!(c, codes(&[(2, "no_slot")]));
}

#[test]
fn peak_hours_beat_packing_left() {
    // Peak 11:00-12:00: the top task waits for it; the low one takes the morning.
    let (score, _, r) = run(
        json!({"preferences": {"peakHoursStart": "11:00", "peakHoursEnd": "12:00",
        "workdayEnd": "12:00"}, "tasks": [
        task(1, json!({"priority": 3, "estimatedMinutes": 60})),
        task(2, json!({"priority": 0, "estimatedMinutes": 120}))]}),
    );
    assert_eq!(score, 8 * 60 * 5 + 120 * 4);
    assert_eq!(start_of(&r, 1), "11:00:00");
}

#[test]
fn responses_are_sorted_and_rationales_name_the_meeting() {
    let (_, _, r) = run(
        json!({"tasks": [task(2, json!({"priority": 3})), task(1, json!({"estimatedMinutes": 600}))],
        "blockedTime": [{"title": "Standup", "start": "2026-03-10T09:00:00Z", "end": "2026-03-10T09:15:00Z"}]}),
    );
    assert!(
        r.scheduled_tasks[0].rationale.contains("after Standup"),
        "{}",
        r.scheduled_tasks[0].rationale
    );
    assert_eq!(start_of(&r, 2), "09:30:00");
}

#[test]
fn the_meeting_insight_counts_overlapping_meetings_once() {
    // Two identical 1 h meetings, one overlapping them by half an hour, one half before
    // the workday: 1 h 30 min inside it, plus 30 min.
    let meeting = |title: &str, s: &str, e: &str| {
        json!({"title": title, "start": format!("2026-03-10T{s}:00Z"),
               "end": format!("2026-03-10T{e}:00Z")})
    };
    let (_, _, r) = run(json!({"tasks": [], "blockedTime": [
        meeting("Sync", "10:00", "11:00"),
        meeting("Sync again", "10:00", "11:00"),
        meeting("Review", "10:30", "11:30"),
        meeting("Early", "08:30", "09:30"),
    ]}));
    assert_eq!(r.insights[0], "4 meetings today, 2 h of the workday.");
    let (_, _, r) = run(json!({"tasks": [], "blockedTime": [
        meeting("Sync", "10:00", "11:00"),
        meeting("Sync again", "10:00", "11:00"),
    ]}));
    assert_eq!(r.insights[0], "2 meetings today, 1 h of the workday.");
}

#[test]
fn a_pinned_block_under_way_is_not_warned_about_but_one_already_over_is() {
    // Now 10:30: T1 (10:00-11:00) is under way, T2 (08:00-09:00) is over.
    let (_, _, r) = run(json!({"currentTime": "2026-03-10T10:30:00Z", "tasks": [
        task(1, json!({"estimatedMinutes": 60, "pinnedStart": "2026-03-10T10:00:00Z"})),
        task(2, json!({"estimatedMinutes": 60, "pinnedStart": "2026-03-10T08:00:00Z"})),
    ]}));
    assert_eq!(start_of(&r, 1), "10:00:00");
    assert_eq!(start_of(&r, 2), "08:00:00");
    assert_eq!(
        crate::before_now(&r.warnings),
        ["Pinned \"T2\" ended before now (08:00–09:00)."],
        "{:?}",
        r.warnings
    );
}
