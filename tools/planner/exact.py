#!/usr/bin/env python3
"""Exact optimum of PLANNER.md days with OR-Tools CP-SAT, and the greedy baseline.

Reads requests (one JSON per line) on stdin, writes one line per day:
{"request": ..., "optimum": int, "status": "OPTIMAL"|"FEASIBLE", "bound": int, "greedy": int}

usage: exact.py [--time-limit SECONDS] < days.jsonl > solved.jsonl

This model is written from PLANNER.md alone (zoneinfo for local time, its own grid,
buffers, deadlines, dependencies, pinned blocks, focus cap and score). Requests are assumed
valid (the generator only writes valid ones).
"""
import json
import math
import sys
import time as clock
import uuid
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model


def parse_instant(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def resolve(d, hhmm, tz):
    h, m = map(int, hhmm.split(":"))
    if h == 24:
        d, h = d + timedelta(days=1), 0
    # fold=0: a gap time uses the offset before the gap (forward by the gap); a fold
    # time means the earlier instant.
    return datetime.combine(d, time(h, m), tzinfo=tz).timestamp()


def utcoffset(tz, t):
    return int(datetime.fromtimestamp(t, timezone.utc).astimezone(tz).utcoffset().total_seconds())


class Day:
    def __init__(self, req):
        self.req = req
        tz = self.tz = ZoneInfo(req["timezone"])
        today = date.fromisoformat(req["today"])
        p = req.get("preferences") or {}
        g = lambda k, dflt: dflt if p.get(k) is None else p[k]
        self.day_start = resolve(today, "00:00", tz)
        self.day_end = resolve(today, "24:00", tz)
        now = parse_instant(req["currentTime"])
        self.ws = max(resolve(today, g("workdayStart", "09:00"), tz), now)
        self.we = resolve(today, g("workdayEnd", "17:00"), tz)
        self.ps = resolve(today, g("peakHoursStart", "09:00"), tz)
        self.pe = resolve(today, g("peakHoursEnd", "12:00"), tz)
        self.cap = math.floor(g("maxFocusHours", 6) * 60 + 0.5)
        self.buf = g("meetingBufferMinutes", 15) * 60
        self.busy, self.all_day = [], False
        for e in req.get("blockedTime") or []:
            s, en = parse_instant(e["start"]), parse_instant(e["end"])
            allday = bool(e.get("isAllDay") or False)
            busy = e.get("busy")
            busy = (not allday) if busy is None else busy
            if s == en or not busy:
                continue
            if allday:
                self.all_day |= s < self.day_end and en > self.day_start
            else:
                self.busy.append((s, en))
        # grid: local minute % 5 == 0, second 0, inside [ws, we)
        self.grid = []
        t = math.ceil(self.ws / 60) * 60
        while t < self.we:
            if t >= self.ws and (t + utcoffset(tz, t)) % 300 == 0:
                self.grid.append(t)
            t += 60
        self.tasks = {}
        for t in req["tasks"]:
            tid = str(uuid.UUID(t["id"]))
            self.tasks[tid] = {
                "id": tid,
                "p": t.get("priority") or 0,
                "m": t.get("estimatedMinutes") or 30,
                "due": None if t.get("dueDate") is None else parse_instant(t["dueDate"]),
                "hard": bool(t.get("hardDeadline") or False),
                "deps": [str(uuid.UUID(d)) for d in (t.get("dependsOn") or [])],
                "pin": None if t.get("pinnedStart") is None else parse_instant(t["pinnedStart"]),
                "status": t.get("status") or "pending",
            }
        for t in self.tasks.values():
            t["hard"] = t["hard"] and t["due"] is not None
            t["open"] = t["status"] in ("pending", "in_progress")
            t["pinned_today"] = t["open"] and t["pin"] is not None and self.day_start <= t["pin"] < self.day_end
            t["free"] = t["open"] and t["pin"] is None
        for t in self.tasks.values():
            t["open_deps"] = sorted({d for d in t["deps"] if d in self.tasks and self.tasks[d]["open"]})

    def value(self, t, start):
        end = start + t["m"] * 60
        w = [1, 2, 4, 8][t["p"]]
        u = 2 if t["due"] is not None and t["due"] <= self.day_end else 1
        peak = 1 if t["p"] >= 2 and start >= self.ps and end <= self.pe else 0
        late = 1 if (t["due"] is not None and not t["hard"] and end > t["due"]) else 0
        return w * u * t["m"] * (4 + peak - 2 * late)

    def starts(self, t):
        """Grid starts of a free task against the window, events, buffers, pinned blocks,
        its hard deadline and its pinned (or never-done) dependencies."""
        if not t["free"] or self.all_day:
            return []
        earliest = -math.inf
        for d in t["open_deps"]:
            dt = self.tasks[d]
            if dt["pinned_today"]:
                earliest = max(earliest, dt["pin"] + dt["m"] * 60)
            elif not dt["free"]:
                return []  # pinned to another day: never done
        pins = [(x["pin"], x["pin"] + x["m"] * 60) for x in self.tasks.values() if x["pinned_today"]]
        out = []
        dur = t["m"] * 60
        for g in self.grid:
            e = g + dur
            if e > self.we or g < earliest:
                continue
            if t["hard"] and e > t["due"]:
                continue
            if any(not (e + self.buf <= s or en + self.buf <= g) for s, en in self.busy):
                continue
            if any(g < pe and e > ps for ps, pe in pins):
                continue
            out.append(g)
        return out

    def pinned_score(self):
        return sum(self.value(t, t["pin"]) for t in self.tasks.values() if t["pinned_today"])

    def cap_left(self):
        pinned = sum(t["m"] for t in self.tasks.values() if t["pinned_today"])
        return max(self.cap - pinned, 0)


def solve(day, limit):
    m = cp_model.CpModel()
    free = [t for t in day.tasks.values() if t["free"]]
    base = int(day.ws) if day.grid else 0
    pres, start, end, obj = {}, {}, {}, []
    intervals = []
    for t in free:
        st = day.starts(t)
        tid = t["id"]
        dur = t["m"] * 60
        if not st:
            pres[tid] = None
            continue
        xs = []
        for g in st:
            x = m.NewBoolVar("")
            xs.append((g, x))
            obj.append(day.value(t, g) * x)
        p = m.NewBoolVar("p")
        m.Add(sum(x for _, x in xs) == p)
        s = m.NewIntVar(0, int(day.we) - base + 1, "s")
        m.Add(s == sum(int(g - base) * x for g, x in xs))
        pres[tid], start[tid] = p, s
        end[tid] = s + dur
        intervals.append(m.NewOptionalFixedSizeIntervalVar(s, dur, p, ""))
    m.AddNoOverlap(intervals)
    m.Add(sum(t["m"] * pres[t["id"]] for t in free if pres[t["id"]] is not None) <= day.cap_left())
    for t in free:
        p = pres[t["id"]]
        if p is None:
            continue
        for d in t["open_deps"]:
            dt = day.tasks[d]
            if dt["pinned_today"]:
                continue
            if pres.get(d) is None:
                m.Add(p == 0)
                continue
            m.AddImplication(p, pres[d])
            m.Add(start[t["id"]] >= end[d]).OnlyEnforceIf(p)
    m.Maximize(sum(obj))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 2
    status = solver.Solve(m)
    name = solver.StatusName(status)
    if DEBUG:
        for t in free:
            if pres.get(t["id"]) is not None and solver.Value(pres[t["id"]]):
                st = solver.Value(start[t["id"]]) + base
                print(f"  {t['id'][:8]} p{t['p']} m{t['m']} start {datetime.fromtimestamp(st, timezone.utc):%H:%M} v{day.value(t, st)}", file=sys.stderr)
    if name not in ("OPTIMAL", "FEASIBLE"):
        raise RuntimeError(name)
    return int(round(solver.ObjectiveValue())) + day.pinned_score(), name, int(round(solver.BestObjectiveBound())) + day.pinned_score()


def greedy(day):
    """The issue's baseline: by W*U, then due, first fit."""
    free = [t for t in day.tasks.values() if t["free"]]
    def key(t):
        w = [1, 2, 4, 8][t["p"]]
        u = 2 if t["due"] is not None and t["due"] <= day.day_end else 1
        return (-w * u, t["due"] if t["due"] is not None else math.inf, t["id"])
    free.sort(key=key)
    placed = {}
    left = day.cap_left()
    for _ in range(len(free) + 1):
        changed = False
        for t in free:
            if t["id"] in placed or t["m"] > left:
                continue
            earliest = -math.inf
            ok = True
            for d in t["open_deps"]:
                if day.tasks[d]["pinned_today"]:
                    continue
                if d not in placed:
                    ok = False
                    break
                earliest = max(earliest, placed[d][1])
            if not ok:
                continue
            for g in day.starts(t):
                e = g + t["m"] * 60
                if g >= earliest and all(e <= s or en <= g for s, en in placed.values()):
                    placed[t["id"]] = (g, e)
                    left -= t["m"]
                    changed = True
                    break
        if not changed:
            break
    return day.pinned_score() + sum(day.value(day.tasks[i], g) for i, (g, _) in placed.items())


DEBUG = False


def main():
    global DEBUG
    DEBUG = "--debug" in sys.argv
    limit = 20.0
    if len(sys.argv) > 2 and sys.argv[1] == "--time-limit":
        limit = float(sys.argv[2])
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        day = Day(req)
        t0 = clock.time()
        opt, status, bound = solve(day, limit)
        out = {"tasks": len(req["tasks"]), "optimum": opt, "status": status, "bound": bound,
               "greedy": greedy(day), "request": req}
        print(json.dumps(out, separators=(",", ":")), flush=True)
        print(f"{len(req['tasks'])} tasks: {status} {opt} greedy {out['greedy']} "
              f"in {clock.time() - t0:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
