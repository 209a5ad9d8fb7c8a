//! Validation: each rule's boundaries (last accepted, first rejected, on each side) and a
//! property per validator against an independent statement of its rules.

use super::strategies::*;
use chrono::{TimeZone, Utc};
use lifeos_core::*;
use proptest::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

fn fields(result: Result<(), Error>) -> Vec<String> {
    match result {
        Ok(()) => Vec::new(),
        Err(e) => e
            .validation()
            .expect("a validation error")
            .fields()
            .map(str::to_owned)
            .collect(),
    }
}

fn check_new(edit: impl FnOnce(&mut NewTask)) -> Vec<String> {
    let mut t = NewTask::titled("ok");
    edit(&mut t);
    fields(t.validate())
}

fn accepted(f: Vec<String>) {
    assert!(f.is_empty(), "expected acceptance, got errors on {f:?}");
}

fn rejected(f: Vec<String>, field: &str) {
    assert_eq!(f, [field], "expected exactly one error, on {field}");
}

#[test]
fn title_boundaries() {
    rejected(check_new(|t| t.title = String::new()), "title");
    rejected(check_new(|t| t.title = "   \t ".into()), "title");
    accepted(check_new(|t| t.title = "a".into()));
    accepted(check_new(|t| t.title = format!("  {}  ", "é".repeat(500))));
    rejected(check_new(|t| t.title = "é".repeat(501)), "title");
}

#[test]
fn description_boundaries() {
    accepted(check_new(|t| t.description = Some(String::new())));
    accepted(check_new(|t| t.description = Some("ß".repeat(20_000))));
    rejected(
        check_new(|t| t.description = Some("ß".repeat(20_001))),
        "description",
    );
}

#[test]
fn estimate_boundaries() {
    rejected(
        check_new(|t| t.estimated_minutes = Some(0)),
        "estimated_minutes",
    );
    accepted(check_new(|t| t.estimated_minutes = Some(1)));
    accepted(check_new(|t| t.estimated_minutes = Some(1440)));
    rejected(
        check_new(|t| t.estimated_minutes = Some(1441)),
        "estimated_minutes",
    );
}

#[test]
fn priority_boundaries() {
    rejected(check_new(|t| t.priority = -1), "priority");
    accepted(check_new(|t| t.priority = 0));
    accepted(check_new(|t| t.priority = 3));
    rejected(check_new(|t| t.priority = 4), "priority");
    assert_eq!(Priority::new(4).unwrap_err().field(), Some("priority"));
    assert!(serde_json::from_str::<Priority>("4").is_err());
}

#[test]
fn label_count_boundaries() {
    let labels = |n: usize| (0..n).map(|i| format!("l{i}")).collect::<Vec<_>>();
    accepted(check_new(|t| t.labels = labels(20)));
    rejected(check_new(|t| t.labels = labels(21)), "labels");
    // Duplicates are dropped before counting: 21 entries, 20 distinct.
    accepted(check_new(|t| {
        t.labels = labels(20);
        t.labels.push(" l0 ".into());
    }));
}

