//! The planner's wire types (`PLANNER.md`), and the one gate every request passes.
//!
//! A [`PlanDayRequest`] is read with [`PlanDayRequest::from_json`] (or serde, which goes
//! through the same checks): every problem is collected into one [`PlanError`] whose
//! `errors` name each field by its path from the request root, in `PLANNER.md`'s order.
//! Absent and `null` fields take `PLANNER.md`'s defaults. A request built in code is
//! checked by [`PlanDayRequest::check`], the same rules the reader runs, so both give the
//! same errors; the planner runs it on every request.
//!
//! ```
//! use lifeos_core::plan::PlanDayRequest;
//!
//! let request = PlanDayRequest::from_json(
//!     r#"{"timezone": "Europe/Berlin", "today": "2026-03-09",
//!         "currentTime": "2026-03-09T07:00:00Z",
//!         "tasks": [{"id": "7e57d004-2b97-0e7a-b45f-5387367791cd", "priority": 3}]}"#,
//! )
//! .unwrap();
//! assert_eq!(request.tasks[0].estimated_minutes, 30);
//! assert_eq!(request.preferences.meeting_buffer_minutes, 15);
//!
//! let mut built = request.clone();
//! built.tasks[0].priority = 7;
//! assert_eq!(built.check().unwrap_err().field, "tasks[0].priority");
//!
//! let err = PlanDayRequest::from_json(r#"{"timezone": "Mars/Olympus", "today": "x"}"#)
//!     .unwrap_err();
//! assert_eq!(err.field, "timezone");
//! assert_eq!(err.errors.len(), 4); // timezone, today, currentTime, tasks
//! ```
//!
//! # Design
//! - this file: the wire types, serde only;
//! - [`field`]: [`FieldPath`], where a problem sits, ordered as `PLANNER.md` lists errors;
//! - [`refinement`]: the `refinement` object of a refined plan;
//! - `check`: [`PlanDayRequest::check`], every rule on values, on the typed request;
//! - `decode`: the JSON reader, which checks only the text's shape (types and formats)
//!   and then runs `check`'s rules on what it read.

mod check;
mod decode;
pub mod field;
pub mod refinement;

pub use field::{EventField, FieldPath, PreferenceField, TaskField};
pub use refinement::{DropReason, DroppedEntry, Refinement, RefinementStatus};

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::task::TaskStatus;
pub use crate::time::ClockTime;

pub mod week;
pub use week::{
    PlanWeekRequest, PlanWeekResponse, PlanWeekTask, PreviousBlock, WeekPreferences,
    WeekScheduledTask, WorkingDays,
};

/// A calendar event already expanded from its recurrence, as the planner sees it
/// (`blockedTime` entries of a plan request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockedTime {
    /// What it is (shown in rationales).
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    /// Start instant (an all-day event's local midnight).
    pub start: DateTime<Utc>,
    /// End instant, exclusive (an all-day event's next local midnight).
    pub end: DateTime<Utc>,
    /// Whether it is an all-day event.
    #[serde(default, deserialize_with = "null_default")]
    pub is_all_day: bool,
    /// Whether it blocks time; absent means true for timed and false for all-day events.
    #[serde(default)]
    pub busy: Option<bool>,
}

impl BlockedTime {
    /// Whether the entry blocks time, with PLANNER.md's default applied.
    pub fn is_busy(&self) -> bool {
        self.busy.unwrap_or(!self.is_all_day)
    }
}

/// The planner's preferences (`preferences` of a request); every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanPreferences {
    /// Local start of the workday (default 09:00).
    pub workday_start: ClockTime,
    /// Local end of the workday, exclusive (default 17:00).
    pub workday_end: ClockTime,
    /// Local start of peak hours (default 09:00).
    pub peak_hours_start: ClockTime,
    /// Local end of peak hours, exclusive (default 12:00).
    pub peak_hours_end: ClockTime,
    /// Most hours of task work in the day, `0..=24` (default 6).
    pub max_focus_hours: f64,
    /// Minutes kept free on each side of a busy timed event, `0..=1440` (default 15).
    pub meeting_buffer_minutes: u32,
}

