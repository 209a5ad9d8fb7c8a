//! The week planner's wire types (`PLANNER-WEEK.md`): a horizon of days, working weekdays,
//! tasks in chunks and the previous plan to keep. Serde only, no planning logic.
//!
//! A [`PlanWeekRequest`] is read with [`PlanWeekRequest::from_json`] (or serde, which goes
//! through the same checks): every problem is collected into one [`PlanError`], each field
//! named by its path from the request root, in `PLANNER-WEEK.md`'s order. The fields a week
//! shares with a day are read by [`PlanDayRequest::from_value`], so both contracts always
//! agree on them.
//!
//! ```
//! use lifeos_core::plan::week::PlanWeekRequest;
//!
//! let request = PlanWeekRequest::from_json(
//!     r#"{"timezone": "Europe/Berlin", "today": "2026-03-09",
//!         "currentTime": "2026-03-09T07:40:00Z",
//!         "tasks": [{"id": "7e57d004-2b97-0e7a-b45f-5387367791cd",
//!                    "estimatedMinutes": 600, "maxChunkMinutes": 120}]}"#,
//! )
//! .unwrap();
//! assert_eq!(request.horizon_days, 7);
//! assert_eq!(request.tasks[0].chunk_range(), Some((30, 120)));
//!
//! let err = PlanWeekRequest::from_json(
//!     r#"{"timezone": "UTC", "today": "2026-03-09", "currentTime": "2026-03-09T07:40:00Z",
//!         "horizonDays": 15, "tasks": [{"id": "x", "maxChunkMinutes": 7}]}"#,
//! )
//! .unwrap_err();
//! let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
//! assert_eq!(fields, ["horizonDays", "tasks[0].id", "tasks[0].maxChunkMinutes"]);
//! ```

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{
    BlockedTime, PlanDayRequest, PlanError, PlanFieldError, PlanPreferences, PlanTask,
    UnscheduledTask, instant_z,
};

/// Most days a week request may plan.
pub const MAX_HORIZON_DAYS: u8 = 14;
/// Longest estimate of a split task, in minutes (two weeks).
pub const MAX_SPLIT_MINUTES: u32 = 20_160;

/// The ISO weekdays work may be planned on (`preferences.workingDays`); never empty.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkingDays(u8);

impl WorkingDays {
    /// Monday to Friday, the default.
    pub const WEEKDAYS: WorkingDays = WorkingDays(0b001_1111);
    /// Every day of the week (the one-day reduction of a day request).
    pub const ALL: WorkingDays = WorkingDays(0b111_1111);

    /// The set of ISO weekdays (1 = Monday ... 7 = Sunday); `None` when the list is empty,
    /// holds a number outside 1..=7 or repeats one.
    pub fn from_iso(days: &[u8]) -> Option<WorkingDays> {
        let mut bits = 0u8;
        for &d in days {
            if !(1..=7).contains(&d) || bits & (1 << (d - 1)) != 0 {
                return None;
            }
            bits |= 1 << (d - 1);
        }
        (bits != 0).then_some(WorkingDays(bits))
    }

    /// Whether work may be planned on `day`.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// The ISO weekday numbers, ascending.
    pub fn iso_days(self) -> Vec<u8> {
        (1..=7u8).filter(|d| self.0 & (1 << (d - 1)) != 0).collect()
    }
}

impl Default for WorkingDays {
    fn default() -> Self {
        WorkingDays::WEEKDAYS
    }
}

impl fmt::Debug for WorkingDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WorkingDays")
            .field(&self.iso_days())
            .finish()
    }
}

impl Serialize for WorkingDays {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.iso_days().serialize(s)
    }
}

impl<'de> Deserialize<'de> for WorkingDays {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let days = Vec::<u8>::deserialize(d)?;
        WorkingDays::from_iso(&days).ok_or_else(|| {
            serde::de::Error::custom("expected distinct ISO weekdays 1..=7, at least one")
        })
    }
}

