#!/usr/bin/env python3
"""Generates the recurrence differential cases (and the bench series) for LifeOS.

Expected answers come from python-dateutil's rrule on zoneinfo datetimes (never
dateutil.tz), with the semantics decided in issue 3 applied where dateutil differs:
DTSTART always counts as the first instance, UNTIL forms are read as the issue says, and
EXDATE/RDATE/overrides follow the issue's set rules. Zones come only from the PyPI
`tzdata` package (zoneinfo.reset_tzpath([])), whose IANA release is recorded in the data.

Usage (from the repository root):
    tools/recurrence/.venv/bin/python tools/recurrence/gen_cases.py cases \
        > lifeos-core/tests/data/recurrence_cases.jsonl
    tools/recurrence/.venv/bin/python tools/recurrence/gen_cases.py bench \
        > benches/data/series_1000.jsonl
"""

import json
import random
import sys
import zoneinfo
from datetime import date, datetime, timedelta, timezone

zoneinfo.reset_tzpath([])  # only the tzdata package, never the system zones

import dateutil  # noqa: E402
import tzdata  # noqa: E402
from dateutil.rrule import rrulestr  # noqa: E402

UTC = timezone.utc
ZONES = [
    "America/New_York",  # north, DST
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",  # south, DST
    "Pacific/Auckland",
    "America/Santiago",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Adelaide",  # +09:30 with DST
    "America/St_Johns",  # -03:30 with DST
    "Asia/Tokyo",
    "UTC",
]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def zi(name):
    return zoneinfo.ZoneInfo(name)


def fmt_local(dt):
    return dt.strftime("%Y%m%dT%H%M%S")


# ---------------------------------------------------------------- times


def value(kind, naive, tzid=None):
    if kind == "zoned":
        return {"kind": "zoned", "value": fmt_local(naive), "tzid": tzid}
    if kind == "utc":
        return {"kind": "utc", "value": fmt_local(naive) + "Z"}
    if kind == "floating":
        return {"kind": "floating", "value": fmt_local(naive)}
    return {"kind": "date", "value": naive.strftime("%Y%m%d")}


def parse_value(v):
    k = v["kind"]
    if k == "date":
        return k, datetime.strptime(v["value"], "%Y%m%d"), None
    if k == "utc":
        return k, datetime.strptime(v["value"][:-1], "%Y%m%dT%H%M%S"), "UTC"
    return k, datetime.strptime(v["value"], "%Y%m%dT%H%M%S"), v.get("tzid")


def instant(naive, tzid):
    """Seconds of a wall time in a zone: fold=0 is the earlier instant in a fold and the
    offset before the gap in a gap, as the issue decides."""
    return int(naive.replace(tzinfo=zi(tzid), fold=0).timestamp())


def naive_secs(naive):
    return int(naive.replace(tzinfo=UTC).timestamp())


class Semantics:
    """The decided set semantics, written independently of the Rust code."""

    def __init__(self, case):
        self.kind, self.start, tzid = parse_value(case["dtstart"])
        self.tz = tzid if self.kind in ("zoned", "utc") else None

    def key(self, v):
        """('at', seconds) or ('date', date) for a time on this series."""
        k, naive, tzid = parse_value(v)
        if self.kind in ("zoned", "utc"):
            if k == "date":
                return ("date", naive.date())
            if k == "floating":
                return ("at", instant(naive, self.tz))
            return ("at", instant(naive, tzid))
        if self.kind == "floating":
            if k == "date":
                return ("date", naive.date())
            return ("at", naive_secs(naive))
        return ("at", naive_secs(datetime.combine(naive.date(), datetime.min.time())))

    def point(self, v):
        k = self.key(v)
        if k[0] == "date":
            return self.local_key(datetime.combine(k[1], self.start.time()))
        return k[1]

    def local_key(self, naive):
        if self.kind in ("zoned", "utc"):
            return instant(naive, self.tz)
        if self.kind == "floating":
            return naive_secs(naive)
        return naive_secs(datetime.combine(naive.date(), datetime.min.time()))

    def local_date(self, secs):
        if self.kind in ("zoned", "utc"):
            return datetime.fromtimestamp(secs, zi(self.tz)).date()
        return datetime.fromtimestamp(secs, UTC).date()

    def fmt(self, secs, output_kind):
        t = datetime.fromtimestamp(secs, UTC)
        if output_kind == "instant":
            return t.strftime("%Y-%m-%dT%H:%M:%SZ")
        if output_kind == "date":
            return t.strftime("%Y-%m-%d")
        return t.strftime("%Y-%m-%dT%H:%M:%S")


