#!/usr/bin/env bash
# Regenerates lifeos-scheduler/tests/data/days.jsonl: seeded days, CP-SAT optima, greedy.
# Needs: python3 -m venv tools/planner/.venv && tools/planner/.venv/bin/pip install ortools
set -euo pipefail
cd "$(dirname "$0")"
PY=.venv/bin/python
OUT=${OUT:-../../lifeos-scheduler/tests/data}
TMP=$(mktemp -d)
python3 gen_days.py 11 320 --small | $PY exact.py --time-limit 10 > "$TMP/small.jsonl"
python3 gen_days.py 12 150 --medium | $PY exact.py --time-limit 20 > "$TMP/medium.jsonl"
python3 gen_days.py 13 16 --large | $PY exact.py --time-limit 30 > "$TMP/large.jsonl"
cat "$TMP/small.jsonl" "$TMP/medium.jsonl" "$TMP/large.jsonl" > "$OUT/days.jsonl"
# Held-out days, never used to tune the planner.
python3 gen_days.py 21 80 --medium | $PY exact.py --time-limit 15 > "$TMP/h_medium.jsonl"
python3 gen_days.py 23 8 --large | $PY exact.py --time-limit 20 > "$TMP/h_large.jsonl"
cat "$TMP/h_medium.jsonl" "$TMP/h_large.jsonl" > "$OUT/heldout.jsonl"
