//! Where a problem sits in a plan request: a typed path whose order is `PLANNER.md`'s
//! error order.

use std::fmt;

/// A field of a plan request. The derived order is the order `PLANNER.md` lists errors in:
/// `timezone`, `today`, `currentTime`, `preferences.*`, each `tasks[i]` by index and field,
/// then each `blockedTime[j]`. [`fmt::Display`] prints the wire path (`tasks[3].priority`,
/// `""` for the request itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FieldPath {
    /// The request itself (`""`): text that is not JSON, or not an object.
    Root,
    /// `timezone`.
    Timezone,
    /// `today`.
    Today,
    /// `currentTime`.
    CurrentTime,
    /// `preferences` itself (`None`), or one of its fields.
    Preferences(Option<PreferenceField>),
    /// `tasks` itself.
    Tasks,
    /// `tasks[i]` or one of its fields.
    Task(usize, TaskField),
    /// `blockedTime` itself.
    BlockedTime,
    /// `blockedTime[j]` or one of its fields.
    Event(usize, EventField),
}

/// A field of `preferences`, in `PLANNER.md`'s order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum PreferenceField {
    /// `workdayStart`.
    WorkdayStart,
    /// `workdayEnd`.
    WorkdayEnd,
    /// `peakHoursStart`.
    PeakHoursStart,
    /// `peakHoursEnd`.
    PeakHoursEnd,
    /// `maxFocusHours`.
    MaxFocusHours,
    /// `meetingBufferMinutes`.
    MeetingBufferMinutes,
}

/// A field of a task (`tasks[i]`), in `PLANNER.md`'s order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TaskField {
    /// The entry itself (`tasks[i]`).
    Whole,
    /// `id`.
    Id,
    /// `title`.
    Title,
    /// `priority`.
    Priority,
    /// `estimatedMinutes`.
    EstimatedMinutes,
    /// `dueDate`.
    DueDate,
    /// `hardDeadline`.
    HardDeadline,
    /// `labels` itself.
    Labels,
    /// `labels[j]`.
    Label(usize),
    /// `dependsOn` itself (also where a dependency cycle is named).
    DependsOn,
    /// `dependsOn[j]`.
    Dependency(usize),
    /// `pinnedStart`.
    PinnedStart,
    /// `status`.
    Status,
}

/// A field of a calendar entry (`blockedTime[j]`), in `PLANNER.md`'s order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum EventField {
    /// The entry itself (`blockedTime[j]`).
    Whole,
    /// `title`.
    Title,
    /// `start`.
    Start,
    /// `end`.
    End,
    /// `isAllDay`.
    IsAllDay,
    /// `busy`.
    Busy,
}

impl PreferenceField {
    /// All fields, in order.
    pub const ALL: [PreferenceField; 6] = [
        PreferenceField::WorkdayStart,
        PreferenceField::WorkdayEnd,
        PreferenceField::PeakHoursStart,
        PreferenceField::PeakHoursEnd,
        PreferenceField::MaxFocusHours,
        PreferenceField::MeetingBufferMinutes,
    ];

    /// The wire name (`workdayStart`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            PreferenceField::WorkdayStart => "workdayStart",
            PreferenceField::WorkdayEnd => "workdayEnd",
            PreferenceField::PeakHoursStart => "peakHoursStart",
            PreferenceField::PeakHoursEnd => "peakHoursEnd",
            PreferenceField::MaxFocusHours => "maxFocusHours",
            PreferenceField::MeetingBufferMinutes => "meetingBufferMinutes",
        }
    }
}

impl TaskField {
    /// The wire name of the field (`labels` for [`TaskField::Label`], `dependsOn` for
    /// [`TaskField::Dependency`], `""` for [`TaskField::Whole`]).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskField::Whole => "",
            TaskField::Id => "id",
            TaskField::Title => "title",
            TaskField::Priority => "priority",
            TaskField::EstimatedMinutes => "estimatedMinutes",
            TaskField::DueDate => "dueDate",
            TaskField::HardDeadline => "hardDeadline",
            TaskField::Labels | TaskField::Label(_) => "labels",
            TaskField::DependsOn | TaskField::Dependency(_) => "dependsOn",
            TaskField::PinnedStart => "pinnedStart",
            TaskField::Status => "status",
        }
    }
}

