//! Profiles and preferences: `ensure_profile`, `preferences`, `set_preferences`.

use lifeos::ErrorKind;
use lifeos::core::{NewProfile, PreferencesPatch};

use super::*;

fn new_profile(zone: &str) -> NewProfile {
    NewProfile {
        email: "new@example.com".into(),
        name: None,
        avatar_url: None,
        preferences: PreferencesPatch {
            timezone: Some(zone.into()),
            ..PreferencesPatch::default()
        },
    }
}

#[tokio::test]
async fn ensure_profile_creates_once_and_keeps_the_existing_one() {
    let (app, _, me) = memory_app().await;
    // User 1 exists (Berlin): the new profile is ignored.
    let kept = app
        .ensure_profile(me, new_profile("Asia/Tokyo"))
        .await
        .unwrap();
    assert_eq!(kept.preferences.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(kept.email, "me@example.com");

    let other = user(2);
    let made = app
        .ensure_profile(other, new_profile("Asia/Tokyo"))
        .await
        .unwrap();
    assert_eq!(made.preferences.timezone, chrono_tz::Asia::Tokyo);
    let again = app
        .ensure_profile(other, new_profile("Europe/Paris"))
        .await
        .unwrap();
    assert_eq!(again, made);
    assert_eq!(kinds(&app, other).await, ["profile.updated"]);
}

#[tokio::test]
async fn ensure_profile_refuses_an_invalid_new_profile() {
    let (app, _, _) = memory_app().await;
    let err = app
        .ensure_profile(user(3), new_profile("Mars/Olympus"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(err.field(), Some("preferences.timezone"));
    assert!(app.profile(user(3)).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn set_preferences_changes_only_what_it_names() {
    let (app, _, me) = memory_app().await;
    let before = app.preferences(me).await.unwrap();
    let after = app
        .set_preferences(
            me,
            PreferencesPatch {
                workday_start: Some("08:30".into()),
                meeting_buffer_minutes: Some(5),
                ..PreferencesPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(after.workday_start.to_string(), "08:30");
    assert_eq!(after.meeting_buffer_minutes, 5);
    assert_eq!(after.timezone, before.timezone);
    assert_eq!(after.workday_end, before.workday_end);
    assert_eq!(app.preferences(me).await.unwrap(), after);

    // A bad value names its field and changes nothing.
    let err = app
        .set_preferences(
            me,
            PreferencesPatch {
                meeting_buffer_minutes: Some(5000),
                ..PreferencesPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(
        err.field(),
        Some("preferences.meeting_buffer_minutes"),
        "{err}"
    );
    assert_eq!(app.preferences(me).await.unwrap(), after);
    assert!(
        app.set_preferences(user(9), PreferencesPatch::default())
            .await
            .unwrap_err()
            .is_not_found()
    );
}
