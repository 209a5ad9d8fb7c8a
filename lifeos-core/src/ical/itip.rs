//! iTIP (RFC 5546): a `VCALENDAR`'s `METHOD` says what its events mean. `PUBLISH`,
//! `REQUEST` and `ADD` carry events to import; `CANCEL` cancels events by `UID` (and
//! `RECURRENCE-ID`); `REPLY`, `COUNTER`, `REFRESH` and `DECLINECOUNTER` are about an
//! attendee's answer and change no event. An unknown method is read as `PUBLISH`.

use super::parse::Component;

/// What a calendar's events mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// Events to import (`PUBLISH`, `REQUEST`, `ADD`, no `METHOD`, or an unknown one).
    Import,
    /// Events to cancel.
    Cancel,
    /// An answer that changes no event; the method's name.
    Answer(&'static str),
}

impl Method {
    /// The method of a top-level component (a `VCALENDAR`).
    pub(crate) fn of(calendar: &Component) -> Method {
        let name = calendar
            .get("METHOD")
            .map(|p| p.value.trim().to_ascii_uppercase())
            .unwrap_or_default();
        match name.as_str() {
            "CANCEL" => Method::Cancel,
            "REPLY" => Method::Answer("REPLY"),
            "COUNTER" => Method::Answer("COUNTER"),
            "REFRESH" => Method::Answer("REFRESH"),
            "DECLINECOUNTER" => Method::Answer("DECLINECOUNTER"),
            _ => Method::Import,
        }
    }
}
