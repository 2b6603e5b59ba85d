"""The harvest's raw material: everything the pure summary (worldcafe.domain.summary) and the exports need."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _

from .. import offload
from ..domain.palette import hex_of
from ..export import render_export, themes_of
from ..export.common import local_time
from ..export.csv import outcomes_csv
from ..extensions import db
from ..models import AccessLink, CafeTable, Event, Note, Participant, Photo, Round, Seat, Topic
from .access import find_link, issue_link
from .errors import ServiceError
from .outcomes import outcomes
from .planning import plan_view
from .reading import let_others_run, rows_in_chunks
from .views import iso
from .votes import tally


def summary_data(event: Event, photo_url: Callable[[str], str], include_hidden: bool = True,
                 include_outcomes: bool = False) -> dict[str, Any]:
    """The event as plain data: topics, notes (not deleted; hidden ones only if asked), votes, attendance, mixing,
    photos, and (if asked: the organiser's exports) the networking outcomes. Read column by column and the notes in
    chunks: 10,000 notes must not hold the loop."""
    query = (
        db.select(Note.id, Note.round_number, Note.text, Note.kind, Note.tags, Note.starred, Note.hidden,
                  Note.participant_id, Note.created_at, CafeTable.number, Topic.title)
        .outerjoin(CafeTable, Note.table_id == CafeTable.id).outerjoin(Topic, Note.topic_id == Topic.id)
        .where(Note.event_id == event.id, Note.deleted_at.is_(None)).order_by(Note.created_at)
    )
    if not include_hidden:
        query = query.where(Note.hidden.is_(False))
    note_list = [{"id": note_id, "topic": title, "table": number, "round": rnd, "text": text, "kind": kind,
                  "tags": list(tags), "starred": starred, "hidden": hidden, "by_participant": person is not None,
                  "created_at": iso(created)}
                 for note_id, rnd, text, kind, tags, starred, hidden, person, created, number, title
                 in rows_in_chunks(query)]
    listed = {n["id"] for n in note_list}
    zone = event_zone(event)
    started = [r.started_at for r in event.rounds if r.started_at is not None]
    day = min(started) if started else event.created_at
    table_count = db.session.execute(
        db.select(db.func.count(CafeTable.id)).where(CafeTable.event_id == event.id)).scalar_one()
    data = {
        "event": {"id": event.public_id, "name": event.name, "language": event.language, "groups": list(event.groups),
                  # The day the café took place, where it took place (an evening event in UTC+… is not "tomorrow").
                  "date": local_time(iso(day), zone)[:10], "timezone": zone, "table_count": table_count,
                  "rounds": [{"number": r.number, "minutes": r.minutes, "started_at": iso(r.started_at),
                              "ends_at": iso(r.ends_at)} for r in event.rounds]},
        "topics": _topics(event),
        "theme_edits": dict(event.theme_edits or {}),
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
    if include_outcomes:
        # Counts by group only; the share link's exports leave them out (a group of one would name its person).
        data["outcomes"] = outcomes(event)
    return data


def local_zone() -> str:
    """This server's own time zone as an IANA name (from /etc/localtime), UTC when it has none."""
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return "UTC"
    marker = "/zoneinfo/"
    name = target.split(marker, 1)[1] if marker in target else ""
    if name.removeprefix("Etc/") in ("UTC", "UCT", "Universal", "Zulu", "GMT", "Greenwich", ""):
        return "UTC"  # "Uhrzeiten in Etc/UTC" says less than "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def event_zone(event: Event) -> str:
    """The time zone the event's times are shown in: its own setting, else the server's."""
    return event.timezone or local_zone()


def _topics(event: Event) -> list[dict[str, Any]]:
    """The topics as the public view lists them (position from 1, colour, table numbers), from two lean queries."""
    tables: dict[int, list[int]] = defaultdict(list)
    for number, topic_id in db.session.execute(
        db.select(CafeTable.number, CafeTable.topic_id).where(CafeTable.event_id == event.id)
        .order_by(CafeTable.number)
    ):
        tables[topic_id].append(number)
    rows = db.session.execute(
        db.select(Topic.id, Topic.position, Topic.title, Topic.question, Topic.colour)
        .where(Topic.event_id == event.id).order_by(Topic.position)
    ).all()
    return [{"position": position + 1, "title": title, "question": question, "colour": colour,
             "colour_hex": hex_of(colour), "tables": tables.get(topic_id, [])}
            for topic_id, position, title, question, colour in rows]


def _attendance(event: Event) -> dict[str, Any]:
    rows = db.session.execute(
        db.select(Round.number, db.func.count(Seat.id), db.func.count(Seat.checked_in_at))
        .join(Seat, Seat.round_id == Round.id).where(Round.event_id == event.id, Round.status != "planned")
        .group_by(Round.number).order_by(Round.number)
    ).all()
    people = Participant.event_id == event.id
    statuses = dict(db.session.execute(
        db.select(Participant.status, db.func.count(Participant.id)).where(people).group_by(Participant.status)
    ).all())
    joined = db.session.execute(
        db.select(db.func.count(Participant.id)).where(people, Participant.source == "join")
    ).scalar_one()
    return {
        "rounds": [{"number": number, "seated": seated, "checked_in": checked} for number, seated, checked in rows],
        "participants": statuses.get("active", 0),
        "joined_on_the_day": joined,
        "left": statuses.get("left", 0),
        "no_show": statuses.get("no_show", 0),
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
    event: Event,
    fmt: str,
    photo_url: Callable[[str], str],
    include_hidden: bool = True,
    *,
    complete: bool = True,
    photo_files: dict[str, str] | None = None,
    part: str | None = None,
) -> tuple[bytes, str, str]:
    """The harvest in one format: (body, mimetype, file name). The share link's (``include_hidden`` and ``complete``
    off) leave hidden notes out entirely, and its JSON holds no names or seats: no plan, no group count per table.
    With ``photo_files`` (photo id → stored file) HTML and DOCX embed the photos.
    The data is read here; the summary is built and rendered in a worker."""
    if fmt not in EXPORTS:
        raise ServiceError("not_found", _("Unknown format %(fmt)s; use json, md, csv, html or docx.", fmt=fmt))
    slug = "".join(c if c.isalnum() else "-" for c in event.name.lower()).strip("-")[:60] or "worldcafe"
    if part is not None:
        # The networking outcomes as a CSV of their own (the notes' CSV stays one row per note); the organiser's only.
        if part != "outcomes" or fmt != "csv" or not complete:
            raise ServiceError("not_found", _("Only the CSV has parts: ?part=outcomes."))
        body = outcomes_csv({"event": {"language": event.language}, "outcomes": outcomes(event)})
        return body.encode("utf-8"), EXPORTS["csv"][0], f"{slug}-outcomes.csv"
    data = summary_data(event, photo_url, include_hidden, include_outcomes=complete)
    let_others_run()
    plan = plan_rounds(event) if fmt == "json" and complete else None
    body = offload.run(render_export, fmt, data, plan, photo_files if fmt in ("html", "docx") else None, not complete)
    mimetype, extension = EXPORTS[fmt]
    return body, mimetype, f"{slug}-summary.{extension}"


def live_themes(event: Event, limit: int = 8) -> dict[str, Any]:
    """Ranked key terms per topic from the visible notes, for the projector (the text analysis runs in a worker)."""
    query = (
        db.select(Note.id, Note.text, Note.round_number, CafeTable.number, Topic.title)
        .outerjoin(CafeTable, Note.table_id == CafeTable.id).outerjoin(Topic, Note.topic_id == Topic.id)
        .where(Note.event_id == event.id, Note.deleted_at.is_(None), Note.hidden.is_(False))
    )
    items = [{"id": i, "text": text, "round": rnd, "table": table, "topic": topic, "hidden": False}
             for i, text, rnd, table, topic in rows_in_chunks(query)]
    return {"topics": offload.run(themes_of, items, limit, event.language, [event.name, *event.groups],
                                  dict(event.theme_edits or {}))}


def set_share(event: Event, enabled: bool) -> tuple[AccessLink | None, str | None]:
    """Turn the read-only summary link on (a new secret link) or off (the old one stops working); returns the link
    and the token that died, if one did."""
    link, dead_token = find_link(event, "summary"), None
    if enabled and link is None:
        link = issue_link("summary", event)
    elif not enabled and link is not None:
        dead_token = link.token
        db.session.delete(link)
        link = None
    db.session.commit()
    return link, dead_token
