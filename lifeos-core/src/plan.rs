//! The planner's wire types (`PLANNER.md`): serde only, no planning logic.
//!
//! A [`PlanDayRequest`] is read with [`PlanDayRequest::from_json`] (or serde, which goes
//! through the same checks): every problem is collected into one [`PlanError`] whose
//! `errors` name each field by its path from the request root, in `PLANNER.md`'s order.
//! Absent and `null` fields take `PLANNER.md`'s defaults.
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
//! let err = PlanDayRequest::from_json(r#"{"timezone": "Mars/Olympus", "today": "x"}"#)
//!     .unwrap_err();
//! assert_eq!(err.field, "timezone");
//! assert_eq!(err.errors.len(), 4); // timezone, today, currentTime, tasks
//! ```

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
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

    /// Reads a request from a JSON value, collecting every problem.
    ///
    /// # Errors
    /// [`PlanError`] naming every bad field, ordered as `PLANNER.md` says.
    pub fn from_value(value: &Value) -> Result<Self, PlanError> {
        let mut c = Collector::default();
        let Some(root) = value.as_object() else {
            return Err(PlanError::single("", "a request must be a JSON object"));
        };
        let get = |k: &str| root.get(k).filter(|v| !v.is_null());
        let timezone = match get("timezone") {
            Some(Value::String(s)) => s.parse::<Tz>().ok().or_else(|| {
                c.push(
                    key(0, 0, 0, 0),
                    "timezone",
                    format!("unknown IANA zone {s:?}"),
                );
                None
            }),
            other => c.bad(key(0, 0, 0, 0), "timezone", other, "an IANA zone name"),
        };
        let today = match get("today") {
            Some(Value::String(s)) => parse_date(s).or_else(|| {
                c.push(
                    key(1, 0, 0, 0),
                    "today",
                    format!("expected YYYY-MM-DD, got {s:?}"),
                );
                None
            }),
            other => c.bad(key(1, 0, 0, 0), "today", other, "a date YYYY-MM-DD"),
        };
        let current_time = c.instant(key(2, 0, 0, 0), "currentTime", get("currentTime"), true);
        let preferences = c.preferences(get("preferences"));
        let tasks = match get("tasks") {
            Some(Value::Array(items)) => c.tasks(items),
            other => {
                c.bad::<()>(key(4, 0, 0, 0), "tasks", other, "an array of tasks");
                Vec::new()
            }
        };
        let blocked_time = match get("blockedTime") {
            None => Vec::new(),
            Some(Value::Array(items)) => c.events(items),
            Some(other) => {
                c.bad::<()>(key(5, 0, 0, 0), "blockedTime", Some(other), "an array");
                Vec::new()
            }
        };
        c.finish()?;
        match (timezone, today, current_time) {
            (Some(timezone), Some(today), Some(current_time)) => Ok(Self {
                timezone,
                today,
                current_time,
                preferences,
                tasks,
                blocked_time,
            }),
            _ => Err(PlanError::single("", "invalid request")),
        }
    }

    /// The request as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Sort key of an error: (section, index, field position, sub-index).
type Key = (u8, usize, u8, usize);

fn key(section: u8, index: usize, field: u8, sub: usize) -> Key {
    (section, index, field, sub)
}

#[derive(Default)]
struct Collector {
    errors: Vec<(Key, PlanFieldError)>,
}

fn describe(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "nothing".to_owned(),
        Some(v) => {
            let text = v.to_string();
            if text.chars().count() > 60 {
                let cut: String = text.chars().take(60).collect();
                format!("{cut}…")
            } else {
                text
            }
        }
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            // Integral floats within i64 range are integers; truncation is exact.
            #[allow(clippy::cast_possible_truncation)]
            (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
        }),
        _ => None,
    }
}

impl Collector {
    fn push(&mut self, k: Key, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push((
            k,
            PlanFieldError {
                field: field.into(),
                message: message.into(),
            },
        ));
    }

    fn bad<T>(&mut self, k: Key, field: &str, v: Option<&Value>, expected: &str) -> Option<T> {
        self.push(
            k,
            field,
            format!("expected {expected}, got {}", describe(v)),
        );
        None
    }

