//! Resource handles, one per group of routes of API.md: [`Client::tasks`],
//! [`Client::projects`], [`Client::calendar`], [`Client::events`], [`Client::me`],
//! [`Client::ai`] and [`Client::service`].

mod ai;
mod calendar;
mod events;
mod me;
mod projects;
mod service;
mod tasks;

pub use ai::{Ai, PlanDay, PlanWeek};
pub use calendar::{Calendar, OccurrencesRequest};
pub use events::Events;
pub use me::Me;
pub use projects::Projects;
pub use service::Service;
pub use tasks::{TaskList, Tasks};

use crate::client::Client;

/// The RFC 3339 form the server reads for instants in query parameters.
pub(crate) fn instant(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

impl Client {
    /// `/api/v1/tasks`.
    pub fn tasks(&self) -> Tasks {
        Tasks::new(self)
    }

    /// `/api/v1/projects`.
    pub fn projects(&self) -> Projects {
        Projects::new(self)
    }

    /// `/api/v1/calendar`.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self)
    }

    /// `/api/v1/events`: the event log as pages and as a live feed.
    pub fn events(&self) -> Events {
        Events::new(self)
    }

    /// `/api/v1/me`: profile, preferences, usage, export, erasure.
    pub fn me(&self) -> Me {
        Me::new(self)
    }

    /// `/api/v1/ai`: Plan My Day.
    pub fn ai(&self) -> Ai {
        Ai::new(self)
    }

    /// `/health`, `/ready` and the OpenAPI document.
    pub fn service(&self) -> Service {
        Service::new(self)
    }
}
