//! The one gate of a plan request: every rule of `PLANNER.md` on values, checked on the
//! typed request. The JSON reader ([`super::decode`]) checks only the shape of the text
//! (types, formats) and then runs these same rules, so a request built in Rust and the same
//! request written as JSON get the same errors.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use super::field::{EventField, FieldPath, PreferenceField, TaskField};
use super::{PlanDayRequest, PlanError, PlanFieldError, PlanTask};
use crate::time::ClockTime;

/// Expected shapes and ranges, shared by the reader and the checks so messages agree.
pub(super) mod expect {
    /// A start of the workday or of peak hours.
    pub const START_RANGE: &str = "00:00 to 23:59";
    /// An end of the workday or of peak hours.
    pub const END_RANGE: &str = "00:00 to 24:00";
    /// `maxFocusHours`.
    pub const FOCUS_HOURS: &str = "a number of hours in 0..=24";
    /// `meetingBufferMinutes`.
    pub const BUFFER: &str = "an integer in 0..=1440";
    /// A task's `priority`.
    pub const PRIORITY: &str = "an integer in 0..=3";
    /// A task's `estimatedMinutes`.
    pub const MINUTES: &str = "an integer in 1..=1440";
}

/// Every problem found so far, each at its typed path.
#[derive(Debug, Default)]
pub(super) struct Problems {
    errors: Vec<(FieldPath, String)>,
}

impl Problems {
    /// Records a problem.
    pub(super) fn push(&mut self, path: FieldPath, message: impl Into<String>) {
        self.errors.push((path, message.into()));
    }

    /// Records `expected …, got …`.
    pub(super) fn expected(&mut self, path: FieldPath, expected: &str, got: &str) {
        self.push(path, format!("expected {expected}, got {got}"));
    }

    /// `Ok` when nothing was recorded, else every problem in `PLANNER.md`'s order (problems
    /// at the same path keep the order they were found in).
    pub(super) fn finish(mut self) -> Result<(), PlanError> {
        self.errors.sort_by_key(|e| e.0);
        let errors: Vec<PlanFieldError> = self
            .errors
            .into_iter()
            .map(|(path, message)| PlanFieldError {
                field: path.to_string(),
                message,
            })
            .collect();
        match errors.first() {
            None => Ok(()),
            Some(first) => Err(PlanError {
                field: first.field.clone(),
                message: first.message.clone(),
                errors,
            }),
        }
    }
}

/// What the JSON reader learnt that the typed request cannot say: which fields it could not
/// read (their values in the request are placeholders the checks skip), and how the text
/// wrote a value whose typed form prints differently (`25.0` read as the `f64` 25).
#[derive(Debug, Default)]
pub(super) struct Readings {
    /// Fields that could not be read.
    pub(super) unreadable: BTreeSet<FieldPath>,
    /// A value as the text wrote it.
    pub(super) written: BTreeMap<FieldPath, String>,
}

impl Readings {
    fn readable(&self, path: FieldPath) -> bool {
        !self.unreadable.contains(&path)
    }

    fn task_readable(&self, i: usize, field: TaskField) -> bool {
        self.readable(FieldPath::Task(i, TaskField::Whole))
            && self.readable(FieldPath::Task(i, field))
    }

    fn event_readable(&self, j: usize, field: EventField) -> bool {
        self.readable(FieldPath::Event(j, EventField::Whole))
            && self.readable(FieldPath::Event(j, field))
    }

    fn shown(&self, path: FieldPath, typed: impl FnOnce() -> String) -> String {
        self.written.get(&path).cloned().unwrap_or_else(typed)
    }
}

impl PlanDayRequest {
    /// Checks every rule of `PLANNER.md` a typed request can break: clock times in range
    /// and each end after its start, `maxFocusHours` finite in 0..=24,
    /// `meetingBufferMinutes` in 0..=1440, each task's `priority` in 0..=3 and
    /// `estimatedMinutes` in 1..=1440, pinned starts in whole seconds, unique task ids, no
    /// dependency cycle, no event ending before it starts. A request read from JSON has
    /// passed these already; the planner runs them on every request, so one built in code
    /// gets the same errors, with the same paths and messages, as the JSON reader gives.
    ///
    /// # Errors
    /// [`PlanError`] listing every problem in `PLANNER.md`'s order.
    pub fn check(&self) -> Result<(), PlanError> {
        let mut problems = Problems::default();
        check_with(self, &Readings::default(), &mut problems);
        problems.finish()
    }
}

/// Runs every value rule on `request`, skipping what the reader could not read.
pub(super) fn check_with(request: &PlanDayRequest, readings: &Readings, problems: &mut Problems) {
    preferences(request, readings, problems);
    tasks(&request.tasks, readings, problems);
    for (j, e) in request.blocked_time.iter().enumerate() {
        if readings.event_readable(j, EventField::Start)
            && readings.event_readable(j, EventField::End)
            && e.end < e.start
        {
            problems.push(
                FieldPath::Event(j, EventField::End),
                "an event cannot end before it starts",
            );
        }
    }
}