/// A week request's preferences: the day's, plus the working weekdays.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeekPreferences {
    /// Workday, peak hours, focus cap (per date) and meeting buffer, as for a day.
    #[serde(flatten)]
    pub day: PlanPreferences,
    /// Weekdays that take non-pinned work (default Monday to Friday).
    pub working_days: WorkingDays,
}

/// One task of a week request: a day task plus its chunk limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanWeekTask {
    /// The task as a day request has it; `estimated_minutes` may reach 20,160 when split.
    #[serde(flatten)]
    pub task: PlanTask,
    /// Shortest chunk in minutes (a multiple of 5 in 5..=1440), if set.
    #[serde(default)]
    pub min_chunk_minutes: Option<u32>,
    /// Longest chunk in minutes (a multiple of 5 in 5..=1440), if set.
    #[serde(default)]
    pub max_chunk_minutes: Option<u32>,
}

impl PlanWeekTask {
    /// An unsplit week task.
    pub fn new(task: PlanTask) -> Self {
        Self {
            task,
            min_chunk_minutes: None,
            max_chunk_minutes: None,
        }
    }

    /// Whether it is split: `maxChunkMinutes < estimatedMinutes` and no `pinnedStart`.
    pub fn is_split(&self) -> bool {
        self.task.pinned_start.is_none()
            && self
                .max_chunk_minutes
                .is_some_and(|max| max < self.task.estimated_minutes)
    }

    /// `(min, max)` chunk minutes of a split task (min defaults to min(30, max)); `None`
    /// when it is unsplit.
    pub fn chunk_range(&self) -> Option<(u32, u32)> {
        let max = self.max_chunk_minutes.filter(|_| self.is_split())?;
        Some((self.min_chunk_minutes.unwrap_or(max.min(30)), max))
    }
}

/// A block of an earlier plan (`previousPlan` entries); a response's `scheduledTasks`
/// entries read as these (other keys are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviousBlock {
    /// The task.
    pub task_id: Uuid,
    /// Start of the block, compared exactly.
    pub start_time: DateTime<Utc>,
    /// End of the block, exclusive, compared exactly.
    pub end_time: DateTime<Utc>,
}

/// A request to plan several days (`PLANNER-WEEK.md`, "Request").
///
/// Deserializing one runs [`PlanWeekRequest::from_value`]'s checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "Value")]
pub struct PlanWeekRequest {
    /// IANA zone the days are planned in.
    pub timezone: Tz,
    /// The first local date of the horizon (day index 0).
    pub today: NaiveDate,
    /// Now; nothing new starts before it.
    pub current_time: DateTime<Utc>,
    /// Days planned, 1..=14 (default 7).
    pub horizon_days: u8,
    /// Workday, peak hours, focus cap, meeting buffer, working weekdays.
    pub preferences: WeekPreferences,
    /// The tasks to consider.
    pub tasks: Vec<PlanWeekTask>,
    /// Calendar events, already expanded.
    pub blocked_time: Vec<BlockedTime>,
    /// Blocks of the last plan; each one reproduced exactly earns the keep bonus.
    pub previous_plan: Vec<PreviousBlock>,
}

/// One block of a week plan (`scheduledTasks` entries of a week response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeekScheduledTask {
    /// The task.
    pub task_id: Uuid,
    /// 0-based index of this block among the task's blocks, in start order.
    pub chunk: u32,
    /// How many blocks the task has.
    pub chunk_count: u32,
    /// The estimate minus the minutes of all the task's blocks (0 unless a progress task).
    pub remaining_minutes: u32,
    /// Start of the block.
    #[serde(with = "instant_z")]
    pub start_time: DateTime<Utc>,
    /// End of the block, exclusive.
    #[serde(with = "instant_z")]
    pub end_time: DateTime<Utc>,
    /// Why it is here, for a person.
    pub rationale: String,
}

