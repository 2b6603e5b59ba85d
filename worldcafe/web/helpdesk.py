"""The help desk's pages: its search page, one person's QR and card, and the A–Z seating list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from ..models import Event
from ..services.access import Access, find_link
from ..services.cards import Page, PersonCard
from ..services.errors import ServiceError
from ..services.participants import find_participant
from .auth import page_access
from .guards import check_helpdesk_budget
from .links import join_url, qr_svg_file, role_url
from .printing import participant_cards, seating_sheet

bp = Blueprint("helpdesk", __name__)


def desk_page(token: str) -> Access:
    """The help desk link's access, within its budget (a page that draws a QR code or a card spends one)."""
    access = page_access(token, "helpdesk")
    check_helpdesk_budget(token)
    return access


def _person_card(event: Event, participant_id: int) -> PersonCard:
    person = find_participant(event, participant_id)
    link = find_link(event, "participant", participant_id=person.id)
    if link is None:
        raise ServiceError("not_found", _("That link does not exist."))
    return PersonCard(id=person.id, name=person.name, group=person.group, token=link.token)


@bp.get("/d/<token>")
def desk(token: str) -> Any:
    """Find anyone by name: their table now and next, their QR code and card; check-ins and walk-ins."""
    access = page_access(token, "helpdesk")
    event = access.event
    return render_template(
        "helpdesk.html", event=event, token=token, join_url=join_url(event.public_id),
        rounds=[r.number for r in event.rounds],
    )


@bp.get("/d/<token>/participants/<int:participant_id>/qr.svg")
def participant_qr(token: str, participant_id: int) -> Any:
    """One person's own link as a big QR code, for their phone to scan again."""
    card = _person_card(desk_page(token).event, participant_id)
    return Response(qr_svg_file(role_url("participant", card.token)), mimetype="image/svg+xml")


@bp.get("/d/<token>/participants/<int:participant_id>/card")
def participant_card(token: str, participant_id: int) -> Any:
    """One person's card again (name, every round's table, their QR), to print."""
    event = desk_page(token).event
    return participant_cards(event, [_person_card(event, participant_id)], Page(1, 1, 1), token)


@bp.get("/d/<token>/print/seating")
def print_seating(token: str) -> Any:
    """The A–Z seating list of a round (``?round=``) for the wall."""
    return seating_sheet(desk_page(token).event, token)
