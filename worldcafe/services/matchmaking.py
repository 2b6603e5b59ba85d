"""Seating for matchmaking: matched profile pairs and the moderator's own become rotation ``meet`` requests.

The matcher (``worldcafe.domain.matching``) runs in a worker; its answer depends only on the profiles, so it is kept
per event and profile state here, and planning twice in a row (``planning.plan_event`` compares two readings of the
event) asks the worker once.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict, defaultdict
from itertools import combinations
from typing import Any

from flask_babel import gettext as _

from .. import offload
from ..domain.matching import match_job
from ..extensions import db
from ..models import CafeTable, Event, Participant, Round, Seat
from .errors import ServiceError
from .reading import let_others_run

# Each person in at most this many matched pairs (and never more than there are rounds): a request set the rotation
# engine can meet. The moderator's own pairs come on top.
MAX_PAIRS_PER_PERSON = 3
MAX_ADDED_PAIRS = 2000
MATCH_TIMEOUT_S = 60.0
EXCERPT_CHARS = 80

_cache: OrderedDict[tuple[int, str], list[dict[str, Any]]] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 16


def pair_key(a: int, b: int) -> tuple[int, int]:
    """An unordered pair as stored: the smaller id first."""
    return (a, b) if a < b else (b, a)


def _profiles(event: Event) -> list[dict[str, Any]]:
    """The active, not erased people with anything to match on, column by column."""
    query = (
        db.select(Participant.id, Participant.group, Participant.offer, Participant.seek, Participant.interests)
        .where(Participant.event_id == event.id, Participant.status == "active", Participant.erased_at.is_(None))
        .order_by(Participant.id)
    )
    return [{"id": pid, "group": group, "offer": offer or "", "seek": seek or "", "interests": list(interests or [])}
            for pid, group, offer, seek, interests in db.session.execute(query)
            if offer or seek or interests]


def pairs_per_person(event: Event) -> int:
    """How many matched pairs one person may be in: a few, never more than the rounds."""
    return max(0, min(MAX_PAIRS_PER_PERSON, len(event.rounds)))


def matched_pairs(event: Event) -> list[dict[str, Any]]:
    """The matcher's pairs for the event's profiles, best first: [{a, b, score, reasons}] (computed in a worker)."""
    profiles = _profiles(event)
    cap = pairs_per_person(event)
    if len(profiles) < 2 or cap == 0:
        return []
    use_groups = bool(event.groups)
    fingerprint = hashlib.sha256(
        json.dumps([profiles, cap, event.language, use_groups], sort_keys=True).encode()).hexdigest()
    key = (event.id, fingerprint)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    try:
        pairs = offload.run(match_job, profiles, cap, event.language, use_groups, timeout=MATCH_TIMEOUT_S)
    except offload.WorkerUnavailable:
        raise ServiceError("unavailable", _("The matcher is busy; please try again in a moment.")) from None
    with _cache_lock:
        _cache[key] = pairs
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return pairs


def forget(event_id: int) -> None:
    """Drop what is kept of a deleted event's matches."""
    with _cache_lock:
        for key in [k for k in _cache if k[0] == event_id]:
            del _cache[key]


def _stored(pairs: list[dict[str, Any]]) -> set[tuple[int, int]]:
    return {pair_key(int(p["a"]), int(p["b"])) for p in pairs or []}


def requested_pairs(event: Event) -> set[tuple[int, int]]:
    """The pairs the plan is asked to seat together: matched ones (when the switch is on) minus the dropped ones,
    plus the moderator's own."""
    matched = _stored(matched_pairs(event)) if event.seat_complementary else set()
    return (matched - _stored(event.meet_dropped)) | _stored(event.meet_added)


def add_meet_requests(event: Event, people: list[dict[str, Any]]) -> None:
    """Put ``meet`` lists on a rotation input's participants (ids as strings; each pair once, on its first person).
    Pairs with someone who is not (or no longer) planned are left out."""
    pairs = requested_pairs(event)
    if not pairs:
        return
    planned = {p["id"]: p for p in people if not p.get("left")}
    for a, b in sorted(pairs):
        first, second = planned.get(str(a)), planned.get(str(b))
        if first is not None and second is not None:
            first.setdefault("meet", []).append(str(b))


def _shared_tables(event: Event, played_only: bool) -> set[tuple[int, int]]:
    """Every pair of people who share a table in some round (only rounds that started, if asked)."""
    query = (
        db.select(Round.number, CafeTable.number, Seat.participant_id)
        .join(Seat, Seat.round_id == Round.id).join(CafeTable, Seat.table_id == CafeTable.id)
        .where(Round.event_id == event.id)
    )
    if played_only:
        query = query.where(Round.status != "planned")
    tables: dict[tuple[int, int], list[int]] = defaultdict(list)
    for round_number, table, pid in db.session.execute(query):
        tables[(round_number, table)].append(pid)
    met: set[tuple[int, int]] = set()
    for people in tables.values():
        met.update(combinations(sorted(people), 2))
    return met


def pairs_met(event: Event, pairs: set[tuple[int, int]], played_only: bool) -> int:
    """How many of ``pairs`` share a table in the plan (or, ``played_only``, in a round that started)."""
    if not pairs:
        return 0
    return len(pairs & _shared_tables(event, played_only))


