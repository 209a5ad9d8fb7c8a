//! `LifeOs::ensure_profile_with_email` and `LifeOs::patch_preferences`.

use lifeos::ErrorKind;
use lifeos::core::PreferencesPatch;
use lifeos::store::MemoryStore;

use super::*;

#[tokio::test]
async fn the_first_call_creates_the_profile_once_with_a_valid_email_or_the_fallback() {
    let store = Arc::new(MemoryStore::new(store_options(3)));
    let app = app_over(
        store,
        Arc::new(ManualMonotonic::with_step(std::time::Duration::ZERO)),
    );
    let (a, b) = (user(10), user(11));
    let pa = app
        .ensure_profile_with_email(a, Some("a@example.com"))
        .await
        .unwrap();
    assert_eq!((pa.email.as_str(), pa.version), ("a@example.com", 1));
    assert_eq!(
        app.ensure_profile_with_email(a, Some("other@example.com"))
            .await
            .unwrap(),
        pa
    );
    let pb = app
        .ensure_profile_with_email(b, Some("not an email"))
        .await
        .unwrap();
    assert_eq!(pb.email, format!("{b}@users.invalid"));
}

#[tokio::test]
async fn preferences_patch_validates_and_an_empty_patch_changes_nothing() {
    let (app, _, me) = memory_app().await;
    let before = app.ensure_profile_with_email(me, None).await.unwrap();
    let same = app
        .patch_preferences(me, None, PreferencesPatch::default())
        .await
        .unwrap();
    assert_eq!(same, before);
    let err = app
        .patch_preferences(
            me,
            None,
            PreferencesPatch {
                timezone: Some("Mars/Olympus".into()),
                ..PreferencesPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::Invalid, Some("preferences.timezone"))
    );
    let after = app
        .patch_preferences(
            me,
            Some(before.version),
            PreferencesPatch {
                timezone: Some("America/New_York".into()),
                ..PreferencesPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(after.version, before.version + 1);
    assert_eq!(after.preferences.timezone, chrono_tz::America::New_York);
    let stale = app
        .patch_preferences(me, Some(before.version), PreferencesPatch::default())
        .await
        .unwrap_err();
    assert_eq!(stale.kind(), ErrorKind::Conflict);
}
