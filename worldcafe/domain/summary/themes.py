"""Themes: recurring terms and near-duplicate notes merged, counted by the tables and rounds that raised them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from .live import LiveTerms, live_terms
from .text import Analyser, NoteTerms, best_surface, detect_language, spelling_variants, tokenise

__all__ = ["Doc", "LiveTerms", "analyse_notes", "cross_topic_themes", "expand_frame", "find_themes", "framing_keys",
           "live_terms"]

# Wordings (words sorted) this similar are the same note written twice: a typo, a word added or dropped.
# Stop words count here, so "more cars" and "no cars" stay apart.
NEAR_DUPLICATE = 85.0
BULK_BLOCK = 40
# A term whose notes lie mostly inside a stronger theme is a facet of it, not a theme of its own.
CONTAINED = 0.6
# A theme's further terms: present in at least this share of its notes.
CO_TERM_SHARE = 0.6
# A two-word label ("digitale Vernetzung") wins when this share of the notes use the phrase.
PHRASE_SHARE = 0.4


@dataclass
class Doc:
    """A visible note with its terms, the unit themes are made of."""

    id: str
    topic: int
    table: int | None
    round: int | None
    text: str
    starred: bool
    votes: int
    terms: NoteTerms

    @property
    def sitting(self) -> tuple[int | None, int | None]:
        """The table and round it was written at: one conversation."""
        return (self.table, self.round)


def analyse_notes(notes: Sequence[Mapping[str, Any]], topic_of: Sequence[int], votes: Mapping[str, int],
                  language: str) -> tuple[list[Doc], dict[str, str]]:
    """Analyse notes in two passes (vocabulary first, so compounds split into words used elsewhere).

    Returns the docs and the spelling-variant map their keys went through (for keys made elsewhere).
    """
    analyser = Analyser(language)
    tokenised: list[tuple[list[str], str]] = []
    for note in notes:
        words = tokenise(str(note.get("text") or ""))
        lang = detect_language(words, analyser.default_language)
        analyser.learn(words, lang)
        tokenised.append((words, lang))
    docs = [Doc(id=str(note["id"]), topic=topic_of[i], table=note.get("table"), round=note.get("round"),
                text=str(note.get("text") or ""), starred=bool(note.get("starred")),
                votes=int(votes.get(str(note["id"]), 0)), terms=analyser.analyse(*tokenised[i]))
            for i, note in enumerate(notes)]
    frequency: Counter[str] = Counter()
    for doc in docs:
        frequency.update(doc.terms.keys)
    canonical = spelling_variants(frequency)
    for doc in docs:
        doc.terms.remap(canonical)
    return docs, canonical


def framing_keys(text: str, language: str, canonical: Mapping[str, str]) -> set[str]:
    """Term keys of a title or a group name: the frame every note sits in, never a theme of its own."""
    words = tokenise(text)
    terms = Analyser(language).analyse(words, detect_language(words, language))
    return {canonical.get(k, k) for k in terms.keys}


def near_duplicate_groups(docs: Sequence[Doc]) -> list[list[int]]:
    """Indices of docs grouped so near-duplicates share a group (every doc is in exactly one)."""
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(b)] = find(a)

    # The same words in any order are the same note twice; only one of each wording is compared further.
    # Notes of stop words only ("Sehr gut!") are never anyone's duplicate: they must not add up to a theme.
    first: dict[str, int] = {}
    for i, doc in enumerate(docs):
        if doc.terms.signature:
            if doc.terms.wording in first:
                union(first[doc.terms.wording], i)
            else:
                first[doc.terms.wording] = i
    # Blocking: near-duplicates share their content stems or differ in one, so each wording is filed under
    # its stems and under its stems with one left out (when two remain); only a block's members are compared.
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in first.values():
        signature = docs[i].terms.signature
        blocks[signature].append(i)
        if len(signature) >= 3:
            for skip in range(len(signature)):
                blocks[signature[:skip] + signature[skip + 1:] + ("\x00",)].append(i)
    for members in blocks.values():
        if len(members) > BULK_BLOCK:
            # Big blocks (template-like notes) go through rapidfuzz's C loop, one row at a time.
            wordings = [docs[i].terms.wording for i in members]
            for x, a in enumerate(members[:-1]):
                for _match, _score, y in process.extract(wordings[x], wordings[x + 1:], scorer=fuzz.ratio,
                                                         score_cutoff=NEAR_DUPLICATE, limit=None):
                    union(a, members[x + 1 + y])
            continue
        for x, a in enumerate(members):
            for b in members[x + 1:]:
                if find(a) != find(b) and fuzz.ratio(docs[a].terms.wording, docs[b].terms.wording,
                                                     score_cutoff=NEAR_DUPLICATE):
                    union(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(docs)):
        groups[find(i)].append(i)
    return list(groups.values())


def _sittings(docs: Sequence[Doc], indices: Iterable[int]) -> set[tuple[int | None, int | None]]:
    return {docs[i].sitting for i in indices}


def _label(docs: Sequence[Doc], members: Sequence[int], core: str) -> str:
    """The core noun in its base form, or the noun phrase most of its notes used ("digitale Vernetzung")."""
    surfaces: Counter[tuple[str, bool]] = Counter()
    phrases: Counter[tuple[str, str]] = Counter()
    shown: dict[tuple[str, str], str] = {}
    for i in members:
        terms = docs[i].terms
        if core in terms.surfaces:
            surfaces[terms.surfaces[core]] += 1
        seen: set[tuple[str, str]] = set()
        for left, right in zip(terms.chain, terms.chain[1:], strict=False):
            # A phrase ends in a noun: an adjective or a noun before it ("student exchange"), never after it.
            if left is None or right is None or not right[3] or core not in (left[0], right[0]) \
                    or left[0] == right[0]:
                continue
            pair = (left[0], right[0])
            if pair not in seen:
                seen.add(pair)
                phrases[pair] += 1
                # German adjectives agree with the noun as written; an English head noun goes to its base form.
                head = right[1] if terms.language == "de" else right[2]
                first = left[1] if left[3] and left[1].isupper() else (left[1] if terms.language == "de" else
                                                                       left[1].lower())
                shown.setdefault(pair, f"{first} {head}")
    if phrases:
        pair, count = max(phrases.items(), key=lambda item: (item[1], item[0]))
        if count >= 2 and count >= PHRASE_SHARE * len(members):
            text = shown[pair]
            return text[:1].upper() + text[1:]
    if surfaces:
        return best_surface(surfaces)
    return core


def _theme(docs: Sequence[Doc], members: list[int], terms: list[str], label: str) -> dict[str, Any]:
    members = sorted(members, key=lambda i: (docs[i].round or 0, docs[i].table or 0, i))
    sittings = _sittings(docs, members)
    starred = sum(docs[i].starred for i in members)
    votes = sum(docs[i].votes for i in members)
    tables = sorted({t for i in members if (t := docs[i].table) is not None})
    rounds = sorted({r for i in members if (r := docs[i].round) is not None})
    return {
        "key": terms[0],
        "label": label,
        "terms": terms,
        "note_ids": [docs[i].id for i in members],
        "notes": len(members),
        "tables": len(tables),
        "rounds": len(rounds),
        "table_numbers": tables,
        "round_numbers": rounds,
        "sittings": len(sittings),
        # Separate conversations count most; more notes from the same ones, a star or a dot add a little.
        "weight": round(len(sittings) + 0.1 * (len(members) - len(sittings)) + 0.5 * starred + 0.25 * votes, 2),
        "starred": starred,
        "votes": votes,
    }


def expand_frame(frame: Iterable[str], keys: Iterable[str]) -> set[str]:
    """The frame plus keys that are another form of a frame word ("kanad" for "Kanadische" next to "kanada")."""
    long = [f for f in frame if len(f) >= 5]
    expanded = set(frame)
    for key in keys:
        if len(key) >= 4 and any(abs(len(key) - len(f)) <= 3 and (key.startswith(f) or f.startswith(key))
                                 for f in long):
            expanded.add(key)
    return expanded


def find_themes(docs: Sequence[Doc], exclude: Iterable[str] = (), *, event_frequency: Mapping[str, int] | None = None,
                min_sittings: int = 2, max_themes: int = 10) -> list[dict[str, Any]]:
    """The themes of one topic's notes, strongest first; ``exclude`` holds term keys that frame the topic.

    ``event_frequency`` (notes per key in the whole event) breaks ties toward terms special to this topic:
    "bike" at three tables of a cycling event says less than "lane" at three tables.
    """
    excluded = set(exclude)
    groups = near_duplicate_groups(docs)
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    term_groups: dict[str, set[int]] = defaultdict(set)
    for i, doc in enumerate(docs):
        for key in doc.terms.keys - excluded:
            term_groups[key].add(group_of[i])

    def notes_of(group_ids: Iterable[int]) -> list[int]:
        return [i for g in group_ids for i in groups[g]]

    ranked = []
    for key, gs in term_groups.items():
        members = notes_of(gs)
        specificity = len(members) / max(len(members), (event_frequency or {}).get(key, 0))
        ranked.append((len(_sittings(docs, members)), specificity, len(members), key))
    ranked.sort(key=lambda item: (-item[0], -item[1], -item[2], item[3]))
    chosen: list[tuple[str, set[int], list[str], str]] = []
    for sittings, _specificity, _notes, key in ranked:
        if sittings < min_sittings or len(chosen) >= max_themes:
            break
        mine = term_groups[key]
        label = _label(docs, notes_of(mine), key)
        # A facet of a stronger theme, or the same words ("Bike parking" twice), joins it.
        home = next((c for c in chosen if len(mine & c[1]) >= CONTAINED * len(mine) or c[3].lower() == label.lower()),
                    None)
        if home is not None:
            home[2].append(key)
            continue
        chosen.append((key, set(mine), [key], label))
    themes = []
    for _core, group_ids, terms, label in chosen:
        members = notes_of(group_ids)
        themes.append(_build(docs, groups, group_ids, members, terms, excluded, label))
    themes.sort(key=lambda t: (-t["weight"], -t["sittings"], -t["notes"], t["label"]))
    return themes[:max_themes]


def _build(docs: Sequence[Doc], groups: Sequence[list[int]], group_ids: set[int], members: list[int],
           terms: list[str], excluded: set[str], label: str) -> dict[str, Any]:
    share: Counter[str] = Counter()
    for i in members:
        share.update(docs[i].terms.keys - excluded)
    co_terms = [k for k, n in share.most_common(6) if n >= max(2, CO_TERM_SHARE * len(members)) and k not in terms]
    theme = _theme(docs, members, (terms + co_terms)[:5], label)
    theme["near_duplicates"] = [[docs[i].id for i in groups[g]] for g in sorted(group_ids) if len(groups[g]) > 1]
    return theme


def cross_topic_themes(docs: Sequence[Doc], topic_themes: Mapping[int, Sequence[Mapping[str, Any]]],
                       exclude: Mapping[int, set[str]], topic_titles: Mapping[int, str], *,
                       limit: int = 8) -> list[dict[str, Any]]:
    """Terms that are a theme under one topic and come up under at least one other, widest spread first."""
    theme_terms = {key for themes in topic_themes.values() for theme in themes for key in theme["terms"]}
    where: dict[str, list[int]] = defaultdict(list)
    for i, doc in enumerate(docs):
        for key in (doc.terms.keys & theme_terms) - exclude.get(doc.topic, set()):
            where[key].append(i)
    ranked = []
    for key, members in where.items():
        topics = {docs[i].topic for i in members}
        sittings = len(_sittings(docs, members))
        if len(topics) >= 2 and sittings >= 3:
            ranked.append((len(topics), sittings, len(members), key))
    ranked.sort(key=lambda item: (-item[0], -item[1], -item[2], item[3]))
    chosen: list[tuple[str, set[int], list[str]]] = []
    for *_counts, key in ranked:
        if len(chosen) >= limit:
            break
        mine = set(where[key])
        home = next((c for c in chosen if len(mine & c[1]) >= CONTAINED * len(mine)), None)
        if home is not None:
            home[2].append(key)
            continue
        chosen.append((key, mine, [key]))
    result = []
    for core, member_set, terms in chosen:
        members = sorted(member_set)
        theme = _theme(docs, members, terms[:5], _label(docs, members, core))
        per_topic = Counter(docs[i].topic for i in members)
        theme["topics"] = [{"position": t, "title": topic_titles.get(t, ""), "notes": n}
                           for t, n in sorted(per_topic.items())]
        result.append(theme)
    return result