#[test]
fn label_length_boundaries() {
    rejected(check_new(|t| t.labels = vec![" ".into()]), "labels[0]");
    accepted(check_new(|t| t.labels = vec!["x".into()]));
    accepted(check_new(|t| t.labels = vec!["ü".repeat(50)]));
    rejected(
        check_new(|t| t.labels = vec!["ok".into(), "ü".repeat(51)]),
        "labels[1]",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let f = check_new(|t| {
        t.title = String::new();
        t.priority = 9;
        t.estimated_minutes = Some(0);
    });
    assert_eq!(f, ["title", "estimated_minutes", "priority"]);
}

#[test]
fn an_error_names_field_value_and_range() {
    let err = NewTask {
        priority: 7,
        ..NewTask::titled("x")
    }
    .validate()
    .unwrap_err();
    let first = err.validation().unwrap().first();
    assert_eq!(first.field, "priority");
    assert_eq!(first.value, "7");
    assert_eq!(first.expected, "an integer in 0..=3");
    assert_eq!(
        err.to_string(),
        "invalid input: priority: \"7\" is not an integer in 0..=3"
    );
}

#[test]
fn create_normalises_title_and_labels() {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let new = NewTask {
        labels: vec![" work ".into(), "home".into(), "work".into()],
        ..NewTask::titled("  Write  ")
    };
    let task = Task::create(
        TaskId::generate(now, &mut rng),
        UserId::generate(now, &mut rng),
        new,
        now,
    )
    .unwrap();
    assert_eq!(task.title, "Write");
    assert_eq!(task.labels, ["work", "home"]);
    assert_eq!(task.version, 1);
    assert_eq!(task.status, TaskStatus::Pending);
}

fn sample_task() -> Task {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    Task::create(
        TaskId::generate(now, &mut rng),
        UserId::generate(now, &mut rng),
        NewTask::titled("t"),
        now,
    )
    .unwrap()
}

#[test]
fn actual_minutes_boundaries() {
    let patch = |m: i64| TaskPatch {
        actual_minutes: Some(Some(m)),
        ..TaskPatch::default()
    };
    rejected(fields(patch(-1).validate()), "actual_minutes");
    accepted(fields(patch(0).validate()));
    accepted(fields(patch(43_200).validate()));
    rejected(fields(patch(43_201).validate()), "actual_minutes");
}

#[test]
fn a_task_cannot_depend_on_itself() {
    let mut task = sample_task();
    let patch = TaskPatch {
        depends_on: Some(vec![task.id]),
        ..TaskPatch::default()
    };
    let before = task.clone();
    let err = task.apply(&patch, task.created_at).unwrap_err();
    assert_eq!(err.field(), Some("depends_on[0]"));
    assert_eq!(task, before);
}

#[test]
fn scheduled_end_before_start_is_refused_and_changes_nothing() {
    let mut task = sample_task();
    let start = Utc.with_ymd_and_hms(2026, 1, 2, 10, 0, 0).unwrap();
    let patch = TaskPatch {
        title: Some("changed".into()),
        scheduled_start: Some(Some(start)),
        scheduled_end: Some(Some(start - chrono::Duration::minutes(1))),
        ..TaskPatch::default()
    };
    let before = task.clone();
    assert_eq!(
        task.apply(&patch, start).unwrap_err().field(),
        Some("scheduled_end")
    );
    assert_eq!(task, before);
    // Touching the start: accepted.
    let ok = TaskPatch {
        scheduled_end: Some(Some(start)),
        ..patch
    };
    task.apply(&ok, start).unwrap();
    assert_eq!(task.title, "changed");
    assert_eq!(task.version, before.version + 1);
}

#[test]
fn project_name_and_color_boundaries() {
    let p = |name: &str, color: Option<&str>| {
        fields(
            NewProject {
                name: name.into(),
                description: None,
                color: color.map(str::to_owned),
            }
            .validate(),
        )
    };
    rejected(p(" ", None), "name");
    accepted(p("x", None));
    accepted(p(&"n".repeat(200), Some("#A0b1C2")));
    rejected(p(&"n".repeat(201), None), "name");
    rejected(p("x", Some("#12345")), "color");
    rejected(p("x", Some("#1234567")), "color");
    rejected(p("x", Some("#12345g")), "color");
}

fn prefs(edit: impl FnOnce(&mut PreferencesPatch)) -> Vec<String> {
    let mut patch = PreferencesPatch::default();
    edit(&mut patch);
    match Preferences::default().patched(&patch) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .validation()
            .unwrap()
            .fields()
            .map(str::to_owned)
            .collect(),
    }
}

