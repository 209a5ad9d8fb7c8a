"""Type stubs of the LifeOS Python bindings (hand-written; keep in step with lifeos-py/src)."""

import datetime as _dt
import uuid as _uuid
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

__all__ = [
    "DEFAULT_USER",
    "BadModelOutput",
    "Conflict",
    "LifeOS",
    "LifeOSError",
    "NotFound",
    "PlanInvalid",
    "QuotaExceeded",
    "TaskIter",
    "Unavailable",
    "ValidationError",
    "expand",
    "expand_json",
    "parse_ics",
    "plan_day",
    "to_ics",
    "validate_plan",
]

Json = Any
"""A JSON-like value: dict, list, str, int, float, bool or None."""

Id = Union[str, _uuid.UUID]
"""An id: UUID text or a ``uuid.UUID``."""

Instant = Union[_dt.datetime, str]
"""A timezone-aware ``datetime`` (naive ones are refused) or RFC 3339 text."""

Zone = Any
"""An IANA zone name, or a ``zoneinfo.ZoneInfo``."""

DEFAULT_USER: str
"""The user a ``LifeOS`` acts as when none is given."""

class LifeOSError(Exception):
    """The base of every error LifeOS raises."""

class ValidationError(LifeOSError, ValueError):
    """The input is invalid."""

    field: Optional[str]
    """The first field at fault: a path such as ``tasks[3].priority`` (``""`` for text
    that is not JSON)."""
    errors: List[Dict[str, str]]
    """Every problem, as ``{"field": ..., "message": ...}``."""

class NotFound(LifeOSError):
    """No such row for this user."""

class Conflict(LifeOSError):
    """A stale version, a key already taken, or a plan whose tasks kept changing."""

class QuotaExceeded(LifeOSError):
    """An AI quota of the tier is used up (``plan_day(refine=True)``, ``breakdown``):
    nothing was asked of the model and nothing saved. Planning without refinement, or a
    proposal still in the cache, works meanwhile."""

    retry_after: Optional[int]
    """Whole seconds until a call is allowed again (at least 1)."""
    window: Optional[str]
    """The limit reached: ``"hour"`` (3/5/10/30/100 calls by tier) or ``"month"``
    (30/150/500/2,000/10,000, rolling 30 days)."""
    tier: Optional[str]
    """The tier whose limit it is: ``free``, ``starter``, ``pro``, ``team``, ``enterprise``."""

class Unavailable(LifeOSError):
    """A service the call needs is not configured or failed: the model (no API key, no
    usable reply, a refusal) or the AI quota store. Nothing was saved."""

    service: Optional[str]
    """``"model"`` or ``"ai quota"``."""

class BadModelOutput(LifeOSError):
    """The model's answer broke a rule and was not used; nothing changed (not a
    ``ValueError``: the model is wrong, not the argument). A task breakdown needs 2 to 12
    steps, each with a title of 1 to 500 characters and an estimate of 5 to 480 minutes,
    together at most 125% of the task's estimate."""

    field: Optional[str]
    """Where: ``steps``, ``steps[2].title``, ``steps[1].estimatedMinutes``, or ``reply``."""
    reason: Optional[str]
    """What is wrong."""

class PlanInvalid(LifeOSError):
    """The plan breaks the planner's rules (PLANNER.md)."""

    violations: List[Dict[str, Optional[str]]]
    """Each broken rule, as ``{"rule": ..., "task_id": ..., "message": ...}``."""

def plan_day(request: Union[Mapping[str, Json], str, bytes]) -> Dict[str, Json]:
    """Plans PLANNER.md's request (a dict or JSON text) and returns its response, equal as
    JSON to what the ``plan_json`` example answers. Raises ``ValidationError`` with
    ``plan_json``'s ``field`` and ``errors`` for a bad request."""

def validate_plan(
    request: Union[Mapping[str, Json], str, bytes],
    response: Union[Mapping[str, Json], str, bytes],
) -> int:
    """The response's score in quarter points, or ``PlanInvalid`` listing each broken rule."""

