"""`worldcafe plan INPUT.json [-o OUT.json]` through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SCRIPT = str(Path(sys.executable).parent / "worldcafe")

SPEC: dict[str, Any] = {
    "rounds": 3,
    "tables": [{"id": f"T{i}", "topic": ["A", "B", "C"][i // 3], "capacity": 5} for i in range(9)],
    "participants": [{"id": f"P{i}", "group": "Kanada" if i < 15 else "OWL"} for i in range(40)],
    "seed": 7,
    "time_limit_s": 1.0,
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the console script and capture its output."""
    return subprocess.run([SCRIPT, "plan", *args], capture_output=True, text=True, timeout=60, check=False)


def test_plan_writes_json_to_stdout(tmp_path: Path) -> None:
    """A valid spec prints the plan: one seating per round and the metrics."""
    source = tmp_path / "event.json"
    source.write_text(json.dumps(SPEC))
    done = run(str(source))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["rounds"]) == 3
    assert all(len(seating) == 40 for seating in result["rounds"])
    assert result["metrics"]["repeat_pairs"] == 0


def test_plan_writes_to_output_file(tmp_path: Path) -> None:
    """-o writes the same JSON to a file."""
    source, target = tmp_path / "event.json", tmp_path / "plan.json"
    source.write_text(json.dumps(SPEC))
    done = run(str(source), "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text())["metrics"]["topic_repeats"] == 0


def test_malformed_json_is_one_error_line(tmp_path: Path) -> None:
    """Broken JSON: exit code 2 and a single `error:` line, no traceback."""
    source = tmp_path / "broken.json"
    source.write_text('{"rounds": 3,')
    done = run(str(source))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in done.stderr


def test_invalid_spec_names_the_problem(tmp_path: Path) -> None:
    """An unknown id in the played history is reported by name, exit code 2."""
    source = tmp_path / "event.json"
    source.write_text(json.dumps(dict(SPEC, played=[{"P99": "T1"}])))
    done = run(str(source))
    assert done.returncode == 2
    assert done.stderr.strip() == "error: played round 1: unknown participant 'P99'"
    assert done.stdout == ""
