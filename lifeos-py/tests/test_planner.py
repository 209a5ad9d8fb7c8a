"""`plan_day` and `validate_plan`: equal to the Rust `plan_json` on every committed day,
on random requests, and from several threads at once."""

import json
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lifeos
from conftest import committed_requests

REQUEST = {
    "timezone": "Europe/Berlin",
    "today": "2026-03-09",
    "currentTime": "2026-03-09T07:00:00Z",
    "tasks": [
        {"id": "7e57d004-2b97-0e7a-b45f-5387367791cd", "title": "Report", "priority": 3,
         "estimatedMinutes": 90},
        {"id": "0f6c0000-0000-4000-8000-000000000001", "title": "Email", "estimatedMinutes": 20},
    ],
    "blockedTime": [
        {"title": "Standup", "start": "2026-03-09T08:30:00Z", "end": "2026-03-09T08:45:00Z"},
    ],
}


def as_plan_json(answer_or_error):
    """What plan_json prints for a request on line 1: the plan, or the error line."""
    if isinstance(answer_or_error, lifeos.ValidationError):
        e = answer_or_error
        return {"error": {"line": 1, "field": e.field, "message": e.errors[0]["message"],
                          "errors": e.errors}}
    return answer_or_error


def answer(request):
    try:
        return lifeos.plan_day(request)
    except lifeos.ValidationError as e:
        return e


def test_plan_day_returns_the_wire_response():
    response = lifeos.plan_day(REQUEST)
    assert sorted(response) == ["insights", "scheduledTasks", "unscheduledTasks", "warnings"]
    placed = {s["taskId"] for s in response["scheduledTasks"]}
    assert placed == {t["id"] for t in REQUEST["tasks"]}
    for s in response["scheduledTasks"]:
        assert s["startTime"].endswith("Z") and s["rationale"]
    # JSON text and bytes give the same answer as the dict.
    assert lifeos.plan_day(json.dumps(REQUEST)) == response
    assert lifeos.plan_day(json.dumps(REQUEST).encode()) == response


def test_every_committed_day_equals_plan_json(plan_json):
    requests = committed_requests()
    assert len(requests) > 500
    lines = [json.dumps(r) for r in requests]
    expected = plan_json(lines)
    assert len(expected) == len(requests)
    for i, (request, line, want) in enumerate(zip(requests, lines, expected)):
        got = as_plan_json(answer(request))
        if "error" in want:
            want["error"]["line"] = 1
        assert got == want, f"day {i}"
        # The JSON-string form, for a sample (same parser as plan_json's lines).
        if i % 10 == 0:
            assert as_plan_json(answer(line)) == want, f"day {i} as text"


def test_bad_requests_raise_validation_error_naming_each_field():
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.plan_day({"timezone": "Mars/Olympus", "today": "x"})
    e = info.value
    assert isinstance(e, ValueError) and isinstance(e, lifeos.LifeOSError)
    assert e.field == "timezone"
    assert [p["field"] for p in e.errors] == ["timezone", "today", "currentTime", "tasks"]

    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.plan_day("not json")
    assert info.value.field == ""
    assert info.value.errors[0]["message"].startswith("not JSON")

    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.plan_day([1, 2])
    assert info.value.field == ""

    bad = json.loads(json.dumps(REQUEST))
    bad["tasks"][1]["priority"] = 7
    bad["tasks"][1]["dependsOn"] = ["nope"]
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.plan_day(bad)
    assert [p["field"] for p in info.value.errors] == ["tasks[1].priority",
                                                       "tasks[1].dependsOn[0]"]


def test_dicts_json_cannot_hold_exactly_are_read_as_json_text(plan_json):
    # An integer beyond 64 bits: pythonize cannot hold it, so it goes through json.dumps.
    big = json.loads(json.dumps(REQUEST))
    big["tasks"][0]["priority"] = 2 ** 70
    assert as_plan_json(answer(big)) == plan_json([json.dumps(big)])[0]
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.plan_day({"timezone": object()})
    assert info.value.field == ""


def test_validate_plan_scores_a_valid_plan_and_lists_broken_rules():
    response = lifeos.plan_day(REQUEST)
    score = lifeos.validate_plan(REQUEST, response)
    assert isinstance(score, int) and score > 0
    assert lifeos.validate_plan(json.dumps(REQUEST), json.dumps(response)) == score

    broken = json.loads(json.dumps(response))
    first = broken["scheduledTasks"][0]
    first["startTime"] = "2026-03-09T08:31:00Z"  # off the grid, over the standup
    with pytest.raises(lifeos.PlanInvalid) as info:
        lifeos.validate_plan(REQUEST, broken)
    e = info.value
    assert not isinstance(e, ValueError) and isinstance(e, lifeos.LifeOSError)
    rules = {v["rule"] for v in e.violations}
    assert "grid" in rules, e.violations
    assert all(set(v) == {"rule", "task_id", "message"} for v in e.violations)

    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.validate_plan(REQUEST, {"scheduledTasks": "no"})
    assert info.value.field == "response"
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.validate_plan({"timezone": "UTC"}, response)
    assert info.value.field == "today"


