"""Notes to terms: words, language by stop-word ratio, nouns in their base form, German compound parts, variants."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import simplemma
from rapidfuzz import fuzz

from . import stopwords
from .lemmas import analyse_word

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
LANGUAGES = ("de", "en")
# Compound parts must be real words of the event; shorter ones ("rad", "bus") split too much at random.
MIN_PART = 4
MIN_COMPOUND = 8
PART_RATIO = 10
# Spelling variants ("Programm"/"Program", a typo) share a term when their keys are this similar.
VARIANT_SIMILARITY = 90.0
MIN_VARIANT_LENGTH = 5


@lru_cache(maxsize=200_000)
def term_key(word: str, language: str) -> str:
    """The key a word counts under: its base form, lower case ("atlantik" for "Atlantiks")."""
    return analyse_word(word, language)[0].lower()


@lru_cache(maxsize=4)
def _stop_lemmas(language: str) -> frozenset[str]:
    words = stopwords.GERMAN if language == "de" else stopwords.ENGLISH
    return frozenset(simplemma.lemmatize(w, lang=language).lower() for w in words) | words


def tokenise(text: str) -> list[str]:
    """The words of a text, as written."""
    return WORD.findall(text)


def detect_language(words: Iterable[str], default: str) -> str:
    """German or English, by which language's function words the note uses more; ties go to the default."""
    german = english = 0
    umlaut = False
    for word in words:
        lower = word.lower()
        german += lower in stopwords.GERMAN_MARKERS
        english += lower in stopwords.ENGLISH_MARKERS
        umlaut = umlaut or any(c in "äöüß" for c in lower)
    if german != english:
        return "de" if german > english else "en"
    if umlaut:
        return "de"
    return default if default in LANGUAGES else "en"


@lru_cache(maxsize=200_000)
def is_stop(word: str, language: str) -> bool:
    """A stop word or trivial word (lower case), in any inflection ("Dinge"), that must never carry a theme."""
    if word in stopwords.ALL:
        return True
    return simplemma.lemmatize(word, lang=language).lower() in _stop_lemmas(language)


@dataclass
class NoteTerms:
    """What a note says in terms: its language, term keys with how they were written, and a signature."""

    language: str
    keys: set[str] = field(default_factory=set)
    # key -> (base form, written as a word of its own rather than inside a compound); keys are nouns only
    surfaces: dict[str, tuple[str, bool]] = field(default_factory=dict)
    # One slot per word: (key, as written, base form, is a noun) of a content word, None for a stop word (breaks a
    # phrase).
    chain: list[tuple[str, str, str, bool] | None] = field(default_factory=list)
    # The note's content words' keys (nouns or not), sorted: near-duplicates are looked for among notes sharing them.
    signature: tuple[str, ...] = ()
    # All its words, lower case and sorted: near-duplicates are compared on this.
    wording: str = ""

    def remap(self, canonical: Mapping[str, str]) -> None:
        """Rename keys to their canonical spelling variant."""
        if not canonical:
            return
        self.keys = {canonical.get(k, k) for k in self.keys}
        self.surfaces = {canonical.get(k, k): v for k, v in self.surfaces.items()}
        self.chain = [None if c is None else (canonical.get(c[0], c[0]), *c[1:]) for c in self.chain]


