//! A user's profile and planning preferences.

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Validator};
use crate::id::UserId;
use crate::plan::{BlockedTime, PlanDayRequest, PlanPreferences};
use crate::task::Task;
pub use crate::time::ClockTime;

/// How a user wants days planned. Defaults are PLANNER.md's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preferences {
    /// IANA zone the user lives in.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub timezone: Tz,
    /// Start of the workday (default 09:00).
    pub workday_start: ClockTime,
    /// End of the workday, exclusive (default 17:00).
    pub workday_end: ClockTime,
    /// Start of peak focus hours (default 09:00).
    pub peak_hours_start: ClockTime,
    /// End of peak focus hours, exclusive (default 12:00).
    pub peak_hours_end: ClockTime,
    /// Most hours of task work a day (default 6), 0 to 24.
    pub max_focus_hours: f64,
    /// Minutes kept free around meetings (default 15), 0 to 1440.
    pub meeting_buffer_minutes: u32,
    /// Days the user works (default Monday to Friday), in week order.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub working_days: Vec<Weekday>,
}

impl Default for Preferences {
    /// PLANNER.md's defaults (one source: [`PlanPreferences::default`]), in UTC, Monday to
    /// Friday.
    fn default() -> Self {
        let plan = PlanPreferences::default();
        Preferences {
            timezone: Tz::UTC,
            workday_start: plan.workday_start,
            workday_end: plan.workday_end,
            peak_hours_start: plan.peak_hours_start,
            peak_hours_end: plan.peak_hours_end,
            max_focus_hours: plan.max_focus_hours,
            meeting_buffer_minutes: plan.meeting_buffer_minutes,
            working_days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
        }
    }
}

impl Preferences {
    /// Whether `date` is one of the user's working days.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        self.working_days.contains(&date.weekday())
    }

    /// Checks the cross-field rules: each end after its start, the focus cap in 0..=24, the
    /// buffer in 0..=1440, and no 24:00 start.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming each offending `preferences.*` field.
    pub fn validate(&self) -> Result<(), Error> {
        let mut v = Validator::new();
        self.check_into(&mut v);
        v.finish(())
    }

    fn check_into(&self, v: &mut Validator) {
        self.check_fields(v);
        v.check(
            self.workday_end > self.workday_start,
            "preferences.workday_end",
            self.workday_end,
            &format!("after workday_start ({})", self.workday_start),
        );
        v.check(
            self.peak_hours_end > self.peak_hours_start,
            "preferences.peak_hours_end",
            self.peak_hours_end,
            &format!("after peak_hours_start ({})", self.peak_hours_start),
        );
    }

    /// The rules of one field each: no 24:00 start, the focus cap and the buffer in
    /// range, at least one working day.
    fn check_fields(&self, v: &mut Validator) {
        v.check(
            self.workday_start < ClockTime::END_OF_DAY,
            "preferences.workday_start",
            self.workday_start,
            "a time from 00:00 to 23:59",
        );
        v.check(
            self.peak_hours_start < ClockTime::END_OF_DAY,
            "preferences.peak_hours_start",
            self.peak_hours_start,
            "a time from 00:00 to 23:59",
        );
        v.check(
            self.max_focus_hours.is_finite() && (0.0..=24.0).contains(&self.max_focus_hours),
            "preferences.max_focus_hours",
            self.max_focus_hours,
            "a number in 0..=24",
        );
        v.check(
            self.meeting_buffer_minutes <= 1440,
            "preferences.meeting_buffer_minutes",
            self.meeting_buffer_minutes,
            "an integer in 0..=1440",
        );
        v.check(
            !self.working_days.is_empty(),
            "preferences.working_days",
            "[]",
            "at least one day",
        );
    }

    /// These preferences with `patch` applied, all or nothing.
    ///
    /// # Errors
    /// [`Error::Invalid`] listing every problem of the patch and of the result.
    pub fn patched(&self, patch: &PreferencesPatch) -> Result<Preferences, Error> {
        let mut v = Validator::new();
        let mut next = self.clone();
        if patch.read_into(&mut next, &mut v) {
            next.check_into(&mut v);
        }
        v.finish(next)
    }
}

impl PreferencesPatch {
    /// Checks what the patch alone decides, listing every problem: each value it sets
    /// read and in its range. Rules needing the stored preferences (an end after its
    /// start) are checked by [`Preferences::patched`].
    ///
    /// # Errors
    /// [`Error::Invalid`] naming each offending `preferences.*` field.
    pub fn validate(&self) -> Result<(), Error> {
        let mut v = Validator::new();
        // Read over the defaults, which pass every rule: only the fields set can fail.
        let mut read = Preferences::default();
        self.read_into(&mut read, &mut v);
        read.check_fields(&mut v);
        v.finish(())
    }

