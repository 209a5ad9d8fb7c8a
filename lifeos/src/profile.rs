//! The user's profile and planning preferences.

use lifeos_core::{NewProfile, Preferences, PreferencesPatch, Profile, ProfilePatch, UserId};

use crate::LifeOs;
use crate::error::{Error, ErrorKind, Result};

impl LifeOs {
    /// The user's profile, created from `new` when the user has none yet (`profile.updated`
    /// then); an existing profile is returned unchanged and `new` is ignored.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming each field of `new` at fault (only when it is used);
    /// [`Error::Storage`].
    pub async fn ensure_profile(&self, user: UserId, new: NewProfile) -> Result<Profile> {
        match self.store().get_profile(user).await {
            Ok(profile) => return Ok(profile),
            Err(lifeos_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(Error::store("reading the profile")(e)),
        }
        match self.store().create_profile(user, new).await {
            Ok(profile) => Ok(profile),
            // Created meanwhile by another caller: theirs stands.
            Err(lifeos_store::Error::Duplicate { .. }) => self.profile(user).await,
            Err(e) => Err(Error::store("creating the profile")(e)),
        }
    }

    /// The user's profile.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the user has no profile; [`Error::Storage`].
    pub async fn profile(&self, user: UserId) -> Result<Profile> {
        self.store()
            .get_profile(user)
            .await
            .map_err(Error::store("reading the profile"))
    }

    /// The user's planning preferences (zone, workday, peak hours, focus cap, buffer,
    /// working days).
    ///
    /// # Errors
    /// As [`LifeOs::profile`].
    pub async fn preferences(&self, user: UserId) -> Result<Preferences> {
        Ok(self.profile(user).await?.preferences)
    }

    /// Changes the fields of the user's preferences that `patch` sets (`profile.updated`)
    /// and returns them as stored now. Every field is checked; on error nothing changes.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming each field at fault (`preferences.timezone`, ...);
    /// [`Error::NotFound`] when the user has no profile; [`Error::Storage`].
    pub async fn set_preferences(
        &self,
        user: UserId,
        patch: PreferencesPatch,
    ) -> Result<Preferences> {
        let patch = ProfilePatch {
            preferences: Some(patch),
            ..ProfilePatch::default()
        };
        let profile = self
            .store()
            .update_profile(user, None, patch)
            .await
            .map_err(Error::store("updating the preferences"))?;
        Ok(profile.preferences)
    }

    /// The user's profile, created first if they have none (as a server meets a user it
    /// authenticated): with `email` when it is a valid address, else
    /// `<user id>@users.invalid`, and default preferences. Two callers
    /// racing to create it both get the one stored.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn ensure_profile_with_email(
        &self,
        user: UserId,
        email: Option<&str>,
    ) -> Result<Profile> {
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
