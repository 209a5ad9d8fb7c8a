#!/usr/bin/env python3
"""Seeded generator of realistic planner weeks (PLANNER-WEEK.md requests), one JSON per line.

Chunked tasks (a third), recurring meetings (daily standups, weekly 1:1s) and one-off
meetings, deadlines soft and hard across the horizon, dependencies, pins (inside and
outside the horizon), out-of-office days, DST weeks in both hemispheres, custom working
days, and sometimes a previous plan (blocks on the grid, some of them stale).

usage: gen_weeks.py SEED COUNT [--small|--medium|--large] > weeks.jsonl
  small: 3-12 tasks, medium: 13-40, large: 41-80
"""
import json
import random
import sys
import uuid
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

ZONES = [
    "America/New_York", "Europe/Berlin", "Australia/Sydney", "Pacific/Auckland",
    "America/Santiago", "Asia/Kolkata", "UTC", "America/Los_Angeles", "Europe/London",
]
# Mondays of DST weeks (the transition falls inside the week).
DST_WEEKS = {
    "America/New_York": ["2026-03-02", "2026-10-26"],
    "America/Los_Angeles": ["2026-03-02", "2026-10-26"],
    "Europe/Berlin": ["2026-03-23", "2026-10-19"],
    "Europe/London": ["2026-03-23", "2026-10-19"],
    "Australia/Sydney": ["2026-03-30", "2026-09-28"],
    "Pacific/Auckland": ["2026-03-30", "2026-09-21"],
    "America/Santiago": ["2026-03-30", "2026-09-01"],
}
MINUTES = [10, 15, 20, 25, 30, 30, 45, 45, 60, 60, 75, 90, 120, 150, 180, 240]
TITLES = ["Write report", "Review PR", "Email triage", "Plan sprint", "Call vendor", "Expenses",
          "Design doc", "Fix bug", "Read paper", "Prepare slides", "1:1 notes", "Budget",
          "Thesis chapter", "Migration", "Quarterly review"]
EVENTS = ["Customer call", "Interview", "Design review", "Dentist", "Retro", "Planning",
          "All hands", "Lunch"]


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local(d, h, m, tz):
    return datetime.combine(d, time(h, m), tzinfo=tz)


