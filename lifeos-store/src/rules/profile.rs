//! Profiles: create and patch.

use chrono::{DateTime, Utc};
use lifeos_core::event::ProfileUpdated;
use lifeos_core::{
    DomainEvent, EventPayload, EventSource, NewProfile, Profile, ProfilePatch, UserId,
};

use super::{check_version, event};
use crate::ctx::Ctx;
use crate::error::Result;

/// A new profile and its `profile.updated` event naming the fields set.
pub(crate) fn create_profile(
    ctx: &Ctx,
    user: UserId,
    new: NewProfile,
    now: DateTime<Utc>,
) -> Result<(Profile, DomainEvent)> {
    let mut changed = vec!["email".to_owned()];
    if new.name.is_some() {
        changed.push("name".into());
    }
    if new.avatar_url.is_some() {
        changed.push("avatar_url".into());
    }
    changed.push("preferences".into());
    let profile = Profile::create(user, new, now)?;
    let payload = EventPayload::ProfileUpdated(ProfileUpdated { changed });
    let e = event(ctx, user, now, EventSource::Api, payload);
    Ok((profile, e))
}

/// The profile patched, and its `profile.updated` event.
pub(crate) fn update_profile(
    ctx: &Ctx,
    current: &Profile,
    expected: Option<u64>,
    patch: &ProfilePatch,
    now: DateTime<Utc>,
) -> Result<(Profile, DomainEvent)> {
    check_version("profile", current.id, expected, current.version)?;
    let mut profile = current.clone();
    profile.apply(patch, now)?;
    let changed = [
        ("name", patch.name.is_some()),
        ("avatar_url", patch.avatar_url.is_some()),
        ("preferences", patch.preferences.is_some()),
        ("onboarding_completed", patch.onboarding_completed.is_some()),
    ]
    .into_iter()
    .filter(|(_, set)| *set)
    .map(|(n, _)| n.to_owned())
    .collect();
    let payload = EventPayload::ProfileUpdated(ProfileUpdated { changed });
    let e = event(ctx, profile.id, now, EventSource::Api, payload);
    Ok((profile, e))
}
