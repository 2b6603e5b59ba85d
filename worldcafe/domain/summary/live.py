"""Live themes for the projector: key terms per topic, kept up to date note by note."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from .edits import hidden, renamed
from .text import MIN_COMPOUND, MIN_PART, Analyser, best_surface, detect_language, tokenise


class _Term:
    __slots__ = ("notes", "sittings", "surfaces")

    def __init__(self) -> None:
        self.notes: set[str] = set()
        self.sittings: Counter[tuple[Any, Any]] = Counter()
        self.surfaces: Counter[tuple[str, bool]] = Counter()


class LiveTerms:
    """Ranked key terms per topic; ``add``/``remove`` cost one note's words, ``top`` a partial sort."""

    def __init__(self, language: str = "en", exclude: Iterable[str] = ()) -> None:
        self._analyser = Analyser(language)
        self._exclude = {w.lower() for w in exclude}
        self._topics: dict[str, dict[str, _Term]] = defaultdict(dict)
        self._framing: dict[str, set[str]] = {}
        # What each note contributed, so an edit or a hide takes exactly that back out.
        self._seen: dict[str, tuple[str, tuple[Any, Any], list[tuple[str, tuple[str, bool]]]]] = {}
        self._notes: dict[str, Mapping[str, Any]] = {}
        self._event_notes: Counter[str] = Counter()  # notes per term over all topics
        # Head or tail of a long German word -> notes with that word: when "Austausch" is first written,
        # the earlier "Schüleraustausch" notes are counted again so they join its term.
        self._affixes: dict[str, set[str]] = defaultdict(set)
        # The moderator's theme edits the projector follows: hidden keys never show, renamed ones show their name.
        self.hidden: set[str] = set()
        self.renamed: dict[str, str] = {}

    def _frame(self, topic: str) -> set[str]:
        """Term keys of the topic's own title: every note there echoes them."""
        framing = self._framing.get(topic)
        if framing is None:
            words = tokenise(topic) + [w for phrase in self._exclude for w in tokenise(phrase)]
            lang = detect_language(words, self._analyser.default_language)
            framing = set(self._analyser.analyse(words, lang).keys)
            self._framing[topic] = framing
        return framing

    def add(self, note: Mapping[str, Any]) -> None:
        """Count a note (an edit replaces the earlier text); hidden notes never count."""
        note_id = str(note["id"])
        self.remove(note_id)
        if note.get("hidden"):
            return
        topic = str(note.get("topic") or "")
        words = tokenise(str(note.get("text") or ""))
        lang = detect_language(words, self._analyser.default_language)
        new_words = self._analyser.learn(words, lang)
        terms = self._analyser.analyse(words, lang)
        self._notes[note_id] = note
        if lang == "de":
            for word in words:
                lower = word.lower()
                if len(lower) >= MIN_COMPOUND:
                    for length in range(MIN_PART, len(lower) - 2):
                        self._affixes[lower[:length]].add(note_id)
                        self._affixes[lower[-length:]].add(note_id)
        sitting = (note.get("table"), note.get("round"))
        framing = self._frame(topic)
        table = self._topics[topic]
        contributed = []
        for key in terms.keys - framing:
            entry = table.get(key)
            if entry is None:
                entry = table[key] = _Term()
            entry.notes.add(note_id)
            self._event_notes[key] += 1
            entry.sittings[sitting] += 1
            entry.surfaces[terms.surfaces[key]] += 1
            contributed.append((key, terms.surfaces[key]))
        self._seen[note_id] = (topic, sitting, contributed)
        again = {other for word in new_words for other in self._affixes.get(word, ()) if other != note_id}
        for other in sorted(again):
            earlier = self._notes[other]
            self._analyser.forget_splits(tokenise(str(earlier.get("text") or "")))
            self.add(earlier)

    def remove(self, note_id: str) -> None:
        """Take a note back out (deleted or hidden)."""
        self._notes.pop(note_id, None)
        seen = self._seen.pop(note_id, None)
        if seen is None:
            return
        topic, sitting, contributed = seen
        table = self._topics[topic]
        for key, surface in contributed:
            entry = table[key]
            entry.notes.discard(note_id)
            self._event_notes[key] -= 1
            entry.sittings[sitting] -= 1
            if entry.sittings[sitting] <= 0:
                del entry.sittings[sitting]
            entry.surfaces[surface] -= 1
            if entry.surfaces[surface] <= 0:
                del entry.surfaces[surface]
            if not entry.notes:
                del table[key]

    def top(self, topic: str, limit: int = 10) -> list[dict[str, Any]]:
        """The topic's strongest terms: raised at the most tables and rounds, then the most special to it."""
        table = self._topics.get(topic, {})

        def rank(item: tuple[str, _Term]) -> tuple[int, float, int, str]:
            key, entry = item
            return (-len(entry.sittings), -len(entry.notes) / max(1, self._event_notes[key]), -len(entry.notes), key)

        shown = ((key, entry) for key, entry in table.items() if key not in self.hidden)
        best = heapq.nsmallest(limit, shown, key=rank)
        return [{"term": self.renamed.get(key) or best_surface(entry.surfaces), "notes": len(entry.notes),
                 "tables": len({table_no for table_no, _round in entry.sittings if table_no is not None}),
                 "sittings": len(entry.sittings)} for key, entry in best if len(entry.notes) >= 2]

    def topics(self) -> list[str]:
        """Topics with at least one counted note."""
        return [t for t, terms in self._topics.items() if terms]


def live_terms(notes: Iterable[Mapping[str, Any]], limit: int = 10, language: str = "en",
               exclude: Iterable[str] = (), edits: Mapping[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Ranked key terms per topic title ("" for notes without one) from scratch; keep a LiveTerms for streams.
    ``edits`` are the moderator's theme edits (worldcafe.domain.summary.edits): hidden and renamed terms."""
    live = LiveTerms(language, exclude)
    live.hidden = hidden(edits or {})
    live.renamed = renamed(edits or {})
    for note in notes:
        live.add(note)
    return {topic: live.top(topic, limit) for topic in live.topics()}