impl Default for PlanPreferences {
    fn default() -> Self {
        let hm = ClockTime::hour;
        Self {
            workday_start: hm(9),
            workday_end: hm(17),
            peak_hours_start: hm(9),
            peak_hours_end: hm(12),
            max_focus_hours: 6.0,
            meeting_buffer_minutes: 15,
        }
    }
}

impl PlanPreferences {
    /// The focus cap in whole minutes: `maxFocusHours * 60`, rounded half up.
    pub fn focus_cap_minutes(&self) -> i64 {
        // Truncation is exact here: the value is finite and within 0..=1440.5.
        #[allow(clippy::cast_possible_truncation)]
        let cap = (self.max_focus_hours * 60.0 + 0.5).floor() as i64;
        cap.clamp(0, 1440)
    }
}

/// One task to plan (`tasks` entries of a request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanTask {
    /// The task's id, unique in the request.
    pub id: Uuid,
    /// Title (shown in rationales).
    #[serde(default)]
    pub title: String,
    /// 0..=3, 3 highest.
    #[serde(default)]
    pub priority: u8,
    /// Length of the block, 1..=1440 minutes (default 30).
    #[serde(default = "default_minutes")]
    pub estimated_minutes: u32,
    /// When it is due, if ever.
    #[serde(default)]
    pub due_date: Option<DateTime<Utc>>,
    /// Whether `due_date` must be met (ignored without one).
    #[serde(default)]
    pub hard_deadline: bool,
    /// Free-form labels.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Tasks that must be done first.
    #[serde(default)]
    pub depends_on: Vec<Uuid>,
    /// A fixed start, in whole seconds.
    #[serde(default)]
    pub pinned_start: Option<DateTime<Utc>>,
    /// Lifecycle status.
    #[serde(default)]
    pub status: TaskStatus,
}

fn default_minutes() -> u32 {
    30
}

impl PlanTask {
    /// A pending task with `PLANNER.md`'s defaults.
    pub fn new(id: Uuid) -> Self {
        Self {
            id,
            title: String::new(),
            priority: 0,
            estimated_minutes: 30,
            due_date: None,
            hard_deadline: false,
            labels: Vec::new(),
            depends_on: Vec::new(),
            pinned_start: None,
            status: TaskStatus::Pending,
        }
    }

    /// Whether the status lets it be planned (`pending` or `in_progress`).
    pub fn is_open(&self) -> bool {
        matches!(self.status, TaskStatus::Pending | TaskStatus::InProgress)
    }
}

/// A request to plan one day (`PLANNER.md`, "Request").
///
/// Deserializing one runs [`PlanDayRequest::from_value`]'s checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "Value")]
pub struct PlanDayRequest {
    /// IANA zone the day is planned in.
    pub timezone: Tz,
    /// The local date to plan.
    pub today: NaiveDate,
    /// Now; nothing new starts before it.
    pub current_time: DateTime<Utc>,
    /// Workday, peak hours, focus cap, meeting buffer.
    pub preferences: PlanPreferences,
    /// The tasks to consider.
    pub tasks: Vec<PlanTask>,
    /// Calendar events, already expanded.
    pub blocked_time: Vec<BlockedTime>,
}

/// Why a task was left out of the plan; the first that applies, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnscheduledCode {
    /// Completed, cancelled, or pinned to another day.
    NotActionable,
    /// A dependency that is not done is unscheduled.
    Blocked,
    /// Longer than the work window.
    TooLong,
    /// Its hard deadline cannot be met even on an empty day.
    Deadline,
    /// A slot exists but the focus cap left is too small.
    FocusCap,
    /// No slot is free.
    NoSlot,
}

impl UnscheduledCode {
    /// The wire name (`not_actionable`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            UnscheduledCode::NotActionable => "not_actionable",
            UnscheduledCode::Blocked => "blocked",
            UnscheduledCode::TooLong => "too_long",
            UnscheduledCode::Deadline => "deadline",
            UnscheduledCode::FocusCap => "focus_cap",
            UnscheduledCode::NoSlot => "no_slot",
        }
    }
}

impl fmt::Display for UnscheduledCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A placed task block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledTask {
    /// The task.
    pub task_id: Uuid,
    /// Start of the block.
    #[serde(with = "instant_z")]
    pub start_time: DateTime<Utc>,
    /// End of the block, exclusive.
    #[serde(with = "instant_z")]
    pub end_time: DateTime<Utc>,
    /// Why it is here, for a person.
    pub rationale: String,
}

