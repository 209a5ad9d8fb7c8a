"""LifeOS: plan your day around your meetings, with the Rust engine from Python.

Everything lives in the native module ``lifeos.lifeos``; this package re-exports it.
"""

from .lifeos import (
    DEFAULT_USER,
    BadModelOutput,
    Conflict,
    LifeOS,
    LifeOSError,
    NotFound,
    PlanInvalid,
    QuotaExceeded,
    TaskIter,
    Unavailable,
    ValidationError,
    expand,
    expand_json,
    parse_ics,
    plan_day,
    to_ics,
    validate_plan,
)

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
