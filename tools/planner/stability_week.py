#!/usr/bin/env python3
"""Replanning stability of `plan_json --week` (issue 15): plan each week, send the plan back
as `previousPlan` with one change (a new meeting, a new urgent task, a task completed, an
hour passing), and count the blocks not touched by the change that keep their exact times.

usage: stability_week.py PLAN_JSON_BINARY < solved_weeks.jsonl
A block is touched when it overlaps the new meeting or its buffers, belongs to the changed
task, or starts before the new currentTime.
"""
import copy
import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone


def run(binary, req):
    out = subprocess.run([binary, "--week"], input=json.dumps(req), capture_output=True, text=True)
    return json.loads(out.stdout)


def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def iso(d):
    return d.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    binary = sys.argv[1]
    totals = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)["request"]
        first = run(binary, req)
        blocks = first["scheduledTasks"]
        if not blocks:
            continue
        prev = [{"taskId": b["taskId"], "startTime": b["startTime"], "endTime": b["endTime"]} for b in blocks]
        buf = timedelta(minutes=(req.get("preferences") or {}).get("meetingBufferMinutes", 15) or 0)
        mid = blocks[len(blocks) // 2]
        scenarios = {}
        # A new meeting over the middle block.
        r = copy.deepcopy(req)
        ms, me = t(mid["startTime"]) + timedelta(minutes=10), t(mid["startTime"]) + timedelta(minutes=40)
        r.setdefault("blockedTime", []).append({"title": "New meeting", "start": iso(ms), "end": iso(me)})
        scenarios["meeting"] = (r, lambda b: t(b["startTime"]) < me + buf and t(b["endTime"]) > ms - buf, None)
        # A new urgent task.
        r = copy.deepcopy(req)
        new_id = str(uuid.UUID(int=len(req["tasks"]) + 12345))
        r["tasks"].append({"id": new_id, "priority": 3, "estimatedMinutes": 60, "dueDate": iso(t(req["currentTime"]) + timedelta(days=1))})
        scenarios["urgent task"] = (r, lambda b: False, new_id)
        # A task completed.
        r = copy.deepcopy(req)
        done = mid["taskId"]
        for x in r["tasks"]:
            if str(uuid.UUID(x["id"])) == done:
                x["status"] = "completed"
        scenarios["completed"] = (r, lambda b: False, done)
        # An hour passes.
        r = copy.deepcopy(req)
        now = t(req["currentTime"]) + timedelta(hours=1)
        r["currentTime"] = iso(now)
        scenarios["hour passes"] = (r, lambda b: t(b["startTime"]) < now, None)
        for name, (r, touched, changed) in scenarios.items():
            r["previousPlan"] = prev
            second = run(binary, r)
            again = {(b["taskId"], b["startTime"], b["endTime"]) for b in second["scheduledTasks"]}
            keep = total = 0
            for b in blocks:
                if touched(b) or b["taskId"] == changed:
                    continue
                total += 1
                keep += (b["taskId"], b["startTime"], b["endTime"]) in again
            k, n = totals.get(name, (0, 0))
            totals[name] = (k + keep, n + total)
    for name, (k, n) in totals.items():
        print(f"{name}: {k} of {n} untouched blocks kept ({100.0 * k / max(n, 1):.1f}%)")


if __name__ == "__main__":
    main()