def expand(
    rule: Optional[str],
    dtstart: Union[_dt.datetime, _dt.date],
    window_start: Union[_dt.datetime, _dt.date],
    window_end: Union[_dt.datetime, _dt.date],
    tz: Optional[Zone] = None,
    exdates: Optional[Sequence[Union[_dt.datetime, _dt.date]]] = (),
    limit: int = 10000,
) -> List[Union[_dt.datetime, _dt.date]]:
    """The starts of a series' occurrences in ``[window_start, window_end)``, at most
    ``limit`` (1 to 10000).

    ``dtstart``: an aware datetime is zoned in ``tz`` or its own ``ZoneInfo`` (else UTC),
    and gives aware datetimes in that zone; a naive one is zoned in ``tz`` when given,
    else floating (naive datetimes out); a ``date`` is all-day (dates out)."""

def expand_json(text: str) -> str:
    """The ``expand_json`` example's answer line for each case line of ``text``."""

def parse_ics(text: str) -> List[Dict[str, Json]]:
    """The events of an iCalendar document as dicts, all or nothing (``ValidationError``
    with ``field == "text"`` and ``line`` when it cannot be read). Ids are deterministic."""

def to_ics(events: List[Mapping[str, Json]]) -> str:
    """An iCalendar document of these event dicts (as ``parse_ics`` gives them, or with
    ``start``/``end`` as ``datetime``/``date`` and the rest defaulted)."""

class TaskIter(Iterator[Dict[str, Json]]):
    """The tasks of ``LifeOS.tasks``, read a page at a time."""

    def __iter__(self) -> "TaskIter": ...
    def __next__(self) -> Dict[str, Json]: ...

