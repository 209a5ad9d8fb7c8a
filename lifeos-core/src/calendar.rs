//! Calendar events and the times they carry.
//!
//! Calendars hold all-day dates and floating wall-clock times that no UTC instant can
//! round-trip, so an event's start and end are an [`EventTime`], not a `DateTime<Utc>`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Validator};
use crate::id::{CalendarEventId, UserId};
use crate::recurrence::{RecurrenceRule, Series};

/// A calendar time as the calendar wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventTime {
    /// An all-day date (iCalendar `VALUE=DATE`).
    Date(NaiveDate),
    /// A floating wall-clock time, the same local time in every zone.
    Floating(NaiveDateTime),
    /// A wall-clock time in an IANA zone (iCalendar `TZID=`).
    Zoned {
        /// The local wall-clock time (`2026-12-04T10:00:00`, no offset).
        #[cfg_attr(
            feature = "openapi",
            schema(value_type = String, pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")
        )]
        local: NaiveDateTime,
        /// The zone it is read in.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tz: Tz,
    },
    /// An absolute instant (iCalendar `...Z`).
    Utc(DateTime<Utc>),
}

impl EventTime {
    /// Whether this is an all-day date.
    pub fn is_date(&self) -> bool {
        matches!(self, EventTime::Date(_))
    }

    /// Which of the four forms this is, as a lowercase word (`date`, `floating`, `zoned`, `utc`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            EventTime::Date(_) => "date",
            EventTime::Floating(_) => "floating",
            EventTime::Zoned { .. } => "zoned",
            EventTime::Utc(_) => "utc",
        }
    }

    /// How this time compares with `other`, where they can be compared without a viewer:
    /// two dates, two floating times, or two times that each name an instant (zoned or
    /// UTC). `None` for a date or floating time against another form.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use lifeos_core::EventTime;
    /// let d = |day| EventTime::Date(NaiveDate::from_ymd_opt(2026, 3, day).unwrap());
    /// assert_eq!(d(1).compare(&d(2)), Some(std::cmp::Ordering::Less));
    /// let noon = EventTime::Floating(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(12, 0, 0).unwrap());
    /// assert_eq!(d(1).compare(&noon), None);
    /// ```
    pub fn compare(&self, other: &EventTime) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (EventTime::Date(a), EventTime::Date(b)) => Some(a.cmp(b)),
            (EventTime::Floating(a), EventTime::Floating(b)) => Some(a.cmp(b)),
            (EventTime::Date(_) | EventTime::Floating(_), _)
            | (_, EventTime::Date(_) | EventTime::Floating(_)) => None,
            (a, b) => Some(a.to_utc(Tz::UTC).cmp(&b.to_utc(Tz::UTC))),
        }
    }

    /// The instant this time denotes for a viewer in `viewer_tz`: dates are that local
    /// midnight, floating times are read in `viewer_tz`, zoned times in their own zone
    /// (a DST gap moves forward, a fold means the earlier instant; see [`crate::time`]).
    pub fn to_utc(&self, viewer_tz: Tz) -> DateTime<Utc> {
        match *self {
            EventTime::Date(date) => {
                crate::time::resolve_local(date.and_time(chrono::NaiveTime::MIN), viewer_tz)
            }
            EventTime::Floating(local) => crate::time::resolve_local(local, viewer_tz),
            EventTime::Zoned { local, tz } => crate::time::resolve_local(local, tz),
            EventTime::Utc(instant) => instant,
        }
    }
}

/// A nominal length (iCalendar `DURATION`): whole days added to the local date, then
/// elapsed seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NominalDuration {
    /// Whole days (a week is seven), added in local time.
    pub days: i64,
    /// Elapsed seconds added after the days.
    pub seconds: i64,
}

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Provider {
    /// Google Calendar.
    Google,
    /// Microsoft Outlook / Exchange.
    Outlook,
    /// Apple Calendar (iCloud).
    Apple,
    /// An imported `.ics` file.
    Ics,
    /// Entered by hand in LifeOS.
    Manual,
}

/// Whether an event is happening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventStatus {
    /// It takes place.
    #[default]
    Confirmed,
    /// It may take place.
    Tentative,
    /// It was called off (a cancelled instance of a series removes that instance).
    Cancelled,
}

/// Whether an event blocks time (iCalendar `TRANSP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Transparency {
    /// The time is taken (`OPAQUE`).
    #[default]
    Busy,
    /// The time stays free (`TRANSPARENT`).
    Free,
}

/// Which instances a modified instance (an override) replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecurrenceRange {
    /// Only the instance at `recurrence_id`.
    #[default]
    ThisInstance,
    /// That instance and every later one (iCalendar `RANGE=THISANDFUTURE`).
    ThisAndFuture,
}

/// An attendee's answer to an invitation (iCalendar `PARTSTAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AttendeeResponse {
    /// Not answered yet.
    #[default]
    NeedsAction,
    /// Coming.
    Accepted,
    /// Not coming.
    Declined,
    /// Maybe.
    Tentative,
    /// Passed to someone else.
    Delegated,
}

