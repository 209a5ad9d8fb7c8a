#!/usr/bin/env bash
# Regenerates lifeos-scheduler/tests/data/weeks.jsonl (seeded weeks with CP-SAT's best
# plans, proof status, bound and the greedy baseline) and weeks_heldout.jsonl (other seeds,
# never used to tune the planner). About 40 minutes on two cores.
# Needs: python3 -m venv tools/planner/.venv && tools/planner/.venv/bin/pip install ortools
set -euo pipefail
cd "$(dirname "$0")"
PY=.venv/bin/python
OUT=${OUT:-../../lifeos-scheduler/tests/data}
TMP=$(mktemp -d)
python3 gen_weeks.py 31 40 --small | $PY exact_week.py --time-limit 20 > "$TMP/small.jsonl"
python3 gen_weeks.py 32 20 --medium | $PY exact_week.py --time-limit 60 > "$TMP/medium.jsonl"
cat "$TMP/small.jsonl" "$TMP/medium.jsonl" > "$OUT/weeks.jsonl"
python3 gen_weeks.py 41 12 --medium | $PY exact_week.py --time-limit 60 > "$TMP/h_medium.jsonl"
python3 gen_weeks.py 43 4 --large | $PY exact_week.py --time-limit 60 > "$TMP/h_large.jsonl"
cat "$TMP/h_medium.jsonl" "$TMP/h_large.jsonl" > "$OUT/weeks_heldout.jsonl"
