//! Writing events as one iCalendar document.

use chrono_tz::Tz;

use super::parse::{escape, fold};
use super::vtimezone;
use crate::calendar::{
    AttendeeResponse, CalendarEvent, EventStatus, EventTime, NominalDuration, RecurrenceRange,
    Transparency,
};
use crate::id::CalendarEventId;

fn format_duration(d: &NominalDuration) -> String {
    let neg = d.days < 0 || d.seconds < 0;
    let (days, secs) = (d.days.abs(), d.seconds.abs());
    let mut s = String::from(if neg { "-P" } else { "P" });
    if days > 0 || secs == 0 {
        s.push_str(&format!("{days}D"));
    }
    if secs > 0 {
        s.push_str(&format!("T{secs}S"));
    }
    s
}

fn fmt_time(name: &str, t: &EventTime) -> String {
    match t {
        EventTime::Date(d) => format!("{name};VALUE=DATE:{}", d.format("%Y%m%d")),
        EventTime::Floating(l) => format!("{name}:{}", l.format("%Y%m%dT%H%M%S")),
        EventTime::Zoned { local, tz } => {
            format!(
                "{name};TZID={}:{}",
                tz.name(),
                local.format("%Y%m%dT%H%M%S")
            )
        }
        EventTime::Utc(i) => format!("{name}:{}", i.format("%Y%m%dT%H%M%SZ")),
    }
}

fn param_value(s: &str) -> String {
    if s.contains([':', ';', ',']) {
        format!("\"{}\"", s.replace('"', ""))
    } else {
        s.to_string()
    }
}

/// Exports events as one iCalendar document (CRLF line ends, folded lines).
pub fn export(events: &[CalendarEvent]) -> String {
    let mut out = String::new();
    let mut line = |s: &str| fold(s, &mut out);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//LifeOS//lifeos-core//EN");
    line("CALSCALE:GREGORIAN");
    // One VTIMEZONE per zone used, covering the years its times fall in.
    let mut zones: std::collections::BTreeMap<&'static str, (Tz, i32, i32)> = Default::default();
    for e in events {
        let times = [Some(&e.start), Some(&e.end), e.recurrence_id.as_ref()];
        for t in times
            .into_iter()
            .flatten()
            .chain(&e.rdates)
            .chain(&e.exdates)
        {
            if let EventTime::Zoned { local, tz } = t {
                let y = chrono::Datelike::year(local);
                let entry = zones.entry(tz.name()).or_insert((*tz, y, y));
                entry.1 = entry.1.min(y);
                entry.2 = entry.2.max(y);
            }
        }
    }
    for (tz, first, last) in zones.values() {
        vtimezone::write(*tz, *first, *last, &mut line);
    }
    let by_id: std::collections::BTreeMap<CalendarEventId, &CalendarEvent> =
        events.iter().map(|e| (e.id, e)).collect();
    for e in events {
        let master = e.series_id.and_then(|sid| by_id.get(&sid).copied());
        let (uid, generated) = match (master.and_then(|m| m.external_id.as_ref()), &e.external_id) {
            (Some(uid), _) | (None, Some(uid)) => (uid.clone(), false),
            (None, None) => (format!("{}@lifeos", master.map_or(e.id, |m| m.id)), true),
        };
        line("BEGIN:VEVENT");
        line(&format!("UID:{uid}"));
        if generated {
            line("X-LIFEOS-NO-UID:TRUE");
        }
        line(&format!(
            "DTSTAMP:{}",
            e.updated_at.format("%Y%m%dT%H%M%SZ")
        ));
        line(&fmt_time("DTSTART", &e.start));
        match &e.duration {
            Some(d) => line(&format!("DURATION:{}", format_duration(d))),
            None => line(&fmt_time("DTEND", &e.end)),
        }
        if let Some(r) = &e.rrule {
            line(&format!("RRULE:{}", r.as_str().replace(['\r', '\n'], "")));
        }
        for r in &e.rdates {
            line(&fmt_time("RDATE", r));
        }
        for x in &e.exdates {
            line(&fmt_time("EXDATE", x));
        }
        if let Some(rid) = &e.recurrence_id {
            let name = match e.recurrence_range {
                RecurrenceRange::ThisAndFuture => "RECURRENCE-ID;RANGE=THISANDFUTURE",
                RecurrenceRange::ThisInstance => "RECURRENCE-ID",
            };
            line(&fmt_time(name, rid));
        }
        line(&format!("SUMMARY:{}", escape(&e.title)));
        if let Some(d) = &e.description {
            line(&format!("DESCRIPTION:{}", escape(d)));
        }
        if let Some(l) = &e.location {
            line(&format!("LOCATION:{}", escape(l)));
        }
        line(match e.status {
            EventStatus::Confirmed => "STATUS:CONFIRMED",
            EventStatus::Tentative => "STATUS:TENTATIVE",
            EventStatus::Cancelled => "STATUS:CANCELLED",
        });
        line(match e.transparency {
            Transparency::Busy => "TRANSP:OPAQUE",
            Transparency::Free => "TRANSP:TRANSPARENT",
        });
        for a in &e.attendees {
            let mut s = String::from("ATTENDEE");
            if let Some(n) = &a.name {
                s.push_str(&format!(";CN={}", param_value(n)));
            }
            s.push_str(match a.response {
                AttendeeResponse::Accepted => ";PARTSTAT=ACCEPTED",
                AttendeeResponse::Declined => ";PARTSTAT=DECLINED",
                AttendeeResponse::Tentative => ";PARTSTAT=TENTATIVE",
                AttendeeResponse::Delegated => ";PARTSTAT=DELEGATED",
                AttendeeResponse::NeedsAction => ";PARTSTAT=NEEDS-ACTION",
            });
            s.push_str(if a.optional {
                ";ROLE=OPT-PARTICIPANT"
            } else {
                ";ROLE=REQ-PARTICIPANT"
            });
            s.push_str(&format!(":mailto:{}", a.email));
            line(&s);
        }
        if let Some(u) = &e.conference_url {
            line(&format!("URL:{u}"));
        }
        let provider = serde_json::to_value(e.provider)
            .ok()
            .and_then(|v| v.as_str().map(str::to_ascii_uppercase))
            .unwrap_or_default();
        line(&format!("X-LIFEOS-PROVIDER:{provider}"));
        if let Some(t) = &e.etag {
            line(&format!("X-LIFEOS-ETAG:{}", escape(t)));
        }
        if let Some(d) = &e.deleted_at {
            line(&format!(
                "X-LIFEOS-DELETED-AT:{}",
                d.format("%Y%m%dT%H%M%SZ")
            ));
        }
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}
