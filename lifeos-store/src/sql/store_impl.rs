//! The store traits for a SQL backend, written once: `impl_store!(Backend)` implements
//! every trait for a type that implements [`super::Dialect`], each method a call into
//! this module's per-entity functions.

/// Implements the store traits for `$store` (a [`super::Dialect`]).
macro_rules! impl_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::traits::TaskStore for $store {
            async fn create_tasks(
                &self,
                user: lifeos_core::UserId,
                new: Vec<lifeos_core::NewTask>,
            ) -> $crate::Result<Vec<lifeos_core::Task>> {
                $crate::sql::tasks::create_tasks(self, user, new).await
            }

            async fn get_task(
                &self,
                user: lifeos_core::UserId,
                id: lifeos_core::TaskId,
            ) -> $crate::Result<lifeos_core::Task> {
                $crate::sql::tasks::get_task(self, user, id).await
            }

            async fn change_tasks_guarded(
                &self,
                user: lifeos_core::UserId,
                changes: Vec<$crate::TaskChange>,
                record: Option<(lifeos_core::EventSource, lifeos_core::EventPayload)>,
                guard: &$crate::ReadGuard,
            ) -> $crate::Result<(Vec<lifeos_core::Task>, Option<$crate::StoredEvent>)> {
                $crate::sql::tasks::change_tasks_guarded(self, user, changes, record, guard).await
            }

            async fn list_tasks(
                &self,
                user: lifeos_core::UserId,
                query: &$crate::TaskQuery,
            ) -> $crate::Result<$crate::Page<lifeos_core::Task>> {
                $crate::sql::tasks::list_tasks(self, user, query).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::traits::ProjectStore for $store {
            async fn create_project(
                &self,
                user: lifeos_core::UserId,
                new: lifeos_core::NewProject,
            ) -> $crate::Result<lifeos_core::Project> {
                $crate::sql::projects::create_project(self, user, new).await
            }

            async fn get_project(
                &self,
                user: lifeos_core::UserId,
                id: lifeos_core::ProjectId,
            ) -> $crate::Result<lifeos_core::Project> {
                $crate::sql::projects::get_project(self, user, id).await
            }

            async fn update_project(
                &self,
                user: lifeos_core::UserId,
                id: lifeos_core::ProjectId,
                expected_version: Option<u64>,
                patch: lifeos_core::ProjectPatch,
            ) -> $crate::Result<lifeos_core::Project> {
                $crate::sql::projects::change_project(self, user, id, expected_version, Some(patch))
                    .await
            }

            async fn delete_project(
                &self,
                user: lifeos_core::UserId,
                id: lifeos_core::ProjectId,
            ) -> $crate::Result<lifeos_core::Project> {
                $crate::sql::projects::change_project(self, user, id, None, None).await
            }

            async fn list_projects(
                &self,
                user: lifeos_core::UserId,
                include_deleted: bool,
            ) -> $crate::Result<Vec<lifeos_core::Project>> {
                $crate::sql::projects::list_projects(self, user, include_deleted).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::traits::CalendarStore for $store {
            async fn upsert_calendar_event(
                &self,
                user: lifeos_core::UserId,
                input: lifeos_core::CalendarEventInput,
            ) -> $crate::Result<$crate::Upserted<lifeos_core::CalendarEvent>> {
                $crate::sql::calendar::upsert_calendar_event(self, user, input).await
            }

            async fn upsert_calendar_events(
                &self,
                user: lifeos_core::UserId,
                inputs: Vec<lifeos_core::CalendarEventInput>,
                batch: $crate::UpsertBatch,
            ) -> $crate::Result<Vec<$crate::Result<$crate::Upserted<lifeos_core::CalendarEvent>>>>
            {
                $crate::sql::calendar::upsert_calendar_events(self, user, inputs, batch).await
            }

            async fn get_calendar_event(
                &self,
                user: lifeos_core::UserId,
                id: lifeos_core::CalendarEventId,
            ) -> $crate::Result<lifeos_core::CalendarEvent> {
                $crate::sql::calendar::get_calendar_event(self, user, id).await
            }

            async fn update_calendar_event(
                &self,
                user: lifeos_core::UserId,
                id: lifeos_core::CalendarEventId,
                expected_version: Option<u64>,
                patch: lifeos_core::CalendarEventPatch,
            ) -> $crate::Result<lifeos_core::CalendarEvent> {
                $crate::sql::calendar::update_calendar_event(
                    self,
                    user,
                    id,
                    expected_version,
                    patch,
                )
                .await
            }

            async fn delete_calendar_event_at(
                &self,
                user: lifeos_core::UserId,
                id: lifeos_core::CalendarEventId,
                expected_version: Option<u64>,
            ) -> $crate::Result<lifeos_core::CalendarEvent> {
                $crate::sql::calendar::delete_calendar_event(self, user, id, expected_version).await
            }

            async fn list_calendar_events(
                &self,
                user: lifeos_core::UserId,
                include_deleted: bool,
            ) -> $crate::Result<Vec<lifeos_core::CalendarEvent>> {
                $crate::sql::calendar::list_calendar_events(self, user, include_deleted).await
            }

            async fn list_events_for_window(
                &self,
                user: lifeos_core::UserId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Vec<lifeos_core::CalendarEvent>> {
                Ok($crate::sql::calendar::calendar_window(self, user, from, to)
                    .await?
                    .events)
            }

            async fn calendar_window(
                &self,
                user: lifeos_core::UserId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<$crate::CalendarWindow> {
                $crate::sql::calendar::calendar_window(self, user, from, to).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::traits::ProfileStore for $store {
            async fn create_profile(
                &self,
                user: lifeos_core::UserId,
                new: lifeos_core::NewProfile,
            ) -> $crate::Result<lifeos_core::Profile> {
                $crate::sql::profiles::create_profile(self, user, new).await
            }

            async fn seed_user(
                &self,
                user: lifeos_core::UserId,
                seed: $crate::UserSeed,
            ) -> $crate::Result<lifeos_core::Profile> {
                $crate::sql::profiles::seed_user(self, user, seed).await
            }

            async fn get_profile(
                &self,
                user: lifeos_core::UserId,
            ) -> $crate::Result<lifeos_core::Profile> {
                $crate::sql::profiles::get_profile(self, user).await
            }

            async fn update_profile(
                &self,
                user: lifeos_core::UserId,
                expected_version: Option<u64>,
                patch: lifeos_core::ProfilePatch,
            ) -> $crate::Result<lifeos_core::Profile> {
                $crate::sql::profiles::update_profile(self, user, expected_version, patch).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::traits::SubscriptionStore for $store {
            async fn upsert_subscription(
                &self,
                user: lifeos_core::UserId,
                input: lifeos_core::SubscriptionInput,
            ) -> $crate::Result<$crate::Upserted<lifeos_core::Subscription>> {
                $crate::sql::subscriptions::upsert_subscription(self, user, input).await
            }

            async fn list_subscriptions(
                &self,
                user: lifeos_core::UserId,
            ) -> $crate::Result<Vec<lifeos_core::Subscription>> {
                $crate::sql::subscriptions::list_subscriptions(self, user).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::traits::OAuthTokenStore for $store {
            async fn put_oauth_token(
                &self,
                user: lifeos_core::UserId,
                provider: &str,
                secret: $crate::OAuthSecret,
            ) -> $crate::Result<lifeos_core::OAuthToken> {
                $crate::sql::tokens::put_oauth_token(self, user, provider, secret).await
            }

            async fn get_oauth_token(
                &self,
                user: lifeos_core::UserId,
                provider: &str,
            ) -> $crate::Result<lifeos_core::OAuthToken> {
                $crate::sql::tokens::get_oauth_token(self, user, provider).await
            }

            async fn open_oauth_token(
                &self,
                user: lifeos_core::UserId,
                provider: &str,
            ) -> $crate::Result<$crate::OAuthSecret> {
                let token = self.get_oauth_token(user, provider).await?;
                $crate::rules::open_token($crate::sql::Dialect::ctx(self).keyring()?, &token)
            }

            async fn list_oauth_tokens(
                &self,
                user: lifeos_core::UserId,
            ) -> $crate::Result<Vec<lifeos_core::OAuthToken>> {
                $crate::sql::tokens::list_oauth_tokens(self, user).await
            }

            async fn delete_oauth_token(
                &self,
                user: lifeos_core::UserId,
                provider: &str,
            ) -> $crate::Result<()> {
                $crate::sql::tokens::delete_oauth_token(self, user, provider).await
            }

            async fn rotate_oauth_tokens(&self, user: lifeos_core::UserId) -> $crate::Result<u32> {
                $crate::sql::tokens::rotate_oauth_tokens(self, user).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::traits::EventLog for $store {
            async fn read_events(
                &self,
                user: lifeos_core::UserId,
                query: &$crate::EventQuery,
            ) -> $crate::Result<$crate::EventPage> {
                $crate::sql::log::read_events(self, user, query).await
            }

            fn subscribe(&self, user: lifeos_core::UserId) -> $crate::EventStream {
                $crate::sql::Dialect::ctx(self).hub.subscribe(user)
            }

            async fn record_event(
                &self,
                user: lifeos_core::UserId,
                source: lifeos_core::EventSource,
                payload: lifeos_core::EventPayload,
            ) -> $crate::Result<$crate::StoredEvent> {
                $crate::sql::log::record_event(self, user, source, payload).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::idempotency::IdempotencyStore for $store {
            async fn idempotency_record(
                &self,
                user: lifeos_core::UserId,
                scope: &$crate::IdempotencyScope,
            ) -> $crate::Result<Option<$crate::IdempotencyRecord>> {
                $crate::sql::idempotency::idempotency_record(self, user, scope).await
            }

            async fn put_idempotency_record(
                &self,
                user: lifeos_core::UserId,
                record: $crate::IdempotencyRecord,
            ) -> $crate::Result<()> {
                $crate::sql::idempotency::put_idempotency_record(self, user, record).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::traits::Store for $store {
            /// The export, read in one transaction: a consistent snapshot.
            async fn export_user(
                &self,
                user: lifeos_core::UserId,
            ) -> $crate::Result<$crate::UserExport> {
                $crate::sql::user::export_user(self, user).await
            }

            async fn erase_user(
                &self,
                user: lifeos_core::UserId,
            ) -> $crate::Result<$crate::Erasure> {
                $crate::sql::user::erase_user(self, user).await
            }
        }
    };
}

pub(crate) use impl_store;