def split_rule(text):
    parts = [p for p in text.split(";") if p]
    count = until = None
    rest = []
    for p in parts:
        name, val = p.split("=", 1)
        if name == "COUNT":
            count = int(val)
        elif name == "UNTIL":
            until = val
        else:
            rest.append(p)
    return ";".join(rest), count, until


def until_filter(sem, until):
    """A predicate on (local naive, key seconds) for the decided UNTIL semantics."""
    if until is None:
        return lambda local, key: True
    if len(until) == 8:
        end = datetime.strptime(until, "%Y%m%d") + timedelta(days=1)
        return lambda local, key: local < end
    z = until.endswith("Z")
    u = datetime.strptime(until.rstrip("Z"), "%Y%m%dT%H%M%S")
    if sem.kind in ("floating", "date"):
        return lambda local, key: local <= u
    if z:
        uk = naive_secs(u)
    else:
        uk = instant(u, sem.tz)
    return lambda local, key: key <= uk


def window_keys(case, sem):
    w = case["window"]
    ok = case["output_kind"]
    if ok == "instant":
        p = lambda s: int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())
    elif ok == "date":
        p = lambda s: naive_secs(datetime.strptime(s, "%Y-%m-%d"))
    else:
        p = lambda s: naive_secs(datetime.strptime(s, "%Y-%m-%dT%H:%M:%S"))
    return p(w["start"]), p(w["end"])


def rule_locals(case, sem, span_lo, span_hi):
    """The rule's instances (naive local), DTSTART first, with COUNT and UNTIL applied,
    covering at least the local span [span_lo, span_hi]."""
    start = sem.start
    if case["rrule"] is None:
        return [start]
    text, count, until = split_rule(case["rrule"])
    aware = sem.kind in ("zoned", "utc")
    tzinfo = zi(sem.tz) if aware else None
    dt = start.replace(tzinfo=tzinfo) if aware else start
    rule = rrulestr(text, dtstart=dt)
    if count is not None:
        gen = rule.replace(count=count)
        raw = [r for r in gen if r > dt]
        raw = raw[: count - 1]
    else:
        lo = max(span_lo, start)
        hi = span_hi
        if aware:
            lo, hi = lo.replace(tzinfo=tzinfo), hi.replace(tzinfo=tzinfo)
        raw = [r for r in rule.between(lo, hi, inc=True) if r > dt]
    out = [start] + [r.replace(tzinfo=None) for r in raw]
    keep = until_filter(sem, until)
    return [l for l in out if keep(l, sem.local_key(l))]


