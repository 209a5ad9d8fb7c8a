#!/usr/bin/env python3
"""Best plan of PLANNER-WEEK.md weeks with OR-Tools CP-SAT, its bound, and the greedy
earliest-fit baseline.

Reads week requests (one JSON per line) on stdin, writes one line per week:
{"tasks": n, "optimum": int, "status": "OPTIMAL"|"FEASIBLE", "bound": int, "greedy": int,
 "request": ...}

usage: exact_week.py [--time-limit SECONDS] [--workers N] < weeks.jsonl > solved.jsonl

Written from PLANNER-WEEK.md (and PLANNER.md, which it extends) alone: zoneinfo for local
time and its own grid. One optional interval per task and working day (a chunk, or the
whole of an unsplit task), all in one no-overlap with the merged forbidden time (busy
events with their buffers, pinned blocks, everything outside the working windows). Requests
are assumed valid (the generator writes valid ones).
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
    return datetime.combine(d, time(h, m), tzinfo=tz).timestamp()


def utcoffset(tz, t):
    return int(datetime.fromtimestamp(t, timezone.utc).astimezone(tz).utcoffset().total_seconds())


def merge(intervals):
    out = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


class Week:
    def __init__(self, req):
        tz = self.tz = ZoneInfo(req["timezone"])
        today = date.fromisoformat(req["today"])
        self.H = req.get("horizonDays") or 7
        p = req.get("preferences") or {}
        g = lambda k, dflt: dflt if p.get(k) is None else p[k]
        working_days = set(g("workingDays", [1, 2, 3, 4, 5]))
        now = parse_instant(req["currentTime"])
        self.cap = math.floor(g("maxFocusHours", 6) * 60 + 0.5)
        self.buf = g("meetingBufferMinutes", 15) * 60
        busy, all_day = [], []
        for e in req.get("blockedTime") or []:
            s, en = parse_instant(e["start"]), parse_instant(e["end"])
            allday = bool(e.get("isAllDay") or False)
            b = e.get("busy")
            b = (not allday) if b is None else b
            if s == en or not b:
                continue
            (all_day if allday else busy).append((s, en))
        self.busy = busy
        self.days = []
        for k in range(self.H):
            d = today + timedelta(days=k)
            ds, de = resolve(d, "00:00", tz), resolve(d, "24:00", tz)
            ws = max(resolve(d, g("workdayStart", "09:00"), tz), now)
            we = resolve(d, g("workdayEnd", "17:00"), tz)
            working = d.isoweekday() in working_days and not any(s < de and e > ds for s, e in all_day)
            grid = []
            if working:
                t = math.ceil(ws / 60) * 60
                while t < we:
                    if (t + utcoffset(tz, t)) % 300 == 0:
                        grid.append(t)
                    t += 60
            self.days.append({"k": k, "start": ds, "end": de, "ws": ws, "we": we,
                              "ps": resolve(d, g("peakHoursStart", "09:00"), tz),
                              "pe": resolve(d, g("peakHoursEnd", "12:00"), tz),
                              "working": working, "grid": grid})
        self.h_start, self.h_end = self.days[0]["start"], self.days[-1]["end"]
        self.tasks = {}
        for t in req["tasks"]:
            tid = str(uuid.UUID(t["id"]))
            est = t.get("estimatedMinutes") or 30
            mx, mn = t.get("maxChunkMinutes"), t.get("minChunkMinutes")
            pin = None if t.get("pinnedStart") is None else parse_instant(t["pinnedStart"])
            split = mx is not None and mx < est and pin is None
            due = None if t.get("dueDate") is None else parse_instant(t["dueDate"])
            self.tasks[tid] = {
                "id": tid, "p": t.get("priority") or 0, "m": est, "due": due,
                "hard": bool(t.get("hardDeadline") or False) and due is not None,
                "deps": [str(uuid.UUID(d)) for d in (t.get("dependsOn") or [])],
                "pin": pin, "status": t.get("status") or "pending", "split": split,
                "min": (mn if mn is not None else min(30, mx)) if split else est,
                "max": mx if split else est,
            }
        for t in self.tasks.values():
            t["open"] = t["status"] in ("pending", "in_progress")
            t["pin_day"] = None
            if t["open"] and t["pin"] is not None:
                for d in self.days:
                    if d["start"] <= t["pin"] < d["end"]:
                        t["pin_day"] = d["k"]
            t["pinned"] = t["pin_day"] is not None
            t["free"] = t["open"] and t["pin"] is None
            t["W"] = [1, 2, 4, 8][t["p"]]
            t["U"] = 2 if t["due"] is not None and t["due"] <= self.h_end else 1
            t["progress"] = t["split"] and t["U"] == 1
        for t in self.tasks.values():
            t["open_deps"] = sorted({d for d in t["deps"] if d in self.tasks and self.tasks[d]["open"]})
        self.pinned = [t for t in self.tasks.values() if t["pinned"]]
        self.pinned_min = [0] * self.H
        for t in self.pinned:
            self.pinned_min[t["pin_day"]] += t["m"]
        forbidden = [(s - self.buf, e + self.buf) for s, e in busy]
        forbidden += [(t["pin"], t["pin"] + t["m"] * 60) for t in self.pinned]
        # Everything outside the working windows.
        at = -10**12
        for d in self.days:
            if d["working"] and d["grid"]:
                forbidden.append((at, d["ws"]))
                at = d["we"]
        forbidden.append((at, 10**12))
        self.forbidden = merge(forbidden)
        prev = {}
        for b in req.get("previousPlan") or []:
            key = (str(uuid.UUID(b["taskId"])), parse_instant(b["startTime"]), parse_instant(b["endTime"]))
            prev[key] = True
        self.prev = prev

    def cap_left(self, k):
        return max(self.cap - self.pinned_min[k], 0)

    def block_value(self, t, start, minutes, k):
        end = start + minutes * 60
        d = self.days[k]
        peak = 1 if t["p"] >= 2 and start >= d["ps"] and end <= d["pe"] else 0
        late = 1 if t["due"] is not None and not t["hard"] and end > t["due"] else 0
        keep = 1 if (t["id"], start, end) in self.prev else 0
        return t["W"] * t["U"] * minutes * (4 + peak - 2 * late + keep)

    def pinned_score(self):
        s = 0
        for t in self.pinned:
            s += self.block_value(t, t["pin"], t["m"], t["pin_day"])
            s -= t["W"] * t["U"] * math.ceil(t["m"] * t["pin_day"] / 60)
        return s

    def dep_state(self, t):
        """(possible, earliest) from pinned and never-done dependencies."""
        earliest = -math.inf
        for d in t["open_deps"]:
            dt = self.tasks[d]
            if dt["pinned"]:
                earliest = max(earliest, dt["pin"] + dt["m"] * 60)
            elif not dt["free"]:
                return False, earliest
        return True, earliest


def solve(w, limit, workers, keep_ties=False):
    """CP-SAT's best plan: (score, status, bound, [(task id, start, minutes, k)]). With
    `keep_ties`, a proven optimum is then re-solved for the most previous blocks kept among
    the plans of that score (the contract breaks ties any way; this shows the most stable)."""
    m = cp_model.CpModel()
    kbs = []
    base = int(w.h_start) - 86400
    rel = lambda t: int(t) - base
    free = [t for t in w.tasks.values() if t["free"]]
    intervals = [m.NewFixedSizeIntervalVar(rel(max(s, base)), int(min(e, base + 10**8) - max(s, base)), "")
                 for s, e in w.forbidden if min(e, base + 10**8) > max(s, base)]
    obj = []
    V = {}
    day_minutes = [[] for _ in range(w.H)]
    for t in free:
        tid = t["id"]
        possible, earliest = w.dep_state(t)
        WU = t["W"] * t["U"]
        lo, hi = t["min"] // 5, t["max"] // 5
        blocks = []
        for d in w.days:
            grid = [g for g in d["grid"] if g >= earliest] if possible else []
            if not grid or not t["split"] and t["m"] % 5 and False:
                continue
            k = d["k"]
            p = m.NewBoolVar("")
            if t["split"]:
                l5 = m.NewIntVarFromDomain(cp_model.Domain.FromValues([0] + list(range(lo, hi + 1))), "")
                mins = 5 * l5
                size = 300 * l5
                m.Add(l5 >= lo).OnlyEnforceIf(p)
                m.Add(l5 == 0).OnlyEnforceIf(p.Not())
                mx = t["max"]
            else:
                mins = t["m"] * p
                size = t["m"] * 60
                mx = t["m"]
            s = m.NewIntVarFromDomain(cp_model.Domain.FromValues([rel(g) for g in grid]), "")
            e = m.NewIntVar(rel(grid[0]), rel(d["we"]) + 30 * 86400, "")
            m.Add(e == s + size)
            m.Add(e <= rel(d["we"])).OnlyEnforceIf(p)
            if t["hard"]:
                m.Add(e <= rel(t["due"])).OnlyEnforceIf(p)
            if t["split"]:
                iv = m.NewOptionalIntervalVar(s, size, e, p, "")
            else:
                iv = m.NewOptionalFixedSizeIntervalVar(s, size, p, "")
            intervals.append(iv)
            # Minutes as a variable: 0 when absent.
            mv = m.NewIntVar(0, mx, "")
            m.Add(mv == mins)
            day_minutes[k].append(mv)
            obj.append(4 * WU * mv)
            if t["p"] >= 2 and d["ps"] < d["pe"]:
                pk = m.NewBoolVar("")
                m.AddImplication(pk, p)
                m.Add(s >= rel(d["ps"])).OnlyEnforceIf(pk)
                m.Add(e <= rel(d["pe"])).OnlyEnforceIf(pk)
                pm = m.NewIntVar(0, mx, "")
                m.Add(pm <= mv)
                m.Add(pm <= mx * pk)
                obj.append(WU * pm)
            if t["due"] is not None and not t["hard"]:
                lt = m.NewBoolVar("")
                m.Add(e <= rel(t["due"])).OnlyEnforceIf([p, lt.Not()])
                lm = m.NewIntVar(0, mx, "")
                m.Add(lm >= mv - mx * (1 - lt))
                obj.append(-2 * WU * lm)
            # Keep: each previous block of this task on this day that is a possible block.
            for (pid, ps_, pe_) in w.prev:
                if pid != tid or ps_ not in grid:
                    continue
                length = (pe_ - ps_) / 60
                if length != int(length) or int(length) % 5 and t["split"]:
                    continue
                length = int(length)
                if t["split"] and not (t["min"] <= length <= t["max"]):
                    continue
                if not t["split"] and length != t["m"]:
                    continue
                kb = m.NewBoolVar("")
                m.AddImplication(kb, p)
                m.Add(s == rel(ps_)).OnlyEnforceIf(kb)
                m.Add(mv == length).OnlyEnforceIf(kb)
                obj.append(WU * length * kb)
                kbs.append(kb)
            blocks.append({"k": k, "p": p, "s": s, "e": e, "mv": mv})
        sched = m.NewBoolVar("")
        full = m.NewBoolVar("")
        total = sum(b["mv"] for b in blocks) if blocks else 0
        if not blocks:
            m.Add(sched == 0)
            m.Add(full == 0)
        elif t["split"] and t["progress"]:
            m.Add(total <= t["m"])
            m.AddMaxEquality(sched, [b["p"] for b in blocks])
            m.Add(total == t["m"]).OnlyEnforceIf(full)
            m.AddImplication(full, sched)
            m.Add(total <= t["m"] - 5).OnlyEnforceIf(full.Not())
        else:
            m.Add(total == t["m"] * sched)
            m.Add(full == sched)
            if not t["split"]:
                m.Add(sum(b["p"] for b in blocks) == sched)
        # Delay: D >= ceil(sum k * minutes / 60).
        if blocks:
            D = m.NewIntVar(0, 14 * 20160, "")
            m.Add(60 * D >= sum(b["k"] * b["mv"] for b in blocks))
            obj.append(-WU * D)
        V[tid] = {"blocks": blocks, "sched": sched, "full": full}
    for k in range(w.H):
        if day_minutes[k]:
            m.Add(sum(day_minutes[k]) <= w.cap_left(k))
    for t in free:
        vb = V[t["id"]]
        for d in t["open_deps"]:
            dt = w.tasks[d]
            if dt["pinned"] or not dt["free"]:
                continue  # pinned: an earliest start; never done: no blocks at all
            va = V[d]
            m.AddImplication(vb["sched"], va["full"])
            for bb in vb["blocks"]:
                for ba in va["blocks"]:
                    m.Add(bb["s"] >= ba["e"]).OnlyEnforceIf([bb["p"], ba["p"]])
    m.AddNoOverlap(intervals)
    m.Maximize(sum(obj))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = workers
    status = solver.Solve(m)
    name = solver.StatusName(status)
    if name not in ("OPTIMAL", "FEASIBLE"):
        raise RuntimeError(name)
    bound = int(math.floor(solver.BestObjectiveBound() + 1e-6))
    if keep_ties and name == "OPTIMAL" and kbs:
        m.Add(sum(obj) >= int(round(solver.ObjectiveValue())))
        m.Maximize(sum(kbs))
        again = solver.Solve(m)
        if solver.StatusName(again) not in ("OPTIMAL", "FEASIBLE"):
            raise RuntimeError(solver.StatusName(again))
    plan = []
    for t in free:
        for b in V[t["id"]]["blocks"]:
            if solver.Value(b["p"]):
                plan.append((t["id"], solver.Value(b["s"]) + base, solver.Value(b["mv"]), b["k"]))
    pinned = w.pinned_score()
    value = sum(solver.Value(o) for o in obj) if keep_ties else int(round(solver.ObjectiveValue()))
    return (int(value) + pinned, name,
            bound + pinned, plan)


def score_plan(w, blocks):
    """Score of a plan given as {task id: [(start, minutes, k)]} (free tasks only)."""
    s = w.pinned_score()
    for tid, bs in blocks.items():
        t = w.tasks[tid]
        for start, minutes, k in bs:
            s += w.block_value(t, start, minutes, k)
        s -= t["W"] * t["U"] * math.ceil(sum(mm * k for _, mm, k in bs) / 60)
    return s


def greedy(w):
    """The baseline: by W*U, then due, earliest fit; split tasks in the largest chunks that
    fit, day after day."""
    free = [t for t in w.tasks.values() if t["free"]]
    free.sort(key=lambda t: (-t["W"] * t["U"], t["due"] if t["due"] is not None else math.inf, t["id"]))
    placed, full = {}, set()
    taken = []
    used = [0] * w.H
    def clear(g, e):
        return all(e <= s or en <= g for s, en in w.forbidden) and all(e <= s or en <= g for s, en in taken)
    for _ in range(len(free) + 1):
        changed = False
        for t in free:
            if t["id"] in placed:
                continue
            possible, earliest = w.dep_state(t)
            if not possible:
                continue
            ok = True
            for d in t["open_deps"]:
                dt = w.tasks[d]
                if dt["pinned"] or not dt["free"]:
                    continue
                if d not in full:
                    ok = False
                    break
                earliest = max(earliest, max(s + mm * 60 for s, mm, _ in placed[d]))
            if not ok:
                continue
            left = t["m"]
            bs = []
            for d in w.days:
                if left == 0:
                    break
                k = d["k"]
                room = w.cap_left(k) - used[k]
                if t["split"]:
                    lengths = [x for x in range(min(t["max"], left), t["min"] - 1, -5)
                               if x <= room and (t["progress"] or left - x == 0 or left - x >= t["min"])]
                else:
                    lengths = [t["m"]] if t["m"] <= room else []
                done = False
                for ln in lengths:
                    for g in d["grid"]:
                        e = g + ln * 60
                        if g < earliest or e > d["we"] or (t["hard"] and e > t["due"]):
                            continue
                        if clear(g, e):
                            bs.append((g, ln, k))
                            taken.append((g, e))
                            used[k] += ln
                            left -= ln
                            done = True
                            break
                    if done:
                        break
            if bs and left > 0 and not t["progress"]:
                for g, ln, k in bs:
                    taken.remove((g, g + ln * 60))
                    used[k] -= ln
                continue
            if bs:
                placed[t["id"]] = bs
                if left == 0:
                    full.add(t["id"])
                changed = True
        if not changed:
            break
    return score_plan(w, placed)


def main():
    limit, workers = 60.0, 2
    args = sys.argv[1:]
    if "--time-limit" in args:
        limit = float(args[args.index("--time-limit") + 1])
    if "--workers" in args:
        workers = int(args[args.index("--workers") + 1])
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        w = Week(req)
        t0 = clock.time()
        opt, status, bound, _ = solve(w, limit, workers)
        out = {"tasks": len(req["tasks"]), "optimum": opt, "status": status, "bound": bound,
               "greedy": greedy(w), "request": req}
        print(json.dumps(out, separators=(",", ":")), flush=True)
        print(f"{len(req['tasks'])} tasks, {w.H} days: {status} {opt} (bound {bound}) greedy "
              f"{out['greedy']} in {clock.time() - t0:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
