"""The moderator shapes the harvest: renames, merges and hides themes, and chooses the notes the phones vote on."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from .. import offload
from ..domain.summary.edits import edited
from ..export import harvest_themes
from ..extensions import db
from ..models import CafeTable, Event, Note, Topic
from ..realtime.rooms import event_room, moderators_room
from .errors import ServiceError
from .live import Push, record
from .reading import let_others_run
from .spec import ShortlistSpec, ThemeEditSpec, parse
from .votes import tally

# The moderator's list of candidates stays readable: the starred notes and insights, the most voted first.
CANDIDATES = 200
# Edits of each kind an event keeps (a bound on what a request can make the event carry).
MAX_EDITS = 500


def harvest_view(event: Event) -> dict[str, Any]:
    """Themes per topic (edits applied), hidden themes, the vote shortlist, its candidates and the votes so far."""
    from .summary import summary_data

    data = summary_data(event, lambda _photo: "", include_hidden=False)
    let_others_run()
    data["photos"] = []
    topics = offload.run(harvest_themes, data)
    edits = dict(event.theme_edits or {})
    counts = tally(event)
    candidates = [_item(note, number, title, counts) for note, number, title in db.session.execute(
        _notes(event).where((Note.starred.is_(True)) | (Note.kind == "insight")))]
    candidates.sort(key=lambda item: (-item["votes"], item["topic"] or "", item["table"] or 0, item["text"]))
    shortlist = list(event.vote_shortlist) if event.vote_shortlist is not None else None
    listed = _shortlisted(event, counts) if shortlist is not None else []
    return {
        "topics": topics,
        "hidden": [{"key": key, "label": label} for key, label in sorted((edits.get("hidden") or {}).items())],
        "merged": [{"key": key, "into": into} for key, into in sorted((edits.get("merged") or {}).items())],
        "shortlist": shortlist,
        "shortlisted": listed,
        "candidates": candidates[:CANDIDATES],
        "votes": {"open": event.status == "harvest" and event.votes_per_person > 0,
                  "per_person": event.votes_per_person, "total": sum(counts.values()),
                  "results": sorted((listed if shortlist is not None else candidates),
                                    key=lambda item: (-item["votes"], item["text"]))},
    }


def _notes(event: Event):  # type: ignore[no-untyped-def]
    return (db.select(Note, CafeTable.number, Topic.title)
            .outerjoin(CafeTable, Note.table_id == CafeTable.id).outerjoin(Topic, Note.topic_id == Topic.id)
            .where(Note.event_id == event.id, Note.deleted_at.is_(None), Note.hidden.is_(False)))


def _item(note: Note, number: int | None, title: str | None, counts: dict[str, int]) -> dict[str, Any]:
    return {"id": note.id, "text": note.text, "topic": title, "table": number, "round": note.round_number,
            "kind": note.kind, "starred": note.starred, "votes": counts.get(note.id, 0)}


def _shortlisted(event: Event, counts: dict[str, int]) -> list[dict[str, Any]]:
    """The shortlist's notes in the moderator's order (a note deleted or hidden since drops out)."""
    ids = list(event.vote_shortlist or [])
    found = {note.id: _item(note, number, title, counts)
             for note, number, title in db.session.execute(_notes(event).where(Note.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


def edit_themes(event: Event, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Rename, merge, hide or show a theme (by its key); every moderator's console is told."""
    spec = parse(ThemeEditSpec, data)
    if spec.action == "merge" and (not spec.into or spec.into == spec.key):
        raise ServiceError("invalid", _("Choose another theme to merge this one into."))
    db.session.refresh(event, with_for_update=True)  # two moderators editing at once: one after the other
    edits = edited(event.theme_edits or {}, spec.action, spec.key, label=spec.label or "", into=spec.into or "")
    if any(len(edits[kind]) > MAX_EDITS for kind in ("renamed", "merged", "hidden")):
        raise ServiceError("too_large", _("At most %(n)s themes can be renamed, merged or hidden.", n=MAX_EDITS))
    event.theme_edits = edits
    push = record(event, "themes_edited", {"action": spec.action, "key": spec.key}, [moderators_room(event.id)])
    db.session.commit()
    return harvest_view(event), [push]


def set_shortlist(event: Event, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Choose the notes the phones vote on (``null``: every starred note and insight again); phones are told."""
    spec = parse(ShortlistSpec, data)
    if spec.notes is not None:
        ids = list(dict.fromkeys(spec.notes))
        known = set(db.session.execute(
            db.select(Note.id).where(Note.event_id == event.id, Note.id.in_(ids), Note.deleted_at.is_(None),
                                     Note.hidden.is_(False))).scalars()) if ids else set()
        missing = [i for i in ids if i not in known]
        if missing:
            raise ServiceError("not_found", _("No such note in this event: %(id)s", id=missing[0]))
        event.vote_shortlist = ids
    else:
        event.vote_shortlist = None
    push = record(event, "ballot_changed", {"shortlist": event.vote_shortlist is not None},
                  [event_room(event.id)])
    db.session.commit()
    return harvest_view(event), [push]