def expected(case):
    sem = Semantics(case)
    wlo, whi = window_keys(case, sem)
    overrides = case.get("overrides") or []
    shifts = [
        sem.point(o["dtstart"]) - sem.point(o["recurrence_id"])
        for o in overrides
        if o.get("range") == "THISANDFUTURE"
    ]
    fwd = max([0] + shifts)
    back = max([0] + [-s for s in shifts])
    lo_k, hi_k = wlo - fwd, whi + back
    # Local span that covers keys [lo_k, hi_k): zone offsets are below a day.
    span_lo = datetime.fromtimestamp(lo_k, UTC).replace(tzinfo=None) - timedelta(days=2)
    span_hi = datetime.fromtimestamp(hi_k, UTC).replace(tzinfo=None) + timedelta(days=2)
    locals_ = rule_locals(case, sem, span_lo, span_hi)
    ex = [sem.key(e) for e in case.get("exdates") or []]

    def excluded(k):
        for e in ex:
            if e[0] == "at" and e[1] == k:
                return True
            if e[0] == "date" and sem.local_date(k) == e[1]:
                return True
        return False

    originals = [sem.local_key(l) for l in locals_]
    originals += [sem.point(r) for r in case.get("rdates") or []]
    originals = [k for k in originals if not excluded(k)]
    ov_keys = [sem.point(o["recurrence_id"]) for o in overrides]
    ranges = sorted(
        [
            (ov_keys[i], sem.point(o["dtstart"]) - ov_keys[i], i)
            for i, o in enumerate(overrides)
            if o.get("range") == "THISANDFUTURE"
        ]
    )
    starts = set()
    for k in originals:
        if k in ov_keys:
            continue
        gov = [r for r in ranges if r[0] <= k]
        if gov:
            _, delta, i = gov[-1]
            if overrides[i].get("cancelled"):
                continue
            starts.add(k + delta)
        else:
            starts.add(k)
    for i, o in enumerate(overrides):
        if o.get("cancelled") or excluded(ov_keys[i]):
            continue
        if ov_keys[i] in ov_keys[i + 1 :]:  # the last override of an instance wins
            continue
        starts.add(sem.point(o["dtstart"]))
    return [sem.fmt(s, case["output_kind"]) for s in sorted(starts) if wlo <= s < whi]


# ---------------------------------------------------------------- generation


def transitions(tzid, year):
    """Local dates in `year` on which the zone's offset changes."""
    z = zi(tzid)
    out = []
    d = datetime(year, 1, 1, 12)
    prev = d.replace(tzinfo=z).utcoffset()
    for i in range(1, 366):
        cur_d = d + timedelta(days=i)
        off = cur_d.replace(tzinfo=z).utcoffset()
        if off != prev:
            out.append((cur_d - timedelta(days=1)).date())
            out.append(cur_d.date())
        prev = off
    return out


def pick_days(rng, n):
    return ",".join(rng.sample(DAYS, n))