fn preferences(request: &PlanDayRequest, readings: &Readings, problems: &mut Problems) {
    let p = &request.preferences;
    let pairs = [
        (
            (PreferenceField::WorkdayStart, p.workday_start),
            (PreferenceField::WorkdayEnd, p.workday_end),
        ),
        (
            (PreferenceField::PeakHoursStart, p.peak_hours_start),
            (PreferenceField::PeakHoursEnd, p.peak_hours_end),
        ),
    ];
    let path = |f| FieldPath::Preferences(Some(f));
    for ((start_field, start), (end_field, end)) in pairs {
        let start_ok = readings.readable(path(start_field)) && start < ClockTime::END_OF_DAY;
        if readings.readable(path(start_field)) && !start_ok {
            problems.push(
                path(start_field),
                format!(
                    "expected HH:MM from {}, got {:?}",
                    expect::START_RANGE,
                    start.to_string()
                ),
            );
        }
        // Every `ClockTime` is a valid end (00:00 to 24:00).
        if readings.readable(path(end_field)) && start_ok && end <= start {
            problems.push(
                path(end_field),
                format!("{end} must be after {} ({start})", start_field.as_str()),
            );
        }
    }
    let focus = path(PreferenceField::MaxFocusHours);
    let hours = p.max_focus_hours;
    if readings.readable(focus) && !(hours.is_finite() && (0.0..=24.0).contains(&hours)) {
        let got = readings.shown(focus, || hours.to_string());
        problems.expected(focus, expect::FOCUS_HOURS, &got);
    }
    let buffer = path(PreferenceField::MeetingBufferMinutes);
    if readings.readable(buffer) && p.meeting_buffer_minutes > 1440 {
        let got = readings.shown(buffer, || p.meeting_buffer_minutes.to_string());
        problems.expected(buffer, expect::BUFFER, &got);
    }
}

fn tasks(tasks: &[PlanTask], readings: &Readings, problems: &mut Problems) {
    // The first task with each readable id; later ones are duplicates.
    let mut first: HashMap<Uuid, usize> = HashMap::with_capacity(tasks.len());
    for (i, t) in tasks.iter().enumerate() {
        let at = |f| FieldPath::Task(i, f);
        if readings.task_readable(i, TaskField::Id) {
            if let Entry::Vacant(slot) = first.entry(t.id) {
                slot.insert(i);
            } else {
                problems.push(at(TaskField::Id), format!("duplicate task id {}", t.id));
            }
        }
        if readings.task_readable(i, TaskField::Priority) && t.priority > 3 {
            let got = readings.shown(at(TaskField::Priority), || t.priority.to_string());
            problems.expected(at(TaskField::Priority), expect::PRIORITY, &got);
        }
        if readings.task_readable(i, TaskField::EstimatedMinutes)
            && !(1..=1440).contains(&t.estimated_minutes)
        {
            let got = readings.shown(at(TaskField::EstimatedMinutes), || {
                t.estimated_minutes.to_string()
            });
            problems.expected(at(TaskField::EstimatedMinutes), expect::MINUTES, &got);
        }
        if readings.task_readable(i, TaskField::PinnedStart)
            && t.pinned_start
                .is_some_and(|s| s.timestamp_subsec_nanos() != 0)
        {
            problems.push(
                at(TaskField::PinnedStart),
                "a pinned start must be in whole seconds",
            );
        }
    }
    for i in cycles(tasks, &first) {
        problems.push(
            FieldPath::Task(i, TaskField::DependsOn),
            "dependency cycle among the tasks",
        );
    }
}

/// The lowest index of each dependency cycle among `tasks` (`index`: the task of each id).
fn cycles(tasks: &[PlanTask], index: &HashMap<Uuid, usize>) -> Vec<usize> {
    let n = tasks.len();
    let edges: Vec<Vec<usize>> = tasks
        .iter()
        .map(|t| {
            let mut e: Vec<usize> = t
                .depends_on
                .iter()
                .filter_map(|d| index.get(d).copied())
                .collect();
            e.sort_unstable();
            e.dedup();
            e
        })
        .collect();
    // Tarjan's strongly connected components, iteratively.
    let mut idx = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut counter = 0;
    let mut in_cycle_min: Vec<usize> = Vec::new();
    for root in 0..n {
        if idx[root] != usize::MAX {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        idx[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut ei)) = call.last_mut() {
            if *ei < edges[v].len() {
                let w = edges[v][*ei];
                *ei += 1;
                if idx[w] == usize::MAX {
                    idx[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(idx[w]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == idx[v] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    let cyclic = comp.len() > 1 || edges[v].contains(&v);
                    if cyclic {
                        in_cycle_min.push(comp.iter().copied().min().unwrap_or(v));
                    }
                }
            }
        }
    }
    in_cycle_min
}