#[test]
fn preference_boundaries() {
    accepted(prefs(|p| p.max_focus_hours = Some(0.0)));
    rejected(
        prefs(|p| p.max_focus_hours = Some(-0.01)),
        "preferences.max_focus_hours",
    );
    accepted(prefs(|p| p.max_focus_hours = Some(24.0)));
    rejected(
        prefs(|p| p.max_focus_hours = Some(24.01)),
        "preferences.max_focus_hours",
    );
    rejected(
        prefs(|p| p.max_focus_hours = Some(f64::NAN)),
        "preferences.max_focus_hours",
    );
    rejected(
        prefs(|p| p.meeting_buffer_minutes = Some(-1)),
        "preferences.meeting_buffer_minutes",
    );
    accepted(prefs(|p| p.meeting_buffer_minutes = Some(0)));
    accepted(prefs(|p| p.meeting_buffer_minutes = Some(1440)));
    rejected(
        prefs(|p| p.meeting_buffer_minutes = Some(1441)),
        "preferences.meeting_buffer_minutes",
    );
    accepted(prefs(|p| p.workday_end = Some("24:00".into())));
    rejected(
        prefs(|p| p.workday_end = Some("24:01".into())),
        "preferences.workday_end",
    );
    rejected(
        prefs(|p| p.workday_end = Some("9:00".into())),
        "preferences.workday_end",
    );
    rejected(
        prefs(|p| p.workday_start = Some("17:00".into())),
        "preferences.workday_end",
    );
    accepted(prefs(|p| p.workday_start = Some("16:59".into())));
    accepted(prefs(|p| p.workday_start = Some("00:00".into())));
    // A 24:00 start leaves no valid end either: both problems are reported, start first.
    assert_eq!(
        prefs(|p| p.peak_hours_start = Some("24:00".into())),
        ["preferences.peak_hours_start", "preferences.peak_hours_end"]
    );
    rejected(
        prefs(|p| p.timezone = Some("Mars/Olympus".into())),
        "preferences.timezone",
    );
    accepted(prefs(|p| p.timezone = Some("Australia/Lord_Howe".into())));
    rejected(
        prefs(|p| p.working_days = Some(vec![])),
        "preferences.working_days",
    );
    rejected(
        prefs(|p| p.working_days = Some(vec!["mon".into(), "funday".into()])),
        "preferences.working_days[1]",
    );
}

#[test]
fn profile_email_boundaries() {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let id = UserId::generate(now, &mut ChaCha8Rng::seed_from_u64(1));
    let make = |email: String| {
        fields(
            Profile::create(
                id,
                NewProfile {
                    email,
                    ..NewProfile::default()
                },
                now,
            )
            .map(|_| ()),
        )
    };
    rejected(make("a@".into()), "email");
    accepted(make("a@b".into()));
    let local = "x".repeat(252);
    accepted(make(format!("{local}@b")));
    rejected(make(format!("{local}x@b")), "email");
    rejected(make("a b@c".into()), "email");
    rejected(make("a@b@c".into()), "email");
}

