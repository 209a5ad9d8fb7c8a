#!/usr/bin/env python3
"""Is a replan's instability the score's optimum or the search? For each week, one
scenario of stability_week.py (default "urgent task") is replanned with `previousPlan` by
`plan_json --week` and by CP-SAT (exact_week.py's model, which has the keep bonus); prints
both scores (keep bonus included) and the share of untouched blocks each keeps (CP-SAT's:
among the plans of its proven optimum, the one keeping the most previous blocks).

usage: stability_exact.py PLAN_JSON_BINARY [--scenario NAME] [--weeks N] [--time-limit S]
       [--workers N] < solved_weeks.jsonl      (needs ortools: see README)
"""
import json
import sys
from datetime import datetime, timezone

import exact_week
from stability_week import kept, previous, run, scenarios, score, triples


def iso(secs):
    return datetime.fromtimestamp(secs, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    args = sys.argv[1:]
    opt = lambda flag, default: type(default)(args[args.index(flag) + 1]) if flag in args else default
    binary = args[0]
    name = opt("--scenario", "urgent task")
    weeks, limit, workers = opt("--weeks", 4), opt("--time-limit", 30.0), opt("--workers", 2)
    tot = {"ours": [0, 0], "cp-sat": [0, 0]}
    done = 0
    for line in sys.stdin:
        if done >= weeks:
            break
        if not line.strip():
            continue
        req = json.loads(line)["request"]
        blocks = run(binary, req)["scheduledTasks"]
        if not blocks:
            continue
        done += 1
        r, touched, changed = scenarios(req, blocks)[name]
        r = dict(r, previousPlan=previous(blocks))
        ours = run(binary, r)
        ours_score = score(binary, [(r, ours)])[0]
        w = exact_week.Week(r)
        best, status, bound, plan = exact_week.solve(w, limit, workers, keep_ties=True)
        # CP-SAT's plan holds the free tasks; pinned ones stay where they are pinned.
        pinned = [(t["id"], t["pin"], t["m"], t["pin_day"]) for t in w.pinned]
        theirs = {(str(tid), iso(s), iso(s + m * 60)) for tid, s, m, _ in plan + pinned}
        row = []
        for who, again in (("ours", triples(ours)), ("cp-sat", theirs)):
            k, n = kept(blocks, again, touched, changed)
            tot[who][0] += k
            tot[who][1] += n
            row.append(f"{k}/{n}")
        print(f"week {done}: ours {ours_score} keeps {row[0]}; CP-SAT {best} ({status}, bound "
              f"{bound}) keeps {row[1]}", flush=True)
    for who, (k, n) in tot.items():
        print(f"{name}, {who}: {k} of {n} untouched blocks kept ({100.0 * k / max(n, 1):.1f}%)")


if __name__ == "__main__":
    main()
