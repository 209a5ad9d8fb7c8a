//! A user's profile as a server meets them: created on first sight from what the
//! authentication said, and their preferences patched.

use lifeos_core::{NewProfile, PreferencesPatch, Profile, ProfilePatch, UserId};

use crate::LifeOs;
use crate::error::{Error, ErrorKind, Result};

impl LifeOs {
    /// The user's profile, created first if they have none: with `email` when it is a
    /// valid address, else `<user id>@users.invalid`, and default preferences. Two callers
    /// racing to create it both get the one stored.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn ensure_profile(&self, user: UserId, email: Option<&str>) -> Result<Profile> {
        match self.store().get_profile(user).await {
            Ok(profile) => return Ok(profile),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(Error::store("reading the profile")(e)),
        }
        let fallback = format!("{user}@users.invalid");
        let mut candidates = email.into_iter().map(str::to_owned).collect::<Vec<_>>();
        candidates.push(fallback);
        let mut last = None;
        for email in candidates {
            let new = NewProfile {
                email,
                ..NewProfile::default()
            };
            match self.store().create_profile(user, new).await {
                Ok(profile) => return Ok(profile),
                Err(e) if e.is_conflict() => {
                    return self
                        .store()
                        .get_profile(user)
                        .await
                        .map_err(Error::store("reading the profile"));
                }
                Err(e) => {
                    let e = Error::store("creating the profile")(e);
                    if e.kind() != ErrorKind::Invalid {
                        return Err(e);
                    }
                    last = Some(e);
                }
            }
        }
        Err(last
            .unwrap_or_else(|| Error::from(lifeos_core::Error::invalid("email", "", "an email"))))
    }

    /// Patches the user's preferences (`profile.updated`), guarded by `expected_version`
    /// when given. A patch that sets nothing changes nothing.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming every field (`preferences.timezone`, ...),
    /// [`Error::Conflict`], [`Error::NotFound`], [`Error::Storage`].
    pub async fn patch_preferences(
        &self,
        user: UserId,
        expected_version: Option<u64>,
        patch: PreferencesPatch,
    ) -> Result<Profile> {
        if patch == PreferencesPatch::default() {
            let profile = self
                .store()
                .get_profile(user)
                .await
                .map_err(Error::store("reading the profile"))?;
            if let Some(expected) = expected_version.filter(|v| *v != profile.version) {
                return Err(Error::Conflict {
                    entity: "profile",
                    id: user.to_string(),
                    expected,
                    actual: profile.version,
                });
            }
            return Ok(profile);
        }
        let patch = ProfilePatch {
            preferences: Some(patch),
            ..ProfilePatch::default()
        };
        self.store()
            .update_profile(user, expected_version, patch)
            .await
            .map_err(Error::store("updating the preferences"))
    }
}
