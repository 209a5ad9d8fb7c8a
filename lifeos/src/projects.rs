//! Projects: thin wrappers over the store that map its errors once.

use lifeos_core::{NewProject, Project, ProjectId, ProjectPatch, UserId};

use crate::LifeOs;
use crate::error::{Error, Result};

impl LifeOs {
    /// Adds a project (`project.created`).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming every field at fault; [`Error::Storage`].
    pub async fn add_project(&self, user: UserId, new: NewProject) -> Result<Project> {
        self.store()
            .create_project(user, new)
            .await
            .map_err(Error::store("adding a project"))
    }

    /// The project, deleted or not.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Storage`].
    pub async fn project(&self, user: UserId, id: ProjectId) -> Result<Project> {
        self.store()
            .get_project(user, id)
            .await
            .map_err(Error::store("reading a project"))
    }

    /// The user's projects in creation order, soft-deleted ones too when asked.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn projects(&self, user: UserId, include_deleted: bool) -> Result<Vec<Project>> {
        self.store()
            .list_projects(user, include_deleted)
            .await
            .map_err(Error::store("listing projects"))
    }

    /// Patches a project (`project.updated`), guarded by `expected_version` when given.
    ///
    /// # Errors
    /// [`Error::Conflict`] when it changed since `expected_version`; [`Error::Invalid`];
    /// [`Error::NotFound`] (also for a deleted project); [`Error::Storage`].
    pub async fn update_project(
        &self,
        user: UserId,
        id: ProjectId,
        expected_version: Option<u64>,
        patch: ProjectPatch,
    ) -> Result<Project> {
        self.store()
            .update_project(user, id, expected_version, patch)
            .await
            .map_err(Error::store("updating a project"))
    }

    /// Soft-deletes a project (`project.deleted`); its tasks keep their `project_id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also when already deleted); [`Error::Storage`].
    pub async fn delete_project(&self, user: UserId, id: ProjectId) -> Result<Project> {
        self.store()
            .delete_project(user, id)
            .await
            .map_err(Error::store("deleting a project"))
    }
}
