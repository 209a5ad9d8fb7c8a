//! Projects: create, patch, soft-delete.

use chrono::{DateTime, Utc};
use lifeos_core::event::{ProjectCreated, ProjectRef, ProjectUpdated};
use lifeos_core::{
    DomainEvent, EventPayload, EventSource, NewProject, Project, ProjectId, ProjectPatch, UserId,
};

use super::{check_version, event};
use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// A new project and its `project.created` event.
pub(crate) fn create_project(
    ctx: &Ctx,
    user: UserId,
    new: NewProject,
    now: DateTime<Utc>,
) -> Result<(Project, DomainEvent)> {
    let id = ctx.with_rng(|rng| ProjectId::generate(now, rng));
    let project = Project::create(id, user, new, now)?;
    let payload = EventPayload::ProjectCreated(ProjectCreated {
        project_id: id,
        name: project.name.clone(),
    });
    let e = event(ctx, user, now, EventSource::Api, payload);
    Ok((project, e))
}

/// The project patched, and its `project.updated` event.
pub(crate) fn update_project(
    ctx: &Ctx,
    current: &Project,
    expected: Option<u64>,
    patch: &ProjectPatch,
    now: DateTime<Utc>,
) -> Result<(Project, DomainEvent)> {
    if current.deleted_at.is_some() {
        return Err(Error::not_found("project", current.id));
    }
    check_version("project", current.id, expected, current.version)?;
    let mut project = current.clone();
    project.apply(patch, now)?;
    let payload = EventPayload::ProjectUpdated(ProjectUpdated {
        project_id: project.id,
        version: project.version,
        changed: patch
            .changed_fields()
            .into_iter()
            .map(String::from)
            .collect(),
    });
    let e = event(ctx, project.user_id, now, EventSource::Api, payload);
    Ok((project, e))
}

/// The project soft-deleted, and its `project.deleted` event.
pub(crate) fn delete_project(
    ctx: &Ctx,
    current: &Project,
    now: DateTime<Utc>,
) -> Result<(Project, DomainEvent)> {
    if current.deleted_at.is_some() {
        return Err(Error::not_found("project", current.id));
    }
    let mut project = current.clone();
    project.deleted_at = Some(now);
    project.updated_at = now;
    project.version += 1;
    let payload = EventPayload::ProjectDeleted(ProjectRef {
        project_id: project.id,
    });
    let e = event(ctx, project.user_id, now, EventSource::Api, payload);
    Ok((project, e))
}
