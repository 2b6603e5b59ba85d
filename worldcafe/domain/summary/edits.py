"""The moderator's edits of the harvest's themes: rename, merge and hide, by term key ("programm").

Stored on the event as ``{"renamed": {key: label}, "merged": {key: into key}, "hidden": {key: label}}`` (the label
a hidden theme had, so the console can offer it back). Keys are the base forms themes are made of, so an edit holds
for every topic and keeps holding as notes come in.
"""

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
    return {str(k) for k in edits.get("hidden") or {}}


def edited(edits: Mapping[str, Any], action: str, key: str, *, label: str = "", into: str = "") -> dict[str, Any]:
    """The edits after one more: ``rename`` (an empty label gives the theme its own back), ``merge`` ``key`` into
    ``into``, ``hide`` (remembering ``label``), ``show`` (undo hide), ``unmerge``."""
    renamed_ = dict(edits.get("renamed") or {})
    merged = dict(edits.get("merged") or {})
    hidden_ = dict(edits.get("hidden") or {})
    if action == "rename":
        if label.strip():
            renamed_[key] = label.strip()
        else:
            renamed_.pop(key, None)
    elif action == "merge":
        # Merging a theme into one that was merged into it would go round in a circle: the older merge goes.
        if merges({"merged": merged}).get(into) == key:
            merged = {k: v for k, v in merged.items() if not (k == into or merges({"merged": merged}).get(k) == key)}
        merged[key] = into
    elif action == "unmerge":
        merged.pop(key, None)
    elif action == "hide":
        hidden_[key] = label or key
    elif action == "show":
        hidden_.pop(key, None)
    return {"renamed": renamed_, "merged": merged, "hidden": hidden_}


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