/// A week plan (`PLANNER-WEEK.md`, "Response").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanWeekResponse {
    /// Placed blocks, sorted by (start, task id).
    pub scheduled_tasks: Vec<WeekScheduledTask>,
    /// Tasks left out, sorted by task id.
    pub unscheduled_tasks: Vec<UnscheduledTask>,
    /// Observations about the week (focus minutes per day among them).
    pub insights: Vec<String>,
    /// Things the user should act on.
    pub warnings: Vec<String>,
}

impl TryFrom<Value> for PlanWeekRequest {
    type Error = PlanError;
    fn try_from(value: Value) -> Result<Self, PlanError> {
        Self::from_value(&value)
    }
}

impl PlanWeekRequest {
    /// The one-day reduction of a day request: `horizonDays` 1, every weekday working,
    /// no chunk fields, no previous plan.
    pub fn from_day(day: &PlanDayRequest) -> Self {
        Self {
            timezone: day.timezone,
            today: day.today,
            current_time: day.current_time,
            horizon_days: 1,
            preferences: WeekPreferences {
                day: day.preferences.clone(),
                working_days: WorkingDays::ALL,
            },
            tasks: day.tasks.iter().cloned().map(PlanWeekTask::new).collect(),
            blocked_time: day.blocked_time.clone(),
            previous_plan: Vec::new(),
        }
    }

    /// The local date of day index `k`.
    pub fn date(&self, k: u8) -> Option<NaiveDate> {
        self.today.checked_add_days(chrono::Days::new(u64::from(k)))
    }

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
    /// [`PlanError`] naming every bad field, ordered as `PLANNER-WEEK.md` says.
    pub fn from_value(value: &Value) -> Result<Self, PlanError> {
        let Some(root) = value.as_object() else {
            return Err(PlanError::single("", "a request must be a JSON object"));
        };
        let get = |k: &str| root.get(k).filter(|v| !v.is_null());
        let mut errors: Vec<PlanFieldError> = Vec::new();
        let mut bad = |field: String, message: String| {
            errors.push(PlanFieldError { field, message });
        };

        // The day decoder reads everything a week shares with a day; estimates are the
        // week's own (split tasks may exceed a day), so it does not see them.
        let mut shared = root.clone();
        if let Some(Value::Array(tasks)) = shared.get_mut("tasks") {
            for task in tasks.iter_mut() {
                if let Value::Object(obj) = task {
                    obj.remove("estimatedMinutes");
                }
            }
        }
        let day = PlanDayRequest::from_value(&Value::Object(shared));

        let horizon_days = match get("horizonDays") {
            None => 7,
            Some(v) => match as_int(v).filter(|h| (1..=i64::from(MAX_HORIZON_DAYS)).contains(h)) {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Some(h) => h as u8,
                None => {
                    bad(
                        "horizonDays".into(),
                        format!("expected an integer in 1..=14, got {}", describe(Some(v))),
                    );
                    7
                }
            },
        };
        let working_days = match get("preferences").and_then(Value::as_object) {
            Some(prefs) => match prefs.get("workingDays").filter(|v| !v.is_null()) {
                None => WorkingDays::default(),
                Some(v) => match read_working_days(v) {
                    Some(w) => w,
                    None => {
                        bad(
                            "preferences.workingDays".into(),
                            format!(
                                "expected a non-empty array of distinct ISO weekdays 1..=7, got {}",
                                describe(Some(v))
                            ),
                        );
                        WorkingDays::default()
                    }
                },
            },
            None => WorkingDays::default(),
        };
        let chunks: Vec<Option<Chunks>> = match get("tasks") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| item.as_object().map(|obj| read_chunks(i, obj, &mut bad)))
                .collect(),
            _ => Vec::new(),
        };
        let previous_plan = match get("previousPlan") {
            None => Vec::new(),
            Some(Value::Array(items)) => read_previous(items, &mut bad),
            Some(other) => {
                bad(
                    "previousPlan".into(),
                    format!("expected an array or null, got {}", describe(Some(other))),
                );
                Vec::new()
            }
        };

        let mut all: Vec<PlanFieldError> = match &day {
            Ok(_) => Vec::new(),
            Err(e) => e.errors.clone(),
        };
        all.extend(errors);
        if !all.is_empty() {
            // A stable sort: errors at one place keep the order they were found in.
            all.sort_by_key(|e| Place::of(&e.field));
            return Err(PlanError {
                field: all[0].field.clone(),
                message: all[0].message.clone(),
                errors: all,
            });
        }
        let day = day?;
        let tasks = day
            .tasks
            .into_iter()
            .zip(chunks)
            .map(|(mut task, chunk)| {
                let (min, max, minutes) = chunk.unwrap_or((None, None, 30));
                task.estimated_minutes = minutes;
                PlanWeekTask {
                    task,
                    min_chunk_minutes: min,
                    max_chunk_minutes: max,
                }
            })
            .collect();
        Ok(Self {
            timezone: day.timezone,
            today: day.today,
            current_time: day.current_time,
            horizon_days,
            preferences: WeekPreferences {
                day: day.preferences,
                working_days,
            },
            tasks,
            blocked_time: day.blocked_time,
            previous_plan,
        })
    }

    /// The request as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
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

