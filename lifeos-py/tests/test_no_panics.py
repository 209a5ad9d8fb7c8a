"""Random input never reaches a Rust panic: every failure is an ordinary exception (a
`PanicException` derives from `BaseException` and would escape the `except Exception`)."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

import lifeos

JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=12,
)
RULE_PARTS = st.lists(st.sampled_from([
    "FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY", "FREQ=HOURLY", "FREQ=SECONDLY",
    "COUNT=3", "COUNT=0", "INTERVAL=2", "INTERVAL=0", "BYDAY=MO,FR", "BYDAY=-1SU", "BYDAY=53MO",
    "BYMONTHDAY=31", "BYMONTHDAY=-1", "BYSETPOS=-1", "BYYEARDAY=366", "BYWEEKNO=53",
    "BYHOUR=25", "UNTIL=20260101T000000Z", "UNTIL=2026", "WKST=SU", "X=1", ""]), max_size=5)
MOMENTS = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                 timezones=st.just(dt.timezone.utc)),
    st.dates(), st.text(max_size=5), st.none())


def call(f, *args, **kwargs):
    try:
        return f(*args, **kwargs)
    except Exception:  # noqa: BLE001 - any ordinary exception is fine; a panic is not
        return None


@settings(max_examples=200, deadline=None)
@given(request=JUNK, response=JUNK)
def test_planner_functions_survive_junk(request, response):
    call(lifeos.plan_day, request)
    call(lifeos.validate_plan, request, response)
    call(lifeos.to_ics, request)


@settings(max_examples=200, deadline=None)
@given(parts=RULE_PARTS, start=MOMENTS, a=MOMENTS, b=MOMENTS, limit=st.integers(-2, 20000))
def test_expand_survives_junk(parts, start, a, b, limit):
    call(lifeos.expand, ";".join(parts), start, a, b, limit=limit)
    call(lifeos.expand, ";".join(parts), start, a, b, tz="Europe/Berlin", exdates=[a, b])


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_ics_and_expand_json_survive_junk(text):
    call(lifeos.parse_ics, "BEGIN:VCALENDAR\r\n" + text + "\r\nEND:VCALENDAR\r\n")
    call(lifeos.parse_ics, text)
    call(lifeos.expand_json, text)