/// A task left out of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnscheduledTask {
    /// The task.
    pub task_id: Uuid,
    /// Why, for a person.
    pub reason: String,
    /// Why, for a program.
    pub code: UnscheduledCode,
}

/// A day plan (`PLANNER.md`, "Response").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanDayResponse {
    /// Placed blocks, sorted by (start, task id).
    pub scheduled_tasks: Vec<ScheduledTask>,
    /// Tasks left out, sorted by task id.
    pub unscheduled_tasks: Vec<UnscheduledTask>,
    /// Observations about the day.
    pub insights: Vec<String>,
    /// Things the user should act on.
    pub warnings: Vec<String>,
    /// What became of a refinement by a language model: present only when one was asked
    /// for, and omitted from the JSON when absent (so plain plans print as before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refinement: Option<Refinement>,
}

/// Instants written exactly as `YYYY-MM-DDTHH:MM:SSZ`, read as any RFC 3339 form.
pub mod instant_z {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `YYYY-MM-DDTHH:MM:SSZ`.
    ///
    /// # Errors
    /// Those of the serializer.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&t.format("%Y-%m-%dT%H:%M:%SZ"))
    }

    /// Reads an RFC 3339 instant.
    ///
    /// # Errors
    /// When the text is not RFC 3339.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

/// One problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFieldError {
    /// Path from the request root: `tasks[3].priority`; `""` for text that is not JSON.
    pub field: String,
    /// What is wrong, for a person.
    pub message: String,
}

/// A request the planner cannot read: every problem, in `PLANNER.md`'s order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
#[non_exhaustive]
pub struct PlanError {
    /// The first problem's field.
    pub field: String,
    /// The first problem's message.
    pub message: String,
    /// Every problem, the first included.
    pub errors: Vec<PlanFieldError>,
}

impl PlanError {
    /// An error with a single problem.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        Self {
            errors: vec![PlanFieldError {
                field: field.clone(),
                message: message.clone(),
            }],
            field,
            message,
        }
    }
}

fn null_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl TryFrom<Value> for PlanDayRequest {
    type Error = PlanError;
    fn try_from(value: Value) -> Result<Self, PlanError> {
        Self::from_value(&value)
    }
}

