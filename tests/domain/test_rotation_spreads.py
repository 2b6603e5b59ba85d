"""Line-spread designs: 2^k people in tables of 4 meet nobody twice for up to 5, 9 or 21 rounds."""

from __future__ import annotations

from itertools import combinations

import pytest

from worldcafe.domain.rotation import plan
from worldcafe.domain.rotation.constructions import MAX_SPREAD, line_spread


@pytest.mark.parametrize(("k", "size"), [(4, 5), (5, 9)])
def test_line_spreads_are_pairwise_disjoint(k, size):
    spread = line_spread(k, size)
    assert spread is not None and len(spread) == size == MAX_SPREAD[k]
    for line in spread:
        a, b, c = line
        assert a ^ b == c  # a 2-dim subspace {0, a, b, a^b}
    for one, two in combinations(spread, 2):
        assert not set(one) & set(two)


@pytest.mark.parametrize(("people", "tables", "rounds"), [(32, 8, 9), (16, 4, 5), (64, 16, 8)])
def test_social_golfer_spread_instances_have_no_repeats(people, tables, rounds):
    spec = {"rounds": rounds, "tables": [{"id": f"T{i}", "capacity": people // tables} for i in range(tables)],
            "participants": [{"id": f"P{i}"} for i in range(people)], "seed": 3}
    result = plan(spec)
    assert result["metrics"]["repeat_pairs"] == 0 and result["metrics"]["size_spread"] == 0
    met: set[frozenset[str]] = set()
    for assignment in result["rounds"]:
        by_table: dict[str, list[str]] = {}
        for person, table in assignment.items():
            by_table.setdefault(table, []).append(person)
        assert sorted(len(group) for group in by_table.values()) == [people // tables] * tables
        for group in by_table.values():
            for pair in combinations(sorted(group), 2):
                assert frozenset(pair) not in met  # an independent recount: nobody meets twice
                met.add(frozenset(pair))