/// A task's chunk fields and estimate as read: (min, max, estimate).
type Chunks = (Option<u32>, Option<u32>, u32);

fn read_working_days(v: &Value) -> Option<WorkingDays> {
    let items = v.as_array()?;
    let mut days = Vec::with_capacity(items.len());
    for item in items {
        let d = as_int(item).filter(|d| (1..=7).contains(d))?;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        days.push(d as u8);
    }
    WorkingDays::from_iso(&days)
}

/// Reads task `i`'s chunk fields and estimate: (min, max, estimate), each invalid value
/// replaced by null (or the default estimate) after its error is recorded.
fn read_chunks(i: usize, obj: &Map<String, Value>, bad: &mut impl FnMut(String, String)) -> Chunks {
    let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
    let mut chunk = |name: &str| -> Option<u32> {
        let v = get(name)?;
        match as_int(v).filter(|m| (5..=1440).contains(m) && m % 5 == 0) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(m) => Some(m as u32),
            None => {
                bad(
                    format!("tasks[{i}].{name}"),
                    format!(
                        "expected a multiple of 5 in 5..=1440, got {}",
                        describe(Some(v))
                    ),
                );
                None
            }
        }
    };
    let min = chunk("minChunkMinutes");
    let max = chunk("maxChunkMinutes");
    let pinned = get("pinnedStart").is_some();
    let estimate = match get("estimatedMinutes") {
        None => Some(30),
        Some(v) => as_int(v).filter(|&m| m >= 1),
    };
    let split = !pinned && matches!((estimate, max), (Some(e), Some(m)) if i64::from(m) < e);
    let limit = if split {
        i64::from(MAX_SPLIT_MINUTES)
    } else {
        1440
    };
    let field = format!("tasks[{i}].estimatedMinutes");
    let minutes = match estimate {
        Some(e) if e > limit => {
            let why = if split {
                "a split task's estimate is at most 20160 minutes"
            } else {
                "an unsplit task's estimate is at most 1440 minutes (set maxChunkMinutes to split it)"
            };
            bad(field, format!("{why}, got {e}"));
            None
        }
        Some(e) if split && e % 5 != 0 => {
            bad(
                field,
                format!("a split task's estimate must be a multiple of 5, got {e}"),
            );
            None
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(e) => Some(e as u32),
        None => {
            bad(
                field,
                format!(
                    "expected an integer in 1..=1440 (up to 20160 for a split task), got {}",
                    describe(get("estimatedMinutes"))
                ),
            );
            None
        }
    };
    if split && let Some(max) = max {
        let lo = min.unwrap_or(max.min(30));
        if lo > max {
            bad(
                format!("tasks[{i}].minChunkMinutes"),
                format!("minChunkMinutes ({lo}) must not exceed maxChunkMinutes ({max})"),
            );
        } else if let Some(e) = minutes {
            // The fewest chunks that can hold the estimate must not exceed it at the minimum.
            let n = e.div_ceil(max);
            if n * lo > e {
                bad(
                    format!("tasks[{i}].minChunkMinutes"),
                    format!(
                        "no number of chunks of {lo} to {max} minutes sums to the estimate of {e}"
                    ),
                );
            }
        }
    }
    (min, max, minutes.unwrap_or(30))
}

