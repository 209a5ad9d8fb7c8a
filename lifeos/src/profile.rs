//! The user's profile and planning preferences.

use lifeos_core::{NewProfile, Preferences, PreferencesPatch, Profile, ProfilePatch, UserId};

use crate::LifeOs;
use crate::error::{Error, Result};

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
}
