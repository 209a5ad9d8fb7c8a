//! Every status change, allowed and refused.

use TaskStatus::*;
use chrono::{DateTime, TimeZone, Utc};
use lifeos_core::*;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap()
}

fn t1() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 8, 15, 0, 0).unwrap()
}

fn task_in(status: TaskStatus) -> Task {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut task = Task::create(
        TaskId::generate(t0(), &mut rng),
        UserId::generate(t0(), &mut rng),
        NewTask::titled("Write report"),
        t0(),
    )
    .unwrap();
    task.status = status;
    if status == Completed {
        task.completed_at = Some(t0());
    }
    task
}

fn allowed(from: TaskStatus, to: TaskStatus) -> Task {
    let mut task = task_in(from);
    let version = task.version;
    task.transition(to, t1())
        .unwrap_or_else(|e| panic!("{from} -> {to} refused: {e}"));
    assert_eq!(task.status, to);
    assert_eq!(task.version, version + 1);
    assert_eq!(task.updated_at, t1());
    task
}

fn refused(from: TaskStatus, to: TaskStatus) {
    let before = task_in(from);
    let mut task = before.clone();
    let err = task.transition(to, t1()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidTransition);
    assert_eq!(err.field(), Some("status"));
    assert_eq!(task, before, "a refused transition changes nothing");
}

#[test]
fn pending_to_in_progress() {
    let t = allowed(Pending, InProgress);
    assert_eq!(t.completed_at, None);
}

#[test]
fn pending_to_completed_sets_completed_at() {
    assert_eq!(allowed(Pending, Completed).completed_at, Some(t1()));
}

#[test]
fn pending_to_cancelled() {
    assert_eq!(allowed(Pending, Cancelled).completed_at, None);
}

#[test]
fn in_progress_to_pending() {
    allowed(InProgress, Pending);
}

#[test]
fn in_progress_to_completed_sets_completed_at() {
    assert_eq!(allowed(InProgress, Completed).completed_at, Some(t1()));
}

#[test]
fn in_progress_to_cancelled() {
    allowed(InProgress, Cancelled);
}

#[test]
fn completed_reopen_clears_completed_at() {
    assert_eq!(allowed(Completed, Pending).completed_at, None);
}

#[test]
fn cancelled_reopen() {
    allowed(Cancelled, Pending);
}

#[test]
fn same_status_is_refused() {
    for s in TaskStatus::ALL {
        refused(s, s);
    }
}

#[test]
fn completed_to_in_progress_is_refused() {
    refused(Completed, InProgress);
}

#[test]
fn completed_to_cancelled_is_refused() {
    refused(Completed, Cancelled);
}

#[test]
fn cancelled_to_in_progress_is_refused() {
    refused(Cancelled, InProgress);
}

#[test]
fn cancelled_to_completed_is_refused() {
    refused(Cancelled, Completed);
}

#[test]
fn the_table_has_exactly_eight_allowed_changes() {
    let allowed: usize = TaskStatus::ALL
        .iter()
        .map(|a| {
            TaskStatus::ALL
                .iter()
                .filter(|b| a.can_transition_to(**b))
                .count()
        })
        .sum();
    assert_eq!(allowed, 8);
}

#[test]
fn a_patch_with_a_refused_status_changes_nothing() {
    let before = task_in(Completed);
    let mut task = before.clone();
    let patch = TaskPatch {
        title: Some("New".into()),
        status: Some(InProgress),
        ..TaskPatch::default()
    };
    let err = task.apply(&patch, t1()).unwrap_err();
    assert_eq!(err.field(), Some("status"));
    assert_eq!(task, before);
}

#[test]
fn status_parses_from_its_wire_name_only() {
    for s in TaskStatus::ALL {
        assert_eq!(s.as_str().parse::<TaskStatus>().unwrap(), s);
    }
    assert_eq!(
        "done".parse::<TaskStatus>().unwrap_err().field(),
        Some("status")
    );
}
