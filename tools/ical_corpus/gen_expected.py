#!/usr/bin/env python3
"""Reads the iCalendar corpus with an independent implementation, for LifeOS's corpus test.

For every .ics file under lifeos-core/tests/data/ical_corpus/ (sorted by path) it writes
one JSON line: whether it holds a VCALENDAR, the VEVENTs the Python `icalendar` package
reads (UID, RECURRENCE-ID, whether there is a DTSTART, the METHOD of the VCALENDAR that
holds it), and, for files
with recurrence (RRULE or RDATE), the occurrences `recurring-ical-events` gives over
windows that cross the spring DST changes of both hemispheres (the first spring the
series reaches, and 2025's). Times are written as UTC
instants `YYYY-MM-DDTHH:MM:SSZ`: zoned times converted, floating times and dates read as
UTC wall time (the Rust test reads them in UTC too).

Zones come only from the PyPI `tzdata` package (zoneinfo.reset_tzpath([])), pinned in
requirements.txt to the IANA release chrono-tz carries; the first line records it.

Usage (from the repository root):
    tools/ical_corpus/.venv/bin/python tools/ical_corpus/gen_expected.py \
        > lifeos-core/tests/data/ical_corpus/expected.jsonl
"""

import json
import sys
import zoneinfo
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

zoneinfo.reset_tzpath([])  # only the tzdata package, never the system zones

import icalendar  # noqa: E402
import recurring_ical_events  # noqa: E402
import tzdata  # noqa: E402

UTC = timezone.utc
ROOT = Path("lifeos-core/tests/data/ical_corpus")
# Answers (RFC 5546) change no event; their VEVENTs are not occurrences.
ANSWERS = {"REPLY", "COUNTER", "REFRESH", "DECLINECOUNTER"}
# More occurrences than this in a window: the file is left out of the differential (a
# minutely rule over two months would only make the data large).
MAX_OCCURRENCES = 2000
SPRING_2025 = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 5, 1, tzinfo=UTC))


def utc_text(value):
    """A date or datetime as the UTC instant text the Rust test writes."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    return None


def first(prop):
    """A property that occurs more than once (icalendar gives a list) is read as its first."""
    return prop[0] if isinstance(prop, list) and prop else prop


def recurrence_key(prop):
    """A RECURRENCE-ID as text: an instant (…Z) when its zone is known, else local."""
    prop = first(prop)
    if prop is None:
        return None
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(prop.to_ical().decode("utf-8", "replace"))


def text(value):
    value = first(value)
    return None if value is None else str(value).strip()


def read_vevents(calendars):
    out = []
    for cal in calendars:
        method = text(cal.get("METHOD"))
        method = method.upper() if method else None
        for ev in cal.walk("VEVENT"):
            out.append(
                {
                    "uid": text(ev.get("UID")),
                    "recurrence_id": recurrence_key(ev.get("RECURRENCE-ID")),
                    "has_start": ev.get("DTSTART") is not None,
                    "recurs": ev.get("RRULE") is not None or ev.get("RDATE") is not None,
                    "method": method,
                }
            )
    return out


def first_recurring_start(calendars):
    starts = []
    for cal in calendars:
        for ev in cal.walk("VEVENT"):
            if ev.get("RRULE") is None and ev.get("RDATE") is None:
                continue
            start = getattr(ev.get("DTSTART"), "dt", None)
            if isinstance(start, datetime):
                starts.append(start.date())
            elif isinstance(start, date):
                starts.append(start)
    return min(starts) if starts else None


def windows(first):
    """Two months from the first recurring start, 1 March to 1 May of the first year whose
    March it reaches (the spring DST changes of the north, and April's in the south), and
    the same months of 2025.
    """
    a = datetime(first.year, first.month, 1, tzinfo=UTC)
    a_end = (a + timedelta(days=62)).replace(day=1)
    year = first.year if first < date(first.year, 3, 1) else first.year + 1
    b = datetime(year, 3, 1, tzinfo=UTC)
    b_end = datetime(year, 5, 1, tzinfo=UTC)
    if b < a_end:  # overlapping: one window from a to b_end
        out = [(a, max(a_end, b_end))]
    else:
        out = [(a, a_end), (b, b_end)]
    # And spring 2025, for the series that still run (unbounded rules, holidays).
    if out[-1][1] <= SPRING_2025[0]:
        out.append(SPRING_2025)
    return out


def occurrences_in(calendars, start, end):
    """recurring-ical-events' occurrences overlapping [start, end), as (UID, start, end)
    UTC texts, sorted; cancelled ones left out as LifeOS leaves them out."""
    # A naive query window is read in each event's own zone: ask two days wider on each
    # side and keep what overlaps the UTC window, as the Rust test does.
    lo = (start - timedelta(days=2)).replace(tzinfo=None)
    hi = (end + timedelta(days=2)).replace(tzinfo=None)
    out = []
    for cal in calendars:
        method = text(cal.get("METHOD"))
        if method and method.upper() in ANSWERS | {"CANCEL"}:
            continue
        for occ in recurring_ical_events.of(cal).between(lo, hi):
            if text(occ.get("STATUS")) and text(occ.get("STATUS")).upper() == "CANCELLED":
                continue
            s = occ.get("DTSTART").dt
            e = occ.get("DTEND").dt if occ.get("DTEND") is not None else None
            if e is None:
                e = occ.end if hasattr(occ, "end") else s
            s_text, e_text = utc_text(s), utc_text(e)
            if e_text < s_text:
                e_text = s_text
            lo_text = start.strftime("%Y-%m-%dT%H:%M:%SZ")
            hi_text = end.strftime("%Y-%m-%dT%H:%M:%SZ")
            overlaps = s_text < hi_text and (
                e_text > lo_text or (s_text == e_text and s_text >= lo_text)
            )
            if overlaps:
                out.append([text(occ.get("UID")), s_text, e_text])
    out.sort()
    return out


def one_file(path):
    data = path.read_bytes()
    record = {"file": str(path.relative_to(ROOT)), "bytes": len(data)}
    # A fresh time-zone cache: icalendar keeps every VTIMEZONE it has read, so a file
    # would otherwise see the definitions of the files read before it.
    icalendar.use_zoneinfo()
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as e:  # noqa: BLE001 - any failure is data for the test
        record["error"] = f"{type(e).__name__}: {e}"[:300]
        return record
    # A file of bare components (a VEVENT alone) is not a calendar: LifeOS refuses it.
    record["vcalendar"] = any(c.name == "VCALENDAR" for c in calendars)
    record["vevents"] = read_vevents(calendars)
    if not any(v["recurs"] for v in record["vevents"]):
        return record
    first = first_recurring_start(calendars)
    if first is None:
        return record
    diffs = []
    for start, end in windows(first):
        window = {
            "from": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "to": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        try:
            found = occurrences_in(calendars, start, end)
        except Exception as e:  # noqa: BLE001
            window["error"] = f"{type(e).__name__}: {e}"[:300]
        else:
            if len(found) > MAX_OCCURRENCES:
                window["error"] = f"more than {MAX_OCCURRENCES} occurrences"
            else:
                window["occurrences"] = found
        diffs.append(window)
    record["windows"] = diffs
    return record


def main():
    header = {
        "tzdb": tzdata.IANA_VERSION,
        "icalendar": version("icalendar"),
        "recurring_ical_events": version("recurring-ical-events"),
    }
    print(json.dumps(header))
    for path in sorted(ROOT.rglob("*.ics")):
        print(json.dumps(one_file(path), ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
