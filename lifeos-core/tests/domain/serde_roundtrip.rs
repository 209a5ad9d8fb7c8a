//! Every public type survives a trip through JSON unchanged.

use super::strategies::*;
use lifeos_core::*;
use proptest::prelude::*;
use serde::{Serialize, de::DeserializeOwned};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
) -> Result<(), TestCaseError> {
    let json = serde_json::to_string(value).unwrap();
    let back: T =
        serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
    prop_assert_eq!(&back, value, "via {}", json);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn typed_ids(user in ids::<UserId>(), task in ids::<TaskId>(), project in ids::<ProjectId>(),
           cal in ids::<CalendarEventId>(), sub in ids::<SubscriptionId>(), event in ids::<EventId>(),
           token in ids::<OAuthTokenId>()) {
        round_trip(&user)?; round_trip(&task)?; round_trip(&project)?; round_trip(&cal)?;
        round_trip(&sub)?; round_trip(&event)?; round_trip(&token)?;
    }

    #[test]
    fn tasks(t in task()) { round_trip(&t)?; }

    #[test]
    fn new_tasks(t in new_task()) { round_trip(&t)?; }

    #[test]
    fn task_patches(p in task_patch()) { round_trip(&p)?; }

    #[test]
    fn small_types(p in priority(), s in status(), c in clock_time(), t in tier(), st in subscription_status()) {
        round_trip(&p)?; round_trip(&s)?; round_trip(&c)?; round_trip(&t)?; round_trip(&st)?;
    }

    #[test]
    fn projects(p in project(), patch in project_patch()) { round_trip(&p)?; round_trip(&patch)?; }

    #[test]
    fn profiles(p in profile(), patch in profile_patch(), prefs in preferences()) {
        round_trip(&p)?; round_trip(&patch)?; round_trip(&prefs)?;
    }

    #[test]
    fn calendar_events(e in calendar_event(), t in event_time()) { round_trip(&e)?; round_trip(&t)?; }

    #[test]
    fn billing_and_tokens(s in subscription(), t in oauth_token()) { round_trip(&s)?; round_trip(&t)?; }

    #[test]
    fn domain_events(e in domain_event()) { round_trip(&e)?; }
}

#[test]
fn patch_distinguishes_absent_null_and_value() {
    let absent: TaskPatch = serde_json::from_str("{}").unwrap();
    assert_eq!(absent.description, None);
    let cleared: TaskPatch = serde_json::from_str(r#"{"description": null}"#).unwrap();
    assert_eq!(cleared.description, Some(None));
    let set: TaskPatch = serde_json::from_str(r#"{"description": "x"}"#).unwrap();
    assert_eq!(set.description, Some(Some("x".to_owned())));
    assert_eq!(serde_json::to_string(&absent).unwrap(), "{}");
    assert_eq!(
        serde_json::to_string(&cleared).unwrap(),
        r#"{"description":null}"#
    );
}
