"""The moderator's console and its printable sheets."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from ..services.access import find_link
from ..services.errors import ServiceError
from ..services.participants import find_participant
from ..services.views import full_view
from .auth import page_access, send_photo
from .links import checkin_url, event_links, qr_svg, qr_svg_file, role_url

bp = Blueprint("moderator", __name__)


@bp.get("/m/<token>")
def console(token: str) -> Any:
    """Set up and run the event."""
    access = page_access(token, "moderator")
    return render_template("moderator.html", event=access.event, view=full_view(access.event), token=token)


@bp.get("/m/<token>/links")
def links(token: str) -> Any:
    """Every link with its QR code."""
    access = page_access(token, "moderator")
    all_links = event_links(access.event)
    return render_template("links.html", event=access.event, token=token, links=all_links, qr=qr_svg)


@bp.get("/m/<token>/participants/<int:participant_id>/qr.svg")
def participant_qr(token: str, participant_id: int) -> Any:
    """A person's own link as a big QR code, for the help desk to show to a phone that lost it."""
    access = page_access(token, "moderator")
    person = find_participant(access.event, participant_id)
    link = find_link(access.event, "participant", participant_id=person.id)
    if link is None:
        raise ServiceError("not_found", _("That link does not exist."))
    return Response(qr_svg_file(role_url("participant", link.token)), mimetype="image/svg+xml")


@bp.get("/m/<token>/photos/<photo_id>")
def photo(token: str, photo_id: str) -> Any:
    """A stored photo (token in the URL so that an <img> can show it)."""
    return send_photo(page_access(token, "moderator"), photo_id)


@bp.get("/m/<token>/print/tables")
def print_tables(token: str) -> Any:
    """A4 table cards: number, colour, topic, question; the host's QR on a slip to cut off."""
    access = page_access(token, "moderator")
    hosts = event_links(access.event)["hosts"]
    cards = [
        {"table": table, "host_link": hosts.get(str(table.number)), "checkin": checkin_url(table.checkin_code)}
        for table in access.event.tables
    ]
    return render_template("print_tables.html", event=access.event, cards=cards, qr=qr_svg, token=token)


@bp.get("/m/<token>/print/participants")
def print_participants(token: str) -> Any:
    """A4 sheets of participant cards with each person's own QR."""
    access = page_access(token, "moderator")
    people = event_links(access.event)["participants"]
    return render_template("print_participants.html", event=access.event, people=people, qr=qr_svg, token=token)
