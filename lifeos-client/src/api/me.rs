//! `/api/v1/me`: the profile, preferences, usage, export and erasure.

use lifeos_core::wire::{Erased, Usage, UserExport};
use lifeos_core::{PreferencesPatch, Profile, UserId};
use reqwest::Method;

use crate::client::Client;
use crate::exec::Call;
use crate::request::{Get, Write};

/// The caller's own routes: [`Client::me`].
#[derive(Debug, Clone)]
pub struct Me {
    client: Client,
}

impl Me {
    pub(crate) fn new(client: &Client) -> Self {
        Me {
            client: client.clone(),
        }
    }

    /// `GET /me`: the profile (created on first sight).
    pub fn get(&self) -> Get<Profile> {
        Get::new(&self.client, Call::new(Method::GET, "/api/v1/me"))
    }

    /// `PATCH /me/preferences`.
    pub fn update_preferences(&self, patch: &PreferencesPatch) -> Write<Profile> {
        Write::new(
            &self.client,
            Call::new(Method::PATCH, "/api/v1/me/preferences"),
        )
        .with_json(patch)
    }

    /// `GET /me/usage`: the tier and budgets.
    pub fn usage(&self) -> Get<Usage> {
        Get::new(&self.client, Call::new(Method::GET, "/api/v1/me/usage"))
    }

    /// `GET /me/export`: the `lifeos-export/1` document.
    pub fn export(&self) -> Get<UserExport> {
        Get::new(&self.client, Call::new(Method::GET, "/api/v1/me/export"))
    }

    /// `DELETE /me?confirm=<user>`: erases every row and event of the caller, who must
    /// be `user`, but the `user.erased` tombstone.
    pub fn erase(&self, user: UserId) -> Write<Erased> {
        let mut call = Call::new(Method::DELETE, "/api/v1/me");
        call.set("confirm", user.to_string());
        Write::new(&self.client, call)
    }
}
