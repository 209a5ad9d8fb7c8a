//! Typed identifiers.
//!
//! Every id is a UUID v7 behind a newtype, so a [`TaskId`] can never be passed where a
//! [`UserId`] is expected. Ids are built from a timestamp and ten bytes of an injected RNG
//! ([`TaskId::generate`]), never from the clock or the OS RNG, so the same `now` and the same
//! seeded RNG give the same ids in tests.

use chrono::{DateTime, Utc};
use rand_core::RngCore;
use uuid::Uuid;

/// Declares a typed id over a private UUID.
macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident, $label:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new UUID v7 id whose timestamp is `now` (milliseconds) and whose random
            /// part is ten bytes drawn from `rng`.
            pub fn generate<R: RngCore + ?Sized>(now: DateTime<Utc>, rng: &mut R) -> Self {
                Self(new_v7(now, rng))
            }

            /// Wraps an existing UUID (as read from storage or the wire).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// Parses an id, naming `field` in the error when the text is not a UUID.
            ///
            /// # Errors
            /// [`crate::Error::Invalid`] naming `field` when `text` is not a UUID.
            pub fn parse_field(text: &str, field: &str) -> Result<Self, crate::Error> {
                Uuid::parse_str(text).map(Self).map_err(|_| {
                    crate::Error::invalid(field, text, concat!("a UUID (", $label, ")"))
                })
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // Lowercase hyphenated, the only form LifeOS writes.
                std::fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0.hyphenated())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::Error;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse_field(text, $label)
            }
        }
    };
}

/// Builds a UUID v7 from `now` and ten bytes of `rng` (the one id recipe of LifeOS).
fn new_v7<R: RngCore + ?Sized>(now: DateTime<Utc>, rng: &mut R) -> Uuid {
    let mut bytes = [0u8; 10];
    rng.fill_bytes(&mut bytes);
    // Instants before 1970 have no v7 form; they clamp to the epoch rather than wrap.
    let millis = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
}

define_id!(
    /// A user (the tenant every row belongs to).
    UserId,
    "user_id"
);
define_id!(
    /// A task.
    TaskId,
    "task_id"
);
define_id!(
    /// A project grouping tasks.
    ProjectId,
    "project_id"
);
define_id!(
    /// A calendar event (a single event, a series master or a modified instance).
    CalendarEventId,
    "calendar_event_id"
);
define_id!(
    /// A billing subscription.
    SubscriptionId,
    "subscription_id"
);
define_id!(
    /// A domain event in the append-only log.
    EventId,
    "event_id"
);
define_id!(
    /// A stored OAuth token.
    OAuthTokenId,
    "oauth_token_id"
);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 8, 14, 2, 0).unwrap()
    }

    #[test]
    fn same_seed_and_time_give_the_same_id() {
        let a = TaskId::generate(now(), &mut ChaCha8Rng::seed_from_u64(7));
        let b = TaskId::generate(now(), &mut ChaCha8Rng::seed_from_u64(7));
        assert_eq!(a, b);
        let c = TaskId::generate(now(), &mut ChaCha8Rng::seed_from_u64(8));
        assert_ne!(a, c);
    }

    #[test]
    fn ids_are_v7_and_carry_the_timestamp() {
        let id = UserId::generate(now(), &mut ChaCha8Rng::seed_from_u64(1));
        assert_eq!(id.as_uuid().get_version_num(), 7);
        let (secs, _) = id.as_uuid().get_timestamp().unwrap().to_unix();
        assert_eq!(i64::try_from(secs).unwrap(), now().timestamp());
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let a = EventId::generate(now(), &mut rng);
        let b = EventId::generate(now() + chrono::Duration::milliseconds(1), &mut rng);
        assert!(a < b);
    }

    #[test]
    fn display_parse_and_serde_round_trip() {
        let id = ProjectId::generate(now(), &mut ChaCha8Rng::seed_from_u64(9));
        let text = id.to_string();
        assert_eq!(text, text.to_lowercase());
        assert_eq!(text.parse::<ProjectId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<ProjectId>(&json).unwrap(), id);
    }

    #[test]
    fn parse_error_names_the_field() {
        let err = TaskId::parse_field("not-a-uuid", "tasks[2].id").unwrap_err();
        assert_eq!(err.field(), Some("tasks[2].id"));
        let err = "nope".parse::<UserId>().unwrap_err();
        assert_eq!(err.field(), Some("user_id"));
    }
}