class Analyser:
    """Turns words into terms; learns the event's vocabulary first so German compounds split into its words."""

    def __init__(self, default_language: str) -> None:
        self.default_language = default_language if default_language in LANGUAGES else "en"
        self.vocabulary: Counter[str] = Counter()
        self._parts: dict[str, list[str]] = {}

    def learn(self, words: Iterable[str], language: str) -> list[str]:
        """Add a note's content words (and their base forms) to the vocabulary; returns the entries new to it."""
        new = []
        for word in words:
            lower = word.lower()
            if len(lower) >= MIN_PART and not is_stop(lower, language):
                for entry in {lower, term_key(word, language)}:
                    self.vocabulary[entry] += 1
                    if self.vocabulary[entry] == 1:
                        new.append(entry)
        return new

    def forget_splits(self, words: Iterable[str]) -> None:
        """Drop remembered compound splits, so they are looked up again against the grown vocabulary."""
        for word in words:
            self._parts.pop(word.lower(), None)

    def _is_part(self, candidate: str, of: int) -> bool:
        # A part must be a word in its own right, and not a rare one next to a common compound: a typo
        # ("Wer kümmert" -> "Werk ümmert") must not cut every "Netzwerk" in two.
        count = self.vocabulary.get(candidate, 0)
        return count > 0 and count * PART_RATIO >= of and not is_stop(candidate, "de")

    def analyse(self, words: list[str], language: str) -> NoteTerms:
        """The terms of one note: its nouns in their base form (and a German compound's parts that are nouns)."""
        note = NoteTerms(language)
        content: set[str] = set()
        for position, word in enumerate(words):
            lower = word.lower()
            if len(lower) < 3 and not (len(lower) == 2 and word.isupper()):
                note.chain.append(None)  # two-letter words count only as acronyms ("KI", "EU")
                continue
            if is_stop(lower, language):
                note.chain.append(None)
                continue
            # English capitalises only a note's first word: "Offer … online" starts with a verb, not a noun. (A
            # German capital marks a noun wherever it stands.)
            form = lower if language == "en" and position == 0 and not word.isupper() else word
            lemma, noun = analyse_word(form, language)
            key = lemma.lower()
            content.add(key)
            note.chain.append((key, word, lemma, noun))
            if not noun:
                # A German verb counts as the noun made of it when the event uses that noun: "anerkennen" as
                # "Anerkennung". Otherwise an adjective or a verb may start a phrase ("digitale Vernetzung"),
                # never a theme of its own.
                action = key[:-2] + "ung" if language == "de" and key.endswith("en") and len(key) >= 7 else ""
                if action and self.vocabulary.get(action):
                    self._add(note, action, action.capitalize(), False)
                continue
            self._add(note, key, lemma, True)
            if language == "de" and len(lower) >= MIN_COMPOUND:
                for part in self.compound_parts(lower):
                    part_lemma, part_noun = analyse_word(part.capitalize(), "de")
                    if part_noun and not is_stop(part, "de"):
                        self._add(note, part_lemma.lower(), part_lemma, False)
        note.signature = tuple(sorted(content))
        note.wording = " ".join(sorted(w.lower() for w in words))
        return note

    @staticmethod
    def _add(note: NoteTerms, key: str, surface: str, standalone: bool) -> None:
        note.keys.add(key)
        known = note.surfaces.get(key)
        if known is None or (standalone and not known[1]):
            note.surfaces[key] = (surface, standalone)

    def compound_parts(self, word: str) -> list[str]:
        """The longest known head and tail of a German compound ("schüleraustausch" -> "schüler", "austausch")."""
        cached = self._parts.get(word)
        if cached is not None:
            return cached
        parts: list[str] = []
        # A head as long as the word's own base form is the word itself ("sprachbarriere"), not a part of it.
        longest_head = min(len(word) - 3, len(term_key(word.capitalize(), "de")) - 1)
        seen = self.vocabulary.get(word, 1)
        for length in range(longest_head, MIN_PART - 1, -1):  # head, skipping a linking "s" on the way
            if self._is_part(word[:length], seen):
                parts.append(word[:length])
                break
        for length in range(len(word) - 3, MIN_PART - 1, -1):
            if self._is_part(word[-length:], seen):
                parts.append(word[-length:])
                break
        # Only remember a split once the vocabulary is complete enough to find one; live mode keeps learning.
        if parts:
            self._parts[word] = parts
        return parts


def spelling_variants(frequency: Mapping[str, int]) -> dict[str, str]:
    """Map each term key to the most frequent of its near-identical spellings (typos, "program"/"programm")."""
    # Comparing every pair is quadratic; variants almost always agree on their first three letters.
    buckets: dict[str, list[str]] = defaultdict(list)
    for key in frequency:
        if len(key) >= MIN_VARIANT_LENGTH:
            buckets[key[:3]].append(key)
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    for keys in buckets.values():
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if abs(len(a) - len(b)) <= 2 and fuzz.ratio(a, b, score_cutoff=VARIANT_SIMILARITY):
                    ra, rb = find(a), find(b)
                    if ra != rb:
                        parent[rb] = ra
    clusters: dict[str, list[str]] = defaultdict(list)
    for key in parent:
        clusters[find(key)].append(key)
    canonical: dict[str, str] = {}
    for root, members in clusters.items():
        members = sorted(set(members) | {root})
        best = max(members, key=lambda k: (frequency[k], -len(k)))
        canonical.update({k: best for k in members if k != best})
    return canonical


def best_surface(counts: Counter[tuple[str, bool]]) -> str:
    """The most common way a term was written, preferring words of their own over compound parts."""
    standalone = Counter({s: n for (s, alone), n in counts.items() if alone})
    pool = standalone or Counter({s: n for (s, _alone), n in counts.items()})
    surface = max(pool.items(), key=lambda item: (item[1], item[0][:1].isupper(), item[0]))[0]
    return surface[:1].upper() + surface[1:]
