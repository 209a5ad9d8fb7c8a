"""Shared fixtures: the repository's paths and the Rust oracles (the `plan_json` example)."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DAYS = [
    ROOT / "lifeos-scheduler" / "tests" / "data" / "days.jsonl",
    ROOT / "lifeos-scheduler" / "tests" / "data" / "heldout.jsonl",
]
RECURRENCE_CASES = ROOT / "lifeos-core" / "tests" / "data" / "recurrence_cases.jsonl"


def committed_requests():
    """Every committed planner day's request, in file order."""
    requests = []
    for path in DAYS:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    requests.append(json.loads(line)["request"])
    return requests


def _build_example(name):
    # Feature selection as the workspace's test build (`--workspace --all-features`), so a
    # warm target directory has it already.
    out = subprocess.run(
        ["cargo", "build", "--quiet", "--workspace", "--all-features", "--example", name,
         "--message-format=json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    for line in out.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == name:
            if msg.get("executable"):
                return msg["executable"]
    raise RuntimeError(f"cargo built no executable for example {name}")


@pytest.fixture(scope="session")
def plan_json_bin():
    """The `plan_json` example binary (LIFEOS_PLAN_JSON, or built with cargo)."""
    return os.environ.get("LIFEOS_PLAN_JSON") or _build_example("plan_json")


@pytest.fixture(scope="session")
def plan_json(plan_json_bin):
    """Runs `plan_json` on some request lines; returns its output lines, parsed."""

    def run(lines):
        text = "".join(line + "\n" for line in lines)
        out = subprocess.run([plan_json_bin], input=text, capture_output=True, text=True)
        assert out.returncode in (0, 1), out.stderr
        # Split on "\n" only: str.splitlines() also splits on U+0085 and U+2028, which a
        # JSON string may hold unescaped.
        return [json.loads(line) for line in out.stdout.split("\n") if line]

    return run
