//! Projects over SQL.

use lifeos_core::{NewProject, Project, ProjectId, ProjectPatch, UserId};

use super::rows::ProjectRow;
use super::{Arg, Dialect, Step, Stmt, mutate, opt_nanos, to_json, version};
use crate::error::{Error, Result};
use crate::rules::{self, nanos};

async fn fetch<D: Dialect>(
    d: &D,
    conn: &mut D::Conn,
    user: UserId,
    id: ProjectId,
) -> Result<Project> {
    let args = vec![Arg::Uuid(*id.as_uuid()), Arg::Uuid(*user.as_uuid())];
    let rows = d
        .data_rows(conn, Stmt::new(&d.sql().project, args, "reading a project"))
        .await?;
    ProjectRow::decode_first(rows)?.ok_or_else(|| Error::not_found("project", id))
}

async fn write<D: Dialect>(d: &D, conn: &mut D::Conn, p: &Project) -> Result<()> {
    let args = vec![
        Arg::OptInt(opt_nanos(p.deleted_at)),
        Arg::Int(version(p.version)?),
        Arg::Text(to_json(p)?),
        Arg::Uuid(*p.id.as_uuid()),
        Arg::Uuid(*p.user_id.as_uuid()),
    ];
    let stmt = Stmt::new(&d.sql().update_project, args, "updating a project");
    d.execute(conn, stmt).await?;
    Ok(())
}

pub(crate) async fn create_project<D: Dialect>(
    d: &D,
    user: UserId,
    new: NewProject,
) -> Result<Project> {
    let now = d.ctx().now();
    let (p, e) = rules::create_project(d.ctx(), user, new, now)?;
    let (p, _) = mutate(d, user, |mut tx| async move {
        let args = vec![
            Arg::Uuid(*p.id.as_uuid()),
            Arg::Uuid(*user.as_uuid()),
            Arg::Int(nanos(p.created_at)),
            Arg::OptInt(opt_nanos(p.deleted_at)),
            Arg::Int(version(p.version)?),
            Arg::Text(to_json(&p)?),
        ];
        let stmt = Stmt::new(&d.sql().insert_project, args, "inserting a project");
        d.execute(&mut tx, stmt).await?;
        Ok(Step::Write(tx, p, vec![e]))
    })
    .await?;
    Ok(p)
}

pub(crate) async fn get_project<D: Dialect>(d: &D, user: UserId, id: ProjectId) -> Result<Project> {
    let mut conn = d.read(user).await?;
    fetch(d, &mut conn, user, id).await
}

/// Patches (`patch` given) or soft-deletes the project.
pub(crate) async fn change_project<D: Dialect>(
    d: &D,
    user: UserId,
    id: ProjectId,
    expected_version: Option<u64>,
    patch: Option<ProjectPatch>,
) -> Result<Project> {
    let now = d.ctx().now();
    let (p, _) = mutate(d, user, |mut tx| async move {
        let current = fetch(d, &mut tx, user, id).await?;
        let (p, e) = match &patch {
            Some(patch) => rules::update_project(d.ctx(), &current, expected_version, patch, now)?,
            None => rules::delete_project(d.ctx(), &current, now)?,
        };
        write(d, &mut tx, &p).await?;
        Ok(Step::Write(tx, p, vec![e]))
    })
    .await?;
    Ok(p)
}

pub(crate) async fn list_projects<D: Dialect>(
    d: &D,
    user: UserId,
    include_deleted: bool,
) -> Result<Vec<Project>> {
    let sql = if include_deleted {
        &d.sql().projects_of_user
    } else {
        &d.sql().live_projects_of_user
    };
    let mut conn = d.read(user).await?;
    let args = vec![Arg::Uuid(*user.as_uuid())];
    let rows = d
        .data_rows(&mut conn, Stmt::new(sql, args, "listing projects"))
        .await?;
    ProjectRow::decode_all(rows)
}
