"""schemathesis hooks for `.ci/schemathesis`: the tester as a correct client of
`Idempotency-Key` (API.md), which sends one fresh key per distinct request. schemathesis
draws keys from the header's schema and repeats simple ones (`0`) across different
bodies, which the server answers, by contract, with 422 `idempotency-key-reuse`; a key
that is schema-valid is replaced by a fresh one, a malformed one (a negative case) is
sent as drawn, and so is every key of a negative case (a request meant to be refused:
editing it would make schemathesis revalidate it as a positive one)."""

import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and VALID_KEY.match(value):
            headers[name] = f"st-{uuid.uuid4()}"