    fn instant(
        &mut self,
        k: Key,
        field: &str,
        v: Option<&Value>,
        required: bool,
    ) -> Option<DateTime<Utc>> {
        match v {
            None if !required => None,
            Some(Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_) => self.bad(k, field, v, "an RFC 3339 instant"),
            },
            _ => self.bad(k, field, v, "an RFC 3339 instant"),
        }
    }

    fn preferences(&mut self, v: Option<&Value>) -> PlanPreferences {
        let mut p = PlanPreferences::default();
        let obj = match v {
            None => return p,
            Some(Value::Object(o)) => o,
            Some(other) => {
                self.bad::<()>(key(3, 0, 0, 0), "preferences", Some(other), "an object");
                return p;
            }
        };
        let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
        let names = [
            "workdayStart",
            "workdayEnd",
            "peakHoursStart",
            "peakHoursEnd",
        ];
        let mut clocks = [
            p.workday_start,
            p.workday_end,
            p.peak_hours_start,
            p.peak_hours_end,
        ];
        let mut ok = [true; 4];
        for (i, name) in names.iter().enumerate() {
            let field = format!("preferences.{name}");
            #[allow(clippy::cast_possible_truncation)]
            let k = key(3, 0, i as u8, 0);
            let is_end = i % 2 == 1;
            match get(name) {
                None => {}
                Some(Value::String(s)) => {
                    match ClockTime::parse(s).filter(|t| is_end || *t < ClockTime::END_OF_DAY) {
                        Some(t) => clocks[i] = t,
                        None => {
                            ok[i] = false;
                            let range = if is_end {
                                "00:00 to 24:00"
                            } else {
                                "00:00 to 23:59"
                            };
                            self.push(
                                k,
                                field.clone(),
                                format!("expected HH:MM from {range}, got {s:?}"),
                            );
                        }
                    }
                }
                other => {
                    ok[i] = false;
                    self.bad::<()>(k, &field, other, "a time HH:MM");
                }
            }
            if is_end && ok[i] && ok[i - 1] && clocks[i] <= clocks[i - 1] {
                self.push(
                    k,
                    field,
                    format!(
                        "{} must be after {} ({})",
                        clocks[i],
                        names[i - 1],
                        clocks[i - 1]
                    ),
                );
            }
        }
        [
            p.workday_start,
            p.workday_end,
            p.peak_hours_start,
            p.peak_hours_end,
        ] = clocks;
        match get("maxFocusHours") {
            None => {}
            Some(Value::Number(n)) if n.as_f64().is_some_and(|h| (0.0..=24.0).contains(&h)) => {
                p.max_focus_hours = n.as_f64().unwrap_or(6.0);
            }
            other => {
                self.bad::<()>(
                    key(3, 0, 4, 0),
                    "preferences.maxFocusHours",
                    other,
                    "a number of hours in 0..=24",
                );
            }
        }
        match get("meetingBufferMinutes") {
            None => {}
            Some(v) => match as_int(v).filter(|m| (0..=1440).contains(m)) {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Some(m) => p.meeting_buffer_minutes = m as u32,
                None => {
                    self.bad::<()>(
                        key(3, 0, 5, 0),
                        "preferences.meetingBufferMinutes",
                        Some(v),
                        "an integer in 0..=1440",
                    );
                }
            },
        }
        p
    }

    fn tasks(&mut self, items: &[Value]) -> Vec<PlanTask> {
        let mut out = Vec::with_capacity(items.len());
        let mut seen: HashMap<Uuid, usize> = HashMap::new();
        let mut deps_ok = vec![false; items.len()];
        for (i, item) in items.iter().enumerate() {
            let path = |f: &str| format!("tasks[{i}].{f}");
            let Some(obj) = item.as_object() else {
                self.bad::<()>(
                    key(4, i, 0, 0),
                    &format!("tasks[{i}]"),
                    Some(item),
                    "a task object",
                );
                out.push(PlanTask::new(Uuid::nil()));
                continue;
            };
            let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
            let mut task = PlanTask::new(Uuid::nil());
            match get("id") {
                Some(Value::String(s)) => match Uuid::parse_str(s) {
                    Ok(id) => {
                        if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(id) {
                            slot.insert(i);
                        } else {
                            self.push(
                                key(4, i, 0, 0),
                                path("id"),
                                format!("duplicate task id {id}"),
                            );
                        }
                        task.id = id;
                    }
                    Err(_) => {
                        self.bad::<()>(key(4, i, 0, 0), &path("id"), get("id"), "a UUID");
                    }
                },
                other => {
                    self.bad::<()>(key(4, i, 0, 0), &path("id"), other, "a UUID");
                }
            }
            match get("title") {
                None => {}
                Some(Value::String(s)) => task.title.clone_from(s),
                other => {
                    self.bad::<()>(key(4, i, 1, 0), &path("title"), other, "a string");
                }
            }
            match get("priority") {
                None => {}
                Some(v) => match as_int(v).filter(|p| (0..=3).contains(p)) {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Some(p) => task.priority = p as u8,
                    None => {
                        self.bad::<()>(
                            key(4, i, 2, 0),
                            &path("priority"),
                            Some(v),
                            "an integer in 0..=3",
                        );
                    }
                },
            }
            match get("estimatedMinutes") {
                None => {}
                Some(v) => match as_int(v).filter(|m| (1..=1440).contains(m)) {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Some(m) => task.estimated_minutes = m as u32,
                    None => {
                        self.bad::<()>(
                            key(4, i, 3, 0),
                            &path("estimatedMinutes"),
                            Some(v),
                            "an integer in 1..=1440",
                        );
                    }
                },
            }
            task.due_date = self.instant(key(4, i, 4, 0), &path("dueDate"), get("dueDate"), false);
            match get("hardDeadline") {
                None => {}
                Some(Value::Bool(b)) => task.hard_deadline = *b,
                other => {
                    self.bad::<()>(
                        key(4, i, 5, 0),
                        &path("hardDeadline"),
                        other,
                        "true or false",
                    );
                }
            }
            match get("labels") {
                None => {}
                Some(Value::Array(labels)) => {
                    for (j, l) in labels.iter().enumerate() {
                        match l {
                            Value::String(s) => task.labels.push(s.clone()),
                            other => {
                                self.bad::<()>(
                                    key(4, i, 6, j),
                                    &format!("tasks[{i}].labels[{j}]"),
                                    Some(other),
                                    "a string",
                                );
                            }
                        }
                    }
                }
                other => {
                    self.bad::<()>(
                        key(4, i, 6, 0),
                        &path("labels"),
                        other,
                        "an array of strings",
                    );
                }
            }
            match get("dependsOn") {
                None => deps_ok[i] = true,
                Some(Value::Array(deps)) => {
                    deps_ok[i] = true;
                    for (j, d) in deps.iter().enumerate() {
                        match d.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                            Some(id) => task.depends_on.push(id),
                            None => {
                                deps_ok[i] = false;
                                self.bad::<()>(
                                    key(4, i, 7, j + 1),
                                    &format!("tasks[{i}].dependsOn[{j}]"),
                                    Some(d),
                                    "a UUID",
                                );
                            }
                        }
                    }
                }
                other => {
                    self.bad::<()>(
                        key(4, i, 7, 0),
                        &path("dependsOn"),
                        other,
                        "an array of UUIDs",
                    );
                }
            }
            match get("pinnedStart") {
                None => {}
                Some(v) => {
                    if let Some(t) =
                        self.instant(key(4, i, 8, 0), &path("pinnedStart"), Some(v), true)
                    {
                        if t.nanosecond() == 0 {
                            task.pinned_start = Some(t);
                        } else {
                            self.push(
                                key(4, i, 8, 0),
                                path("pinnedStart"),
                                "a pinned start must be in whole seconds",
                            );
                        }
                    }
                }
            }
            match get("status") {
                None => {}
                Some(v) => match v.as_str() {
                    Some("pending") => task.status = TaskStatus::Pending,
                    Some("in_progress") => task.status = TaskStatus::InProgress,
                    Some("completed") => task.status = TaskStatus::Completed,
                    Some("cancelled") => task.status = TaskStatus::Cancelled,
                    _ => {
                        self.bad::<()>(
                            key(4, i, 9, 0),
                            &path("status"),
                            Some(v),
                            "one of pending, in_progress, completed, cancelled",
                        );
                    }
                },
            }
            out.push(task);
        }
        self.cycles(&out, &seen);
        out
    }

    /// One error per dependency cycle, at `tasks[i].dependsOn` for its lowest index.
    fn cycles(&mut self, tasks: &[PlanTask], index: &HashMap<Uuid, usize>) {
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
        for i in in_cycle_min {
            self.push(
                key(4, i, 7, 0),
                format!("tasks[{i}].dependsOn"),
                "dependency cycle among the tasks",
            );
        }
    }

    fn events(&mut self, items: &[Value]) -> Vec<BlockedTime> {
        let mut out = Vec::new();
        for (j, item) in items.iter().enumerate() {
            let path = |f: &str| format!("blockedTime[{j}].{f}");
            let Some(obj) = item.as_object() else {
                self.bad::<()>(
                    key(5, j, 0, 0),
                    &format!("blockedTime[{j}]"),
                    Some(item),
                    "an event object",
                );
                continue;
            };
            let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
            let title = match get("title") {
                None => String::new(),
                Some(Value::String(s)) => s.clone(),
                other => {
                    self.bad::<()>(key(5, j, 0, 0), &path("title"), other, "a string");
                    String::new()
                }
            };
            let start = self.instant(key(5, j, 1, 0), &path("start"), get("start"), true);
            let end = self.instant(key(5, j, 2, 0), &path("end"), get("end"), true);
            if let (Some(s), Some(e)) = (start, end)
                && e < s
            {
                self.push(
                    key(5, j, 2, 0),
                    path("end"),
                    "an event cannot end before it starts",
                );
            }
            let is_all_day = match get("isAllDay") {
                None => false,
                Some(Value::Bool(b)) => *b,
                other => {
                    self.bad::<()>(key(5, j, 3, 0), &path("isAllDay"), other, "true or false");
                    false
                }
            };
            let busy = match get("busy") {
                None => None,
                Some(Value::Bool(b)) => Some(*b),
                other => {
                    self.bad::<()>(key(5, j, 4, 0), &path("busy"), other, "true or false");
                    None
                }
            };
            if let (Some(start), Some(end)) = (start, end) {
                out.push(BlockedTime {
                    title,
                    start,
                    end,
                    is_all_day,
                    busy,
                });
            }
        }
        out
    }

    fn finish(mut self) -> Result<(), PlanError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        self.errors.sort_by_key(|e| e.0);
        let errors: Vec<PlanFieldError> = self.errors.into_iter().map(|(_, e)| e).collect();
        Err(PlanError {
            field: errors[0].field.clone(),
            message: errors[0].message.clone(),
            errors,
        })
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
}