class LifeOS:
    """A LifeOS store, acting as one user; safe to share between threads."""

    def __init__(
        self,
        location: str,
        user: Optional[Id] = None,
        timezone: Optional[Zone] = None,
        email: Optional[str] = None,
        *,
        openai_api_key: Optional[str] = None,
        openai_base_url: Optional[str] = None,
        ai_model: Optional[str] = None,
        ai_timeout: Optional[float] = None,
        tier: Optional[str] = None,
    ) -> None:
        """Opens ``location`` (a SQLite file path, ``sqlite://…``, ``:memory:``,
        ``memory:``, or ``postgres://…`` when built with it) and creates the user's profile
        when missing (zone ``timezone``, default UTC).

        The model for ``plan_day(refine=True)`` and ``breakdown`` (any OpenAI-compatible
        chat completions API) is configured here, once: ``openai_api_key`` defaults to the
        environment's ``OPENAI_API_KEY`` (blank or absent: no model, refinement is
        ``unavailable``), ``openai_base_url`` to ``OPENAI_BASE_URL`` (else the public
        API); ``ai_model`` asks one model for every day (default gpt-4o, gpt-4o-mini for
        days of fewer than 15 open tasks and for breakdowns); ``ai_timeout`` bounds a whole
        call, retries included, in seconds (default 30). ``tier`` (``free``, ``starter``,
        ``pro``, ``team``, ``enterprise``) counts the AI quota; by default the user's stored
        subscription's tier, else ``free``. The quota and the plan cache (5 minutes) live in
        this object's memory. A bad value raises ``ValidationError`` naming the keyword."""
    @property
    def user(self) -> str: ...
    def add_task(self, task: Union[str, Mapping[str, Json], None] = None, **fields: Json) -> Dict[str, Json]: ...
    def task(self, task_id: Id) -> Dict[str, Json]: ...
    def tasks(
        self,
        status: Union[str, Sequence[str], None] = None,
        label: Optional[str] = None,
        project_id: Optional[Id] = None,
        title_contains: Optional[str] = None,
        include_deleted: bool = False,
        page_size: int = 100,
    ) -> TaskIter: ...
    def update_task(
        self,
        task_id: Id,
        patch: Optional[Mapping[str, Json]] = None,
        expected_version: Optional[int] = None,
        **fields: Json,
    ) -> Dict[str, Json]: ...
    def start_task(self, task_id: Id) -> Dict[str, Json]: ...
    def complete_task(self, task_id: Id, actual_minutes: Optional[int] = None) -> Dict[str, Json]: ...
    def cancel_task(self, task_id: Id) -> Dict[str, Json]: ...
    def reopen_task(self, task_id: Id) -> Dict[str, Json]: ...
    def delete_task(self, task_id: Id) -> Dict[str, Json]: ...
    def restore_task(self, task_id: Id) -> Dict[str, Json]: ...
    def add_project(self, project: Union[str, Mapping[str, Json], None] = None, **fields: Json) -> Dict[str, Json]: ...
    def projects(self, include_deleted: bool = False) -> List[Dict[str, Json]]: ...
    def update_project(
        self,
        project_id: Id,
        patch: Optional[Mapping[str, Json]] = None,
        expected_version: Optional[int] = None,
        **fields: Json,
    ) -> Dict[str, Json]: ...
    def delete_project(self, project_id: Id) -> Dict[str, Json]: ...
    def add_event(self, event: Optional[Mapping[str, Json]] = None, **fields: Json) -> Dict[str, Json]: ...
    def delete_event(self, event_id: Id) -> Dict[str, Json]: ...
    def events_between(self, start: Instant, end: Instant, tz: Optional[Zone] = None) -> List[Dict[str, Json]]: ...
    def import_ics(self, data: Union[str, bytes], strict: bool = False) -> Dict[str, Json]: ...
    def export_ics(self) -> str: ...
    def preferences(self) -> Dict[str, Json]: ...
    def set_preferences(self, patch: Optional[Mapping[str, Json]] = None, **fields: Json) -> Dict[str, Json]: ...
    def plan_day(
        self,
        date: Union[_dt.date, str, None] = None,
        now: Optional[Instant] = None,
        dry_run: bool = False,
        refine: bool = False,
        instructions: Optional[str] = None,
    ) -> Dict[str, Json]:
        """Plans ``date`` (default: today in the user's zone at ``now``, which defaults to
        the system clock) and saves it unless ``dry_run``: ``{"date", "timezone",
        "request", "response", "changes", "counts", "saved", "attempts", "recorded",
        "refinement", ...}``.

        ``refine=True`` (implied by ``instructions``, the user's free text, at most 1,000
        characters kept) lets the model refine the plan; the planner checks and repairs
        its proposal and keeps its own plan unless the proposal is valid and scores within
        tolerance. ``refinement`` (also in ``response``) says what became of it:
        ``status`` ``accepted``, ``rejected``, ``failed`` or ``unavailable`` (no model:
        the deterministic plan and a warning, no exception), ``model``, ``tokensIn``,
        ``tokensOut``, ``cacheHit``, the scores; ``None`` without ``refine``. A proposal
        cached for the same tasks, preferences, date, instructions and model (5 minutes)
        costs nothing; otherwise one AI unit is taken first, and ``QuotaExceeded`` is
        raised when none is left (nothing saved). The usage is recorded in
        ``ai.plan_generated`` (on a dry run too, when the model was called)."""
    def breakdown(self, task_id: Id, now: Optional[Instant] = None) -> Dict[str, Json]:
        """Asks the model to break the task into steps (one AI unit at ``now``, default the
        system clock); accepted steps replace its ``ai_breakdown`` (a ``task.updated``
        event) and the task is returned. Raises ``BadModelOutput`` naming the rule the
        answer broke (the task unchanged), ``Unavailable`` without a model or a usable
        reply, ``QuotaExceeded``, ``NotFound``."""
    def plan_week(
        self,
        start_date: Union[_dt.date, str, None] = None,
        now: Optional[Instant] = None,
        horizon_days: int = 7,
        dry_run: bool = False,
    ) -> Dict[str, Json]:
        """Plans ``horizon_days`` days (1..=14) from ``start_date`` (default: today in the
        user's zone at ``now``), keeping the stored blocks that still fit, and saves the
        changed blocks unless ``dry_run``: ``{"start_date", "horizon_days", "timezone",
        "response", "changes", "changed_blocks", "saved", "attempts"}``. A horizon outside
        1..=14 raises ``ValidationError`` on ``horizon_days``."""
    def events(self, after: Optional[int] = None) -> List[Dict[str, Json]]: ...
    def export(self) -> Dict[str, Json]: ...
