"""Dot-voting in the harvest: each participant puts up to N dots on the insights; the screen shows the bars live."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..models import CafeTable, Event, Note, Participant, Topic, Vote
from ..realtime.rooms import moderators_room, screen_room
from .access import Access
from .errors import ServiceError
from .live import Push, record
from .spec import VoteSpec, parse


def _eligible(event: Event):  # type: ignore[no-untyped-def]
    """Insights open for votes, neither hidden nor deleted: the moderator's shortlist when there is one, else
    every starred note and note of kind insight."""
    query = (db.select(Note, CafeTable.number, Topic.title, Topic.colour)
             .outerjoin(CafeTable, Note.table_id == CafeTable.id).outerjoin(Topic, Note.topic_id == Topic.id)
             .where(Note.event_id == event.id, Note.deleted_at.is_(None), Note.hidden.is_(False)))
    if event.vote_shortlist is not None:
        return query.where(Note.id.in_(list(event.vote_shortlist)))
    return query.where((Note.starred.is_(True)) | (Note.kind == "insight"))


def tally(event: Event) -> dict[str, int]:
    """Votes per note id."""
    rows = db.session.execute(db.select(Vote.note_id, db.func.count(Vote.id)).where(Vote.event_id == event.id)
                              .group_by(Vote.note_id))
    return {note_id: count for note_id, count in rows}


def ballot(access: Access) -> dict[str, Any]:
    """What a participant votes on, with their own dots and how many are left; the screen gets the same counts."""
    event = access.event
    counts = tally(event)
    mine: dict[str, int] = {}
    if access.participant is not None:
        rows = db.session.execute(db.select(Vote.note_id, db.func.count(Vote.id))
                                  .where(Vote.participant_id == access.participant.id).group_by(Vote.note_id))
        mine = {note_id: count for note_id, count in rows}
    items = [{"id": note.id, "text": note.text, "topic": title, "colour": colour or "grey", "table": number,
              "starred": note.starred, "votes": counts.get(note.id, 0), "mine": mine.get(note.id, 0)}
             for note, number, title, colour in db.session.execute(_eligible(event))]
    if event.vote_shortlist is not None:
        # The moderator's order: a ballot that reshuffles as dots come in makes people vote for the top.
        order = {note_id: n for n, note_id in enumerate(event.vote_shortlist)}
        items.sort(key=lambda item: order.get(item["id"], len(order)))
    else:
        items.sort(key=lambda item: (-item["votes"], item["topic"] or "", item["text"]))
    return {"open": event.status == "harvest" and event.votes_per_person > 0, "per_person": event.votes_per_person,
            "left": max(0, event.votes_per_person - sum(mine.values())), "items": items,
            "shortlist": event.vote_shortlist is not None}


def _vote_push(event: Event, note_id: str) -> Push:
    count = db.session.execute(db.select(db.func.count(Vote.id)).where(Vote.note_id == note_id)).scalar_one()
    return record(event, "votes_changed", {"note_id": note_id, "votes": count},
                  [screen_room(event.id), moderators_room(event.id)])


def cast_vote(access: Access, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Put one dot on an insight (only during the harvest, within the person's dots)."""
    access.require("participant")
    assert access.participant is not None
    spec = parse(VoteSpec, data)
    event = access.event
    if event.status != "harvest" or event.votes_per_person <= 0:
        raise ServiceError("wrong_state", _("Voting is open during the harvest only."))
    eligible = db.session.execute(_eligible(event).where(Note.id == spec.note_id)).first()
    if eligible is None:
        raise ServiceError("not_found", _("This insight is not open for votes."))
    # Row-lock the voter first: two quick taps (even on two server processes) must not spend one dot twice.
    db.session.execute(db.select(Participant.id).where(Participant.id == access.participant.id).with_for_update())
    used = db.session.execute(db.select(db.func.count(Vote.id))
                              .where(Vote.participant_id == access.participant.id)).scalar_one()
    if used >= event.votes_per_person:
        raise ServiceError("no_votes_left", _("You have used all %(n)s of your votes.", n=event.votes_per_person))
    db.session.add(Vote(event_id=event.id, note_id=spec.note_id, participant_id=access.participant.id))
    db.session.flush()
    push = _vote_push(event, spec.note_id)
    db.session.commit()
    return ballot(access), [push]


def retract_vote(access: Access, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Take one of one's dots back from an insight."""
    access.require("participant")
    assert access.participant is not None
    spec = parse(VoteSpec, data)
    event = access.event
    if event.status != "harvest":
        raise ServiceError("wrong_state", _("Voting is open during the harvest only."))
    vote = db.session.execute(db.select(Vote).where(Vote.participant_id == access.participant.id,
                                                    Vote.note_id == spec.note_id).limit(1)).scalar_one_or_none()
    if vote is None:
        raise ServiceError("not_found", _("You have no vote on this insight."))
    db.session.delete(vote)
    db.session.flush()
    push = _vote_push(event, spec.note_id)
    db.session.commit()
    return ballot(access), [push]
