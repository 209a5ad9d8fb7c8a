"""`expand` and `expand_json` against the python-dateutil answers committed with the core."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

import lifeos
from conftest import RECURRENCE_CASES

UTC = dt.timezone.utc


def cases():
    with open(RECURRENCE_CASES, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return [c for c in lines if "id" in c]


def test_expand_json_answers_every_committed_case_as_dateutil():
    all_cases = cases()
    assert len(all_cases) > 100
    text = "".join(json.dumps({k: v for k, v in c.items() if k != "expected"}) + "\n"
                   for c in all_cases)
    out = lifeos.expand_json(text).split("\n")[:-1]
    assert len(out) == len(all_cases)
    for case, line in zip(all_cases, out):
        got = json.loads(line)
        assert got["id"] == case["id"]
        if "occurrences" in case["expected"]:
            assert got["occurrences"] == case["expected"]["occurrences"], case["id"]
    assert json.loads(lifeos.expand_json("nope\n"))["id"] is None


def _time(t):
    v = t["value"]
    if t["kind"] == "date":
        return dt.date(int(v[:4]), int(v[4:6]), int(v[6:8]))
    naive = dt.datetime.strptime(v.rstrip("Z"), "%Y%m%dT%H%M%S")
    if t["kind"] == "zoned":
        return naive.replace(tzinfo=ZoneInfo(t["tzid"]))
    if t["kind"] == "utc":
        return naive.replace(tzinfo=UTC)
    return naive


def _window(case):
    w, kind = case["window"], case["output_kind"]
    if kind == "instant":
        parse = lambda s: dt.datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    elif kind == "date":
        parse = dt.date.fromisoformat
    else:
        parse = dt.datetime.fromisoformat
    return parse(w["start"]), parse(w["end"])


def _text(x, kind):
    if kind == "instant":
        return x.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "date":
        return x.isoformat()
    return x.strftime("%Y-%m-%dT%H:%M:%S")


def test_expand_equals_dateutil_on_plain_series():
    checked = 0
    for case in cases():
        if case.get("rdates") or case.get("overrides") or "occurrences" not in case["expected"]:
            continue
        start, end = _window(case)
        got = lifeos.expand(case["rrule"], _time(case["dtstart"]), start, end,
                            exdates=[_time(x) for x in case.get("exdates") or []])
        assert [_text(x, case["output_kind"]) for x in got] == \
            case["expected"]["occurrences"], case["id"]
        checked += 1
    assert checked > 50


def test_expand_kinds_zones_and_limits():
    berlin = ZoneInfo("Europe/Berlin")
    start = dt.datetime(2026, 3, 27, 9, 30, tzinfo=berlin)
    got = lifeos.expand("RRULE:FREQ=DAILY;COUNT=4", start, start, start + dt.timedelta(days=10))
    # Across the DST change the wall time stays 09:30 in Berlin.
    assert [x.hour for x in got] == [9, 9, 9, 9]
    assert all(x.tzinfo is not None for x in got)
    assert got[-1].utcoffset() == dt.timedelta(hours=2)

    # A naive start with tz is zoned there; exdates remove instances; limit cuts.
    naive = dt.datetime(2026, 3, 2, 8, 0)
    got = lifeos.expand("FREQ=WEEKLY", naive, dt.datetime(2026, 3, 1), dt.datetime(2026, 4, 1),
                        tz="America/New_York", exdates=[dt.datetime(2026, 3, 9, 8, 0)], limit=2)
    assert [x.day for x in got] == [2, 16]
    # Floating series: naive out; all-day: dates out; no rule: the start alone.
    got = lifeos.expand("FREQ=DAILY;COUNT=2", naive, naive, naive + dt.timedelta(days=5))
    assert got == [naive, naive + dt.timedelta(days=1)]
    day = dt.date(2026, 3, 2)
    assert lifeos.expand("FREQ=MONTHLY;COUNT=2", day, day, dt.date(2026, 6, 1)) == \
        [day, dt.date(2026, 4, 2)]
    utc_start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert lifeos.expand(None, utc_start, utc_start, utc_start + dt.timedelta(1)) == [utc_start]


def test_expand_errors_name_their_field():
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    end = start + dt.timedelta(days=1)
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.expand("FREQ=SOMETIMES", start, start, end)
    assert info.value.field == "rrule"
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.expand("FREQ=DAILY", start, start, end, limit=0)
    assert info.value.field == "limit"
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.expand("FREQ=DAILY", start, start, end, tz="Mars/Olympus")
    assert info.value.field == "tz"
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.expand("FREQ=DAILY", "2026-03-02", start, end)
    assert info.value.field == "dtstart"
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.expand("FREQ=DAILY", dt.date(2026, 3, 2), start, end)
    assert info.value.field == "window_start"
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.expand("FREQ=HOURLY", dt.date(2026, 3, 2), dt.date(2026, 3, 2), dt.date(2026, 3, 3))
    assert info.value.field == "rrule"
