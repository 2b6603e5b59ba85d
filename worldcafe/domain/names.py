"""People's names: one spelling-tolerant key, look-alikes for a new name, likely duplicate pairs, and search."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

# 0–100 similarity of two name keys from which we call them "probably the same person": "Anna Müller" and
# "anna mueller" (93) or "Jon Smith" and "John Smith" (95) pass; "Jan" and "Jana" (86) and "Ben" and "Ken" (67) don't.
SIMILAR = 88


def search_key(name: str) -> str:
    """Lower case without accents and extra spaces: "  Zoë  Müller" → "zoe muller" (what a help desk types)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


@lru_cache(maxsize=20_000)
def name_key(name: str) -> str:
    """The search key with its words sorted, so that "Müller, Anna" and "Anna Müller" compare equal.

    Remembered: a burst of joins keys every name of the event again (1,000 names: 20 ms of the loop each time)."""
    return " ".join(sorted(search_key(name).replace(",", " ").split()))


@lru_cache(maxsize=20_000)
def _digits(key: str) -> str:
    return "".join(ch for ch in key if ch.isdigit())


def similar_to(
    name: str, others: Sequence[str], limit: int = 3, keys: Sequence[str] | None = None
) -> list[tuple[int, int]]:
    """The (index, similarity) of the ``others`` that look like ``name``, most similar first; ``keys`` are their
    ``name_key``s when the caller already has them (a burst of joins checks many names against one list)."""
    key = name_key(name)
    if not key:
        return []
    keys = [name_key(other) for other in others] if keys is None else keys
    found = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=SIMILAR, limit=None)
    # Numbers tell people apart however alike the rest is: "Guest 1" and "Guest 2" are two people.
    alike = [(index, round(score)) for other, score, index in found if _digits(other) == _digits(key)]
    return alike[:limit]


def duplicate_pairs(names: Sequence[str]) -> list[tuple[int, int, int]]:
    """Pairs (i, j, similarity) with i < j of names that probably belong to the same person, most similar first."""
    keys = [name_key(name) for name in names]
    pairs: list[tuple[int, int, int]] = []
    for i, key in enumerate(keys):
        if not key or i + 1 == len(keys):
            continue
        # One C loop per name over the names after it: 400 people are ~80,000 comparisons, a few milliseconds.
        rest = keys[i + 1 :]
        for other, score, offset in process.extract(key, rest, scorer=fuzz.ratio, score_cutoff=SIMILAR, limit=None):
            if _digits(other) == _digits(key):
                pairs.append((i, i + 1 + offset, round(score)))
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs


def matches(query: str, name: str) -> bool:
    """Whether a search finds a name: every typed word appears in it, ignoring case and accents."""
    words = search_key(query).split()
    key = search_key(name)
    return all(word in key for word in words)