    /// Sets the values of this patch on `next`, noting each unreadable one in `v`;
    /// `false` when a time could not be read (the order rules then say nothing useful).
    fn read_into(&self, next: &mut Preferences, v: &mut Validator) -> bool {
        let patch = self;
        if let Some(tz) = &patch.timezone {
            match tz.parse::<Tz>() {
                Ok(tz) => next.timezone = tz,
                Err(_) => v.check(false, "preferences.timezone", tz, "an IANA time zone name"),
            }
        }
        let times = [
            (
                "preferences.workday_start",
                &patch.workday_start,
                &mut next.workday_start,
            ),
            (
                "preferences.workday_end",
                &patch.workday_end,
                &mut next.workday_end,
            ),
            (
                "preferences.peak_hours_start",
                &patch.peak_hours_start,
                &mut next.peak_hours_start,
            ),
            (
                "preferences.peak_hours_end",
                &patch.peak_hours_end,
                &mut next.peak_hours_end,
            ),
        ];
        let mut bad_time = false;
        for (field, text, slot) in times {
            if let Some(text) = text {
                match ClockTime::parse(text) {
                    Some(t) => *slot = t,
                    None => {
                        bad_time = true;
                        v.check(false, field, text, "a time as HH:MM from 00:00 to 24:00");
                    }
                }
            }
        }
        if let Some(hours) = patch.max_focus_hours {
            next.max_focus_hours = hours;
        }
        if let Some(buffer) = patch.meeting_buffer_minutes {
            match u32::try_from(buffer) {
                Ok(b) => next.meeting_buffer_minutes = b,
                Err(_) => v.check(
                    false,
                    "preferences.meeting_buffer_minutes",
                    buffer,
                    "an integer in 0..=1440",
                ),
            }
        }
        if let Some(days) = &patch.working_days {
            let mut parsed = Vec::new();
            for (i, day) in days.iter().enumerate() {
                match day.parse::<Weekday>() {
                    Ok(d) => parsed.push(d),
                    Err(_) => v.check(
                        false,
                        format!("preferences.working_days[{i}]"),
                        day,
                        "a weekday name such as mon or monday",
                    ),
                }
            }
            parsed.sort_by_key(|d| d.num_days_from_monday());
            parsed.dedup();
            next.working_days = parsed;
        }
        !bad_time
    }
}

impl Preferences {
    /// The planner's preferences (working days and the zone are not on that wire).
    pub fn to_plan_preferences(&self) -> PlanPreferences {
        PlanPreferences {
            workday_start: self.workday_start,
            workday_end: self.workday_end,
            peak_hours_start: self.peak_hours_start,
            peak_hours_end: self.peak_hours_end,
            max_focus_hours: self.max_focus_hours,
            meeting_buffer_minutes: self.meeting_buffer_minutes,
        }
    }

    /// A request to plan the local date `today` in this user's zone at `now`, over `tasks`
    /// and the expanded `blocked_time`. Deleted tasks are left out; the rest keep their
    /// status (the planner reports completed and cancelled ones as not actionable).
    ///
    /// Working days are not on the planner's wire: a caller planning a day for which
    /// [`Preferences::is_working_day`] is false should warn the user.
    pub fn plan_request(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
        tasks: &[Task],
        blocked_time: Vec<BlockedTime>,
    ) -> PlanDayRequest {
        PlanDayRequest {
            timezone: self.timezone,
            today,
            current_time: now,
            preferences: self.to_plan_preferences(),
            tasks: tasks
                .iter()
                .filter(|t| !t.is_deleted())
                .map(Task::to_plan_task)
                .collect(),
            blocked_time,
        }
    }
}

/// A change to preferences, as raw input: every field optional, validated by
/// [`Preferences::patched`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreferencesPatch {
    /// IANA zone name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `HH:MM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
    )]
    pub workday_start: Option<String>,
    /// `HH:MM` or `24:00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
    )]
    pub workday_end: Option<String>,
    /// `HH:MM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
    )]
    pub peak_hours_start: Option<String>,
    /// `HH:MM` or `24:00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
    )]
    pub peak_hours_end: Option<String>,
    /// 0 to 24.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 24))]
    pub max_focus_hours: Option<f64>,
    /// 0 to 1440.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1440))]
    pub meeting_buffer_minutes: Option<i64>,
    /// Weekday names (`mon`, `Tuesday`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_days: Option<Vec<String>>,
}

/// A user's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    /// The user.
    pub id: UserId,
    /// Email address.
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Picture URL.
    pub avatar_url: Option<String>,
    /// Planning preferences (time zone included).
    pub preferences: Preferences,
    /// When onboarding was finished.
    pub onboarding_completed_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// 1 at creation, +1 per change.
    pub version: u64,
}

