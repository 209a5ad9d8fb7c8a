//! [`CalendarEventPatch`]: a change to some fields of a stored calendar event.

use serde::{Deserialize, Serialize};

use crate::calendar::{
    Attendee, CalendarEvent, EventStatus, EventTime, NominalDuration, RecurrenceRange,
    Transparency, check_end, check_rrule, check_title,
};
use crate::error::{Error, Validator};
use crate::recurrence::RecurrenceRule;

/// A change to some fields of a calendar event. `None` leaves a field as it is; for a
/// field that may be empty, `Some(None)` clears it. The upsert key (`provider`,
/// `external_id`, `recurrence_id`) and `series_id` are not patched.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use lifeos_core::{CalendarEventPatch, EventTime};
/// let patch: CalendarEventPatch = serde_json::from_str(
///     r#"{"title": "Moved", "location": null, "end": {"kind": "utc", "value": "2026-12-04T16:00:00Z"}}"#,
/// ).unwrap();
/// assert_eq!(patch.title.as_deref(), Some("Moved"));
/// assert_eq!(patch.location, Some(None)); // null clears a nullable field
/// assert_eq!(patch.end, Some(EventTime::Utc(Utc.with_ymd_and_hms(2026, 12, 4, 16, 0, 0).unwrap())));
/// assert!(!patch.is_empty() && CalendarEventPatch::default().is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarEventPatch {
    /// New summary (at most 1,000 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New longer text, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub description: Option<Option<String>>,
    /// New place, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub location: Option<Option<String>>,
    /// New start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<EventTime>,
    /// New end (of the start's kind, not before it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<EventTime>,
    /// New nominal length, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub duration: Option<Option<NominalDuration>>,
    /// New recurrence rule (valid for the start), or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub rrule: Option<Option<RecurrenceRule>>,
    /// New extra instances (the list replaces).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rdates: Option<Vec<EventTime>>,
    /// New removed instances (the list replaces).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exdates: Option<Vec<EventTime>>,
    /// Which instances an override replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence_range: Option<RecurrenceRange>,
    /// Confirmed, tentative or cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<EventStatus>,
    /// Busy or free.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transparency: Option<Transparency>,
    /// New invitees (the list replaces).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendees: Option<Vec<Attendee>>,
    /// New video call link, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub conference_url: Option<Option<String>>,
    /// New provider version tag, or clear it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::validate::double_option"
    )]
    pub etag: Option<Option<String>>,
}

impl CalendarEventPatch {
    /// Whether it sets nothing.
    pub fn is_empty(&self) -> bool {
        *self == CalendarEventPatch::default()
    }

    /// Checks what the patch alone decides, listing every problem: the title's length, and
    /// when it sets both, the end against the start and the rule against the start. Rules
    /// that need the stored event (a new end against the stored start) are checked on
    /// [`apply`](Self::apply)'s result by [`CalendarEvent::validate`].
    ///
    /// # Errors
    /// [`Error::Invalid`] with one entry per offending field.
    pub fn validate(&self) -> Result<(), Error> {
        let mut v = Validator::new();
        if let Some(title) = &self.title {
            check_title(&mut v, title);
        }
        if let (Some(start), Some(end)) = (&self.start, &self.end) {
            check_end(&mut v, start, end);
        }
        if let (Some(start), Some(Some(rule))) = (self.start, &self.rrule) {
            check_rrule(&mut v, start, rule);
        }
        v.finish(())
    }

    /// `event` with this patch's fields set (identity, owner, timestamps and version
    /// untouched: the store sets those). Check the result with
    /// [`CalendarEvent::validate`].
    pub fn apply(&self, event: &CalendarEvent) -> CalendarEvent {
        let mut e = event.clone();
        fn set<T: Clone>(field: &mut T, value: &Option<T>) {
            if let Some(v) = value {
                *field = v.clone();
            }
        }
        set(&mut e.title, &self.title);
        set(&mut e.description, &self.description);
        set(&mut e.location, &self.location);
        set(&mut e.start, &self.start);
        set(&mut e.end, &self.end);
        set(&mut e.duration, &self.duration);
        set(&mut e.rrule, &self.rrule);
        set(&mut e.rdates, &self.rdates);
        set(&mut e.exdates, &self.exdates);
        set(&mut e.recurrence_range, &self.recurrence_range);
        set(&mut e.status, &self.status);
        set(&mut e.transparency, &self.transparency);
        set(&mut e.attendees, &self.attendees);
        set(&mut e.conference_url, &self.conference_url);
        set(&mut e.etag, &self.etag);
        e
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::error::invalid_fields as fields;

    #[test]
    fn a_patch_alone_is_checked_for_what_it_sets_together() {
        let utc = EventTime::Utc(Utc.with_ymd_and_hms(2026, 12, 4, 15, 0, 0).unwrap());
        let date = EventTime::Date(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
        let patch = CalendarEventPatch {
            title: Some("x".repeat(1001)),
            start: Some(utc),
            end: Some(date),
            ..CalendarEventPatch::default()
        };
        assert_eq!(fields(patch.validate().unwrap_err()), ["title", "end"]);
        // An end alone is checked against the stored start, on the patched event.
        let end_only = CalendarEventPatch {
            end: Some(date),
            ..CalendarEventPatch::default()
        };
        assert!(end_only.validate().is_ok());
        assert!(CalendarEventPatch::default().validate().is_ok());
    }
}