def gen_rule(rng, kind):
    timed = kind != "date"
    freqs = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]
    weights = [20, 25, 25, 15]
    if timed:
        freqs += ["HOURLY", "MINUTELY", "SECONDLY"]
        weights += [7, 5, 3]
    freq = rng.choices(freqs, weights)[0]
    p = [f"FREQ={freq}"]
    sub = freq in ("HOURLY", "MINUTELY", "SECONDLY")
    if rng.random() < 0.4:
        p.append(f"INTERVAL={rng.choice({'HOURLY': [2, 3, 5, 7], 'MINUTELY': [5, 15, 45, 7], 'SECONDLY': [10, 30, 7]}.get(freq, [2, 3, 4]))}")
    v = rng.random()
    if freq == "YEARLY":
        if v < 0.15:
            pass
        elif v < 0.3:
            p.append(f"BYMONTH={','.join(str(m) for m in sorted(rng.sample(range(1, 13), rng.randint(1, 3))))}")
        elif v < 0.4:
            p.append("BYMONTH=2;BYMONTHDAY=29")  # leap days only
        elif v < 0.5:
            p.append(f"BYYEARDAY={rng.choice(['1,100,200', '-1', '60', '-306,-1', '366'])}")
        elif v < 0.65:
            p.append(f"BYWEEKNO={rng.choice(['1', '-1', '20', '52,53', '1,2', '53', '-53'])}")
            p.append(f"BYDAY={pick_days(rng, rng.randint(1, 3))}")
            p.append(f"WKST={rng.choice(DAYS)}")
        elif v < 0.75:
            p.append(f"BYDAY={rng.choice(['20MO', '-1FR', '1SU,-1SU', '53MO', '-53TH'])}")
        elif v < 0.87:
            p.append(f"BYMONTH={rng.randint(1, 12)}")
            p.append(f"BYDAY={rng.choice(['2SU', '-1MO', '1TU,3TU', '-2FR', '5WE'])}")
        else:
            p.append(f"BYMONTH={rng.randint(1, 12)}")
            p.append(f"BYDAY={rng.choice(['MO,TU,WE,TH,FR', 'SA,SU'])}")
            p.append(f"BYSETPOS={rng.choice(['1', '-1', '2,-2'])}")
    elif freq == "MONTHLY":
        if v < 0.2:
            pass
        elif v < 0.4:
            p.append(f"BYMONTHDAY={rng.choice(['-1', '1,15', '31', '-3', '29,30,31', '-31', '2,-2'])}")
        elif v < 0.6:
            p.append(f"BYDAY={rng.choice(['2TU', '-1FR', '1MO,3MO', '-2SU', '5TH', '4WE,-1WE'])}")
        elif v < 0.75:
            p.append(f"BYDAY={rng.choice(['MO,TU,WE,TH,FR', 'SA,SU', 'MO'])}")
            p.append(f"BYSETPOS={rng.choice(['-1', '1', '2', '-2,1', '3'])}")
        elif v < 0.85:
            p.append("BYDAY=FR;BYMONTHDAY=13")
        elif v < 0.93:
            p.append(f"BYMONTH={','.join(str(m) for m in sorted(rng.sample(range(1, 13), 4)))}")
        else:
            p.append("BYDAY=MO,WE,FR")
            if timed:
                p.append(f"BYHOUR={rng.choice(['9', '9,17'])};BYSETPOS={rng.choice(['1', '-1', '2,-1'])}")
    elif freq == "WEEKLY":
        if v < 0.2:
            pass
        elif v < 0.75:
            p.append(f"BYDAY={pick_days(rng, rng.randint(1, 5))}")
            if rng.random() < 0.5:
                p.append(f"WKST={rng.choice(DAYS)}")
        elif v < 0.87:
            p.append(f"BYMONTH={','.join(str(m) for m in sorted(rng.sample(range(1, 13), 3)))}")
        else:
            p.append(f"BYDAY={pick_days(rng, rng.randint(2, 5))};BYSETPOS={rng.choice(['1', '-1'])}")
    elif freq == "DAILY":
        if v < 0.3:
            pass
        elif v < 0.5:
            p.append(f"BYDAY={pick_days(rng, rng.randint(1, 5))}")
        elif v < 0.6:
            p.append(f"BYMONTH={rng.randint(1, 12)},{rng.randint(1, 12)}")
        elif v < 0.7:
            p.append(f"BYMONTHDAY={rng.choice(['1', '-1', '15,-15'])}")
        elif timed:
            p.append(f"BYHOUR={rng.choice(['2', '1,2,3', '9,17', '0,23'])}")
            if rng.random() < 0.5:
                p.append(f"BYMINUTE={rng.choice(['0', '30', '15,45'])}")
    elif freq == "HOURLY":
        if v < 0.4:
            pass
        elif v < 0.7:
            p.append(f"BYHOUR={rng.choice(['1,2,3', '9,10,11,12', '0,6,12,18', '2'])}")
        else:
            p.append(f"BYDAY={pick_days(rng, 2)}")
            p.append(f"BYMINUTE={rng.choice(['0,30', '15'])}")
    elif freq == "MINUTELY":
        if v < 0.5:
            pass
        elif v < 0.75:
            p.append(f"BYHOUR={rng.choice(['1,2', '9', '2,3'])}")
        else:
            p.append(f"BYMINUTE={rng.choice(['0,15,30,45', '5,10'])}")
    else:
        if v < 0.6:
            pass
        else:
            p.append(f"BYSECOND={rng.choice(['0,30', '0', '10,20,50'])}")
    return p, freq, sub


