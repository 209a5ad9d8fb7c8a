//! `lifeos.LifeOS`: a store through the application layer, for one user, from any number
//! of Python threads.

use std::collections::VecDeque;
use std::future::Future;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use lifeos::core::{
    NewProfile, NewProject, NewTask, PreferencesPatch, ProjectId, ProjectPatch, TaskId, TaskPatch,
    TaskStatus, Tier, UserId,
};
use lifeos::store::{CalendarEventInput, Clock, Cursor, StoreOptions, SystemClock, TaskQuery};
use lifeos::{IcsImportOptions, LifeOs, PlanDayOptions, PlanWeekOptions};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::Value;

use crate::ai;
use crate::convert::{from_py, instant, ser_to_py};
use crate::error::{invalid, py_err};
use crate::ical::event_json;
use crate::recurrence::zone;
use crate::runtime::runtime;

/// The user a `LifeOS` acts as when none is given.
pub const DEFAULT_USER: &str = "00000000-0000-0000-0000-000000000001";

/// Runs `future` on the module's runtime with the GIL released.
fn block<T, F>(py: Python<'_>, future: F) -> PyResult<T>
where
    T: Send,
    F: Future<Output = lifeos::Result<T>> + Send,
{
    let rt = runtime()?;
    py.detach(|| rt.block_on(future)).map_err(py_err)
}

/// An id from text or a `uuid.UUID`.
fn id<T: FromStr>(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<T> {
    let text = obj.str()?.to_cow()?.into_owned();
    text.trim()
        .parse()
        .map_err(|_| invalid(field, format!("{text:?} is not a UUID")))
}

/// `base` (a dict, or `None`) with `fields` laid over it, as one dict.
fn merged<'py>(
    py: Python<'py>,
    base: Option<&Bound<'py, PyAny>>,
    fields: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let out = PyDict::new(py);
    if let Some(base) = base.filter(|b| !b.is_none()) {
        let base = base
            .cast::<PyDict>()
            .map_err(|_| invalid("", "expected a dict"))?;
        out.update(base.as_mapping())?;
    }
    if let Some(fields) = fields {
        out.update(fields.as_mapping())?;
    }
    Ok(out.into_any())
}

/// The instant `now`, or the system clock's when `None`: the one place the bindings read
/// the clock (through the store's `SystemClock`, LifeOS's one wall clock).
fn now_or_clock(now: Option<&Bound<'_, PyAny>>) -> PyResult<DateTime<Utc>> {
    match now.filter(|n| !n.is_none()) {
        Some(now) => instant("now", now),
        None => Ok(SystemClock.now()),
    }
}

/// LifeOS over a store, acting as one user.
///
/// `LifeOS(location, user=DEFAULT_USER, timezone=None, email=None, *, openai_api_key=None,
/// openai_base_url=None, ai_model=None, ai_timeout=None, tier=None)`: `location` is a
/// SQLite file path (or `sqlite://…`, `:memory:`), `postgres://…` when built with the
/// `postgres` feature, or `memory:`. The user's profile is created when missing (with
/// `timezone`, default UTC). Dicts in and out; instants as aware `datetime`s.
///
/// The model for `plan_day(refine=True)` and `breakdown` is read once, here:
/// `OPENAI_API_KEY` and `OPENAI_BASE_URL` from the environment unless the keyword
/// arguments say otherwise (a blank key: no model). `tier` counts the AI quota (default:
/// the user's stored subscription, else free); the quota and the plan cache live in this
/// object's memory.
#[pyclass(name = "LifeOS", module = "lifeos", frozen)]
pub struct PyLifeOs {
    app: LifeOs,
    user: UserId,
    /// The tier given to the constructor; `None` reads the stored subscription per call.
    tier: Option<Tier>,
}

impl PyLifeOs {
    /// Runs one call on the task `task_id` names (GIL released) and answers the task as a
    /// dict: the shape every task transition shares.
    fn task_call<'py, F, Fut>(
        &self,
        py: Python<'py>,
        task_id: &Bound<'py, PyAny>,
        call: F,
    ) -> PyResult<Bound<'py, PyAny>>
    where
        F: FnOnce(LifeOs, UserId, TaskId) -> Fut,
        Fut: Future<Output = lifeos::Result<lifeos::core::Task>> + Send,
    {
        let tid: TaskId = id("task_id", task_id)?;
        let task = block(py, call(self.app.clone(), self.user, tid))?;
        ser_to_py(py, &task)
    }
}

