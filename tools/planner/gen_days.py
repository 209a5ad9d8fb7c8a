#!/usr/bin/env python3
"""Seeded generator of realistic planner days (PLANNER.md requests), one JSON per line.

usage: gen_days.py SEED COUNT [--small|--medium|--large] > days.jsonl
"""
import json
import random
import sys
import uuid
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

ZONES = [
    "America/New_York", "Europe/Berlin", "Australia/Sydney", "Pacific/Auckland",
    "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Kathmandu",
    "UTC", "America/Los_Angeles", "Europe/London", "America/Sao_Paulo",
]
DST_DAYS = {
    "America/New_York": ["2026-03-08", "2026-11-01"],
    "America/Los_Angeles": ["2026-03-08", "2026-11-01"],
    "Europe/Berlin": ["2026-03-29", "2026-10-25"],
    "Europe/London": ["2026-03-29", "2026-10-25"],
    "Australia/Sydney": ["2026-04-05", "2026-10-04"],
    "Pacific/Auckland": ["2026-04-05", "2026-09-27"],
    "America/Santiago": ["2026-04-05", "2026-09-06"],
    "Australia/Lord_Howe": ["2026-04-05", "2026-10-04"],
}
MINUTES = [5, 7, 10, 13, 15, 20, 25, 30, 30, 30, 40, 45, 45, 50, 60, 60, 75, 90, 90, 120, 150, 180, 240]
TITLES = ["Write report", "Review PR", "Email triage", "Plan sprint", "Call vendor", "Expenses",
          "Design doc", "Fix bug", "Read paper", "Prepare slides", "1:1 notes", "Budget"]
EVENTS = ["Standup", "1:1", "Design review", "Lunch", "All hands", "Customer call", "Interview",
          "Dentist", "Retro", "Planning"]


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local(d, h, m, tz, extra_days=0):
    return datetime.combine(d + timedelta(days=extra_days), time(h, m), tzinfo=tz)


