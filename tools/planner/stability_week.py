#!/usr/bin/env python3
"""Replanning stability of `plan_json --week` (issue 15): plan each week, send the plan back
as `previousPlan` with one change (a new meeting, a new urgent task, a task completed, an
hour passing), and count the blocks not touched by the change that keep their exact times.

usage: stability_week.py [--control] PLAN_JSON_BINARY < solved_weeks.jsonl
A block is touched when it overlaps the new meeting or its buffers, belongs to the changed
task, or starts before the new currentTime.

The score given up: each replan's score without its keep bonus (`plan_json --week
--validate` of the replan against the changed request with no `previousPlan`) against the
score of a fresh plan of that request (no `previousPlan`), as (fresh - kept) / fresh; mean
and worst per scenario. Negative means the replan scores more than planning afresh.
A week whose request carries its own previousPlan was first planned with that plan's
bonus, and the fresh plan drops it too, so its loss includes the first plan's own keeping:
the figures are also given over the other weeks alone.
`--control` adds a fifth scenario with no change at all (the plan sent back as is).
"""
import copy
import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone


def run(binary, req):
    return run_many(binary, [req])[0]


def run_many(binary, values, *flags):
    """One answer per value: each value is one line of a batch."""
    text = "".join(json.dumps(v) + "\n" for v in values)
    out = subprocess.run([binary, "--week", *flags], input=text, capture_output=True, text=True)
    answers = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    if len(answers) != len(values):
        sys.exit(f"plan_json answered {len(answers)} of {len(values)} lines: {out.stderr}")
    return answers


def score(binary, pairs):
    """validate_week's score of each (request, response); exits on an invalid plan."""
    answers = run_many(binary, [{"request": r, "response": p} for r, p in pairs], "--validate")
    for a in answers:
        if "score" not in a:
            sys.exit(f"invalid plan: {a}")
    return [a["score"] for a in answers]


def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def iso(d):
    return d.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def scenarios(req, blocks, control=False):
    """The one-change requests built from `req` and its plan's `blocks`: name -> (request
    without previousPlan, touched(block), changed task id or None)."""
    buf = timedelta(minutes=(req.get("preferences") or {}).get("meetingBufferMinutes", 15) or 0)
    mid = blocks[len(blocks) // 2]
    out = {}
    # A new meeting over the middle block.
    r = copy.deepcopy(req)
    ms, me = t(mid["startTime"]) + timedelta(minutes=10), t(mid["startTime"]) + timedelta(minutes=40)
    r.setdefault("blockedTime", []).append({"title": "New meeting", "start": iso(ms), "end": iso(me)})
    out["meeting"] = (r, lambda b: t(b["startTime"]) < me + buf and t(b["endTime"]) > ms - buf, None)
    # A new urgent task.
    r = copy.deepcopy(req)
    new_id = str(uuid.UUID(int=len(req["tasks"]) + 12345))
    r["tasks"].append({"id": new_id, "priority": 3, "estimatedMinutes": 60, "dueDate": iso(t(req["currentTime"]) + timedelta(days=1))})
    out["urgent task"] = (r, lambda b: False, new_id)
    # A task completed.
    r = copy.deepcopy(req)
    done = mid["taskId"]
    for x in r["tasks"]:
        if str(uuid.UUID(x["id"])) == done:
            x["status"] = "completed"
    out["completed"] = (r, lambda b: False, done)
    # An hour passes.
    r = copy.deepcopy(req)
    now = t(req["currentTime"]) + timedelta(hours=1)
    r["currentTime"] = iso(now)
    out["hour passes"] = (r, lambda b: t(b["startTime"]) < now, None)
    if control:
        out["no change"] = (copy.deepcopy(req), lambda b: False, None)
    for r, _, _ in out.values():
        r["previousPlan"] = None
    return out


def previous(blocks):
    return [{"taskId": b["taskId"], "startTime": b["startTime"], "endTime": b["endTime"]} for b in blocks]


def kept(blocks, again, touched, changed):
    """(kept, untouched): `again` holds (taskId, startTime, endTime) of the replan."""
    keep = total = 0
    for b in blocks:
        if touched(b) or b["taskId"] == changed:
            continue
        total += 1
        keep += (b["taskId"], b["startTime"], b["endTime"]) in again
    return keep, total


def triples(response):
    return {(b["taskId"], b["startTime"], b["endTime"]) for b in response["scheduledTasks"]}


def main():
    args = sys.argv[1:]
    control = "--control" in args
    binary = [a for a in args if a != "--control"][0]
    totals = {}
    losses = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)["request"]
        blocks = run(binary, req)["scheduledTasks"]
        if not blocks:
            continue
        prev = previous(blocks)
        cases = scenarios(req, blocks, control)
        names = list(cases)
        fresh_reqs = [cases[n][0] for n in names]
        replan_reqs = [dict(r, previousPlan=prev) for r in fresh_reqs]
        seconds = run_many(binary, replan_reqs)
        fresh = run_many(binary, fresh_reqs)
        # Scored against the request without previousPlan: the replan without its keep bonus.
        kept_scores = score(binary, list(zip(fresh_reqs, seconds)))
        fresh_scores = score(binary, list(zip(fresh_reqs, fresh)))
        # A week whose request has its own previousPlan was first planned with that bonus.
        own = bool(req.get("previousPlan"))
        for name, second, ks, fs in zip(names, seconds, kept_scores, fresh_scores):
            losses.setdefault(name, []).append(((fs - ks) / fs if fs > 0 else 0.0, own))
            _, touched, changed = cases[name]
            keep, total = kept(blocks, triples(second), touched, changed)
            k, n = totals.get(name, (0, 0))
            totals[name] = (k + keep, n + total)
    for name, (k, n) in totals.items():
        ls = [x for x, _ in losses.get(name, [])] or [0.0]
        clean = [x for x, own in losses.get(name, []) if not own] or [0.0]
        print(f"{name}: {k} of {n} untouched blocks kept ({100.0 * k / max(n, 1):.1f}%); "
              f"score given up: mean {100.0 * sum(ls) / len(ls):.3f}%, worst {100.0 * max(ls):.3f}% "
              f"(weeks without their own previousPlan: mean {100.0 * sum(clean) / len(clean):.3f}%, "
              f"worst {100.0 * max(clean):.3f}%)")


if __name__ == "__main__":
    main()
