"""Matchmaking, pure and explainable: who should meet whom, because one seeks what the other offers or both share an
interest (DESIGN.md §8, "seat complementary people together").

Free text is read as the harvest reads notes (``worldcafe.domain.summary.text``): words in their base form, German
compounds split into the words the event uses, stop words ignored, German and English alike. Two people match on
the base forms they share; every match carries the words it rests on, so the moderator sees why, never a score
alone. Rare shared words count more than common ones (a word everybody offers says little about a pair); a word
shared by very many people names no pair at all and is not used to find candidates. Each person gets at most
``cap`` pairs (the best first), so the rotation engine can seat them all; the order is deterministic.

The taggers behind the base forms load in a second or two, so this runs in a worker process (``worldcafe.offload``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from .summary.text import Analyser, NoteTerms, detect_language, tokenise

# A word held by more people than this (and than COMMON_SHARE of the room) finds no candidates by itself.
COMMON_FLOOR = 40
COMMON_SHARE = 0.25
# A shared interest counts half as much as an offer meeting a seek.
INTEREST_WEIGHT = 0.5
MAX_WORDS_IN_REASON = 5
# What every offer and seek says in some form ("we offer", "wir suchen Partner"): the frame, never a match (base forms,
# lower case, as the harvest's keys).
FRAME_KEYS = frozenset({
    "anbieten", "bieten", "suchen", "gesucht", "brauchen", "benötigen", "finden", "helfen", "hilfe", "interesse",
    "interessieren", "partner", "firma", "unternehmen", "kunde", "angebot",
    "offer", "provide", "seek", "look", "search", "need", "help", "find", "interest", "interested", "company", "firm",
    "business",
})


@dataclass(frozen=True)
class Profile:
    """What the matcher reads of a participant."""

    id: int
    group: str | None = None
    offer: str = ""
    seek: str = ""
    interests: tuple[str, ...] = ()


@dataclass
class Reason:
    """Why a pair matches: ``offer`` (``offers`` brings what ``seeks`` looks for) or ``interests`` (both share)."""

    kind: str
    words: list[str]
    offers: int | None = None
    seeks: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON and the worker's pipe."""
        data: dict[str, Any] = {"kind": self.kind, "words": list(self.words)}
        if self.kind == "offer":
            data.update(offers=self.offers, seeks=self.seeks)
        return data


@dataclass
class Match:
    """A pair worth seating together (``a`` < ``b``), its score and reasons."""

    a: int
    b: int
    score: float
    reasons: list[Reason] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON and the worker's pipe."""
        return {"a": self.a, "b": self.b, "score": round(self.score, 3), "reasons": [r.as_dict() for r in self.reasons]}


@dataclass
class _Terms:
    """One person's base forms: key → how it was written (for the reason), per field."""

    offer: dict[str, str] = field(default_factory=dict)
    seek: dict[str, str] = field(default_factory=dict)
    interests: dict[str, str] = field(default_factory=dict)


def _content(terms: NoteTerms) -> dict[str, str]:
    """Every content word's key (nouns, verbs, adjectives, a German compound's parts) → as written."""
    found: dict[str, str] = {}
    for slot in terms.chain:
        if slot is not None:
            found.setdefault(slot[0], slot[1])
    for key, (surface, _standalone) in terms.surfaces.items():
        found.setdefault(key, surface)
    return {key: surface for key, surface in found.items() if key not in FRAME_KEYS}


def _read(profiles: Sequence[Profile], language: str) -> dict[int, _Terms]:
    """Base forms of every profile's offer, seek and interests (the vocabulary of all of them first, so compounds
    split into words the event uses)."""
    analyser = Analyser(language)
    texts: list[tuple[int, str, list[str], str, str]] = []
    for person in profiles:
        fields = [("offer", person.offer), ("seek", person.seek)] + [("interests", tag) for tag in person.interests]
        for name, text in fields:
            # A tag's capitals are whim ("Machine Learning", "machine learning"): tags compare in lower case.
            words = tokenise((text or "").casefold() if name == "interests" else text or "")
            if not words:
                continue
            lang = detect_language(words, analyser.default_language)
            analyser.learn(words, lang)
            texts.append((person.id, name, words, lang, " ".join((text or "").split())))
    result: dict[int, _Terms] = {person.id: _Terms() for person in profiles}
    for pid, name, words, lang, written in texts:
        terms = _content(analyser.analyse(words, lang))
        if name == "interests":
            # A tag is one interest: all its words together ("machine learning"), not each on its own.
            if terms:
                key = " ".join(sorted(terms))
                result[pid].interests.setdefault(key, written)
        else:
            target = result[pid].offer if name == "offer" else result[pid].seek
            for key, surface in terms.items():
                target.setdefault(key, surface)
    return result


