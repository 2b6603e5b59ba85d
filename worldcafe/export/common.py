"""What every export formats the same way: note details, shares, counts, safe text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

# Characters no XML document (HTML, DOCX, SVG) may hold even escaped; a pasted note can carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


def clean(text: Any) -> str:
    """Text without control characters, for formats built on XML."""
    return _CONTROL.sub("", "" if text is None else str(text))


def safe_url(url: Any) -> str | None:
    """A photo URL that is a path, a web address or an inline raster image; never ``javascript:`` and the like."""
    # Browsers drop whitespace and control characters inside a scheme ("java\tscript:"), so judge without them.
    value = clean(url).strip()
    squeezed = re.sub(r"[\x00-\x20]", "", value)
    if not squeezed:
        return None
    scheme = _SCHEME.match(squeezed)
    if scheme is None or scheme.group(1).lower() in ("http", "https"):
        return value
    if squeezed.lower().startswith(("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")):
        return value
    return None


def share(value: float | None) -> str:
    """A share in 0..1 as a percentage, a dash when unknown."""
    return "–" if value is None else f"{round(value * 100)} %"


def kind(note: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """The note's kind in the summary's language."""
    return words.get(f"kind_{note.get('kind') or 'idea'}", str(note.get("kind") or ""))


def where(item: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """"Table 3, Round 2" for a note, a vote or a photo."""
    parts = []
    if item.get("table") is not None:
        parts.append(f"{words['table']} {item['table']}")
    if item.get("round") is not None:
        parts.append(f"{words['round']} {item['round']}")
    return ", ".join(parts)


def theme_counts(theme: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """"3 tables, 2 rounds, 5 notes"."""
    return (f"{theme['tables']} {words['tables']}, {theme['rounds']} {words['rounds']}, "
            f"{theme['notes']} {words['notes']}")


def topic_heading(topic: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """"Topic 2: Title" (the no-topic bucket has no number)."""
    if not topic.get("position"):
        return str(topic.get("title") or words["no_topic"])
    return f"{words['topic']} {topic['position']}: {topic.get('title') or ''}"


def votes_text(count: int, words: Mapping[str, str]) -> str:
    """"1 vote", "5 votes"."""
    return words["one_vote"] if count == 1 else words["n_votes"].format(n=count)


def note_meta(
    note: Mapping[str, Any], words: Mapping[str, str], *, star: bool = True, tag: Callable[[str], str] = "#{}".format
) -> list[str]:
    """What follows a note's text: ★ (unless the format shows it otherwise), votes, #tags, "by a participant"."""
    meta = []
    if star and note.get("starred"):
        meta.append("★")
    if note.get("votes"):
        meta.append(votes_text(note["votes"], words))
    if note.get("tags"):
        meta.append(" ".join(tag(t) for t in note["tags"]))
    if note.get("by_participant"):
        meta.append(words["by_participant"])
    return meta
