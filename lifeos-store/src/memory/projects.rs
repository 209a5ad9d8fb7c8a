//! Projects in memory.

use super::prelude::*;

#[async_trait]
impl ProjectStore for MemoryStore {
    async fn create_project(&self, user: UserId, new: NewProject) -> Result<Project> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let (project, e) = rules::create_project(ctx, user, new, now)?;
            state.projects.insert(project.id, project.clone());
            Ok((project, vec![e]))
        })
    }

    async fn get_project(&self, user: UserId, id: ProjectId) -> Result<Project> {
        self.read(|s| own(&s.projects, &id, user, |p| p.user_id).cloned())
            .ok_or_else(|| Error::not_found("project", id))
    }

    async fn update_project(
        &self,
        user: UserId,
        id: ProjectId,
        expected_version: Option<u64>,
        patch: ProjectPatch,
    ) -> Result<Project> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let current = own(&state.projects, &id, user, |p| p.user_id)
                .ok_or_else(|| Error::not_found("project", id))?;
            let (project, e) = rules::update_project(ctx, current, expected_version, &patch, now)?;
            state.projects.insert(id, project.clone());
            Ok((project, vec![e]))
        })
    }

    async fn delete_project(&self, user: UserId, id: ProjectId) -> Result<Project> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let current = own(&state.projects, &id, user, |p| p.user_id)
                .ok_or_else(|| Error::not_found("project", id))?;
            let (project, e) = rules::delete_project(ctx, current, now)?;
            state.projects.insert(id, project.clone());
            Ok((project, vec![e]))
        })
    }

    async fn list_projects(&self, user: UserId, include_deleted: bool) -> Result<Vec<Project>> {
        Ok(self.read(|s| {
            let mut rows: Vec<Project> = s
                .projects
                .values()
                .filter(|p| p.user_id == user && (include_deleted || p.deleted_at.is_none()))
                .cloned()
                .collect();
            rows.sort_by_key(|p| (p.created_at, p.id));
            rows
        }))
    }
}
