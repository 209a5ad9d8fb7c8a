#!/usr/bin/env python3
"""Times python-dateutil's rruleset.between on the bench (b) series (best of 5).

    tools/recurrence/.venv/bin/python tools/recurrence/time_dateutil.py benches/data/series_1000.jsonl

The rule sets are built before timing (as the Rust bench parses before timing); each run
expands all series into the file's 7-day window. Prints the best time and the total
number of occurrences (which the Rust bench asserts).
"""

import json
import sys
import time
import zoneinfo
from datetime import datetime, timezone

zoneinfo.reset_tzpath([])

from dateutil.rrule import rrulestr, rruleset  # noqa: E402


def load(path):
    sets = []
    for line in open(path):
        c = json.loads(line)
        d = c["dtstart"]
        tz = zoneinfo.ZoneInfo(d["tzid"])
        start = datetime.strptime(d["value"], "%Y%m%dT%H%M%S").replace(tzinfo=tz)
        rs = rruleset()
        rs.rrule(rrulestr(c["rrule"], dtstart=start))
        rs.rdate(start)  # DTSTART is always an instance
        for e in c.get("exdates") or []:
            rs.exdate(datetime.strptime(e["value"], "%Y%m%dT%H%M%S").replace(tzinfo=zoneinfo.ZoneInfo(e["tzid"])))
        w = c["window"]
        lo = datetime.strptime(w["start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        hi = datetime.strptime(w["end"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        sets.append((rs, lo, hi))
    return sets


def run(sets):
    total = 0
    for rs, lo, hi in sets:
        total += sum(1 for t in rs.between(lo, hi, inc=True) if t < hi)
    return total


def main():
    sets = load(sys.argv[1])
    best = None
    for _ in range(5):
        t0 = time.perf_counter()
        total = run(sets)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print(f"dateutil rruleset.between: best of 5 = {best * 1000:.1f} ms for {len(sets)} series, {total} occurrences")


if __name__ == "__main__":
    main()
