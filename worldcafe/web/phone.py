"""The participant's downloads from the phone page, reached through the page's own link: a tap on a link sends no
``Authorization`` header, and a phone opens a .vcf best from a plain link (its address book offers to add them)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from ..services import profile
from .api.networking import shared_summary, vcard_response
from .auth import page_access
from .roles import bp


def _person(token: str) -> Any:
    access = page_access(token, "participant")
    assert access.participant is not None
    return access


@bp.get("/p/<token>/contacts.vcf")
def contacts_vcf(token: str) -> Any:
    """All my shared contacts as one vCard file."""
    return vcard_response(_person(token).participant)


@bp.get("/p/<token>/contacts/<int:participant_id>.vcf")
def contact_vcf(token: str, participant_id: int) -> Any:
    """One connection's vCard."""
    return vcard_response(_person(token).participant, participant_id)


@bp.get("/p/<token>/my-data.json")
def my_data(token: str) -> Any:
    """Everything stored about me, as a JSON download."""
    response = jsonify(profile.export_me(_person(token).participant))
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/p/<token>/summary")
def summary(token: str) -> Any:
    """The summary the moderator shared with the participants, as a page (404 until shared)."""
    return shared_summary(_person(token), "html", download=False)
