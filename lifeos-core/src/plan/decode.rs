//! The JSON reader of plan requests: it checks the shape of the text (types and formats),
//! fills in `PLANNER.md`'s defaults, then runs the request's one set of value rules
//! ([`PlanDayRequest::check`]) on what it read. Every problem is collected, each at its
//! [`FieldPath`].

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::check::{Problems, Readings, check_with, expect};
use super::field::{EventField, FieldPath, PreferenceField, TaskField};
use super::{BlockedTime, PlanDayRequest, PlanError, PlanPreferences, PlanTask};
use crate::task::TaskStatus;
use crate::time::ClockTime;

/// Reads a request from a JSON value (see [`PlanDayRequest::from_value`]).
pub(super) fn from_value(value: &Value) -> Result<PlanDayRequest, PlanError> {
    let Some(root) = value.as_object() else {
        return Err(PlanError::single("", "a request must be a JSON object"));
    };
    let mut r = Reader::default();
    let get = |k: &str| present(root, k);
    let timezone = match get("timezone") {
        Some(Value::String(s)) => s.parse::<Tz>().ok().or_else(|| {
            r.fail(FieldPath::Timezone, format!("unknown IANA zone {s:?}"));
            None
        }),
        other => r.bad(FieldPath::Timezone, other, "an IANA zone name"),
    };
    let today = match get("today") {
        Some(Value::String(s)) => parse_date(s).or_else(|| {
            r.fail(FieldPath::Today, format!("expected YYYY-MM-DD, got {s:?}"));
            None
        }),
        other => r.bad(FieldPath::Today, other, "a date YYYY-MM-DD"),
    };
    let current_time = r.instant(FieldPath::CurrentTime, get("currentTime"), true);
    let preferences = r.preferences(get("preferences"));
    let tasks = match get("tasks") {
        Some(Value::Array(items)) => r.tasks(items),
        other => {
            r.bad::<()>(FieldPath::Tasks, other, "an array of tasks");
            Vec::new()
        }
    };
    let blocked_time = match get("blockedTime") {
        None => Vec::new(),
        Some(Value::Array(items)) => r.events(items),
        Some(other) => {
            r.bad::<()>(FieldPath::BlockedTime, Some(other), "an array");
            Vec::new()
        }
    };
    // Placeholders stand in for what could not be read; the checks skip them and the
    // problems already recorded make this an error.
    let request = PlanDayRequest {
        timezone: timezone.unwrap_or(Tz::UTC),
        today: today.unwrap_or_default(),
        current_time: current_time.unwrap_or_default(),
        preferences,
        tasks,
        blocked_time,
    };
    let Reader {
        mut problems,
        readings,
    } = r;
    check_with(&request, &readings, &mut problems);
    problems.finish()?;
    Ok(request)
}

/// A key's value, `null` counting as absent.
fn present<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// A value for a message: its JSON text, cut to 60 characters; `nothing` when absent.
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

/// A JSON integer (written without a fraction or exponent) that fits `T`.
fn integer<T: TryFrom<i64>>(v: &Value) -> Option<T> {
    v.as_i64().and_then(|n| T::try_from(n).ok())
}

#[derive(Default)]
struct Reader {
    problems: Problems,
    readings: Readings,
}

impl Reader {
    /// Records a problem with a field that could not be read.
    fn fail(&mut self, path: FieldPath, message: impl Into<String>) {
        self.readings.unreadable.insert(path);
        self.problems.push(path, message);
    }

    /// Records `expected …, got …` for a field that could not be read.
    fn bad<T>(&mut self, path: FieldPath, v: Option<&Value>, expected: &str) -> Option<T> {
        self.readings.unreadable.insert(path);
        self.problems.expected(path, expected, &describe(v));
        None
    }