def gen_case(rng, idx):
    kind = rng.choices(["zoned", "utc", "floating", "date"], [60, 10, 10, 20])[0]
    tzid = rng.choice(ZONES) if kind == "zoned" else None
    parts, freq, sub = gen_rule(rng, kind)
    # DTSTART
    year = rng.randint(2019, 2026)
    r = rng.random()
    if kind == "zoned" and r < 0.3 and transitions(tzid, year):
        d = rng.choice(transitions(tzid, year))
        t = datetime.combine(d, datetime.min.time()) + timedelta(minutes=rng.choice([0, 30, 60, 90, 120, 150, 165, 180, 210]))
    elif r < 0.4:
        d = date(rng.choice([2020, 2024]), 2, 29)
        t = datetime.combine(d, datetime.min.time()) + timedelta(hours=rng.randint(0, 23))
    else:
        month, day = rng.randint(1, 12), rng.choice([1, 5, 13, 28, 29, 30, 31, rng.randint(1, 28)])
        while True:
            try:
                d = date(year, month, day)
                break
            except ValueError:
                day -= 1
        t = datetime.combine(d, datetime.min.time()) + timedelta(hours=rng.randint(0, 23), minutes=rng.choice([0, 0, 15, 30, 45]))
    if kind == "date":
        t = datetime.combine(t.date(), datetime.min.time())
    if sub:
        t = t.replace(second=rng.choice([0, 0, 10]))
    # termination
    term = rng.random()
    until_form = None
    if term < 0.3:
        parts.append(f"COUNT={rng.randint(1, 60) if not sub else rng.randint(1, 200)}")
    elif term < 0.55:
        span = {"YEARLY": 3000, "MONTHLY": 800, "WEEKLY": 300, "DAILY": 60, "HOURLY": 5, "MINUTELY": 0.3, "SECONDLY": 0.01}[freq]
        u = t + timedelta(days=rng.uniform(-0.05 * span, span))
        until_form = rng.choice(["date", "local", "utc"])
        if until_form == "date":
            parts.append(f"UNTIL={u.strftime('%Y%m%d')}")
        elif until_form == "local":
            parts.append(f"UNTIL={fmt_local(u.replace(microsecond=0))}")
        else:
            parts.append(f"UNTIL={fmt_local(u.replace(microsecond=0))}Z")
    rng.shuffle(parts)
    rule = ";".join(parts)
    if rng.random() < 0.04:
        rule = None
    # window
    wspan = {"YEARLY": 3 * 365, "MONTHLY": 365, "WEEKLY": 90, "DAILY": 30, "HOURLY": 3, "MINUTELY": 0.2, "SECONDLY": 0.01}[freq]
    back = {"YEARLY": 6 * 365, "MONTHLY": 5 * 365, "WEEKLY": 5 * 365, "DAILY": 3 * 365, "HOURLY": 20, "MINUTELY": 2, "SECONDLY": 0.05}[freq]
    wstart = t + timedelta(days=rng.uniform(-0.02 * back, back)) if rng.random() < 0.8 else t - timedelta(days=1)
    wend = wstart + timedelta(days=rng.uniform(0.1, 1) * wspan)
    output_kind = {"zoned": "instant", "utc": "instant", "floating": "floating", "date": "date"}[kind]
    if output_kind == "instant":
        window = {"start": wstart.strftime("%Y-%m-%dT%H:%M:%SZ"), "end": wend.strftime("%Y-%m-%dT%H:%M:%SZ")}
    elif output_kind == "date":
        window = {"start": wstart.strftime("%Y-%m-%d"), "end": wend.strftime("%Y-%m-%d")}
    else:
        window = {"start": wstart.strftime("%Y-%m-%dT%H:%M:%S"), "end": wend.strftime("%Y-%m-%dT%H:%M:%S")}
    case = {
        "id": f"c{idx}",
        "dtstart": value(kind, t, tzid if kind == "zoned" else None),
        "rrule": rule,
        "rdates": [],
        "exdates": [],
        "overrides": [],
        "window": window,
        "output_kind": output_kind,
    }
    # Instances near the window, to pick exceptions from.
    sem = Semantics(case)
    wlo, whi = window_keys(case, sem)
    span_lo = datetime.fromtimestamp(wlo, UTC).replace(tzinfo=None) - timedelta(days=2)
    span_hi = datetime.fromtimestamp(whi, UTC).replace(tzinfo=None) + timedelta(days=2)
    locs = rule_locals(case, sem, span_lo, span_hi)
    locs = [l for l in locs if wlo - 86400 * 3 <= sem.local_key(l) < whi] or locs[:3]

    def as_value(local, how):
        """A time naming the same instance as `local`, written in another form."""
        if kind == "date":
            return value("date", local)
        if kind == "floating":
            return value("floating", local)
        secs = sem.local_key(local)
        inst = datetime.fromtimestamp(secs, UTC).replace(tzinfo=None)
        if how == "utc":
            return value("utc", inst)
        if how == "other":
            other = rng.choice(ZONES)
            return value("zoned", datetime.fromtimestamp(secs, zi(other)).replace(tzinfo=None), other)
        if how == "date":
            return value("date", local)
        if kind == "utc":
            return value("utc", local)
        return value("zoned", local, tzid)

    if locs and rng.random() < 0.3:
        for l in rng.sample(locs, min(len(locs), rng.randint(1, 3))):
            case["exdates"].append(as_value(l, rng.choice(["same", "utc", "other", "other", "date"])))
    if rng.random() < 0.2:
        for _ in range(rng.randint(1, 3)):
            l = (datetime.fromtimestamp(rng.randint(wlo, max(wlo, whi - 1)), UTC).replace(tzinfo=None))
            l = l.replace(minute=0, second=0)
            if kind == "date":
                l = datetime.combine(l.date(), datetime.min.time())
            case["rdates"].append(as_value(l, rng.choice(["same", "utc", "other"])))
    if locs and rng.random() < 0.25:
        for _ in range(rng.randint(1, 2)):
            l = rng.choice(locs)
            if rng.random() < 0.1:
                l = l + timedelta(hours=1, minutes=7) if kind != "date" else l + timedelta(days=400)
            unit = timedelta(days=1) if kind == "date" else timedelta(minutes=rng.choice([30, 60, 90, 24 * 60, -120]))
            new = l + unit * rng.randint(-3, 3)
            o = {"recurrence_id": as_value(l, rng.choice(["same", "utc", "other"])), "dtstart": as_value(new, "same")}
            w = rng.random()
            if w < 0.2:
                o["cancelled"] = True
            elif w < 0.45 and not sub:
                o["range"] = "THISANDFUTURE"
            case["overrides"].append(o)
    return case