# --- property: random requests answer as plan_json does -------------------------------

IDS = [f"00000000-0000-4000-8000-00000000000{i}" for i in range(6)]
INSTANTS = st.sampled_from([
    "2026-03-09T07:00:00Z", "2026-03-09T10:00:00+01:00", "2026-03-09T16:00:00Z",
    "2026-03-08T23:00:00Z", "2026-03-10T00:00:00Z", "2026-03-09T12:30:00.5Z", "noon",
])
ODD = st.one_of(st.none(), st.booleans(), st.integers(-5, 2000), st.text(max_size=5),
                st.floats(allow_nan=False, allow_infinity=False), st.lists(st.integers(), max_size=2))


def maybe(strategy):
    return st.one_of(strategy, strategy, strategy, ODD)


TASK = st.fixed_dictionaries(
    {"id": maybe(st.sampled_from(IDS))},
    optional={
        "title": maybe(st.text(max_size=10)),
        "priority": maybe(st.integers(0, 3)),
        "estimatedMinutes": maybe(st.integers(1, 300)),
        "dueDate": maybe(INSTANTS),
        "hardDeadline": maybe(st.booleans()),
        "labels": maybe(st.lists(st.text(max_size=4), max_size=2)),
        "dependsOn": maybe(st.lists(st.sampled_from(IDS), max_size=2)),
        "pinnedStart": maybe(INSTANTS),
        "status": maybe(st.sampled_from(["pending", "in_progress", "completed", "cancelled",
                                         "done"])),
    },
)
EVENT = st.fixed_dictionaries(
    {"start": maybe(INSTANTS), "end": maybe(INSTANTS)},
    optional={"title": maybe(st.text(max_size=6)), "isAllDay": maybe(st.booleans()),
              "busy": maybe(st.booleans())},
)
PREFS = st.fixed_dictionaries({}, optional={
    "workdayStart": maybe(st.sampled_from(["08:00", "09:00", "9:00", "24:00", "13:30"])),
    "workdayEnd": maybe(st.sampled_from(["17:00", "12:00", "24:00", "25:00"])),
    "peakHoursStart": maybe(st.sampled_from(["09:00", "10:00"])),
    "peakHoursEnd": maybe(st.sampled_from(["12:00", "11:00"])),
    "maxFocusHours": maybe(st.floats(0, 30, allow_nan=False)),
    "meetingBufferMinutes": maybe(st.integers(0, 2000)),
})
REQUESTS = st.fixed_dictionaries(
    {
        "timezone": maybe(st.sampled_from(["Europe/Berlin", "America/New_York", "UTC",
                                           "Mars/Olympus"])),
        "today": maybe(st.sampled_from(["2026-03-09", "2026-03-08", "2026-02-30"])),
        "currentTime": maybe(INSTANTS),
        "tasks": maybe(st.lists(TASK, max_size=5)),
    },
    optional={"preferences": maybe(PREFS), "blockedTime": maybe(st.lists(EVENT, max_size=3)),
              "extra": ODD},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=REQUESTS)
def test_random_requests_answer_as_plan_json(plan_json, request):
    want = plan_json([json.dumps(request)])[0]
    got = answer(request)
    if "error" in want:
        assert isinstance(got, lifeos.ValidationError), (request, want, got)
        assert got.field == want["error"]["field"]
        assert got.errors == want["error"]["errors"]
    else:
        assert got == want


def test_threads_plan_at_once():
    requests = committed_requests()[:40]
    expected = [answer(r) for r in requests]
    results = {}
    errors = []

    def work(k):
        try:
            for i in range(k, len(requests), 4):
                results[i] = answer(requests[i])
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert not errors
    assert [results[i] if not isinstance(results[i], Exception) else str(results[i])
            for i in range(len(requests))] == [
        e if not isinstance(e, Exception) else str(e) for e in expected]


def test_text_with_unicode_line_breaks_answers_as_plan_json(plan_json):
    # U+0085 and U+2028 stay unescaped in JSON output; plan_json's lines split on "\n" only.
    request = {"timezone": None, "today": "2026-03-08", "currentTime": None,
               "tasks": "\x85\u2028"}
    want = plan_json([json.dumps(request)])[0]
    got = answer(request)
    assert isinstance(got, lifeos.ValidationError)
    assert (got.field, got.errors) == (want["error"]["field"], want["error"]["errors"])
