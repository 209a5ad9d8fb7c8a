"""`lifeos.plan_day` calls per second from Python, for the `planner` bench's 60-task day.

    python lifeos-py/bench/plan_day_bench.py [--tasks 60] [--seconds 3] [--rust-ms 0.32]

Measures two forms: a dict in (pythonize) and a dict out, and a JSON string in and a dict
out; prints calls per second and the overhead against the Rust criterion figure
(`cargo bench -p lifeos-benches --bench planner`, `planner/plan/day_60_tasks`; pass its
time per day in milliseconds with --rust-ms). Run it against a release wheel
(`pip install ./lifeos-py`), not a `maturin develop` debug build.
"""

import argparse
import json
import time

import lifeos

MASK = (1 << 64) - 1


def bench_day(n):
    """The same day as `lifeos_benches::bench_day(n)` (benches/lib.rs), field for field."""
    x = 0x2545_F491_4F6C_DD1D

    def nxt():
        nonlocal x
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        return x

    minutes = [10, 15, 20, 25, 30, 45, 60, 90, 120, 7, 13]
    tasks = []
    for i in range(n):
        r = nxt()
        task = {"id": f"00000000-0000-4000-8000-{i:012x}", "title": f"Task {i}",
                "priority": (r >> 8) % 4, "estimatedMinutes": minutes[(r >> 16) % len(minutes)]}
        if r % 5 == 0:
            task["dueDate"] = "2026-03-10T16:00:00Z"
        elif r % 5 == 1:
            task["dueDate"] = "2026-03-12T16:00:00Z"
            task["hardDeadline"] = True
        elif r % 5 == 2:
            task["dueDate"] = "2026-03-09T12:00:00Z"
        if i > 3 and r % 7 == 0:
            task["dependsOn"] = [f"00000000-0000-4000-8000-{i - 3:012x}"]
        tasks.append(task)
    meetings = [("08:00", "08:15"), ("09:30", "10:00"), ("09:45", "10:30"), ("11:00", "11:30"),
                ("12:00", "13:00"), ("14:00", "14:25"), ("15:00", "15:45"), ("16:30", "17:00")]
    events = [{"title": f"Meeting {i}", "start": f"2026-03-10T{s}:00Z",
               "end": f"2026-03-10T{e}:00Z"} for i, (s, e) in enumerate(meetings)]
    return {"timezone": "Europe/London", "today": "2026-03-10",
            "currentTime": "2026-03-10T07:12:31Z",
            "preferences": {"workdayStart": "08:00", "workdayEnd": "18:00", "maxFocusHours": 7},
            "tasks": tasks, "blockedTime": events}


def measure(call, arg, seconds):
    """Calls per second of `call(arg)` over about `seconds` (after a warm-up)."""
    for _ in range(3):
        call(arg)
    calls, start = 0, time.perf_counter()
    while True:
        for _ in range(10):
            call(arg)
        calls += 10
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rust-ms", type=float, default=0.32,
                        help="criterion's time per day in ms (planner/plan/day_60_tasks)")
    args = parser.parse_args()

    request = bench_day(args.tasks)
    text = json.dumps(request)
    response = lifeos.plan_day(request)
    score = lifeos.validate_plan(request, response)
    print(f"{args.tasks}-task day: score {score}, {len(response['scheduledTasks'])} scheduled")
    for name, arg in (("dict in, dict out", request), ("JSON str in, dict out", text)):
        rate = measure(lifeos.plan_day, arg, args.seconds)
        ms = 1000.0 / rate
        print(f"{name:>22}: {rate:8.0f} calls/s, {ms:.3f} ms/call, "
              f"{ms / args.rust_ms:.2f}x the Rust criterion figure ({args.rust_ms} ms)")


if __name__ == "__main__":
    main()