fn read_previous(items: &[Value], bad: &mut impl FnMut(String, String)) -> Vec<PreviousBlock> {
    let mut out = Vec::new();
    for (k, item) in items.iter().enumerate() {
        let Some(obj) = item.as_object() else {
            bad(
                format!("previousPlan[{k}]"),
                format!("expected a block object, got {}", describe(Some(item))),
            );
            continue;
        };
        let get = |f: &str| obj.get(f).filter(|v| !v.is_null());
        let task_id = match get("taskId") {
            Some(Value::String(s)) => Uuid::parse_str(s).ok(),
            _ => None,
        };
        if task_id.is_none() {
            bad(
                format!("previousPlan[{k}].taskId"),
                format!("expected a UUID, got {}", describe(get("taskId"))),
            );
        }
        let mut instant = |f: &str| -> Option<DateTime<Utc>> {
            let t = match get(f) {
                Some(Value::String(s)) => DateTime::parse_from_rfc3339(s).ok(),
                _ => None,
            };
            if t.is_none() {
                bad(
                    format!("previousPlan[{k}].{f}"),
                    format!("expected an RFC 3339 instant, got {}", describe(get(f))),
                );
            }
            t.map(|t| t.with_timezone(&Utc))
        };
        let start = instant("startTime");
        let end = instant("endTime");
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            bad(
                format!("previousPlan[{k}].endTime"),
                "a block must end after it starts".into(),
            );
        }
        if let (Some(task_id), Some(start_time), Some(end_time)) = (task_id, start, end) {
            out.push(PreviousBlock {
                task_id,
                start_time,
                end_time,
            });
        }
    }
    out
}