#[pymethods]
impl PyLifeOs {
    #[new]
    #[pyo3(signature = (location, user = None, timezone = None, email = None, *, openai_api_key = None, openai_base_url = None, ai_model = None, ai_timeout = None, tier = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        location: String,
        user: Option<&Bound<'_, PyAny>>,
        timezone: Option<&Bound<'_, PyAny>>,
        email: Option<String>,
        openai_api_key: Option<String>,
        openai_base_url: Option<String>,
        ai_model: Option<String>,
        ai_timeout: Option<f64>,
        tier: Option<String>,
    ) -> PyResult<Self> {
        let fixed_tier = tier.as_deref().map(ai::tier).transpose()?;
        let args = ai::AiArgs {
            api_key: openai_api_key,
            base_url: openai_base_url,
            model: ai_model,
            timeout: ai_timeout,
        };
        // The one place the bindings read the environment: at construction, as documented.
        let refiner = ai::refiner(args, |name| std::env::var(name).ok())?;
        let user: UserId = match user.filter(|u| !u.is_none()) {
            Some(u) => id("user", u)?,
            None => id("user", &PyString::new(py, DEFAULT_USER).into_any())?,
        };
        let timezone = timezone
            .filter(|t| !t.is_none())
            .map(|t| zone("timezone", t).map(|tz| tz.name().to_owned()))
            .transpose()?;
        let new = NewProfile {
            email: email.unwrap_or_else(|| format!("{user}@localhost")),
            name: None,
            avatar_url: None,
            preferences: PreferencesPatch {
                timezone,
                ..PreferencesPatch::default()
            },
        };
        let app = block(py, async move {
            let store = lifeos::open(&location, StoreOptions::new()).await?;
            let mut builder = LifeOs::builder(store);
            if let Some(refiner) = refiner {
                builder = builder.refiner(Arc::new(refiner));
            }
            let app = builder.build();
            app.ensure_profile(user, new).await?;
            Ok(app)
        })?;
        Ok(PyLifeOs {
            app,
            user,
            tier: fixed_tier,
        })
    }

    /// The user this object acts as (UUID text).
    #[getter]
    fn user(&self) -> String {
        self.user.to_string()
    }

    /// Adds a task: `add_task("Write report", priority=3, estimated_minutes=90)` or
    /// `add_task({"title": ...})`.
    #[pyo3(signature = (task = None, **fields))]
    fn add_task<'py>(
        &self,
        py: Python<'py>,
        task: Option<&Bound<'py, PyAny>>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let base = match task {
            Some(t) if t.is_instance_of::<PyString>() => {
                let d = PyDict::new(py);
                d.set_item("title", t)?;
                Some(d.into_any())
            }
            other => other.cloned(),
        };
        let new: NewTask = from_py("task", &merged(py, base.as_ref(), fields)?)?;
        let (app, user) = (self.app.clone(), self.user);
        let task = block(py, async move { app.add_task(user, new).await })?;
        ser_to_py(py, &task)
    }

    /// The task with this id (deleted or not).
    fn task<'py>(
        &self,
        py: Python<'py>,
        task_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let tid: TaskId = id("task_id", task_id)?;
        let (app, user) = (self.app.clone(), self.user);
        let task = block(py, async move { app.task(user, tid).await })?;
        ser_to_py(py, &task)
    }

    /// The user's tasks in creation order, as an iterator that reads `page_size` at a time.
    #[pyo3(signature = (status = None, label = None, project_id = None, title_contains = None, include_deleted = false, page_size = 100))]
    #[allow(clippy::too_many_arguments)]
    fn tasks(
        &self,
        status: Option<&Bound<'_, PyAny>>,
        label: Option<String>,
        project_id: Option<&Bound<'_, PyAny>>,
        title_contains: Option<String>,
        include_deleted: bool,
        page_size: i64,
    ) -> PyResult<TaskIter> {
        let limit = u32::try_from(page_size)
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| invalid("page_size", format!("{page_size} is not in 1..=1000")))?;
        let mut query = TaskQuery::new()
            .limit(limit)
            .include_deleted(include_deleted);
        if let Some(status) = status.filter(|s| !s.is_none()) {
            let names: Vec<String> = if status.is_instance_of::<PyString>() {
                vec![status.extract()?]
            } else {
                status.extract()?
            };
            let statuses = names
                .iter()
                .map(|n| {
                    serde_json::from_value::<TaskStatus>(Value::String(n.clone()))
                        .map_err(|_| invalid("status", format!("unknown status {n:?}")))
                })
                .collect::<PyResult<Vec<_>>>()?;
            query = query.statuses(statuses);
        }
        if let Some(label) = label {
            query = query.label(label);
        }
        if let Some(p) = project_id.filter(|p| !p.is_none()) {
            query = query.project(id::<ProjectId>("project_id", p)?);
        }
        if let Some(text) = title_contains {
            query = query.title_contains(text);
        }
        Ok(TaskIter {
            app: self.app.clone(),
            user: self.user,
            state: Mutex::new(IterState {
                query,
                buffer: VecDeque::new(),
                done: false,
            }),
        })
    }

    /// Patches a task: `update_task(id, title="New", priority=2)`; with
    /// `expected_version` the change is refused (`Conflict`) when the task changed since.
    #[pyo3(signature = (task_id, patch = None, expected_version = None, **fields))]
    fn update_task<'py>(
        &self,
        py: Python<'py>,
        task_id: &Bound<'py, PyAny>,
        patch: Option<&Bound<'py, PyAny>>,
        expected_version: Option<u64>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let tid: TaskId = id("task_id", task_id)?;
        let patch: TaskPatch = from_py("patch", &merged(py, patch, fields)?)?;
        let (app, user) = (self.app.clone(), self.user);
        let task = block(py, async move {
            let version = match expected_version {
                Some(v) => v,
                None => app.task(user, tid).await?.version,
            };
            app.update_task(user, tid, version, patch).await
        })?;
        ser_to_py(py, &task)
    }

    /// Starts a task (pending to in progress).
    fn start_task<'py>(
        &self,
        py: Python<'py>,
        task_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.task_call(py, task_id, |app, user, tid| async move {
            app.start_task(user, tid).await
        })
    }

    /// Completes a task, with the minutes it took when known.
    #[pyo3(signature = (task_id, actual_minutes = None))]
    fn complete_task<'py>(
        &self,
        py: Python<'py>,
        task_id: &Bound<'py, PyAny>,
        actual_minutes: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.task_call(py, task_id, |app, user, tid| async move {
            app.complete_task(user, tid, actual_minutes).await
        })
    }

    /// Cancels a task.
    fn cancel_task<'py>(
        &self,
        py: Python<'py>,
        task_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.task_call(py, task_id, |app, user, tid| async move {
            app.cancel_task(user, tid).await
        })
    }

    /// Reopens a completed or cancelled task.
    fn reopen_task<'py>(
        &self,
        py: Python<'py>,
        task_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.task_call(py, task_id, |app, user, tid| async move {
            app.reopen_task(user, tid).await
        })
    }

    /// Soft-deletes a task.
    fn delete_task<'py>(
        &self,
        py: Python<'py>,
        task_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.task_call(py, task_id, |app, user, tid| async move {
            app.delete_task(user, tid).await
        })
    }

    /// Restores a soft-deleted task.
    fn restore_task<'py>(
        &self,
        py: Python<'py>,
        task_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.task_call(py, task_id, |app, user, tid| async move {
            app.restore_task(user, tid).await
        })
    }

    /// Adds a project: `add_project("Work", color="#3366ff")` or `add_project({...})`.
    #[pyo3(signature = (project = None, **fields))]
    fn add_project<'py>(
        &self,
        py: Python<'py>,
        project: Option<&Bound<'py, PyAny>>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let base = match project {
            Some(p) if p.is_instance_of::<PyString>() => {
                let d = PyDict::new(py);
                d.set_item("name", p)?;
                Some(d.into_any())
            }
            other => other.cloned(),
        };
        let new: NewProject = from_py("project", &merged(py, base.as_ref(), fields)?)?;
        let (app, user) = (self.app.clone(), self.user);
        ser_to_py(
            py,
            &block(py, async move { app.add_project(user, new).await })?,
        )
    }

    /// The user's projects in creation order.
    #[pyo3(signature = (include_deleted = false))]
    fn projects<'py>(&self, py: Python<'py>, include_deleted: bool) -> PyResult<Bound<'py, PyAny>> {
        let (app, user) = (self.app.clone(), self.user);
        ser_to_py(
            py,
            &block(py, async move { app.projects(user, include_deleted).await })?,
        )
    }

    /// Patches a project, guarded by `expected_version` when given.
    #[pyo3(signature = (project_id, patch = None, expected_version = None, **fields))]
    fn update_project<'py>(
        &self,
        py: Python<'py>,
        project_id: &Bound<'py, PyAny>,
        patch: Option<&Bound<'py, PyAny>>,
        expected_version: Option<u64>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let pid: ProjectId = id("project_id", project_id)?;
        let patch: ProjectPatch = from_py("patch", &merged(py, patch, fields)?)?;
        let (app, user) = (self.app.clone(), self.user);
        let project = block(py, async move {
            app.update_project(user, pid, expected_version, patch).await
        })?;
        ser_to_py(py, &project)
    }

    /// Soft-deletes a project.
    fn delete_project<'py>(
        &self,
        py: Python<'py>,
        project_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let pid: ProjectId = id("project_id", project_id)?;
        let (app, user) = (self.app.clone(), self.user);
        ser_to_py(
            py,
            &block(py, async move { app.delete_project(user, pid).await })?,
        )
    }

    /// Adds a calendar event by hand: `add_event(title="Standup", start=datetime(...),
    /// end=datetime(...), rrule="FREQ=DAILY")`. `start` and `end` are `datetime`s (aware:
    /// zoned in their `ZoneInfo`, else UTC; naive: floating) or `date`s (all-day).
    #[pyo3(signature = (event = None, **fields))]
    fn add_event<'py>(
        &self,
        py: Python<'py>,
        event: Option<&Bound<'py, PyAny>>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let map = event_json("event", &merged(py, event, fields)?, "manual")?;
        let input: CalendarEventInput = serde_json::from_value(Value::Object(map))
            .map_err(|e| invalid("event", e.to_string()))?;
        let (app, user) = (self.app.clone(), self.user);
        ser_to_py(
            py,
            &block(py, async move { app.add_event(user, input).await })?,
        )
    }

    /// Soft-deletes a calendar event.
    fn delete_event<'py>(
        &self,
        py: Python<'py>,
        event_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let eid = id("event_id", event_id)?;
        let (app, user) = (self.app.clone(), self.user);
        ser_to_py(
            py,
            &block(py, async move { app.delete_event(user, eid).await })?,
        )
    }

    /// The occurrences of the user's events in `[start, end)`, series expanded:
    /// dicts `event_id, title, start, end, is_all_day, busy` (instants as aware datetimes).
    #[pyo3(signature = (start, end, tz = None))]
    fn events_between<'py>(
        &self,
        py: Python<'py>,
        start: &Bound<'py, PyAny>,
        end: &Bound<'py, PyAny>,
        tz: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let from = instant("start", start)?;
        let to = instant("end", end)?;
        let tz = tz
            .filter(|t| !t.is_none())
            .map(|t| zone("tz", t))
            .transpose()?;
        let (app, user) = (self.app.clone(), self.user);
        let found = block(
            py,
            async move { app.events_between(user, from, to, tz).await },
        )?;
        let out = PyList::empty(py);
        for o in &found.entries {
            let d = PyDict::new(py);
            d.set_item("event_id", o.event_id.to_string())?;
            d.set_item("title", &o.title)?;
            d.set_item("start", o.start)?;
            d.set_item("end", o.end)?;
            d.set_item("is_all_day", o.is_all_day)?;
            d.set_item("busy", o.busy)?;
            out.append(d)?;
        }
        Ok(out.into_any())
    }

    /// Imports an iCalendar file (text or bytes): idempotent by UID and content, lenient
    /// unless `strict`. Returns the report (`imported`, `updated`, `unchanged`, `cancelled`, `skipped`,
    /// `errors`, `warnings`, `changed`).
    #[pyo3(signature = (data, strict = false))]
    fn import_ics<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let bytes: Vec<u8> = if let Ok(s) = data.cast::<PyString>() {
            s.to_cow()?.as_bytes().to_vec()
        } else {
            data.extract()
                .map_err(|_| invalid("data", "expected str or bytes"))?
        };
        let (app, user) = (self.app.clone(), self.user);
        let options = IcsImportOptions::new().strict(strict);
        ser_to_py(
            py,
            &block(
                py,
                async move { app.import_ics(user, bytes, options).await },
            )?,
        )
    }

    /// The user's calendar as one iCalendar document.
    fn export_ics(&self, py: Python<'_>) -> PyResult<String> {
        let (app, user) = (self.app.clone(), self.user);
        block(py, async move { app.export_ics(user).await })
    }

    /// The user's planning preferences.
    fn preferences<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (app, user) = (self.app.clone(), self.user);
        ser_to_py(py, &block(py, async move { app.preferences(user).await })?)
    }

    /// Changes some preferences: `set_preferences(timezone="Europe/Berlin",
    /// workday_start="08:30")`; returns them all as stored now.
    #[pyo3(signature = (patch = None, **fields))]
    fn set_preferences<'py>(
        &self,
        py: Python<'py>,
        patch: Option<&Bound<'py, PyAny>>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let patch: PreferencesPatch = from_py("preferences", &merged(py, patch, fields)?)?;
        let (app, user) = (self.app.clone(), self.user);
        ser_to_py(
            py,
            &block(py, async move { app.set_preferences(user, patch).await })?,
        )
    }

    /// Plans `date` (default: today in the user's zone at `now`; `now` defaults to the
    /// system clock) and saves it unless `dry_run`. With `refine` (implied by
    /// `instructions`), the configured model may refine the plan (PLANNER.md,
    /// "Refinement by a language model"): the answer's `refinement` says what became of
    /// it; without a model it is `unavailable`, with a warning, and the deterministic plan
    /// stands. Raises `QuotaExceeded` before any model call when the tier's AI quota is
    /// used up (a cached proposal costs nothing).
    #[pyo3(signature = (date = None, now = None, dry_run = false, refine = false, instructions = None))]
    fn plan_day<'py>(
        &self,
        py: Python<'py>,
        date: Option<&Bound<'py, PyAny>>,
        now: Option<&Bound<'py, PyAny>>,
        dry_run: bool,
        refine: bool,
        instructions: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let refine = refine || instructions.is_some();
        let day = date
            .filter(|d| !d.is_none())
            .map(|d| crate::convert::date("date", d))
            .transpose()?;
        let now = now_or_clock(now)?;
        let (app, user, fixed) = (self.app.clone(), self.user, self.tier);
        let mut options = PlanDayOptions::new().dry_run(dry_run).refine(refine);
        if let Some(text) = instructions {
            options = options.instructions(text);
        }
        let plan = block(py, async move {
            if refine {
                options = options.tier(ai::tier_of(&app, user, fixed).await?);
            }
            app.plan_day(user, day, now, options).await
        })?;
        let mut json = serde_json::to_value(&plan)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        if let Value::Object(map) = &mut json {
            map.insert(
                "counts".to_owned(),
                serde_json::to_value(plan.counts()).unwrap_or(Value::Null),
            );
            // At the top too, beside `counts`: what became of the refinement (`None`
            // when none was asked for).
            let refinement = map
                .get("response")
                .and_then(|r| r.get("refinement"))
                .cloned()
                .unwrap_or(Value::Null);
            map.insert("refinement".to_owned(), refinement);
        }
        crate::convert::to_py(py, &json)
    }

    /// Asks the configured model to break the task into steps (one AI unit of the tier,
    /// at `now`, default the system clock): accepted steps replace the task's
    /// `ai_breakdown` (a `task.updated` event) and the task is answered. Raises
    /// `BadModelOutput` naming the rule the answer broke (the task unchanged),
    /// `Unavailable` without a model or a usable reply, `QuotaExceeded`, `NotFound`.
    #[pyo3(signature = (task_id, now = None))]
    fn breakdown<'py>(
        &self,
        py: Python<'py>,
        task_id: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = now_or_clock(now)?;
        let fixed = self.tier;
        self.task_call(py, task_id, |app, user, tid| async move {
            let tier = ai::tier_of(&app, user, fixed).await?;
            app.breakdown(user, tid, tier, now).await
        })
    }

    /// Plans `horizon_days` days (1..=14, default 7) from `start_date` (default: today in
    /// the user's zone at `now`; `now` defaults to the system clock), keeping the stored
    /// blocks that still fit, and saves the changed blocks unless `dry_run`. Returns
    /// `{"start_date", "horizon_days", "timezone", "response", "changes",
    /// "changed_blocks", "saved", "attempts"}`.
    #[pyo3(signature = (start_date = None, now = None, horizon_days = 7, dry_run = false))]
    fn plan_week<'py>(
        &self,
        py: Python<'py>,
        start_date: Option<&Bound<'py, PyAny>>,
        now: Option<&Bound<'py, PyAny>>,
        horizon_days: i64,
        dry_run: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let start = start_date
            .filter(|d| !d.is_none())
            .map(|d| crate::convert::date("start_date", d))
            .transpose()?;
        // Out of range here is the workflow's own `horizon_days` error.
        let horizon = u8::try_from(horizon_days.clamp(0, 255)).unwrap_or(0);
        let now = now_or_clock(now)?;
        let (app, user) = (self.app.clone(), self.user);
        let options = PlanWeekOptions::new()
            .horizon_days(horizon)
            .dry_run(dry_run);
        let plan = block(
            py,
            async move { app.plan_week(user, start, now, options).await },
        )?;
        let json = serde_json::json!({
            "start_date": plan.start_date,
            "horizon_days": plan.horizon_days,
            "timezone": plan.timezone.name(),
            "response": plan.response,
            "changes": plan.changes,
            "changed_blocks": plan.changed_blocks(),
            "saved": plan.saved,
            "attempts": plan.attempts,
        });
        crate::convert::to_py(py, &json)
    }

    /// The user's event log after `seq` `after` (from the start by default), oldest first.
    #[pyo3(signature = (after = None))]
    fn events<'py>(&self, py: Python<'py>, after: Option<u64>) -> PyResult<Bound<'py, PyAny>> {
        let (app, user) = (self.app.clone(), self.user);
        let events = block(py, async move {
            let mut all = Vec::new();
            let mut after = after;
            loop {
                let page = app.events(user, after, 1000).await?;
                all.extend(page.events);
                match page.next {
                    Some(next) => after = Some(next),
                    None => return Ok(all),
                }
            }
        })?;
        ser_to_py(py, &events)
    }

    /// Everything stored about the user (GDPR export) as one dict.
    fn export<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (app, user) = (self.app.clone(), self.user);
        let doc = block(py, async move { app.export(user).await })?;
        crate::convert::to_py(py, &doc)
    }

    fn __repr__(&self) -> String {
        format!("LifeOS(user={:?})", self.user.to_string())
    }
}

struct IterState {
    query: TaskQuery,
    buffer: VecDeque<lifeos::core::Task>,
    done: bool,
}

/// The iterator `LifeOS.tasks(...)` returns: reads a page when its buffer runs out.
#[pyclass(module = "lifeos", frozen)]
pub struct TaskIter {
    app: LifeOs,
    user: UserId,
    state: Mutex<IterState>,
}

#[pymethods]
impl TaskIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let next = {
            let state = self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let need_page = state.buffer.is_empty() && !state.done;
            let query = state.query.clone();
            drop(state);
            if need_page {
                let (app, user) = (self.app.clone(), self.user);
                let page = block(py, async move { app.tasks(user, &query).await })?;
                let mut state = self
                    .state
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                state.done = page.next.is_none();
                state.query = state
                    .query
                    .clone()
                    .after(page.next.or_else(|| page.items.last().map(Cursor::after)));
                state.buffer.extend(page.items);
            }
            let mut state = self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            state.buffer.pop_front()
        };
        next.map(|task| ser_to_py(py, &task)).transpose()
    }
}