def _excerpt(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


class _Reasons:
    """Reasons as sentences in the request's language; the templates are translated once per view (a thousand pairs
    asking gettext two thousand times held the loop for 200 ms)."""

    def __init__(self, people: dict[int, dict[str, Any]]) -> None:
        self.people = people
        self.offer: str = _("%(offers)s offers “%(offer)s”; %(seeks)s seeks “%(seek)s” (shared: %(words)s)")
        self.interests: str = _("Both are interested in %(words)s")

    def text(self, reason: dict[str, Any]) -> str:
        words = ", ".join(reason["words"])
        if reason["kind"] == "offer":
            offers, seeks = self.people[reason["offers"]], self.people[reason["seeks"]]
            return self.offer % {"offers": offers["name"], "offer": _excerpt(offers["offer"]), "seeks": seeks["name"],
                                 "seek": _excerpt(seeks["seek"]), "words": words}
        return self.interests % {"words": words}


def matches_view(event: Event) -> dict[str, Any]:
    """The pairs for the moderator's panel: matched (with their reasons, dropped ones marked) and added by hand, and
    how many of the requested ones the stored plan seats together."""
    matched = matched_pairs(event) if event.seat_complementary else []
    # Read-only from here: the loop serves others between the reads (1,000 people: three reads of tens of ms each).
    let_others_run()
    dropped = _stored(event.meet_dropped)
    added = _stored(event.meet_added)
    ids = {int(p["a"]) for p in matched} | {int(p["b"]) for p in matched} | {i for pair in added for i in pair}
    query = db.select(Participant.id, Participant.name, Participant.group, Participant.organisation,
                      Participant.offer, Participant.seek).where(Participant.event_id == event.id)
    people = {pid: {"id": pid, "name": name, "group": group, "organisation": organisation, "offer": offer,
                    "seek": seek}
              for pid, name, group, organisation, offer, seek in db.session.execute(query) if pid in ids}
    let_others_run()
    planned = _shared_tables(event, played_only=False)
    let_others_run()
    reasons = _Reasons(people)

    def person(pid: int) -> dict[str, Any]:
        p = people[pid]
        return {"id": pid, "name": p["name"], "group": p["group"], "organisation": p["organisation"]}

    rows = []
    for pair in matched:
        a, b = pair_key(int(pair["a"]), int(pair["b"]))
        if a not in people or b not in people:
            continue
        rows.append({"a": person(a), "b": person(b), "source": "matched", "score": pair["score"],
                     "dropped": (a, b) in dropped, "planned_together": (a, b) in planned,
                     "reasons": [reasons.text(r) for r in pair["reasons"]]})
    matched_keys = {(r["a"]["id"], r["b"]["id"]) for r in rows}
    for a, b in sorted(added - matched_keys):
        if a in people and b in people:
            rows.append({"a": person(a), "b": person(b), "source": "added", "score": None, "dropped": False,
                         "planned_together": (a, b) in planned, "reasons": [_("Added by the moderator")]})
    requested = {(r["a"]["id"], r["b"]["id"]) for r in rows if not r["dropped"]}
    metrics = event.plan_metrics or {}
    return {
        "enabled": event.seat_complementary,
        "pairs_per_person": pairs_per_person(event),
        "pairs": rows,
        "requested": len(requested),
        "planned_together": len(requested & planned),
        "meet_unmet": metrics.get("meet_unmet"),
    }


def _participant(event: Event, pid: int) -> int:
    found = db.session.execute(
        db.select(Participant.id).where(Participant.id == pid, Participant.event_id == event.id)).scalar()
    if found is None:
        raise ServiceError("not_found", _("There is no such participant in this event."))
    return pid


def _pair_from(event: Event, a: int, b: int) -> tuple[int, int]:
    a, b = _participant(event, a), _participant(event, b)
    if a == b:
        raise ServiceError("invalid", _("A pair needs two different people."))
    return pair_key(a, b)


def _as_list(pairs: set[tuple[int, int]]) -> list[dict[str, int]]:
    return [{"a": a, "b": b} for a, b in sorted(pairs)]


def add_pair(event: Event, a: int, b: int) -> tuple[int, int]:
    """The moderator asks for a pair (or takes back dropping a matched one)."""
    pair = _pair_from(event, a, b)
    dropped = _stored(event.meet_dropped)
    if pair in dropped:
        event.meet_dropped = _as_list(dropped - {pair})
    if pair not in _stored(matched_pairs(event) if event.seat_complementary else []):
        added = _stored(event.meet_added)
        if pair not in added and len(added) >= MAX_ADDED_PAIRS:
            raise ServiceError("too_large", _("At most %(limit)s pairs by hand.", limit=MAX_ADDED_PAIRS))
        event.meet_added = _as_list(added | {pair})
    db.session.commit()
    return pair


def drop_pair(event: Event, a: int, b: int) -> None:
    """The moderator drops a pair: one added by hand goes, a matched one is no longer requested."""
    pair = _pair_from(event, a, b)
    added = _stored(event.meet_added)
    if pair in added:
        event.meet_added = _as_list(added - {pair})
    elif pair in _stored(matched_pairs(event) if event.seat_complementary else []):
        dropped = _stored(event.meet_dropped)
        if len(dropped) >= MAX_ADDED_PAIRS:
            raise ServiceError("too_large", _("At most %(limit)s pairs by hand.", limit=MAX_ADDED_PAIRS))
        event.meet_dropped = _as_list(dropped | {pair})
    else:
        raise ServiceError("not_found", _("This pair is not requested."))
    db.session.commit()