/// The fields of a profile to create.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewProfile {
    /// Email address (3 to 254 characters, one `@`).
    pub email: String,
    /// Display name (up to 200 characters).
    pub name: Option<String>,
    /// Picture URL (up to 2,000 characters).
    pub avatar_url: Option<String>,
    /// Preferences differing from the defaults.
    pub preferences: PreferencesPatch,
}

/// A change to a profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfilePatch {
    /// New display name, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub name: Option<Option<String>>,
    /// New picture URL, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub avatar_url: Option<Option<String>>,
    /// Preference changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferences: Option<PreferencesPatch>,
    /// Mark onboarding finished (`true`) or not (`false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onboarding_completed: Option<bool>,
}

fn check_email(v: &mut Validator, email: &str) {
    let n = email.chars().count();
    let ok = (3..=254).contains(&n)
        && email.matches('@').count() == 1
        && !email.starts_with('@')
        && !email.ends_with('@')
        && !email.chars().any(char::is_whitespace);
    v.check(
        ok,
        "email",
        email,
        "an email address (3 to 254 characters, one @, no spaces)",
    );
}

fn check_name_and_avatar(v: &mut Validator, name: Option<&str>, avatar: Option<&str>) {
    crate::validate::check_text(v, "name", name, 200);
    crate::validate::check_text(v, "avatar_url", avatar, 2000);
}

impl Profile {
    /// A new profile for `id`, version 1, preferences defaulted then patched.
    ///
    /// # Errors
    /// [`Error::Invalid`] listing every problem.
    pub fn create(id: UserId, new: NewProfile, now: DateTime<Utc>) -> Result<Profile, Error> {
        let mut v = Validator::new();
        check_email(&mut v, &new.email);
        check_name_and_avatar(&mut v, new.name.as_deref(), new.avatar_url.as_deref());
        let preferences = v.absorb(Preferences::default().patched(&new.preferences))?;
        v.finish(())?;
        Ok(Profile {
            id,
            email: new.email.trim().to_owned(),
            name: new.name,
            avatar_url: new.avatar_url,
            preferences: preferences.unwrap_or_default(),
            onboarding_completed_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// Applies `patch` at `now`, all or nothing. Bumps the version.
    ///
    /// # Errors
    /// [`Error::Invalid`] listing every problem; the profile is then unchanged.
    pub fn apply(&mut self, patch: &ProfilePatch, now: DateTime<Utc>) -> Result<(), Error> {
        let mut v = Validator::new();
        check_name_and_avatar(
            &mut v,
            patch.name.as_ref().and_then(|n| n.as_deref()),
            patch.avatar_url.as_ref().and_then(|a| a.as_deref()),
        );
        let preferences = match &patch.preferences {
            Some(p) => v.absorb(self.preferences.patched(p))?,
            None => None,
        };
        v.finish(())?;
        if let Some(name) = &patch.name {
            self.name.clone_from(name);
        }
        if let Some(avatar) = &patch.avatar_url {
            self.avatar_url.clone_from(avatar);
        }
        if let Some(p) = preferences {
            self.preferences = p;
        }
        match patch.onboarding_completed {
            Some(true) if self.onboarding_completed_at.is_none() => {
                self.onboarding_completed_at = Some(now)
            }
            Some(false) => self.onboarding_completed_at = None,
            _ => {}
        }
        self.updated_at = now;
        self.version += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::invalid_fields as fields;

    #[test]
    fn a_preferences_patch_is_checked_alone_by_field_then_against_the_stored_ones() {
        let patch = PreferencesPatch {
            timezone: Some("Mars/Base".into()),
            workday_start: Some("24:00".into()),
            max_focus_hours: Some(25.0),
            working_days: Some(vec!["mon".into(), "funday".into()]),
            ..PreferencesPatch::default()
        };
        let mut got = fields(patch.validate().unwrap_err());
        got.sort();
        assert_eq!(
            got,
            [
                "preferences.max_focus_hours",
                "preferences.timezone",
                "preferences.workday_start",
                "preferences.working_days[1]",
            ]
        );
        // An end before the stored start is the stored preferences' rule, not the patch's.
        let early_end = PreferencesPatch {
            workday_end: Some("06:00".into()),
            ..PreferencesPatch::default()
        };
        assert!(early_end.validate().is_ok());
        assert_eq!(
            fields(Preferences::default().patched(&early_end).unwrap_err()),
            ["preferences.workday_end"]
        );
        assert!(PreferencesPatch::default().validate().is_ok());
    }
}
