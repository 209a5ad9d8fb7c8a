"""`parse_ics` and `to_ics`."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

import lifeos

WEEK = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
    "BEGIN:VEVENT\r\nUID:standup@example.com\r\n"
    "DTSTART;TZID=Europe/Berlin:20260302T093000\r\nDTEND;TZID=Europe/Berlin:20260302T094500\r\n"
    "RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\nSUMMARY:Standup\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:dentist@example.com\r\n"
    "DTSTART:20260310T140000Z\r\nDTEND:20260310T150000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_parse_ics_reads_events_deterministically():
    events = lifeos.parse_ics(WEEK)
    assert [e["title"] for e in events] == ["Standup", "Dentist"]
    standup = events[0]
    assert standup["external_id"] == "standup@example.com"
    assert standup["rrule"] == "FREQ=WEEKLY;BYDAY=MO,WE"
    assert standup["start"] == {"kind": "zoned",
                                "value": {"local": "2026-03-02T09:30:00", "tz": "Europe/Berlin"}}
    assert lifeos.parse_ics(WEEK) == events
    assert len({e["id"] for e in events}) == 2


def test_to_ics_round_trips_and_takes_datetimes():
    events = lifeos.parse_ics(WEEK)
    text = lifeos.to_ics(events)
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    again = lifeos.parse_ics(text)
    keep = ("title", "start", "end", "rrule", "external_id")
    assert [{k: e[k] for k in keep} for e in again] == [{k: e[k] for k in keep} for e in events]

    berlin = ZoneInfo("Europe/Berlin")
    text = lifeos.to_ics([
        {"title": "Lunch", "start": dt.datetime(2026, 3, 2, 12, 0, tzinfo=berlin),
         "end": dt.datetime(2026, 3, 2, 13, 0, tzinfo=berlin), "rrule": "FREQ=DAILY;COUNT=3"},
        {"title": "Holiday", "start": dt.date(2026, 3, 5), "end": dt.date(2026, 3, 6)},
    ])
    back = lifeos.parse_ics(text)
    assert back[0]["start"]["value"] == {"local": "2026-03-02T12:00:00", "tz": "Europe/Berlin"}
    assert back[1]["start"] == {"kind": "date", "value": "2026-03-05"}


def test_ics_errors():
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.parse_ics("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
                         "END:VCALENDAR\r\n")
    assert info.value.field == "text"
    assert info.value.line >= 1
    with pytest.raises(lifeos.ValidationError):
        lifeos.parse_ics("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n")
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.to_ics({"title": "x"})
    assert info.value.field == "events"
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.to_ics([{"title": "x"}])
    assert info.value.field == "events[0]"
    with pytest.raises(lifeos.ValidationError):
        lifeos.to_ics([{"title": "Backwards", "start": dt.date(2026, 3, 6),
                        "end": dt.date(2026, 3, 5)}])