def _may_pair(a: Profile, b: Profile, use_groups: bool) -> bool:
    """Across groups only, when the event has groups: two Canadians meet anyway over lunch."""
    return not (use_groups and a.group and b.group and a.group == b.group)


def find_matches(
    profiles: Sequence[Profile], cap: int, language: str = "de", *, use_groups: bool = True, limit: int | None = None
) -> list[Match]:
    """The best pairs, each person in at most ``cap`` of them, best first (ties by ids: deterministic)."""
    if cap <= 0 or len(profiles) < 2:
        return []
    by_id = {p.id: p for p in profiles}
    terms = _read(sorted(profiles, key=lambda p: p.id), language)
    # How many people use a word (in their offer or seek) or an interest: rare ones weigh more.
    users: dict[str, set[int]] = defaultdict(set)
    interested: dict[str, set[int]] = defaultdict(set)
    offering: dict[str, list[int]] = defaultdict(list)
    seeking: dict[str, list[int]] = defaultdict(list)
    for pid in sorted(terms):
        for key in terms[pid].offer:
            users[key].add(pid)
            offering[key].append(pid)
        for key in terms[pid].seek:
            users[key].add(pid)
            seeking[key].append(pid)
        for key in terms[pid].interests:
            interested[key].add(pid)
    people = len(profiles)
    common = max(COMMON_FLOOR, people * COMMON_SHARE)

    def weight(holders: int) -> float:
        return 1.0 + math.log(people / holders)

    scores: dict[tuple[int, int], float] = defaultdict(float)
    # (seeker, offerer) → shared keys; (a, b) → shared interests
    offer_words: dict[tuple[int, int], list[str]] = defaultdict(list)
    interest_words: dict[tuple[int, int], list[str]] = defaultdict(list)
    for key in sorted(offering):
        holders = len(users[key])
        if key not in seeking or holders > common:
            continue
        w = weight(holders)
        for seeker in seeking[key]:
            for offerer in offering[key]:
                if seeker == offerer or not _may_pair(by_id[seeker], by_id[offerer], use_groups):
                    continue
                scores[(min(seeker, offerer), max(seeker, offerer))] += w
                offer_words[(seeker, offerer)].append(key)
    for key in sorted(interested):
        holders = len(interested[key])
        if holders > common:
            continue
        w = INTEREST_WEIGHT * weight(holders)
        for a, b in combinations(sorted(interested[key]), 2):
            if _may_pair(by_id[a], by_id[b], use_groups):
                scores[(a, b)] += w
                interest_words[(a, b)].append(key)

    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    taken: dict[int, int] = defaultdict(int)
    matches = []
    for (a, b), score in ranked:
        if taken[a] >= cap or taken[b] >= cap:
            continue
        taken[a] += 1
        taken[b] += 1
        reasons = []
        for seeker, offerer in ((a, b), (b, a)):
            keys = offer_words.get((seeker, offerer))
            if keys:
                words = [terms[offerer].offer[k] for k in _rarest(keys, users)]
                reasons.append(Reason("offer", words, offers=offerer, seeks=seeker))
        keys = interest_words.get((a, b))
        if keys:
            reasons.append(Reason("interests", [terms[a].interests[k] for k in _rarest(keys, interested)]))
        matches.append(Match(a, b, score, reasons))
        if limit is not None and len(matches) >= limit:
            break
    return matches


def _rarest(keys: list[str], holders: Mapping[str, set[int]]) -> list[str]:
    """The words a reason names: the rarest first (they say most about the pair), a few at most."""
    return sorted(set(keys), key=lambda k: (len(holders[k]), k))[:MAX_WORDS_IN_REASON]


def match_job(profiles: list[dict[str, Any]], cap: int, language: str, use_groups: bool) -> list[dict[str, Any]]:
    """The worker job (``worldcafe.offload``): plain data in, plain data out."""
    people = [Profile(id=int(p["id"]), group=p.get("group"), offer=p.get("offer") or "", seek=p.get("seek") or "",
                      interests=tuple(p.get("interests") or ())) for p in profiles]
    return [m.as_dict() for m in find_matches(people, cap, language, use_groups=use_groups)]