// Independent statements of the NewTask rules, written from the issue text (deliberately in
// another form than the library's range checks).
#[allow(clippy::manual_range_contains)]
fn expected_new_task_fields(t: &NewTask) -> Vec<String> {
    let mut out = Vec::new();
    let title_len = t.title.trim().chars().count();
    if !(1 <= title_len && title_len <= 500) {
        out.push("title".to_owned());
    }
    if t.description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 20_000)
    {
        out.push("description".to_owned());
    }
    // Chunks: an estimate may pass one day (up to two weeks) only when the task is chunked.
    let limit_ok = |m: Option<i64>| m.is_none_or(|m| 5 <= m && m <= 1440 && m % 5 == 0);
    let estimate_ok = t.estimated_minutes.is_none_or(|m| 1 <= m && m <= 20_160);
    if !estimate_ok {
        out.push("estimated_minutes".to_owned());
    }
    if !limit_ok(t.min_chunk_minutes) {
        out.push("min_chunk_minutes".to_owned());
    }
    if !limit_ok(t.max_chunk_minutes) {
        out.push("max_chunk_minutes".to_owned());
    }
    if estimate_ok && limit_ok(t.min_chunk_minutes) && limit_ok(t.max_chunk_minutes) {
        let minutes = t.estimated_minutes.unwrap_or(30);
        match t.max_chunk_minutes {
            Some(max) if max < minutes && t.pinned_start.is_none() => {
                let min = t
                    .min_chunk_minutes
                    .unwrap_or(if max < 30 { max } else { 30 });
                let sums = (1..=minutes / min).any(|n| n * min <= minutes && minutes <= n * max);
                if min > max {
                    out.push("min_chunk_minutes".to_owned());
                } else if minutes % 5 != 0 {
                    out.push("estimated_minutes".to_owned());
                } else if !sums {
                    out.push("min_chunk_minutes".to_owned());
                }
            }
            _ if minutes > 1440 => out.push("estimated_minutes".to_owned()),
            _ => {}
        }
    }
    if !(0 <= t.priority && t.priority <= 3) {
        out.push("priority".to_owned());
    }
    let mut distinct: Vec<&str> = Vec::new();
    for l in &t.labels {
        if !distinct.contains(&l.trim()) {
            distinct.push(l.trim());
        }
    }
    if distinct.len() > 20 {
        out.push("labels".to_owned());
    }
    for (i, l) in t.labels.iter().enumerate() {
        let n = l.trim().chars().count();
        if n == 0 || n > 50 {
            out.push(format!("labels[{i}]"));
        }
    }
    if t.depends_on.len() > 100 {
        out.push("depends_on".to_owned());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn new_task_validation_matches_the_rules(t in new_task()) {
        prop_assert_eq!(fields(t.validate()), expected_new_task_fields(&t));
    }

    #[test]
    fn title_rule(title in "[ \\t]{0,3}\\PC{0,510}[ \\t]{0,3}") {
        let ok = NewTask::titled(title.clone()).validate().is_ok();
        let n = title.trim().chars().count();
        prop_assert_eq!(ok, (1..=500).contains(&n));
    }

    #[test]
    fn estimate_and_priority_rules(m in -100i64..3000, p in -10i64..10) {
        let t = NewTask { estimated_minutes: Some(m), priority: p, ..NewTask::titled("x") };
        let f = fields(t.validate());
        prop_assert_eq!(f.contains(&"estimated_minutes".to_owned()), !(1..=1440).contains(&m));
        prop_assert_eq!(f.contains(&"priority".to_owned()), !(0..=3).contains(&p));
    }

    #[test]
    fn patch_is_all_or_nothing(patch in task_patch()) {
        let mut task = sample_task();
        let before = task.clone();
        let now = before.created_at + chrono::Duration::hours(1);
        match task.apply(&patch, now) {
            Ok(()) => {
                prop_assert_eq!(task.version, before.version + 1);
                if let Some(title) = &patch.title { prop_assert_eq!(&task.title, title.trim()); }
                if let Some(p) = patch.priority { prop_assert_eq!(i64::from(task.priority.value()), p); }
            }
            Err(_) => prop_assert_eq!(&task, &before),
        }
        // A patch valid on its own is refused by `apply` only for status or task-bound rules.
        if patch.validate().is_err() {
            prop_assert!(sample_task().apply(&patch, now).is_err());
        }
    }

    #[test]
    fn preferences_patch_rules(patch in preferences_patch()) {
        let result = Preferences::default().patched(&patch);
        let tz_ok = patch.timezone.as_ref().is_none_or(|z| z.parse::<chrono_tz::Tz>().is_ok());
        let buffer_ok = patch.meeting_buffer_minutes.is_none_or(|b| (0..=1440).contains(&b));
        let focus_ok = patch.max_focus_hours.is_none_or(|h| (0.0..=24.0).contains(&h));
        let parse = |s: &Option<String>, default: u16| -> Option<u16> {
            match s {
                None => Some(default),
                Some(s) => {
                    let b = s.as_bytes();
                    if b.len() != 5 || b[2] != b':' { return None; }
                    let h: u16 = s[0..2].parse().ok()?;
                    let m: u16 = s[3..5].parse().ok()?;
                    (s[0..2].bytes().all(|c| c.is_ascii_digit()) && s[3..5].bytes().all(|c| c.is_ascii_digit())
                        && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
                }
            }
        };
        let times = (parse(&patch.workday_start, 540), parse(&patch.workday_end, 1020),
                     parse(&patch.peak_hours_start, 540), parse(&patch.peak_hours_end, 720));
        let times_ok = match times {
            (Some(ws), Some(we), Some(ps), Some(pe)) => ws < 1440 && we > ws && ps < 1440 && pe > ps,
            _ => false,
        };
        let days_ok = patch.working_days.as_ref().is_none_or(|d| !d.is_empty() && d.iter().all(|d| d != "xyz"));
        prop_assert_eq!(result.is_ok(), tz_ok && buffer_ok && focus_ok && times_ok && days_ok, "{:?}", result);
    }
}

#[test]
fn chunk_boundaries() {
    let chunked = |estimate: i64, min: Option<i64>, max: Option<i64>| {
        check_new(|t| {
            t.estimated_minutes = Some(estimate);
            t.min_chunk_minutes = min;
            t.max_chunk_minutes = max;
        })
    };
    accepted(chunked(1440, None, None));
    rejected(chunked(1441, None, None), "estimated_minutes");
    accepted(chunked(20_160, None, Some(1440)));
    rejected(chunked(20_165, None, Some(1440)), "estimated_minutes");
    accepted(chunked(1445, None, Some(1440)));
    // 130 minutes in chunks of 100..=120: one is too short, two too long.
    rejected(chunked(130, Some(100), Some(120)), "min_chunk_minutes");
    accepted(chunked(600, Some(5), Some(5)));
    rejected(chunked(600, Some(4), Some(5)), "min_chunk_minutes");
    rejected(chunked(600, None, Some(1445)), "max_chunk_minutes");
    rejected(chunked(601, None, Some(120)), "estimated_minutes");
    rejected(chunked(600, Some(125), Some(120)), "min_chunk_minutes");
    // A pin is one sitting: no estimate above a day.
    let pinned = check_new(|t| {
        t.estimated_minutes = Some(2000);
        t.max_chunk_minutes = Some(120);
        t.pinned_start = Some(Utc.with_ymd_and_hms(2026, 3, 9, 8, 0, 0).unwrap());
    });
    rejected(pinned, "estimated_minutes");
}

#[test]
fn a_patch_is_checked_against_the_chunks_it_leaves() {
    let mut task = sample_task();
    let now = Utc.with_ymd_and_hms(2026, 1, 2, 10, 0, 0).unwrap();
    let before = task.clone();
    let long = TaskPatch {
        estimated_minutes: Some(Some(3000)),
        ..TaskPatch::default()
    };
    assert_eq!(
        task.apply(&long, now).unwrap_err().field(),
        Some("estimated_minutes")
    );
    assert_eq!(task, before);
    let chunked = TaskPatch {
        max_chunk_minutes: Some(Some(120)),
        ..long
    };
    task.apply(&chunked, now).unwrap();
    assert!(task.is_chunked());
    assert_eq!(task.estimated_minutes, Some(3000));
    // Clearing the chunk limit alone would leave 3000 minutes in one sitting.
    let unchunk = TaskPatch {
        max_chunk_minutes: Some(None),
        ..TaskPatch::default()
    };
    assert_eq!(
        task.apply(&unchunk, now).unwrap_err().field(),
        Some("estimated_minutes")
    );
    assert_eq!(task.max_chunk_minutes, Some(120));
}

#[test]
fn planned_blocks_set_the_first_slot_and_a_hand_slot_replaces_them() {
    let mut task = sample_task();
    let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
    let late = PlannedBlock::new(at(10, 8), at(10, 10));
    let early = PlannedBlock::new(at(9, 8), at(9, 10));
    task.schedule_blocks(&[late, early], at(9, 7)).unwrap();
    assert_eq!(task.planned_blocks, [early, late]);
    assert_eq!(
        (task.scheduled_start, task.scheduled_end),
        (Some(at(9, 8)), Some(at(9, 10)))
    );
    let overlapping = PlannedBlock::new(at(9, 9), at(9, 11));
    let before = task.clone();
    assert!(
        task.schedule_blocks(&[early, overlapping], at(9, 7))
            .is_err()
    );
    assert_eq!(task, before);
    let by_hand = TaskPatch {
        scheduled_start: Some(Some(at(11, 8))),
        scheduled_end: Some(Some(at(11, 9))),
        ..TaskPatch::default()
    };
    task.apply(&by_hand, at(9, 7)).unwrap();
    assert_eq!(task.blocks(), [PlannedBlock::new(at(11, 8), at(11, 9))]);
    task.schedule_blocks(&[], at(9, 7)).unwrap();
    assert_eq!((task.scheduled_start, task.blocks()), (None, vec![]));
}