impl EventField {
    /// The wire name of the field (`""` for [`EventField::Whole`]).
    pub fn as_str(self) -> &'static str {
        match self {
            EventField::Whole => "",
            EventField::Title => "title",
            EventField::Start => "start",
            EventField::End => "end",
            EventField::IsAllDay => "isAllDay",
            EventField::Busy => "busy",
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FieldPath::Root => Ok(()),
            FieldPath::Timezone => f.write_str("timezone"),
            FieldPath::Today => f.write_str("today"),
            FieldPath::CurrentTime => f.write_str("currentTime"),
            FieldPath::Preferences(None) => f.write_str("preferences"),
            FieldPath::Preferences(Some(p)) => write!(f, "preferences.{}", p.as_str()),
            FieldPath::Tasks => f.write_str("tasks"),
            FieldPath::Task(i, TaskField::Whole) => write!(f, "tasks[{i}]"),
            FieldPath::Task(i, field @ (TaskField::Label(j) | TaskField::Dependency(j))) => {
                write!(f, "tasks[{i}].{}[{j}]", field.as_str())
            }
            FieldPath::Task(i, field) => write!(f, "tasks[{i}].{}", field.as_str()),
            FieldPath::BlockedTime => f.write_str("blockedTime"),
            FieldPath::Event(j, EventField::Whole) => write!(f, "blockedTime[{j}]"),
            FieldPath::Event(j, field) => write!(f, "blockedTime[{j}].{}", field.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_as_the_wire_names_them() {
        let cases = [
            (FieldPath::Root, ""),
            (FieldPath::Timezone, "timezone"),
            (FieldPath::Preferences(None), "preferences"),
            (
                FieldPath::Preferences(Some(PreferenceField::MeetingBufferMinutes)),
                "preferences.meetingBufferMinutes",
            ),
            (FieldPath::Task(3, TaskField::Whole), "tasks[3]"),
            (FieldPath::Task(3, TaskField::Priority), "tasks[3].priority"),
            (
                FieldPath::Task(3, TaskField::Dependency(0)),
                "tasks[3].dependsOn[0]",
            ),
            (
                FieldPath::Task(1, TaskField::Label(2)),
                "tasks[1].labels[2]",
            ),
            (FieldPath::Event(1, EventField::End), "blockedTime[1].end"),
            (FieldPath::Event(0, EventField::Whole), "blockedTime[0]"),
        ];
        for (path, text) in cases {
            assert_eq!(path.to_string(), text);
        }
    }

    #[test]
    fn the_order_is_the_contracts() {
        let mut paths = vec![
            FieldPath::Event(0, EventField::Title),
            FieldPath::Task(1, TaskField::Id),
            FieldPath::Task(0, TaskField::Status),
            FieldPath::Task(0, TaskField::Dependency(0)),
            FieldPath::Task(0, TaskField::DependsOn),
            FieldPath::Task(0, TaskField::Label(4)),
            FieldPath::Preferences(Some(PreferenceField::MaxFocusHours)),
            FieldPath::Preferences(Some(PreferenceField::WorkdayEnd)),
            FieldPath::CurrentTime,
            FieldPath::Today,
            FieldPath::Timezone,
        ];
        paths.sort();
        let printed: Vec<String> = paths.iter().map(ToString::to_string).collect();
        assert_eq!(
            printed,
            [
                "timezone",
                "today",
                "currentTime",
                "preferences.workdayEnd",
                "preferences.maxFocusHours",
                "tasks[0].labels[4]",
                "tasks[0].dependsOn",
                "tasks[0].dependsOn[0]",
                "tasks[0].status",
                "tasks[1].id",
                "blockedTime[0].title",
            ]
        );
    }
}