def hm(minutes):
    return "%02d:%02d" % (minutes // 60, minutes % 60)


def gen_day(rng, size):
    zone = rng.choice(ZONES)
    tz = ZoneInfo(zone)
    if zone in DST_DAYS and rng.random() < 0.35:
        today = date.fromisoformat(rng.choice(DST_DAYS[zone]))
    else:
        today = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 365))
    prefs = {}
    ws = rng.choice([7 * 60, 8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60, 10 * 60])
    we = rng.choice([15 * 60, 16 * 60, 17 * 60, 17 * 60, 17 * 60 + 30, 18 * 60, 19 * 60])
    if rng.random() < 0.15:
        ws, we = rng.choice([(0, 1440), (0, 12 * 60), (60, 10 * 60), (20 * 60, 1440)])
    if ws != 9 * 60 or rng.random() < 0.5:
        prefs["workdayStart"] = hm(ws)
    if we != 17 * 60 or rng.random() < 0.5:
        prefs["workdayEnd"] = hm(we)
    if rng.random() < 0.7:
        ps = rng.choice([ws, ws + 60, 9 * 60, 10 * 60, 13 * 60])
        pe = ps + rng.choice([120, 180, 240])
        prefs["peakHoursStart"] = hm(ps % 1440)
        prefs["peakHoursEnd"] = hm(min(pe, 1440)) if min(pe, 1440) > ps % 1440 else "24:00"
    if rng.random() < 0.8:
        prefs["maxFocusHours"] = rng.choice([1.5, 2, 3, 4, 4.5, 5, 6, 6, 6, 7, 7.25, 8, 10])
    if rng.random() < 0.8:
        prefs["meetingBufferMinutes"] = rng.choice([0, 5, 10, 15, 15, 30])
    # currentTime: before today, before or inside the workday, off the grid.
    r = rng.random()
    if r < 0.15:
        now = local(today, 18, 0, tz, -1)
    elif r < 0.55:
        now = local(today, max(ws // 60 - 1, 0), 0, tz)
    else:
        span = max((we - ws) * 2 // 3, 1)
        off = rng.randrange(0, span)
        now = local(today, 0, 0, tz) + timedelta(minutes=ws + off)
    now = now + timedelta(seconds=rng.randrange(0, 3600) if r >= 0.15 else 0)
    # tasks
    n = {"small": rng.randint(1, 8), "medium": rng.randint(9, 60),
         "large": rng.randint(150, 300)}[size]
    tasks = []
    ids = []
    for i in range(n):
        tid = str(uuid.UUID(int=rng.getrandbits(128)))
        ids.append(tid)
        t = {"id": tid, "title": rng.choice(TITLES) + " " + str(i)}
        if rng.random() < 0.9:
            t["priority"] = rng.choices([0, 1, 2, 3], [2, 3, 3, 2])[0]
        if rng.random() < 0.9:
            t["estimatedMinutes"] = rng.choice(MINUTES)
        dr = rng.random()
        if dr < 0.15:
            t["dueDate"] = iso(local(today, 17, 0, tz, -rng.randint(1, 5)))
        elif dr < 0.45:
            t["dueDate"] = iso(local(today, 0, 0, tz) + timedelta(minutes=rng.randrange(ws, 1440, 5)))
        elif dr < 0.55:
            t["dueDate"] = iso(local(today, 0, 0, tz, 1))
        elif dr < 0.7:
            t["dueDate"] = iso(local(today, 12, 0, tz, rng.randint(1, 10)))
        if "dueDate" in t and rng.random() < 0.25:
            t["hardDeadline"] = True
        if rng.random() < 0.2:
            t["labels"] = ["work"]
        if i > 0 and rng.random() < 0.15:
            t["dependsOn"] = [rng.choice(ids[:-1])]
            if rng.random() < 0.2:
                t["dependsOn"].append(str(uuid.UUID(int=rng.getrandbits(128))))
        pr = rng.random()
        if pr < 0.06:
            start = local(today, 0, 0, tz) + timedelta(minutes=rng.randrange(ws, max(we - 30, ws + 1)))
            t["pinnedStart"] = iso(start + timedelta(seconds=rng.choice([0, 0, 0, 17])))
        elif pr < 0.08:
            t["pinnedStart"] = iso(local(today, 10, 0, tz, rng.choice([-1, 1])))
        sr = rng.random()
        if sr < 0.05:
            t["status"] = "completed"
        elif sr < 0.08:
            t["status"] = "cancelled"
        elif sr < 0.3:
            t["status"] = "in_progress"
        tasks.append(t)
    rng.shuffle(tasks)
    # events
    events = []
    for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12])):
        kind = rng.random()
        if kind < 0.05:
            s = local(today, 0, 0, tz)
            events.append({"title": "Offsite", "start": iso(s), "end": iso(local(today, 0, 0, tz, 1)),
                           "isAllDay": True, "busy": rng.random() < 0.3})
            continue
        if kind < 0.1:
            s = local(today, 23, 0, tz, -1).astimezone(timezone.utc)
            e = s + timedelta(minutes=rng.choice([60, 600, 660]))
        else:
            start_min = rng.randrange(max(ws - 60, 0), min(we + 60, 1440), 5)
            s = local(today, 0, 0, tz) + timedelta(minutes=start_min + rng.choice([0, 0, 0, 2]))
            s = s.astimezone(timezone.utc)  # durations are elapsed time, not wall time
            e = s + timedelta(minutes=rng.choice([0, 15, 25, 30, 30, 45, 60, 90]))
        ev = {"title": rng.choice(EVENTS), "start": iso(s), "end": iso(e)}
        if rng.random() < 0.1:
            ev["busy"] = False
        events.append(ev)
    req = {"timezone": zone, "today": today.isoformat(), "currentTime": iso(now),
           "preferences": prefs, "tasks": tasks}
    if events or rng.random() < 0.5:
        req["blockedTime"] = events
    return req


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    size = sys.argv[3].lstrip("-") if len(sys.argv) > 3 else "small"
    rng = random.Random(seed)
    for _ in range(count):
        print(json.dumps(gen_day(rng, size), separators=(",", ":")))


if __name__ == "__main__":
    main()