DST_ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Pacific/Auckland",
             "America/Santiago", "Australia/Lord_Howe", "Australia/Adelaide", "America/St_Johns"]


def gen_dst_case(rng, idx):
    """A series whose instances fall in DST gaps and folds: local times near the change,
    days before a transition, expanded across it."""
    tzid = rng.choice(DST_ZONES)
    year = rng.randint(2019, 2026)
    d = rng.choice(transitions(tzid, year))
    start = datetime.combine(d, datetime.min.time()) - timedelta(days=rng.randint(0, 9))
    start += timedelta(minutes=rng.choice([0, 30, 60, 90, 105, 120, 135, 150, 165, 180, 210, 1439]))
    rule = rng.choice([
        "FREQ=DAILY", "FREQ=DAILY;INTERVAL=2", "FREQ=WEEKLY;BYDAY=SA,SU", "FREQ=DAILY;BYHOUR=1,2,3",
        "FREQ=HOURLY;INTERVAL=1", "FREQ=MINUTELY;INTERVAL=15", "FREQ=DAILY;BYHOUR=2;BYMINUTE=0,30",
    ])
    term = rng.random()
    if term < 0.3:
        rule += f";COUNT={rng.randint(5, 40)}"
    elif term < 0.6:
        u = datetime.combine(d, datetime.min.time()) + timedelta(hours=rng.choice([1, 2, 3, 26]), minutes=rng.choice([0, 30]))
        rule += ";UNTIL=" + rng.choice([u.strftime("%Y%m%d"), fmt_local(u), fmt_local(u) + "Z"])
    sub = "HOURLY" in rule or "MINUTELY" in rule
    wstart = datetime.combine(d, datetime.min.time()) - timedelta(days=2 if not sub else 0.6)
    wend = datetime.combine(d, datetime.min.time()) + timedelta(days=2 if not sub else 1.2)
    case = {
        "id": f"d{idx}",
        "dtstart": value("zoned", start, tzid),
        "rrule": rule,
        "rdates": [],
        "exdates": [],
        "overrides": [],
        "window": {"start": wstart.strftime("%Y-%m-%dT%H:%M:%SZ"), "end": wend.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "output_kind": "instant",
    }
    if rng.random() < 0.3:
        sem = Semantics(case)
        locs = rule_locals(case, sem, wstart - timedelta(days=2), wend + timedelta(days=2))
        for l in rng.sample(locs, min(2, len(locs))):
            secs = sem.local_key(l)
            other = rng.choice(ZONES)
            case["exdates"].append(value("zoned", datetime.fromtimestamp(secs, zi(other)).replace(tzinfo=None), other))
    return case


INVALID = [
    ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32"),
    ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0"),
    ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13"),
    ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY=1MO"),
    ("FREQ=DAILY;BYHOUR=24", "BYHOUR=24"),
    ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0"),
    ("FREQ=SOMETIMES", "FREQ=SOMETIMES"),
    ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO=54"),
    ("FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY=367"),
    ("FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO", "BYSETPOS=0"),
    ("FREQ=DAILY;COUNT=3;UNTIL=20250101", "COUNT"),
    ("FREQ=DAILY;BYWEEKNO=3", "BYWEEKNO=3"),
    ("BYDAY=MO", "FREQ"),
    ("FREQ=DAILY;UNTIL=2025", "UNTIL=2025"),
]


def gen_invalid(rng, idx):
    rule, part = INVALID[idx % len(INVALID)]
    return {
        "id": f"e{idx}",
        "dtstart": value("zoned", datetime(2025, 1, 6, 9), "Europe/Berlin"),
        "rrule": rule,
        "window": {"start": "2025-01-01T00:00:00Z", "end": "2025-02-01T00:00:00Z"},
        "output_kind": "instant",
        "expected": {"error_part": part},
    }


def cases(n=1500, seed=20251125):
    rng = random.Random(seed)
    print(json.dumps({"tzdb": tzdata.IANA_VERSION, "dateutil": dateutil.__version__, "tzdata": tzdata.__version__, "seed": seed}))
    made = 0
    skipped = 0
    idx = 0
    while made < n:
        idx += 1
        try:
            case = gen_dst_case(rng, idx) if idx % 8 == 0 else gen_case(rng, idx)
            exp = expected(case)
        except (ValueError, IndexError) as e:  # dateutil refuses or breaks: not a case
            skipped += 1
            continue
        case["expected"] = {"occurrences": exp}
        print(json.dumps(case))
        made += 1
    for i in range(len(INVALID)):
        print(json.dumps(gen_invalid(rng, i)))
    print(f"{made} cases, {skipped} skipped", file=sys.stderr)


def bench(n=1000, seed=42):
    """The bench (b) series: one 7-day window, DTSTARTs up to five years back."""
    rng = random.Random(seed)
    wstart = datetime(2026, 3, 2)
    wend = wstart + timedelta(days=7)
    for i in range(n):
        tzid = rng.choice(ZONES[:6])
        r = rng.random()
        if r < 0.35:
            rule = f"FREQ=WEEKLY;BYDAY={pick_days(rng, rng.randint(1, 5))}"
        elif r < 0.60:
            rule = f"FREQ=DAILY;INTERVAL={rng.randint(1, 3)}"
        elif r < 0.75:
            rule = "FREQ=MONTHLY;" + rng.choice(["BYDAY=2TU", "BYMONTHDAY=-1", "BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"])
        elif r < 0.85:
            rule = "FREQ=YEARLY"
        else:
            rule = f"FREQ={rng.choice(['DAILY', 'WEEKLY'])}"
        if rng.random() < 0.15:
            rule += f";COUNT={rng.randint(100, 2000)}"
        start = wstart - timedelta(days=rng.randint(0, 5 * 365), hours=-rng.randint(7, 19))
        exdates = []
        if rng.random() < 0.3:
            for _ in range(rng.randint(1, 4)):
                exdates.append(value("zoned", start + timedelta(days=7 * rng.randint(1, 300)), tzid))
        print(json.dumps({
            "id": f"b{i}",
            "dtstart": value("zoned", start, tzid),
            "rrule": rule,
            "exdates": exdates,
            "window": {"start": wstart.strftime("%Y-%m-%dT%H:%M:%SZ"), "end": wend.strftime("%Y-%m-%dT%H:%M:%SZ")},
            "output_kind": "instant",
        }))


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "cases"
    if what == "bench":
        bench()
    else:
        cases()
