"""The moderator's edits of the harvest's themes: rename, merge and hide, by term key ("programm")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def merges(edits: Mapping[str, Any]) -> dict[str, str]:
    """Each merged key mapped to the key it finally lands in (merges may chain: a -> b -> c); loops are dropped."""
    raw = {str(k): str(v) for k, v in (edits.get("merged") or {}).items() if k != v}
    resolved: dict[str, str] = {}
    for key in raw:
        seen = {key}
        target = raw[key]
        while target in raw and target not in seen:
            seen.add(target)
            target = raw[target]
        if target not in seen:
            resolved[key] = target
    return resolved


def hidden(edits: Mapping[str, Any]) -> set[str]:
    """Keys the moderator hid: never a theme, in any topic."""
    return {str(k) for k in edits.get("hidden") or []}


def renamed(edits: Mapping[str, Any]) -> dict[str, str]:
    """Keys with the label the moderator gave them."""
    return {str(k): str(v) for k, v in (edits.get("renamed") or {}).items() if str(v).strip()}


def apply_labels(themes: list[dict[str, Any]], edits: Mapping[str, Any]) -> None:
    """Give renamed themes their new label (a theme is known by its first term key)."""
    names = renamed(edits)
    for theme in themes:
        label = names.get(theme["key"])
        if label:
            theme["label"] = label
            theme["renamed"] = True
