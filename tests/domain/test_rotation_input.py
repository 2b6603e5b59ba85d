"""Bad rotation input raises RotationInputError with one clear line naming the offending item."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from worldcafe.domain.rotation import RotationInputError, plan


def base() -> dict[str, Any]:
    """A small valid request to break one field at a time."""
    return {
        "rounds": 2,
        "tables": [{"id": "T1", "topic": "A", "capacity": 2, "tags": ["en"]}, {"id": "T2", "capacity": 2}],
        "participants": [{"id": "P1"}, {"id": "P2", "needs": ["en"]}, {"id": "P3"}],
    }


CASES: list[tuple[str, Any, str]] = [
    ("rounds", "3", "'rounds' must be a positive integer"),
    ("rounds", 0, "'rounds' must be a positive integer"),
    ("rounds", True, "'rounds' must be a positive integer"),
    ("tables", [], "'tables' must be a non-empty list"),
    ("tables", [{"id": "T1", "capacity": 2}, {"id": "T1", "capacity": 2}], "duplicate table id 'T1'"),
    ("tables", [{"id": "T1", "capacity": -1}], "table 'T1': capacity must be a non-negative integer"),
    ("tables", [{"id": "T1", "capacity": "5"}], "table 'T1': capacity must be a non-negative integer"),
    ("tables", [{"id": "T1", "capacity": 2, "tags": ["en"]}], "round 1: 3 people present but only 2 seats"),
    ("participants", [{"id": "P1"}, {"id": "P1"}], "duplicate participant id 'P1'"),
    ("participants", [{"id": 5}], "participants[0].id must be a non-empty string"),
    ("participants", [{"id": "P1", "avoid": ["P9"]}], "participant 'P1' avoids unknown participant 'P9'"),
    ("participants", [{"id": "P1", "needs": ["step-free"]}], "participant 'P1' needs [step-free]"),
    ("participants", [{"id": "P1", "meet": ["P9"]}], "participant 'P1' wants to meet unknown participant 'P9'"),
    ("participants", [{"id": "P1", "meet": ["P1"]}], "participant 'P1' cannot meet themself"),
    ("participants", [{"id": "P1", "meet": "P2"}], "participant 'P1': meet must be a list of non-empty strings"),
    ("participants", [{"id": "P1", "meet": [7]}], "participant 'P1': meet must be a list of non-empty strings"),
    ("participants", [{"id": "P1", "absent_rounds": [3]}], "participant 'P1': absent round 3 is outside 1..2"),
    ("participants", [{"id": "P1", "left": "yes"}], "participant 'P1': left must be true or false"),
    ("participants", [{"id": f"P{i}", "needs": ["en"]} for i in range(3)], "round 1: 3 people need [en]"),
    ("played", [{"P1": "T1"}, {"P1": "T2"}, {"P1": "T1"}], "'played' has 3 rounds but 'rounds' is 2"),
    ("played", [{"P9": "T1"}], "played round 1: unknown participant 'P9'"),
    ("played", [{"P1": "T9"}], "played round 1: participant 'P1' sits at unknown table 'T9'"),
    ("previous_plan", [{"P1": "T7"}], "previous_plan round 1: participant 'P1' sits at unknown table 'T7'"),
    ("seed", "x", "'seed' must be an integer"),
    ("time_limit_s", 0, "'time_limit_s' must be a positive number"),
]


@pytest.mark.parametrize(("field", "value", "message"), CASES)
def test_bad_input_names_the_problem(field: str, value: Any, message: str) -> None:
    """Each broken field gets its own one-line message."""
    spec = base()
    spec[field] = value
    with pytest.raises(RotationInputError) as info:
        plan(spec)
    text = str(info.value)
    assert message in text
    assert "\n" not in text


def test_not_an_object() -> None:
    """A JSON list instead of an object is rejected, not crashed on."""
    with pytest.raises(RotationInputError, match="must be a JSON object"):
        plan([])  # type: ignore[arg-type]


def test_needs_that_only_a_flow_can_refute() -> None:
    """Two need classes that each fit alone but not together (Hall's condition on their union)."""
    spec = {
        "rounds": 1,
        "tables": [
            {"id": "EN", "capacity": 1, "tags": ["en"]},
            {"id": "SF", "capacity": 1, "tags": ["sf"]},
            {"id": "BOTH", "capacity": 1, "tags": ["en", "sf"]},
            {"id": "X", "capacity": 5},
        ],
        "participants": [{"id": p, "needs": ["en"]} for p in "AB"] + [{"id": p, "needs": ["sf"]} for p in "CD"],
    }
    with pytest.raises(RotationInputError, match="round 1: the people's needs cannot all be met"):
        plan(spec)
    spec["participants"].pop()  # type: ignore[attr-defined]
    assert plan(spec)["metrics"]["needs_unmet"] == 0


def test_rotation_error_is_a_value_error() -> None:
    """Callers may catch ValueError."""
    assert issubclass(RotationInputError, ValueError)


def test_domain_stays_pure() -> None:
    """The rotation package imports no web, database or socket library."""
    banned = ("flask", "sqlalchemy", "socketio", "eventlet")
    root = Path(__file__).resolve().parents[2] / "worldcafe" / "domain" / "rotation"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not [n for n in names if n.split(".")[0].startswith(banned)], path