def hm(minutes):
    return "%02d:%02d" % (minutes // 60, minutes % 60)


def gen_week(rng, size):
    zone = rng.choice(ZONES)
    tz = ZoneInfo(zone)
    if zone in DST_WEEKS and rng.random() < 0.3:
        today = date.fromisoformat(rng.choice(DST_WEEKS[zone]))
        today += timedelta(days=rng.choice([0, 0, 1, 2]))
    else:
        today = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 350))
    horizon = rng.choice([1, 3, 5, 7, 7, 7, 7, 10, 14])
    prefs = {}
    ws = rng.choice([7 * 60, 8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60, 10 * 60])
    we = rng.choice([15 * 60, 16 * 60, 17 * 60, 17 * 60, 17 * 60 + 30, 18 * 60])
    if ws != 9 * 60 or rng.random() < 0.5:
        prefs["workdayStart"] = hm(ws)
    if we != 17 * 60 or rng.random() < 0.5:
        prefs["workdayEnd"] = hm(we)
    if rng.random() < 0.7:
        ps = rng.choice([ws, ws + 60, 9 * 60, 10 * 60, 13 * 60])
        pe = min(ps + rng.choice([120, 180, 240]), 1440)
        prefs["peakHoursStart"] = hm(ps)
        prefs["peakHoursEnd"] = hm(pe)
    if rng.random() < 0.8:
        prefs["maxFocusHours"] = rng.choice([2, 3, 4, 4.5, 5, 6, 6, 6, 7])
    if rng.random() < 0.8:
        prefs["meetingBufferMinutes"] = rng.choice([0, 5, 10, 15, 15])
    wr = rng.random()
    if wr < 0.15:
        prefs["workingDays"] = [1, 2, 3, 4, 5, 6]
    elif wr < 0.25:
        prefs["workingDays"] = sorted(rng.sample(range(1, 8), rng.randint(2, 5)))
    elif wr < 0.3:
        prefs["workingDays"] = list(range(1, 8))
    r = rng.random()
    if r < 0.2:
        now = local(today - timedelta(days=1), 18, 0, tz)
    elif r < 0.6:
        now = local(today, max(ws // 60 - 1, 0), 0, tz)
    else:
        now = local(today, 0, 0, tz) + timedelta(minutes=ws + rng.randrange(0, max((we - ws) // 2, 1)))
    now += timedelta(seconds=rng.randrange(0, 3600) if r >= 0.2 else 0)
    days = [today + timedelta(days=k) for k in range(horizon)]

    n = {"small": rng.randint(3, 12), "medium": rng.randint(13, 40),
         "large": rng.randint(41, 80)}[size]
    tasks, ids = [], []
    for i in range(n):
        tid = str(uuid.UUID(int=rng.getrandbits(128)))
        ids.append(tid)
        t = {"id": tid, "title": rng.choice(TITLES) + " " + str(i)}
        t["priority"] = rng.choices([0, 1, 2, 3], [2, 3, 3, 2])[0]
        chunked = rng.random() < 0.33 and horizon > 1
        if chunked:
            mx = rng.choice([45, 60, 60, 90, 90, 120, 180])
            mn = rng.choice([None, 15, 30, 30, 45, 60])
            if mn is not None and mn > mx:
                mn = None
            est = mx * rng.choice([2, 2, 3, 3, 4, 5, 6]) - rng.choice([0, 0, 15, 30])
            lo = mn if mn is not None else min(30, mx)
            if -(-est // mx) * lo > est:
                est = mx * 2
            t["estimatedMinutes"] = est
            t["maxChunkMinutes"] = mx
            if mn is not None:
                t["minChunkMinutes"] = mn
        else:
            t["estimatedMinutes"] = rng.choice(MINUTES)
        dr = rng.random()
        if dr < 0.08:
            t["dueDate"] = iso(local(today - timedelta(days=rng.randint(1, 4)), 17, 0, tz))
        elif dr < 0.55:
            d = rng.choice(days)
            t["dueDate"] = iso(local(d, 0, 0, tz) + timedelta(minutes=rng.randrange(ws + 60, we + 60, 15)))
        elif dr < 0.7:
            t["dueDate"] = iso(local(today + timedelta(days=horizon + rng.randint(0, 10)), 12, 0, tz))
        if "dueDate" in t and rng.random() < 0.25:
            t["hardDeadline"] = True
        if i > 0 and rng.random() < 0.15:
            t["dependsOn"] = [rng.choice(ids[:-1])]
            if rng.random() < 0.2:
                t["dependsOn"].append(str(uuid.UUID(int=rng.getrandbits(128))))
        pr = rng.random()
        if pr < 0.05:
            d = rng.choice(days)
            start = local(d, 0, 0, tz) + timedelta(minutes=rng.randrange(ws, max(we - 60, ws + 1), 5))
            t["pinnedStart"] = iso(start + timedelta(seconds=rng.choice([0, 0, 0, 17])))
            if t.get("maxChunkMinutes") and t["estimatedMinutes"] > 1440:
                t["estimatedMinutes"] = 120
        elif pr < 0.07:
            t["pinnedStart"] = iso(local(today + timedelta(days=rng.choice([-1, horizon + 1])), 10, 0, tz))
            if t["estimatedMinutes"] > 1440:
                t["estimatedMinutes"] = 60
        sr = rng.random()
        if sr < 0.05:
            t["status"] = "completed"
        elif sr < 0.08:
            t["status"] = "cancelled"
        elif sr < 0.25:
            t["status"] = "in_progress"
        tasks.append(t)
    rng.shuffle(tasks)

    events = []
    # Recurring: a daily standup, a weekly 1:1, already expanded.
    if rng.random() < 0.7:
        st = rng.choice([ws, ws + 30, 9 * 60 + 30])
        length = rng.choice([15, 15, 30])
        for d in days:
            if d.isoweekday() <= 5:
                s = local(d, st // 60, st % 60, tz)
                events.append({"title": "Standup", "start": iso(s), "end": iso(s + timedelta(minutes=length))})
    if rng.random() < 0.6:
        wd = rng.randint(1, 5)
        st = rng.randrange(ws + 60, max(we - 60, ws + 61), 30)
        for d in days:
            if d.isoweekday() == wd:
                s = local(d, st // 60, st % 60, tz)
                events.append({"title": "1:1", "start": iso(s), "end": iso(s + timedelta(minutes=30))})
    for _ in range(rng.choice([0, 2, 4, 6, 8, 12]) * max(horizon, 3) // 7):
        d = rng.choice(days)
        st = rng.randrange(max(ws - 60, 0), min(we + 60, 1440 - 30), 5)
        s = local(d, 0, 0, tz) + timedelta(minutes=st + rng.choice([0, 0, 0, 2]))
        e = s.astimezone(timezone.utc) + timedelta(minutes=rng.choice([0, 15, 30, 30, 45, 60, 90, 120]))
        ev = {"title": rng.choice(EVENTS), "start": iso(s), "end": iso(e)}
        if rng.random() < 0.1:
            ev["busy"] = False
        events.append(ev)
    if rng.random() < 0.25 and horizon > 1:
        d = rng.choice(days)
        events.append({"title": "Out of office", "start": iso(local(d, 0, 0, tz)),
                       "end": iso(local(d + timedelta(days=1), 0, 0, tz)), "isAllDay": True,
                       "busy": rng.random() < 0.8})
    rng.shuffle(events)
    req = {"timezone": zone, "today": today.isoformat(), "currentTime": iso(now),
           "horizonDays": horizon, "preferences": prefs, "tasks": tasks, "blockedTime": events}
    if rng.random() < 0.35:
        # A previous plan: grid blocks of some tasks, some of them no longer possible.
        prev = []
        for t in tasks:
            if rng.random() < 0.5:
                continue
            d = rng.choice(days)
            length = min(t.get("maxChunkMinutes") or t["estimatedMinutes"], t["estimatedMinutes"])
            st = rng.randrange(ws, max(we - length, ws + 1), 5)
            s = local(d, 0, 0, tz) + timedelta(minutes=st)
            prev.append({"taskId": t["id"], "startTime": iso(s),
                         "endTime": iso(s.astimezone(timezone.utc) + timedelta(minutes=length))})
        req["previousPlan"] = prev
    return req


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    size = sys.argv[3].lstrip("-") if len(sys.argv) > 3 else "small"
    rng = random.Random(seed)
    for _ in range(count):
        print(json.dumps(gen_week(rng, size), separators=(",", ":")))


if __name__ == "__main__":
    main()