impl PlanDayRequest {
    /// Reads a request from JSON text, collecting every problem.
    ///
    /// # Errors
    /// [`PlanError`] naming every bad field (`""` when the text is not JSON).
    pub fn from_json(text: &str) -> Result<Self, PlanError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| PlanError::single("", format!("not JSON: {e}")))?;
        Self::from_value(&value)
    }

    /// Reads a request from a JSON value, collecting every problem: the shape of each
    /// field, then the rules of [`PlanDayRequest::check`].
    ///
    /// # Errors
    /// [`PlanError`] naming every bad field, ordered as `PLANNER.md` says.
    pub fn from_value(value: &Value) -> Result<Self, PlanError> {
        decode::from_value(value)
    }

    /// The request as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "7e57d004-2b97-0e7a-b45f-5387367791cd";

    fn base(tasks: &str) -> String {
        format!(
            r#"{{"timezone":"America/New_York","today":"2026-03-08","currentTime":"2026-03-08T14:02:00Z","tasks":{tasks}}}"#
        )
    }

    #[test]
    fn defaults_apply_to_absent_and_null_fields() {
        let r = PlanDayRequest::from_json(&base(&format!(
            r#"[{{"id":"{ID}","title":null,"labels":null,"dependsOn":null,"status":null}}]"#
        )))
        .unwrap();
        let t = &r.tasks[0];
        assert_eq!(
            (t.priority, t.estimated_minutes, t.status),
            (0, 30, TaskStatus::Pending)
        );
        assert!(r.blocked_time.is_empty());
        assert_eq!(r.preferences, PlanPreferences::default());
    }

    #[test]
    fn errors_are_collected_in_order() {
        let text = base(&format!(
            r#"[{{"id":"{ID}","status":"later","priority":7}},{{"id":"{ID}","dependsOn":["x"]}}]"#
        ));
        let err = PlanDayRequest::from_json(&text).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "tasks[0].priority",
                "tasks[0].status",
                "tasks[1].id",
                "tasks[1].dependsOn[0]"
            ]
        );
        assert_eq!(err.field, "tasks[0].priority");
    }

    #[test]
    fn cycles_name_the_lowest_index() {
        let a = "00000000-0000-0000-0000-00000000000a";
        let b = "00000000-0000-0000-0000-00000000000b";
        let text = base(&format!(
            r#"[{{"id":"{ID}"}},{{"id":"{a}","dependsOn":["{b}"]}},{{"id":"{b}","dependsOn":["{a}"]}}]"#
        ));
        let err = PlanDayRequest::from_json(&text).unwrap_err();
        assert_eq!(err.field, "tasks[1].dependsOn");
        assert_eq!(err.errors.len(), 1);
    }

    #[test]
    fn bad_preferences_and_events() {
        let text = r#"{"timezone":"UTC","today":"2026-03-08","currentTime":"2026-03-08T14:02:00Z","tasks":[],
            "preferences":{"workdayStart":"24:00","workdayEnd":"08:00","maxFocusHours":25},
            "blockedTime":[{"start":"2026-03-08T10:00:00Z","end":"2026-03-08T09:00:00Z"}]}"#;
        let err = PlanDayRequest::from_json(text).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "preferences.workdayStart",
                "preferences.maxFocusHours",
                "blockedTime[0].end"
            ]
        );
    }

    #[test]
    fn not_json_names_the_root() {
        assert_eq!(PlanDayRequest::from_json("{").unwrap_err().field, "");
    }

    #[test]
    fn response_instants_are_exact() {
        let s = ScheduledTask {
            task_id: Uuid::nil(),
            start_time: "2026-03-08T14:30:00.5Z".parse().unwrap(),
            end_time: "2026-03-08T15:00:00Z".parse().unwrap(),
            rationale: String::new(),
        };
        let json = serde_json::to_string(&s).unwrap();
        assert!(
            json.contains(r#""startTime":"2026-03-08T14:30:00Z""#),
            "{json}"
        );
    }

    #[test]
    fn request_round_trips() {
        let r = PlanDayRequest::from_json(&base(&format!(r#"[{{"id":"{ID}"}}]"#))).unwrap();
        let back: PlanDayRequest = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn integers_must_be_written_as_integers() {
        // PLANNER.md: `priority`, `estimatedMinutes` and `meetingBufferMinutes` are integers.
        let text = format!(
            r#"{{"timezone":"UTC","today":"2026-03-08","currentTime":"2026-03-08T14:02:00Z",
                "preferences":{{"meetingBufferMinutes":15.0}},
                "tasks":[{{"id":"{ID}","priority":2.0,"estimatedMinutes":3e1}}]}}"#
        );
        let err = PlanDayRequest::from_json(&text).unwrap_err();
        let found: Vec<(&str, &str)> = err
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "preferences.meetingBufferMinutes",
                    "expected an integer in 0..=1440, got 15.0"
                ),
                ("tasks[0].priority", "expected an integer in 0..=3, got 2.0"),
                (
                    "tasks[0].estimatedMinutes",
                    "expected an integer in 1..=1440, got 30.0"
                ),
            ]
        );
    }

    #[test]
    fn check_gives_the_readers_errors_for_a_request_built_in_code() {
        let read = PlanDayRequest::from_json(&base(&format!(r#"[{{"id":"{ID}"}}]"#))).unwrap();
        assert_eq!(read.check(), Ok(()));
        let mut built = read.clone();
        built.tasks[0].estimated_minutes = 2000;
        built.tasks.push(PlanTask::new(read.tasks[0].id));
        built.preferences.peak_hours_end = ClockTime::hour(8);
        let err = built.check().unwrap_err();
        let text = base(&format!(
            r#"[{{"id":"{ID}","estimatedMinutes":2000}},{{"id":"{ID}"}}],"preferences":{{"peakHoursEnd":"08:00"}}"#
        ));
        assert_eq!(PlanDayRequest::from_json(&text).unwrap_err(), err);
        assert_eq!(
            err.errors
                .iter()
                .map(|e| e.field.as_str())
                .collect::<Vec<_>>(),
            [
                "preferences.peakHoursEnd",
                "tasks[0].estimatedMinutes",
                "tasks[1].id"
            ]
        );
    }
}