/// Someone invited to an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendee {
    /// Email address (the `mailto:` of iCalendar, without the scheme).
    pub email: String,
    /// Display name (`CN`).
    #[serde(default)]
    pub name: Option<String>,
    /// Their answer.
    #[serde(default)]
    pub response: AttendeeResponse,
    /// Whether attendance is optional (`ROLE=OPT-PARTICIPANT`).
    #[serde(default)]
    pub optional: bool,
}

/// A calendar event: a single event, the master of a recurring series, or a modified
/// instance of a series (`series_id` and `recurrence_id` set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarEvent {
    /// Identity in LifeOS.
    pub id: CalendarEventId,
    /// Owner.
    pub user_id: UserId,
    /// Source calendar.
    pub provider: Provider,
    /// The provider's id: the iCalendar `UID`.
    pub external_id: Option<String>,
    /// Summary.
    pub title: String,
    /// Longer text.
    pub description: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// First start (the series' DTSTART for a master).
    pub start: EventTime,
    /// End of the first instance; at or after `start`, of the same kind.
    pub end: EventTime,
    /// The nominal length of each instance when the calendar gave one (iCalendar
    /// `DURATION`): days are added in local time, so a one-day event across a DST change
    /// still ends at the same wall time. `None` means `end - start` exactly.
    #[serde(default)]
    pub duration: Option<NominalDuration>,
    /// The recurrence rule, for a series master: parsed and valid, stored as its RRULE
    /// text (without `RRULE:`); [`CalendarEvent::validate`] checks it against `start`.
    pub rrule: Option<RecurrenceRule>,
    /// Extra instances (RDATE).
    pub rdates: Vec<EventTime>,
    /// Removed instances (EXDATE).
    pub exdates: Vec<EventTime>,
    /// The series master this event modifies an instance of.
    pub series_id: Option<CalendarEventId>,
    /// The original start of the instance this event replaces (RECURRENCE-ID).
    pub recurrence_id: Option<EventTime>,
    /// Which instances this override replaces.
    #[serde(default)]
    pub recurrence_range: RecurrenceRange,
    /// Confirmed, tentative or cancelled.
    pub status: EventStatus,
    /// Busy or free.
    pub transparency: Transparency,
    /// Invitees.
    pub attendees: Vec<Attendee>,
    /// Video call link.
    pub conference_url: Option<String>,
    /// The provider's version tag, for sync.
    pub etag: Option<String>,
    /// When it was last synced from the provider.
    pub synced_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Soft-deletion time.
    pub deleted_at: Option<DateTime<Utc>>,
    /// 1 on creation, +1 per change (an upsert that updates, a patch, a delete); events
    /// stored before versions existed read as 1.
    #[serde(default = "first_version")]
    pub version: u64,
}

fn first_version() -> u64 {
    1
}

impl CalendarEvent {
    /// Whether this event blocks time (busy and not cancelled).
    pub fn is_busy(&self) -> bool {
        self.transparency == Transparency::Busy && self.status != EventStatus::Cancelled
    }

    /// Checks the event's own fields: a title of at most 1,000 characters, a start and end
    /// of the same kind (a date with a date, a floating time with a floating time; zoned and
    /// UTC times mix), an end at or after the start, and a recurrence rule that suits the
    /// start (no hour, minute or second parts on an all-day event; every sub-daily `BYxxx`
    /// value reachable with its `INTERVAL`), the last named `rrule`.
    ///
    /// # Errors
    /// [`Error::Invalid`] listing every problem.
    pub fn validate(&self) -> Result<(), Error> {
        let mut v = Validator::new();
        check_title(&mut v, &self.title);
        check_end(&mut v, &self.start, &self.end);
        if let Some(rule) = &self.rrule {
            check_rrule(&mut v, self.start, rule);
        }
        v.finish(())
    }
}

/// A title of at most 1,000 characters.
pub(crate) fn check_title(v: &mut Validator, title: &str) {
    v.check(
        title.chars().count() <= 1000,
        "title",
        title,
        "at most 1000 characters",
    );
}

/// An end of the start's kind (zoned and UTC times mix), at or after it.
pub(crate) fn check_end(v: &mut Validator, start: &EventTime, end: &EventTime) {
    match end.compare(start).map(|o| o.is_ge()) {
        None => v.check(
            false,
            "end",
            end.kind_name(),
            &format!("a time of the same kind as start ({})", start.kind_name()),
        ),
        Some(ordered) => v.check(ordered, "end", format_event_time(end), "at or after start"),
    }
}

/// A recurrence rule that suits `start`.
pub(crate) fn check_rrule(v: &mut Validator, start: EventTime, rule: &RecurrenceRule) {
    if let Err(e) = Series::from_rule(start, Some(rule.clone())) {
        v.push(crate::recurrence::rule_field_error(rule.as_str(), &e));
    }
}

fn format_event_time(t: &EventTime) -> String {
    match t {
        EventTime::Date(d) => d.to_string(),
        EventTime::Floating(l) => l.to_string(),
        EventTime::Zoned { local, tz } => format!("{local} {tz}"),
        EventTime::Utc(i) => i.to_rfc3339(),
    }
}
