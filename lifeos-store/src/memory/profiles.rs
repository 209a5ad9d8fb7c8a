//! Profiles and subscriptions in memory.

use super::prelude::*;

#[async_trait]
impl ProfileStore for MemoryStore {
    async fn create_profile(&self, user: UserId, new: NewProfile) -> Result<Profile> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            if state.profiles.contains_key(&user) {
                return Err(Error::Duplicate {
                    entity: "profile",
                    key: user.to_string(),
                });
            }
            let (profile, e) = rules::create_profile(ctx, user, new, now)?;
            state.profiles.insert(user, profile.clone());
            Ok((profile, vec![e]))
        })
    }

    async fn seed_user(&self, user: UserId, seed: crate::UserSeed) -> Result<Profile> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            if state.profiles.contains_key(&user) {
                return Err(Error::Duplicate {
                    entity: "profile",
                    key: user.to_string(),
                });
            }
            let rows = rules::seed_rows(ctx, user, seed, now)?;
            state.profiles.insert(user, rows.profile.clone());
            state.calendar.extend(rows.events);
            state
                .tasks
                .extend(rows.tasks.into_iter().map(|t| (t.id, t)));
            Ok((rows.profile, rows.log))
        })
    }

    async fn get_profile(&self, user: UserId) -> Result<Profile> {
        self.read(|s| s.profiles.get(&user).cloned())
            .ok_or_else(|| Error::not_found("profile", user))
    }

    async fn update_profile(
        &self,
        user: UserId,
        expected_version: Option<u64>,
        patch: ProfilePatch,
    ) -> Result<Profile> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let current = state
                .profiles
                .get(&user)
                .ok_or_else(|| Error::not_found("profile", user))?;
            let (profile, e) = rules::update_profile(ctx, current, expected_version, &patch, now)?;
            state.profiles.insert(user, profile.clone());
            Ok((profile, vec![e]))
        })
    }
}

#[async_trait]
impl SubscriptionStore for MemoryStore {
    async fn upsert_subscription(
        &self,
        user: UserId,
        input: SubscriptionInput,
    ) -> Result<Upserted<Subscription>> {
        let now = self.ctx.now();
        self.mutate(user, |state, ctx| {
            let existing = state
                .subscriptions
                .values()
                .find(|s| {
                    s.user_id == user && s.stripe_subscription_id == input.stripe_subscription_id
                })
                .cloned();
            match rules::upsert_subscription(ctx, user, &input, existing.as_ref(), now)? {
                None => Ok((
                    Upserted::Unchanged(
                        existing.ok_or_else(|| Error::not_found("subscription", "?"))?,
                    ),
                    vec![],
                )),
                Some((sub, e)) => {
                    state.subscriptions.insert(sub.id, sub.clone());
                    let out = if existing.is_some() {
                        Upserted::Updated(sub)
                    } else {
                        Upserted::Created(sub)
                    };
                    Ok((out, vec![e]))
                }
            }
        })
    }

    async fn list_subscriptions(&self, user: UserId) -> Result<Vec<Subscription>> {
        Ok(self.read(|s| {
            let mut rows: Vec<Subscription> = s
                .subscriptions
                .values()
                .filter(|x| x.user_id == user)
                .cloned()
                .collect();
            rows.sort_by_key(|x| (x.created_at, x.id));
            rows
        }))
    }
}
