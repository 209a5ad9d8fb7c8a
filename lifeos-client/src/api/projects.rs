//! `/api/v1/projects`.

use lifeos_core::{NewProject, Project, ProjectId, ProjectPatch};
use reqwest::Method;

use crate::client::Client;
use crate::exec::Call;
use crate::request::{Get, ListRequest, Write};

/// The project routes: [`Client::projects`].
#[derive(Debug, Clone)]
pub struct Projects {
    client: Client,
}

fn path(id: ProjectId) -> String {
    format!("/api/v1/projects/{id}")
}

impl Projects {
    pub(crate) fn new(client: &Client) -> Self {
        Projects {
            client: client.clone(),
        }
    }

    /// `GET /projects`: the non-deleted projects, archived ones too.
    pub fn list(&self) -> ListRequest<Project> {
        ListRequest::new(
            &self.client,
            Call::new(Method::GET, "/api/v1/projects"),
            "cursor",
        )
    }

    /// `POST /projects` (201).
    pub fn create(&self, project: &NewProject) -> Write<Project> {
        Write::new(&self.client, Call::new(Method::POST, "/api/v1/projects")).with_json(project)
    }

    /// `GET /projects/{id}`, deleted ones too.
    pub fn get(&self, id: ProjectId) -> Get<Project> {
        Get::new(&self.client, Call::new(Method::GET, path(id)))
    }

    /// `PATCH /projects/{id}`.
    pub fn update(&self, id: ProjectId, patch: &ProjectPatch) -> Write<Project> {
        Write::new(&self.client, Call::new(Method::PATCH, path(id))).with_json(patch)
    }

    /// `DELETE /projects/{id}`: tasks keep their `project_id`.
    pub fn delete(&self, id: ProjectId) -> Write<Project> {
        Write::new(&self.client, Call::new(Method::DELETE, path(id)))
    }
}
