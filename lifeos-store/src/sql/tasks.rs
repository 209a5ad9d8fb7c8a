//! Tasks over SQL: create, read, change (with a recorded event), list and search.

use lifeos_core::{EventPayload, EventSource, NewTask, Task, TaskId, TaskStatus, UserId};

use super::rows::TaskRow;
use super::{Arg, Dialect, SqlBuf, Step, Stmt, TitleSearch, mutate, opt_nanos, to_json, version};
use crate::StoredEvent;
use crate::change::TaskChange;
use crate::error::{Error, Result};
use crate::page::Page;
use crate::query::{TaskQuery, TimeRange, fold};
use crate::read_guard::ReadGuard;
use crate::rules::{self, nanos};

/// The projected columns of `t` in the order of `Statements::insert_task` and
/// `Statements::update_task`.
fn columns(t: &Task) -> Result<Vec<Arg>> {
    Ok(vec![
        Arg::Text(fold(&t.title)),
        Arg::Text(t.status.as_str().to_owned()),
        Arg::Labels(t.labels.clone()),
        Arg::OptUuid(t.project_id.map(|p| *p.as_uuid())),
        Arg::OptInt(opt_nanos(t.due_date)),
        Arg::OptInt(opt_nanos(t.scheduled_start)),
        Arg::OptInt(opt_nanos(t.deleted_at)),
        Arg::Int(version(t.version)?),
        Arg::Text(to_json(t)?),
    ])
}

async fn fetch<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    user: UserId,
    id: TaskId,
) -> Result<Option<Task>> {
    let args = vec![Arg::Uuid(*id.as_uuid()), Arg::Uuid(*user.as_uuid())];
    let rows = d
        .data_rows(conn, Stmt::new(&d.sql().task, args, "reading a task"))
        .await?;
    TaskRow::decode_first(rows)
}

pub(crate) async fn insert<D: Dialect>(d: &D, conn: &mut D::Conn, t: &Task) -> Result<()> {
    let mut args = columns(t)?;
    args.extend([
        Arg::Uuid(*t.id.as_uuid()),
        Arg::Uuid(*t.user_id.as_uuid()),
        Arg::Int(nanos(t.created_at)),
    ]);
    let stmt = Stmt::new(&d.sql().insert_task, args, "inserting a task");
    d.execute(conn, stmt).await?;
    Ok(())
}

/// Writes `t` over the row read at `previous`; a row at another version is a conflict
/// reporting the version stored.
async fn update<D: Dialect>(d: &D, conn: &mut D::Conn, t: &Task, previous: u64) -> Result<()> {
    let mut args = columns(t)?;
    let key = [Arg::Uuid(*t.id.as_uuid()), Arg::Uuid(*t.user_id.as_uuid())];
    args.extend(key.iter().cloned());
    args.push(Arg::Int(version(previous)?));
    let stmt = Stmt::new(&d.sql().update_task, args, "updating a task");
    if d.execute(conn, stmt).await? == 1 {
        return Ok(());
    }
    let stmt = Stmt::new(
        &d.sql().task_version,
        key.to_vec(),
        "reading a task's version",
    );
    match d.int(conn, stmt).await? {
        Some(stored) => Err(Error::Conflict {
            entity: "task",
            id: t.id.to_string(),
            expected: previous,
            actual: u64::try_from(stored).map_err(|e| Error::corrupt("tasks", t.id, e))?,
        }),
        None => Err(Error::not_found("task", t.id)),
    }
}

/// Refuses the transaction's writes when they close a dependency cycle (see
/// `rules::check_acyclic`); reads the user's stored dependencies only when a write
/// changed some.
async fn check_acyclic<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    user: UserId,
    written: &[Task],
    starts: &[TaskId],
) -> Result<()> {
    if starts.is_empty() {
        return Ok(());
    }
    let args = vec![Arg::Uuid(*user.as_uuid())];
    let stmt = Stmt::new(
        &d.sql().tasks_with_dependencies,
        args,
        "reading task dependencies",
    );
    let stored = TaskRow::decode_all(d.data_rows(conn, stmt).await?)?;
    rules::check_acyclic(&stored, written, starts)
}

pub(crate) async fn create_tasks<D: Dialect>(
    d: &D,
    user: UserId,
    new: Vec<NewTask>,
) -> Result<Vec<Task>> {
    let now = d.ctx().now();
    let (tasks, events) = rules::create_tasks(d.ctx(), user, new, now)?;
    let (tasks, _) = mutate(d, user, |mut tx| async move {
        let starts = rules::changed_dependencies(&tasks, |_| None);
        check_acyclic(d, &mut tx, user, &tasks, &starts).await?;
        for t in &tasks {
            insert(d, &mut tx, t).await?;
        }
        Ok(Step::Write(tx, tasks, events))
    })
    .await?;
    Ok(tasks)
}

pub(crate) async fn get_task<D: Dialect>(d: &D, user: UserId, id: TaskId) -> Result<Task> {
    let mut conn = d.read(user).await?;
    fetch(d, &mut conn, user, id)
        .await?
        .ok_or_else(|| Error::not_found("task", id))
}

/// Refuses the transaction when what `guard` names is no longer stored as it was read.
async fn check_guard<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    user: UserId,
    guard: &ReadGuard,
) -> Result<()> {
    if guard.guards_tasks() {
        let args = vec![Arg::Uuid(*user.as_uuid())];
        let stmt = Stmt::new(
            &d.sql().actionable_task_versions,
            args,
            "reading task versions",
        );
        let rows = d.data_rows(conn, stmt).await?;
        let versions = rows
            .into_iter()
            .map(|r| {
                let (version, timed) = match r.data.strip_suffix(" timed") {
                    Some(v) => (v, true),
                    None => (r.data.as_str(), false),
                };
                match version.parse::<u64>() {
                    Ok(v) => Ok((TaskId::from_uuid(r.id), v, timed)),
                    Err(e) => Err(Error::corrupt("tasks", r.id, e)),
                }
            })
            .collect::<Result<Vec<_>>>()?;
        guard.check_tasks(versions)?;
    }
    if let Some((from, to)) = guard.window() {
        let now = super::calendar::window_on(d, conn, user, from, to).await?;
        guard.check_window(&now)?;
    }
    Ok(())
}

