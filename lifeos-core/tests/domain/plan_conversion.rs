//! Domain tasks and preferences become a valid planner request.

use chrono::{NaiveDate, TimeZone, Utc};
use lifeos_core::plan::{BlockedTime, PlanDayRequest};
use lifeos_core::*;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

#[test]
fn tasks_and_preferences_make_a_request_the_wire_accepts() {
    let now =
        Utc.with_ymd_and_hms(2026, 3, 8, 14, 2, 0).unwrap() + chrono::Duration::milliseconds(250);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let user = UserId::generate(now, &mut rng);
    let mut make =
        |new: NewTask| Task::create(TaskId::generate(now, &mut rng), user, new, now).unwrap();
    let report = make(NewTask {
        priority: 3,
        estimated_minutes: Some(90),
        ..NewTask::titled("Report")
    });
    let review = make(NewTask {
        depends_on: vec![report.id],
        pinned_start: Some(now),
        labels: vec!["work".into()],
        ..NewTask::titled("Review")
    });
    let mut gone = make(NewTask::titled("Deleted"));
    gone.soft_delete(now);
    let mut done = make(NewTask::titled("Done"));
    done.transition(TaskStatus::Completed, now).unwrap();

    let prefs = Preferences::default()
        .patched(&PreferencesPatch {
            timezone: Some("America/New_York".into()),
            workday_end: Some("24:00".into()),
            max_focus_hours: Some(4.5),
            ..PreferencesPatch::default()
        })
        .unwrap();
    let standup = BlockedTime {
        title: "Standup".into(),
        start: Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 3, 8, 14, 15, 0).unwrap(),
        is_all_day: false,
        busy: Some(true),
    };
    let today = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
    let request = prefs.plan_request(
        today,
        now,
        &[report.clone(), review.clone(), gone, done.clone()],
        vec![standup],
    );

    assert_eq!(request.timezone, chrono_tz::America::New_York);
    assert_eq!(request.preferences.max_focus_hours, 4.5);
    assert_eq!(request.preferences.workday_end, ClockTime::END_OF_DAY);
    let ids: Vec<_> = request.tasks.iter().map(|t| t.id).collect();
    assert_eq!(
        ids,
        [
            *report.id.as_uuid(),
            *review.id.as_uuid(),
            *done.id.as_uuid()
        ],
        "deleted tasks are left out"
    );
    assert_eq!(request.tasks[0].estimated_minutes, 90);
    assert_eq!(
        request.tasks[1].estimated_minutes, 30,
        "no estimate means the planner's default"
    );
    assert_eq!(request.tasks[1].depends_on, [*report.id.as_uuid()]);
    assert_eq!(
        request.tasks[1]
            .pinned_start
            .unwrap()
            .timestamp_subsec_nanos(),
        0,
        "pins are whole seconds"
    );
    assert_eq!(request.tasks[2].status, TaskStatus::Completed);

    // The wire's own validation accepts what the conversion builds.
    let json = serde_json::to_value(&request).unwrap();
    let back = PlanDayRequest::from_value(&json).unwrap();
    assert_eq!(back, request);
}

#[test]
fn default_preferences_are_planner_defaults() {
    let p = Preferences::default();
    let hm = |t: ClockTime| t.to_string();
    assert_eq!(
        (
            hm(p.workday_start),
            hm(p.workday_end),
            hm(p.peak_hours_start),
            hm(p.peak_hours_end)
        ),
        (
            "09:00".into(),
            "17:00".into(),
            "09:00".into(),
            "12:00".into()
        )
    );
    assert_eq!((p.max_focus_hours, p.meeting_buffer_minutes), (6.0, 15));
    assert_eq!(p.timezone, chrono_tz::UTC);
    assert_eq!(p.working_days.len(), 5);
    assert!(
        p.is_working_day(NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()),
        "a Monday"
    );
    assert!(
        !p.is_working_day(NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()),
        "a Sunday"
    );
}
