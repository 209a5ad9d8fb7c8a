//! Tasks in memory.

use super::prelude::*;
use crate::calendar_window::CalendarWindow;
use crate::read_guard::{ReadGuard, actionable, takes_time};

#[async_trait]
impl TaskStore for MemoryStore {
    async fn create_tasks(&self, user: UserId, new: Vec<NewTask>) -> Result<Vec<Task>> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let (tasks, events) = rules::create_tasks(ctx, user, new, now)?;
            for (i, task) in tasks.iter().enumerate() {
                check_project(state, user, task.project_id)?;
                if state.tasks.contains_key(&task.id) || tasks[..i].iter().any(|t| t.id == task.id)
                {
                    return Err(Error::Duplicate {
                        entity: "task",
                        key: task.id.to_string(),
                    });
                }
            }
            let starts = rules::changed_dependencies(&tasks, |_| None);
            rules::check_acyclic(of_user(state, user), &tasks, &starts)?;
            for t in &tasks {
                state.tasks.insert(t.id, t.clone());
            }
            Ok((tasks, events))
        })
    }

    async fn get_task(&self, user: UserId, id: TaskId) -> Result<Task> {
        self.read(|s| own(&s.tasks, &id, user, |t| t.user_id).cloned())
            .ok_or_else(|| Error::not_found("task", id))
    }

    async fn change_tasks_guarded(
        &self,
        user: UserId,
        changes: Vec<TaskChange>,
        record: Option<(EventSource, EventPayload)>,
        guard: &ReadGuard,
    ) -> Result<(Vec<Task>, Option<StoredEvent>)> {
        let now = self.ctx.now();
        let recorded = record
            .map(|(source, payload)| rules::recorded_event(&self.ctx, user, source, payload, now))
            .transpose()?;
        let mut state = lock(&self.state);
        check_guard(&state, user, guard)?;
        check_pending(&state, user, || now)?;
        let (out, mut events) = {
            let state: &mut State = &mut state;
            let ctx = &self.ctx;
            let mut work: BTreeMap<TaskId, Task> = BTreeMap::new();
            let mut out = Vec::with_capacity(changes.len());
            let mut events = Vec::new();
            for change in &changes {
                let current = match work.get(&change.task_id) {
                    Some(t) => t.clone(),
                    None => own(&state.tasks, &change.task_id, user, |t| t.user_id)
                        .cloned()
                        .ok_or_else(|| Error::not_found("task", change.task_id))?,
                };
                let next = match rules::change_task(ctx, &current, change, now)? {
                    Some((task, e)) => {
                        if task.project_id != current.project_id {
                            check_project(state, user, task.project_id)?;
                        }
                        events.push(e);
                        task
                    }
                    None => current,
                };
                work.insert(next.id, next.clone());
                out.push(next);
            }
            let starts = rules::changed_dependencies(work.values(), |id| state.tasks.get(&id));
            rules::check_acyclic(of_user(state, user), work.values(), &starts)?;
            state.tasks.extend(work);
            (out, events)
        };
        let with_record = recorded.is_some();
        events.extend(recorded);
        let stored = state.append(events);
        record_pending(&mut state, user, &out, || now);
        let record = if with_record {
            stored.last().cloned()
        } else {
            None
        };
        self.ctx.hub.publish(stored);
        Ok((out, record))
    }

    async fn list_tasks(&self, user: UserId, query: &TaskQuery) -> Result<Page<Task>> {
        query.check()?;
        Ok(self.read(|s| {
            let mut rows: Vec<&Task> = s
                .tasks
                .values()
                .filter(|t| t.user_id == user && query.matches(t))
                .filter(|t| {
                    query
                        .after
                        .is_none_or(|c| c.precedes(t.created_at, *t.id.as_uuid()))
                })
                .collect();
            rows.sort_by_key(|t| (t.created_at, t.id));
            crate::page::page(rows.into_iter().cloned().collect(), query.limit)
        }))
    }
}

/// Refuses the write when what `guard` names is no longer stored as it was read.
fn check_guard(state: &State, user: UserId, guard: &ReadGuard) -> Result<()> {
    if guard.guards_tasks() {
        let versions = of_user(state, user)
            .filter(|t| actionable(t))
            .map(|t| (t.id, t.version, takes_time(t)));
        guard.check_tasks(versions)?;
    }
    if let Some((from, to)) = guard.window() {
        let window = CalendarWindow::new(super::calendar::window_of(state, user, from, to));
        guard.check_window(&window)?;
    }
    Ok(())
}

/// Every task of `user`, deleted and finished ones too.
fn of_user(state: &State, user: UserId) -> impl Iterator<Item = &Task> {
    state.tasks.values().filter(move |t| t.user_id == user)
}

/// A task may only name a project of its own user (SQLite enforces it by foreign key).
fn check_project(state: &State, user: UserId, project: Option<ProjectId>) -> Result<()> {
    match project {
        Some(p) if own(&state.projects, &p, user, |p| p.user_id).is_none() => Err(Error::invalid(
            "project_id",
            "(not found)",
            "a project of this user",
        )),
        _ => Ok(()),
    }
}