pub(crate) async fn change_tasks_guarded<D: Dialect>(
    d: &D,
    user: UserId,
    changes: Vec<TaskChange>,
    record: Option<(EventSource, EventPayload)>,
    guard: &ReadGuard,
) -> Result<(Vec<Task>, Option<StoredEvent>)> {
    let now = d.ctx().now();
    let recorded = record
        .map(|(source, payload)| rules::recorded_event(d.ctx(), user, source, payload, now))
        .transpose()?;
    let with_record = recorded.is_some();
    let (out, stored) = mutate(d, user, |mut tx| async move {
        check_guard(d, &mut tx, user, guard).await?;
        let mut out = Vec::with_capacity(changes.len());
        let mut events = Vec::new();
        let mut starts = Vec::new();
        for change in &changes {
            let current = fetch(d, &mut tx, user, change.task_id)
                .await?
                .ok_or_else(|| Error::not_found("task", change.task_id))?;
            match rules::change_task(d.ctx(), &current, change, now)? {
                Some((task, e)) => {
                    update(d, &mut tx, &task, current.version).await?;
                    starts.extend(rules::changed_dependencies([&task], |_| Some(&current)));
                    events.push(e);
                    out.push(task);
                }
                None => out.push(current),
            }
        }
        // The rows read back include this transaction's writes.
        check_acyclic(d, &mut tx, user, &[], &starts).await?;
        events.extend(recorded);
        Ok(Step::Write(tx, out, events))
    })
    .await?;
    let record = if with_record {
        stored.last().cloned()
    } else {
        None
    };
    Ok((out, record))
}

pub(crate) async fn list_tasks<D: Dialect>(
    d: &D,
    user: UserId,
    query: &TaskQuery,
) -> Result<Page<Task>> {
    query.check()?;
    // One query per status, each served in order by `tasks_user_status`, merged here:
    // a status filter then costs what it matches, whatever the planner's statistics.
    // All parts read one snapshot.
    let mut statuses = query.statuses.clone();
    statuses.sort_unstable();
    statuses.dedup();
    let parts: Vec<Option<TaskStatus>> = if statuses.is_empty() {
        vec![None]
    } else {
        statuses.into_iter().map(Some).collect()
    };
    let mut tx = d.snapshot(user).await?;
    let title = query.title_contains.as_deref().map(fold);
    let search = match &title {
        Some(t) => Some((t.as_str(), d.title_search(&mut tx, t).await?)),
        None => None,
    };
    let mut rows = Vec::new();
    for status in parts {
        let mut q = select(d, user, query, status, search);
        rows.extend(d.keyed_rows(&mut tx, q.stmt("listing tasks")).await?);
    }
    d.finish(tx).await?;
    rows.sort_unstable_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    rows.truncate(query.limit as usize + 1);
    let tasks = rows
        .into_iter()
        .map(Task::try_from)
        .collect::<Result<Vec<Task>>>()?;
    Ok(crate::page::page(tasks, query.limit))
}

fn push_range(q: &mut SqlBuf, column: &str, range: TimeRange) {
    q.push(&format!(" AND {column} IS NOT NULL"));
    if let Some(from) = range.from {
        q.push(&format!(" AND {column} >= "))
            .bind(Arg::Int(nanos(from)));
    }
    if let Some(to) = range.to {
        q.push(&format!(" AND {column} < "))
            .bind(Arg::Int(nanos(to)));
    }
}

/// The task listing query for one status (or all), in `(created_at, id)` order.
fn select<D: Dialect>(
    d: &D,
    user: UserId,
    query: &TaskQuery,
    status: Option<TaskStatus>,
    search: Option<(&str, TitleSearch)>,
) -> SqlBuf {
    let table = d.tasks_table(search.map(|(_, how)| how));
    let mut q = SqlBuf::new(
        d.sql().style,
        &format!("SELECT created_at, id, data FROM {table} WHERE user_id = "),
    );
    q.bind(Arg::Uuid(*user.as_uuid()));
    if let Some(s) = status {
        q.push(" AND status = ")
            .bind(Arg::Text(s.as_str().to_owned()));
    }
    if !query.include_deleted || query.title_contains.is_some() {
        q.push(" AND deleted_at IS NULL");
    }
    if let Some(label) = &query.label {
        d.push_label(&mut q, label.trim().to_owned());
    }
    if let Some(p) = query.project_id {
        q.push(" AND project_id = ").bind(Arg::Uuid(*p.as_uuid()));
    }
    if let Some(r) = query.due {
        push_range(&mut q, "due_date", r);
    }
    if let Some(r) = query.scheduled {
        push_range(&mut q, "scheduled_start", r);
    }
    if let Some((folded, how)) = search {
        d.push_title_search(&mut q, folded, how);
    }
    if let Some(c) = query.after {
        q.push(" AND (created_at, id) > (")
            .bind(Arg::Int(nanos(c.created_at)))
            .push(", ")
            .bind(Arg::Uuid(c.id))
            .push(")");
    }
    q.push(" ORDER BY created_at, id LIMIT ")
        .bind(Arg::Int(i64::from(query.limit) + 1));
    q
}