/// Where an error's field sits in `PLANNER-WEEK.md`'s order, read from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Root,
    Timezone,
    Today,
    CurrentTime,
    HorizonDays,
    Preferences(PrefField),
    Tasks,
    Task(usize, TaskField, Option<usize>),
    BlockedTime,
    Event(usize, EventField),
    PreviousPlan,
    Previous(usize, PreviousField),
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PrefField {
    Whole,
    WorkdayStart,
    WorkdayEnd,
    PeakHoursStart,
    PeakHoursEnd,
    MaxFocusHours,
    MeetingBufferMinutes,
    WorkingDays,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TaskField {
    Whole,
    Title,
    Priority,
    EstimatedMinutes,
    MinChunkMinutes,
    MaxChunkMinutes,
    DueDate,
    HardDeadline,
    Labels,
    DependsOn,
    PinnedStart,
    Status,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EventField {
    Whole,
    Title,
    Start,
    End,
    IsAllDay,
    Busy,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreviousField {
    Whole,
    TaskId,
    StartTime,
    EndTime,
    Unknown,
}

/// `name[3]` as (`name`, 3); `name` as (`name`, none).
fn indexed(s: &str) -> (&str, Option<usize>) {
    match s.split_once('[') {
        Some((name, rest)) => (name, rest.strip_suffix(']').and_then(|n| n.parse().ok())),
        None => (s, None),
    }
}

impl Place {
    fn of(field: &str) -> Place {
        let (head, rest) = match field.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (field, None),
        };
        let (name, index) = indexed(head);
        match (name, index, rest) {
            ("", None, None) => Place::Root,
            ("timezone", None, None) => Place::Timezone,
            ("today", None, None) => Place::Today,
            ("currentTime", None, None) => Place::CurrentTime,
            ("horizonDays", None, None) => Place::HorizonDays,
            ("preferences", None, None) => Place::Preferences(PrefField::Whole),
            ("preferences", None, Some(f)) => Place::Preferences(match f {
                "workdayStart" => PrefField::WorkdayStart,
                "workdayEnd" => PrefField::WorkdayEnd,
                "peakHoursStart" => PrefField::PeakHoursStart,
                "peakHoursEnd" => PrefField::PeakHoursEnd,
                "maxFocusHours" => PrefField::MaxFocusHours,
                "meetingBufferMinutes" => PrefField::MeetingBufferMinutes,
                "workingDays" => PrefField::WorkingDays,
                _ => PrefField::Unknown,
            }),
            ("tasks", None, None) => Place::Tasks,
            ("tasks", Some(i), None) => Place::Task(i, TaskField::Whole, None),
            ("tasks", Some(i), Some(f)) => {
                let (f, sub) = indexed(f);
                let field = match f {
                    "id" => TaskField::Whole,
                    "title" => TaskField::Title,
                    "priority" => TaskField::Priority,
                    "estimatedMinutes" => TaskField::EstimatedMinutes,
                    "minChunkMinutes" => TaskField::MinChunkMinutes,
                    "maxChunkMinutes" => TaskField::MaxChunkMinutes,
                    "dueDate" => TaskField::DueDate,
                    "hardDeadline" => TaskField::HardDeadline,
                    "labels" => TaskField::Labels,
                    "dependsOn" => TaskField::DependsOn,
                    "pinnedStart" => TaskField::PinnedStart,
                    "status" => TaskField::Status,
                    _ => TaskField::Unknown,
                };
                Place::Task(i, field, sub)
            }
            ("blockedTime", None, None) => Place::BlockedTime,
            ("blockedTime", Some(j), f) => Place::Event(
                j,
                match f {
                    None => EventField::Whole,
                    Some("title") => EventField::Title,
                    Some("start") => EventField::Start,
                    Some("end") => EventField::End,
                    Some("isAllDay") => EventField::IsAllDay,
                    Some("busy") => EventField::Busy,
                    Some(_) => EventField::Unknown,
                },
            ),
            ("previousPlan", None, None) => Place::PreviousPlan,
            ("previousPlan", Some(k), f) => Place::Previous(
                k,
                match f {
                    None => PreviousField::Whole,
                    Some("taskId") => PreviousField::TaskId,
                    Some("startTime") => PreviousField::StartTime,
                    Some("endTime") => PreviousField::EndTime,
                    Some(_) => PreviousField::Unknown,
                },
            ),
            _ => Place::Unknown,
        }
    }
}

/// The ISO weekday number (1 = Monday) of a date.
pub fn iso_weekday(date: NaiveDate) -> u8 {
    #[allow(clippy::cast_possible_truncation)]
    let n = date.weekday().number_from_monday() as u8;
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "7e57d004-2b97-0e7a-b45f-5387367791cd";

    fn base(extra: &str, tasks: &str) -> String {
        format!(
            r#"{{"timezone":"Europe/Berlin","today":"2026-03-09","currentTime":"2026-03-09T07:40:00Z"{extra},"tasks":{tasks}}}"#
        )
    }

    fn fields(text: &str) -> Vec<String> {
        PlanWeekRequest::from_json(text)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn defaults_and_split_tasks() {
        let r = PlanWeekRequest::from_json(&base(
            "",
            &format!(
                r#"[{{"id":"{ID}","estimatedMinutes":600,"minChunkMinutes":60,"maxChunkMinutes":120}}]"#
            ),
        ))
        .unwrap();
        assert_eq!(r.horizon_days, 7);
        assert_eq!(r.preferences.working_days, WorkingDays::WEEKDAYS);
        assert_eq!(r.tasks[0].task.estimated_minutes, 600);
        assert_eq!(r.tasks[0].chunk_range(), Some((60, 120)));
        assert!(r.previous_plan.is_empty());
    }

    #[test]
    fn unsplit_when_pinned_or_max_not_below_the_estimate() {
        let r = PlanWeekRequest::from_json(&base(
            "",
            &format!(
                r#"[{{"id":"{ID}","estimatedMinutes":60,"maxChunkMinutes":60,"minChunkMinutes":90}}]"#
            ),
        ))
        .unwrap();
        assert_eq!(r.tasks[0].chunk_range(), None);
    }

    #[test]
    fn week_errors_sit_in_the_contract_order() {
        let text = format!(
            r#"{{"timezone":"Mars/Base","today":"2026-03-09","currentTime":"2026-03-09T07:40:00Z",
            "horizonDays":0,
            "preferences":{{"workingDays":[1,1],"meetingBufferMinutes":-1}},
            "tasks":[{{"id":"{ID}","estimatedMinutes":2000,"priority":9,"maxChunkMinutes":7,"status":"x"}},
                     {{"id":"00000000-0000-0000-0000-000000000001","estimatedMinutes":601,"maxChunkMinutes":120,"minChunkMinutes":125}},
                     {{"id":"00000000-0000-0000-0000-000000000002","estimatedMinutes":100,"maxChunkMinutes":40,"minChunkMinutes":35}}],
            "blockedTime":[{{"start":"2026-03-09T10:00:00Z","end":"x"}}],
            "previousPlan":[{{"taskId":"y","startTime":"2026-03-09T10:00:00Z","endTime":"2026-03-09T09:00:00Z"}}]}}"#
        );
        assert_eq!(
            fields(&text),
            [
                "timezone",
                "horizonDays",
                "preferences.meetingBufferMinutes",
                "preferences.workingDays",
                "tasks[0].priority",
                "tasks[0].estimatedMinutes",
                "tasks[0].maxChunkMinutes",
                "tasks[0].status",
                "tasks[1].estimatedMinutes",
                "tasks[1].minChunkMinutes",
                "tasks[2].minChunkMinutes",
                "blockedTime[0].end",
                "previousPlan[0].taskId",
                "previousPlan[0].endTime",
            ]
        );
    }

    #[test]
    fn previous_plan_reads_a_response() {
        let r = PlanWeekRequest::from_json(&base(
            r#","previousPlan":[{"taskId":"7e57d004-2b97-0e7a-b45f-5387367791cd","chunk":0,"startTime":"2026-03-09T08:00:00.5Z","endTime":"2026-03-09T09:00:00Z","rationale":"x"}]"#,
            "[]",
        ))
        .unwrap();
        assert_eq!(r.previous_plan.len(), 1);
        assert_eq!(r.previous_plan[0].start_time.timestamp_subsec_millis(), 500);
    }

    #[test]
    fn request_round_trips() {
        let r = PlanWeekRequest::from_json(&base(
            r#","horizonDays":3,"preferences":{"workingDays":[7,1],"workdayStart":"08:00"},"previousPlan":[{"taskId":"7e57d004-2b97-0e7a-b45f-5387367791cd","startTime":"2026-03-09T08:00:00.5Z","endTime":"2026-03-09T09:00:00Z"}]"#,
            &format!(r#"[{{"id":"{ID}","estimatedMinutes":1500,"maxChunkMinutes":300}}]"#),
        ))
        .unwrap();
        let back: PlanWeekRequest = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(back, r);
        assert_eq!(r.preferences.working_days.iso_days(), [1, 7]);
    }

    #[test]
    fn not_an_object_names_the_root() {
        assert_eq!(fields("[1]"), [""]);
        assert_eq!(fields("{"), [""]);
    }
}
