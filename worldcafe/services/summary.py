"""The harvest's raw material: everything the pure summary (worldcafe.domain.summary) and the exports need."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..models import AccessLink, CafeTable, Event, Note, Participant, Photo, Round, Seat, Topic
from .access import find_link, issue_link
from .errors import ServiceError
from .planning import plan_view
from .views import iso, public_view
from .votes import tally


def summary_data(event: Event, photo_url: Callable[[str], str], include_hidden: bool = True) -> dict[str, Any]:
    """The event as plain data: topics, notes (not deleted; hidden ones only if asked), votes, attendance, mixing,
    photos."""
    public = public_view(event)
    query = (
        db.select(Note, CafeTable.number, Topic.title)
        .outerjoin(CafeTable, Note.table_id == CafeTable.id).outerjoin(Topic, Note.topic_id == Topic.id)
        .where(Note.event_id == event.id, Note.deleted_at.is_(None)).order_by(Note.created_at)
    )
    if not include_hidden:
        query = query.where(Note.hidden.is_(False))
    notes = db.session.execute(query).all()
    note_list = [{"id": n.id, "topic": title, "table": number, "round": n.round_number, "text": n.text, "kind": n.kind,
                  "tags": list(n.tags), "starred": n.starred, "hidden": n.hidden,
                  "by_participant": n.participant_id is not None, "created_at": iso(n.created_at)}
                 for n, number, title in notes]
    listed = {n["id"] for n in note_list}
    return {
        "event": {"id": event.public_id, "name": event.name, "language": event.language, "groups": list(event.groups),
                  "date": event.created_at.date().isoformat(),
                  "rounds": [{"number": r.number, "minutes": r.minutes, "started_at": iso(r.started_at),
                              "ends_at": iso(r.ends_at)} for r in event.rounds]},
        "topics": [{k: t[k] for k in ("position", "title", "question", "colour", "colour_hex", "tables")}
                   for t in public["topics"]],
        "notes": note_list,
        "votes": [{"note_id": note_id, "count": count} for note_id, count in tally(event).items()
                  if note_id in listed],
        "attendance": _attendance(event),
        "mixing": _mixing(event),
        "photos": [{"id": p.id, "table": number, "round": p.round_number, "caption": p.caption, "url": photo_url(p.id)}
                   for p, number in db.session.execute(
                       db.select(Photo, CafeTable.number).outerjoin(CafeTable, Photo.table_id == CafeTable.id)
                       .where(Photo.event_id == event.id).order_by(Photo.created_at))],
    }


def _attendance(event: Event) -> dict[str, Any]:
    rows = db.session.execute(
        db.select(Round.number, db.func.count(Seat.id), db.func.count(Seat.checked_in_at))
        .join(Seat, Seat.round_id == Round.id).where(Round.event_id == event.id, Round.status != "planned")
        .group_by(Round.number).order_by(Round.number)
    ).all()
    people = event.participants
    return {
        "rounds": [{"number": number, "seated": seated, "checked_in": checked} for number, seated, checked in rows],
        "participants": sum(1 for p in people if p.status == "active"),
        "joined_on_the_day": sum(1 for p in people if p.source == "join"),
        "left": sum(1 for p in people if p.status == "left"),
        "no_show": sum(1 for p in people if p.status == "no_show"),
    }


def _mixing(event: Event) -> dict[str, Any]:
    rows = db.session.execute(
        db.select(Round.number, CafeTable.number, Participant.group)
        .join(Seat, Seat.round_id == Round.id).join(CafeTable, Seat.table_id == CafeTable.id)
        .join(Participant, Seat.participant_id == Participant.id)
        .where(Round.event_id == event.id, Round.status != "planned")
    ).all()
    by_round: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for round_number, table, group in rows:
        by_round[round_number][table][group or "—"] += 1
    return {"rounds": [{"number": number, "tables": [{"table": table, "groups": dict(groups)}
                                                     for table, groups in sorted(tables.items())]}
                       for number, tables in sorted(by_round.items())]}


def plan_rounds(event: Event) -> list[dict[str, Any]]:
    """The seating plan, for the complete JSON export."""
    return plan_view(event)["rounds"]


EXPORTS = {
    "json": ("application/json", "json"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "html": ("text/html; charset=utf-8", "html"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


def export(
    event: Event, fmt: str, photo_url: Callable[[str], str], include_hidden: bool = True
) -> tuple[bytes, str, str]:
    """The harvest in one format: (body, mimetype, file name); the share link's leave hidden notes out entirely."""
    from ..domain.summary import build_summary
    from ..export import to_csv, to_docx, to_html, to_json, to_markdown

    if fmt not in EXPORTS:
        raise ServiceError("not_found", _("Unknown format %(fmt)s; use json, md, csv, html or docx.", fmt=fmt))
    data = summary_data(event, photo_url, include_hidden)
    summary = build_summary(data)
    body: str | bytes
    if fmt == "json":
        body = to_json(data, summary, plan_rounds(event))
    elif fmt == "md":
        body = to_markdown(summary)
    elif fmt == "csv":
        body = to_csv(data)
    elif fmt == "html":
        body = to_html(summary)
    else:
        body = to_docx(summary)
    mimetype, extension = EXPORTS[fmt]
    slug = "".join(c if c.isalnum() else "-" for c in event.name.lower()).strip("-")[:60] or "worldcafe"
    return (body.encode("utf-8") if isinstance(body, str) else body), mimetype, f"{slug}-summary.{extension}"


def live_themes(event: Event, limit: int = 8) -> dict[str, Any]:
    """Ranked key terms per topic from the visible notes, for the projector."""
    from ..domain.summary import live_terms

    notes = db.session.execute(
        db.select(Note.id, Note.text, Note.round_number, CafeTable.number, Topic.title)
        .outerjoin(CafeTable, Note.table_id == CafeTable.id).outerjoin(Topic, Note.topic_id == Topic.id)
        .where(Note.event_id == event.id, Note.deleted_at.is_(None), Note.hidden.is_(False))
    ).all()
    items = [{"id": i, "text": text, "round": rnd, "table": table, "topic": topic, "hidden": False}
             for i, text, rnd, table, topic in notes]
    terms = live_terms(items, limit=limit, language=event.language, exclude=[event.name, *event.groups])
    return {"topics": terms}


def set_share(event: Event, enabled: bool) -> AccessLink | None:
    """Turn the read-only summary link on (a new secret link) or off (the old one stops working)."""
    link = find_link(event, "summary")
    if enabled and link is None:
        link = issue_link("summary", event)
    elif not enabled and link is not None:
        db.session.delete(link)
        link = None
    db.session.commit()
    return link