    fn instant(
        &mut self,
        path: FieldPath,
        v: Option<&Value>,
        required: bool,
    ) -> Option<DateTime<Utc>> {
        match v {
            None if !required => None,
            Some(Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_) => self.bad(path, v, "an RFC 3339 instant"),
            },
            _ => self.bad(path, v, "an RFC 3339 instant"),
        }
    }

    fn preferences(&mut self, v: Option<&Value>) -> PlanPreferences {
        let mut p = PlanPreferences::default();
        let obj = match v {
            None => return p,
            Some(Value::Object(o)) => o,
            Some(other) => {
                self.bad::<()>(FieldPath::Preferences(None), Some(other), "an object");
                return p;
            }
        };
        let clocks = [
            (PreferenceField::WorkdayStart, &mut p.workday_start),
            (PreferenceField::WorkdayEnd, &mut p.workday_end),
            (PreferenceField::PeakHoursStart, &mut p.peak_hours_start),
            (PreferenceField::PeakHoursEnd, &mut p.peak_hours_end),
        ];
        for (field, slot) in clocks {
            let path = FieldPath::Preferences(Some(field));
            let is_end = matches!(
                field,
                PreferenceField::WorkdayEnd | PreferenceField::PeakHoursEnd
            );
            match present(obj, field.as_str()) {
                None => {}
                Some(Value::String(s)) => match ClockTime::parse(s) {
                    Some(t) => *slot = t,
                    None => {
                        let range = if is_end {
                            expect::END_RANGE
                        } else {
                            expect::START_RANGE
                        };
                        self.fail(path, format!("expected HH:MM from {range}, got {s:?}"));
                    }
                },
                other => {
                    self.bad::<()>(path, other, "a time HH:MM");
                }
            }
        }
        let focus = FieldPath::Preferences(Some(PreferenceField::MaxFocusHours));
        match present(obj, PreferenceField::MaxFocusHours.as_str()) {
            None => {}
            Some(v @ Value::Number(n)) => match n.as_f64() {
                Some(h) => {
                    p.max_focus_hours = h;
                    self.readings.written.insert(focus, describe(Some(v)));
                }
                None => {
                    self.bad::<()>(focus, Some(v), expect::FOCUS_HOURS);
                }
            },
            other => {
                self.bad::<()>(focus, other, expect::FOCUS_HOURS);
            }
        }
        let buffer = FieldPath::Preferences(Some(PreferenceField::MeetingBufferMinutes));
        match present(obj, PreferenceField::MeetingBufferMinutes.as_str()) {
            None => {}
            Some(v) => match integer::<u32>(v) {
                Some(m) => p.meeting_buffer_minutes = m,
                None => {
                    self.bad::<()>(buffer, Some(v), expect::BUFFER);
                }
            },
        }
        p
    }

    fn tasks(&mut self, items: &[Value]) -> Vec<PlanTask> {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item.as_object() {
                Some(obj) => self.task(i, obj),
                None => {
                    self.bad::<()>(
                        FieldPath::Task(i, TaskField::Whole),
                        Some(item),
                        "a task object",
                    );
                    PlanTask::new(Uuid::nil())
                }
            })
            .collect()
    }

    fn task(&mut self, i: usize, obj: &Map<String, Value>) -> PlanTask {
        let at = |f| FieldPath::Task(i, f);
        let get = |k: &str| present(obj, k);
        let mut task = PlanTask::new(Uuid::nil());
        match get("id") {
            Some(Value::String(s)) => match Uuid::parse_str(s) {
                Ok(id) => task.id = id,
                Err(_) => {
                    self.bad::<()>(at(TaskField::Id), get("id"), "a UUID");
                }
            },
            other => {
                self.bad::<()>(at(TaskField::Id), other, "a UUID");
            }
        }
        match get("title") {
            None => {}
            Some(Value::String(s)) => task.title.clone_from(s),
            other => {
                self.bad::<()>(at(TaskField::Title), other, "a string");
            }
        }
        match get("priority") {
            None => {}
            Some(v) => match integer::<u8>(v) {
                Some(p) => task.priority = p,
                None => {
                    self.bad::<()>(at(TaskField::Priority), Some(v), expect::PRIORITY);
                }
            },
        }
        match get("estimatedMinutes") {
            None => {}
            Some(v) => match integer::<u32>(v) {
                Some(m) => task.estimated_minutes = m,
                None => {
                    self.bad::<()>(at(TaskField::EstimatedMinutes), Some(v), expect::MINUTES);
                }
            },
        }
        task.due_date = self.instant(at(TaskField::DueDate), get("dueDate"), false);
        match get("hardDeadline") {
            None => {}
            Some(Value::Bool(b)) => task.hard_deadline = *b,
            other => {
                self.bad::<()>(at(TaskField::HardDeadline), other, "true or false");
            }
        }
        match get("labels") {
            None => {}
            Some(Value::Array(labels)) => {
                for (j, l) in labels.iter().enumerate() {
                    match l {
                        Value::String(s) => task.labels.push(s.clone()),
                        other => {
                            self.bad::<()>(at(TaskField::Label(j)), Some(other), "a string");
                        }
                    }
                }
            }
            other => {
                self.bad::<()>(at(TaskField::Labels), other, "an array of strings");
            }
        }
        match get("dependsOn") {
            None => {}
            Some(Value::Array(deps)) => {
                for (j, d) in deps.iter().enumerate() {
                    match d.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                        Some(id) => task.depends_on.push(id),
                        None => {
                            self.bad::<()>(at(TaskField::Dependency(j)), Some(d), "a UUID");
                        }
                    }
                }
            }
            other => {
                self.bad::<()>(at(TaskField::DependsOn), other, "an array of UUIDs");
            }
        }
        if let Some(v) = get("pinnedStart") {
            task.pinned_start = self.instant(at(TaskField::PinnedStart), Some(v), true);
        }
        match get("status") {
            None => {}
            Some(v) => match v.as_str().map(str::parse::<TaskStatus>) {
                Some(Ok(status)) => task.status = status,
                Some(Err(e)) => {
                    let expected = e
                        .validation()
                        .map_or(STATUSES, |errors| errors.first().expected.as_str());
                    self.bad::<()>(at(TaskField::Status), Some(v), expected);
                }
                None => {
                    self.bad::<()>(at(TaskField::Status), Some(v), STATUSES);
                }
            },
        }
        task
    }

    fn events(&mut self, items: &[Value]) -> Vec<BlockedTime> {
        items
            .iter()
            .enumerate()
            .map(|(j, item)| self.event(j, item))
            .collect()
    }

    fn event(&mut self, j: usize, item: &Value) -> BlockedTime {
        let at = |f| FieldPath::Event(j, f);
        let mut event = BlockedTime {
            title: String::new(),
            start: DateTime::default(),
            end: DateTime::default(),
            is_all_day: false,
            busy: None,
        };
        let Some(obj) = item.as_object() else {
            self.bad::<()>(at(EventField::Whole), Some(item), "an event object");
            return event;
        };
        let get = |k: &str| present(obj, k);
        match get("title") {
            None => {}
            Some(Value::String(s)) => event.title.clone_from(s),
            other => {
                self.bad::<()>(at(EventField::Title), other, "a string");
            }
        }
        let start = self.instant(at(EventField::Start), get("start"), true);
        let end = self.instant(at(EventField::End), get("end"), true);
        event.start = start.unwrap_or_default();
        event.end = end.unwrap_or_default();
        match get("isAllDay") {
            None => {}
            Some(Value::Bool(b)) => event.is_all_day = *b,
            other => {
                self.bad::<()>(at(EventField::IsAllDay), other, "true or false");
            }
        }
        match get("busy") {
            None => {}
            Some(Value::Bool(b)) => event.busy = Some(*b),
            other => {
                self.bad::<()>(at(EventField::Busy), other, "true or false");
            }
        }
        event
    }
}

/// What `status` accepts, should [`TaskStatus`]'s parser not say.
const STATUSES: &str = "one of pending, in_progress, completed, cancelled";
