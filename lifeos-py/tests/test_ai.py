"""AI refinement, the AI quota and task breakdown through `lifeos.LifeOS`, against a local
OpenAI-compatible server started here (the real async-openai code runs; nothing is mocked
inside the module)."""

import datetime as dt
import http.server
import json
import threading
import time

import pytest

import lifeos

UTC = dt.timezone.utc
MONDAY = dt.datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
USAGE = {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020}


class FakeOpenAI:
    """Serves `POST /v1/chat/completions` in OpenAI's wire format on 127.0.0.1.

    A day plan is answered with the starting plan of its prompt (a proposal the planner
    accepts); a task breakdown with `breakdown` (the proposal's JSON). Every request is
    kept, parsed, with its `Authorization` header; `delay` seconds pass before answering.
    """

    def __init__(self):
        self.requests = []
        self.breakdown = {"steps": []}
        self.delay = 0.0
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake.lock:
                    fake.requests.append({"path": self.path, "body": body,
                                          "authorization": self.headers.get("Authorization")})
                if fake.delay:
                    time.sleep(fake.delay)
                if self.path != "/v1/chat/completions":
                    self.send_error(404)
                    return
                schema = body["response_format"]["json_schema"]["name"]
                if schema == "task_breakdown":
                    content = json.dumps(fake.breakdown)
                else:
                    prompt = json.loads(body["messages"][1]["content"])
                    content = json.dumps({
                        "scheduledTasks": prompt["startingPlan"]["scheduledTasks"],
                        "insights": ["Kept the plan: it already follows the instructions."],
                    })
                reply = json.dumps({
                    "id": "chatcmpl-1", "object": "chat.completion", "created": 1772000000,
                    "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": USAGE,
                }).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def count(self):
        with self.lock:
            return len(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture
def no_env(monkeypatch):
    """No model configured by the environment, whatever the machine has."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def open_app(path, fake, **kwargs):
    app = lifeos.LifeOS(str(path), timezone="Europe/Berlin", openai_api_key="sk-test",
                        openai_base_url=fake.url, **kwargs)
    app.add_task("Write report", priority=3, estimated_minutes=90)
    app.add_task("Call the bank", priority=1, estimated_minutes=20)
    return app


def plan_events(app):
    return [e for e in app.events() if e["type"] == "ai.plan_generated"]


def test_a_refinement_is_accepted_and_its_usage_recorded(tmp_path, fake):
    app = open_app(tmp_path / "a.db", fake)
    day = app.plan_day(now=MONDAY, refine=True, instructions="calls after lunch")
    r = day["refinement"]
    assert r == day["response"]["refinement"]
    assert r["status"] == "accepted" and r["cacheHit"] is False
    assert (r["model"], r["tokensIn"], r["tokensOut"]) == ("gpt-4o-mini", 900, 120)
    assert lifeos.validate_plan(day["request"], day["response"]) == r["scoreFinal"]
    assert "Kept the plan: it already follows the instructions." in day["response"]["insights"]
    assert day["saved"] is True and day["counts"]["scheduled"] == 2

    # One request, in the documented shape, the instructions quoted as data.
    assert fake.count() == 1
    sent = fake.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["authorization"] == "Bearer sk-test"
    body = sent["body"]
    assert body["model"] == "gpt-4o-mini" and body["max_completion_tokens"] == 2000
    assert body["response_format"]["json_schema"]["strict"] is True
    assert json.loads(body["messages"][1]["content"])["instructions"] == "calls after lunch"

    # The usage is recorded with the saved plan; the slots are the model's (`by: ai`).
    [event] = plan_events(app)
    data = event["data"]
    assert (data["model"], data["tokens_in"], data["tokens_out"], data["tokens_used"]) == \
        ("gpt-4o-mini", 900, 120, 1020)
    assert data["refinement"] == "accepted" and not data.get("cache_hit", False)
    assert data["tasks_scheduled"] == 2
    scheduled = [e for e in app.events() if e["type"] == "task.scheduled"]
    assert len(scheduled) == 2 and all(e["data"]["scheduled_by"] == "ai" for e in scheduled)


def test_a_cached_proposal_makes_no_second_request(tmp_path, fake):
    app = open_app(tmp_path / "c.db", fake)
    first = app.plan_day(now=MONDAY, refine=True, dry_run=True)
    assert first["refinement"]["cacheHit"] is False and fake.count() == 1
    # A dry run saves no task change but records the model call's usage.
    assert first["saved"] is False and len(plan_events(app)) == 1
    second = app.plan_day(now=MONDAY + dt.timedelta(minutes=4), refine=True)
    r = second["refinement"]
    assert r["status"] == "accepted" and r["cacheHit"] is True
    assert (r["tokensIn"], r["tokensOut"]) == (0, 0)
    assert fake.count() == 1
    hit = plan_events(app)[-1]["data"]
    assert hit["cache_hit"] is True and hit.get("tokens_in", 0) == 0
    # Other instructions are another question: asked.
    app.plan_day(now=MONDAY, refine=True, instructions="keep the afternoon light",
                 dry_run=True)
    assert fake.count() == 2


def test_quota_exceeded_after_the_free_tiers_hourly_calls(tmp_path, fake):
    app = open_app(tmp_path / "q.db", fake)
    # Free: 3 AI calls an hour (lifeos-core::billing); a cached proposal costs nothing.
    for i in range(3):
        day = app.plan_day(now=MONDAY, refine=True, instructions=f"variant {i}", dry_run=True)
        assert day["refinement"]["status"] == "accepted"
    assert fake.count() == 3
    with pytest.raises(lifeos.QuotaExceeded) as info:
        app.plan_day(now=MONDAY + dt.timedelta(minutes=2), refine=True,
                     instructions="variant 3")
    e = info.value
    assert isinstance(e, lifeos.LifeOSError)
    assert type(e.retry_after) is int and e.retry_after == 3600 - 120
    assert (e.window, e.tier) == ("hour", "free")
    assert fake.count() == 3, "no model call over the quota"
    assert all(t["scheduled_start"] is None for t in app.tasks()), "nothing saved"
    # Still allowed: a cached proposal (5 minutes), and planning without refinement.
    hit = app.plan_day(now=MONDAY + dt.timedelta(minutes=3), refine=True, instructions="variant 0", dry_run=True)
    assert hit["refinement"]["cacheHit"] is True
    assert app.plan_day(now=MONDAY)["refinement"] is None
    # An hour after the first call, one is free again.
    later = app.plan_day(now=MONDAY + dt.timedelta(hours=1, seconds=1), refine=True,
                         instructions="variant 4", dry_run=True)
    assert later["refinement"]["status"] == "accepted" and fake.count() == 4


def test_the_tier_keyword_sets_the_quota(tmp_path, fake):
    app = open_app(tmp_path / "t.db", fake, tier="starter")
    for i in range(5):
        app.plan_day(now=MONDAY, refine=True, instructions=f"v{i}", dry_run=True)
    with pytest.raises(lifeos.QuotaExceeded) as info:
        app.plan_day(now=MONDAY, refine=True, instructions="v5", dry_run=True)
    assert (info.value.tier, info.value.retry_after) == ("starter", 3600)
    assert fake.count() == 5


def test_the_environment_configures_the_model_and_keywords_override_it(
        tmp_path, fake, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
    app = lifeos.LifeOS(str(tmp_path / "e.db"), timezone="Europe/Berlin")
    app.add_task("Write report", estimated_minutes=60)
    assert app.plan_day(now=MONDAY, refine=True)["refinement"]["status"] == "accepted"
    assert fake.requests[-1]["authorization"] == "Bearer sk-from-env"
    # Read at construction: changing the environment later changes nothing.
    monkeypatch.delenv("OPENAI_API_KEY")
    assert app.plan_day(now=MONDAY, refine=True, instructions="x")["refinement"]["status"] \
        == "accepted"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    off = lifeos.LifeOS(str(tmp_path / "e.db"), openai_api_key="")
    assert off.plan_day(now=MONDAY, refine=True)["refinement"]["status"] == "unavailable"
    mine = lifeos.LifeOS(str(tmp_path / "e.db"), ai_model="my-model", openai_api_key="sk-mine")
    assert mine.plan_day(now=MONDAY, refine=True, dry_run=True)["refinement"]["model"] == \
        "my-model"
    assert (fake.requests[-1]["body"]["model"], fake.requests[-1]["authorization"]) == \
        ("my-model", "Bearer sk-mine")


def test_without_a_key_refinement_is_unavailable_and_the_plan_deterministic(tmp_path, no_env):
    app = lifeos.LifeOS(str(tmp_path / "n.db"), timezone="Europe/Berlin")
    app.add_task("Write report", priority=3, estimated_minutes=90)
    plain = app.plan_day(now=MONDAY, dry_run=True)
    day = app.plan_day(now=MONDAY, refine=True, instructions="calls after lunch", dry_run=True)
    r = day["refinement"]
    assert r["status"] == "unavailable" and r["model"] is None
    assert r["scoreFinal"] == r["scoreDeterministic"]
    assert any("no language model is configured" in w for w in day["response"]["warnings"])
    assert day["response"]["scheduledTasks"] == plain["response"]["scheduledTasks"]
    assert plain["refinement"] is None
    # Saved as the planner's plan, its status in the usage event; no quota unit spent.
    for _ in range(4):
        app.plan_day(now=MONDAY, refine=True)
    assert plan_events(app)[-1]["data"]["refinement"] == "unavailable"
    t = next(iter(app.tasks()))
    with pytest.raises(lifeos.Unavailable) as info:
        app.breakdown(t["id"], now=MONDAY)
    assert info.value.service == "model" and isinstance(info.value, lifeos.LifeOSError)
    assert app.task(t["id"])["ai_breakdown"] == []


def test_a_slow_model_is_cut_off_by_ai_timeout(tmp_path, fake):
    fake.delay = 2.0
    app = open_app(tmp_path / "s.db", fake, ai_timeout=0.3)
    started = time.monotonic()
    day = app.plan_day(now=MONDAY, refine=True, dry_run=True)
    assert time.monotonic() - started < 1.9
    assert day["refinement"]["status"] == "failed"
    assert any(w.startswith("Refinement failed") for w in day["response"]["warnings"])
    assert lifeos.validate_plan(day["request"], day["response"]) >= 0


def test_breakdown_accepted(tmp_path, fake):
    app = open_app(tmp_path / "b.db", fake)
    report = next(t for t in app.tasks() if t["title"] == "Write report")  # 90 minutes
    fake.breakdown = {"steps": [{"title": "Outline", "estimatedMinutes": 20},
                                {"title": " Draft ", "estimatedMinutes": 60},
                                {"title": "Proofread", "estimatedMinutes": 25}]}
    task = app.breakdown(report["id"], now=MONDAY)
    assert [(s["title"], s["estimated_minutes"], s["done"]) for s in task["ai_breakdown"]] == \
        [("Outline", 20, False), ("Draft", 60, False), ("Proofread", 25, False)]
    assert task["version"] == report["version"] + 1 and app.task(report["id"]) == task
    assert app.events()[-1]["type"] == "task.updated"
    sent = fake.requests[-1]["body"]
    assert sent["response_format"]["json_schema"]["name"] == "task_breakdown"
    assert json.loads(sent["messages"][1]["content"])["title"] == "Write report"


@pytest.mark.parametrize("steps, field", [
    ([{"title": "Only one", "estimatedMinutes": 30}], "steps"),
    ([{"title": "Outline", "estimatedMinutes": 20},
      {"title": "Draft", "estimatedMinutes": 2}], "steps[1].estimatedMinutes"),
    ([{"title": "  ", "estimatedMinutes": 20},
      {"title": "Draft", "estimatedMinutes": 20}], "steps[0].title"),
    # 120 minutes for a 90-minute task: over 125%.
    ([{"title": "Outline", "estimatedMinutes": 60},
      {"title": "Draft", "estimatedMinutes": 60}], "steps"),
])
def test_a_refused_breakdown_names_what_was_wrong(tmp_path, fake, steps, field):
    app = open_app(tmp_path / "r.db", fake)
    report = next(t for t in app.tasks() if t["title"] == "Write report")
    fake.breakdown = {"steps": steps}
    with pytest.raises(lifeos.BadModelOutput) as info:
        app.breakdown(report["id"], now=MONDAY)
    e = info.value
    assert isinstance(e, lifeos.LifeOSError) and not isinstance(e, ValueError)
    assert e.field == field and e.reason and field in str(e)
    assert app.task(report["id"]) == report, "the task is unchanged"
    assert fake.count() == 1


def test_breakdown_counts_against_the_quota_and_checks_its_arguments(tmp_path, fake):
    app = open_app(tmp_path / "bq.db", fake)
    report = next(t for t in app.tasks() if t["title"] == "Write report")
    fake.breakdown = {"steps": [{"title": "Outline", "estimatedMinutes": 20},
                                {"title": "Draft", "estimatedMinutes": 60}]}
    for _ in range(3):
        app.breakdown(report["id"], now=MONDAY)
    with pytest.raises(lifeos.QuotaExceeded) as info:
        app.breakdown(report["id"], now=MONDAY)
    assert info.value.retry_after == 3600 and fake.count() == 3
    with pytest.raises(lifeos.NotFound):
        app.breakdown("00000000-0000-0000-0000-00000000dead", now=MONDAY)
    with pytest.raises(lifeos.ValidationError) as info:
        app.breakdown("nope")
    assert info.value.field == "task_id"
    with pytest.raises(lifeos.ValidationError) as info:
        app.breakdown(report["id"], now=dt.datetime(2026, 3, 9, 7, 0))
    assert info.value.field == "now"


@pytest.mark.parametrize("kwargs, field", [
    ({"ai_timeout": 0}, "ai_timeout"),
    ({"ai_timeout": float("nan")}, "ai_timeout"),
    ({"ai_model": "  "}, "ai_model"),
    ({"tier": "platinum"}, "tier"),
])
def test_bad_ai_arguments_name_their_field(kwargs, field):
    with pytest.raises(lifeos.ValidationError) as info:
        lifeos.LifeOS("memory:", **kwargs)
    assert info.value.field == field
