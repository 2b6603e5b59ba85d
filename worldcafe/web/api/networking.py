"""A participant's networking calls (DESIGN.md §8): profile, people met, directory, connections, vCards, own data."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _

from ...models import Participant
from ...realtime.publish import publish
from ...realtime.revocation import revoke
from ...services import networking, profile, vcards
from ...services.access import Access
from ...services.errors import ServiceError
from ...services.spec import whole_number
from ..auth import api_access
from . import bp, json_body


def me_access() -> tuple[Access, Participant]:
    """The calling participant (any other role: 403)."""
    access = api_access()
    access.require("participant")
    assert access.participant is not None
    return access, access.participant


def vcard_response(person: Participant, other_id: int | None = None) -> Response:
    """My shared contacts (or one of them) as a .vcf download a phone adds to its address book in one tap."""
    found = networking.contacts(person, other_id)
    name = person.event.name
    body = vcards.vcards(found, name)
    response = Response(body, content_type="text/vcard; charset=utf-8")
    stem = vcards.filename(found[0].name) if other_id is not None else vcards.filename(name) + "-contacts"
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.vcf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def shared_summary(access: Access, fmt: str, download: bool) -> Response:
    """The summary the moderator shared with the participants (as the share link shows it); 404 until shared."""
    if not access.event.summary_shared:
        raise ServiceError("not_found", "The moderator has not shared the summary.")
    from ..summary import summary_response

    return summary_response(access, fmt, download=download)


@bp.patch("/me")
def update_me() -> Any:
    """Change my profile fields and consents (only those sent)."""
    _access, person = me_access()
    view, pushes = profile.update_profile(person, json_body())
    publish(pushes)
    return jsonify(profile=view)


@bp.get("/me/met")
def met() -> Any:
    """Everyone who shared a table with me in a round that has started."""
    _access, person = me_access()
    return jsonify(people=networking.met_people(person))


@bp.get("/me/directory")
def directory() -> Any:
    """The event's listed participants; ``?q=`` searches name, organisation, offer, seek and interests; ``?page=``."""
    _access, person = me_access()
    page = whole_number(request.args.get("page", "1"), "page")
    query = request.args.get("q", "")
    if len(query) > networking.MAX_QUERY:
        raise ServiceError("invalid", _("q: at most %(n)s characters", n=networking.MAX_QUERY))
    return jsonify(networking.directory(person, query, max(1, page)))


@bp.get("/me/connections")
def list_connections() -> Any:
    """My connections and requests (both ways)."""
    _access, person = me_access()
    return jsonify(people=networking.connections(person))


@bp.post("/me/connections")
def connect() -> Any:
    """Ask someone I met or found in the directory for a connection, or accept their request."""
    _access, person = me_access()
    state, changed, pushes = networking.connect(person, json_body())
    publish(pushes)
    return jsonify(connection=state), 201 if changed else 200


@bp.delete("/me/connections/<int:participant_id>")
def disconnect(participant_id: int) -> Any:
    """Withdraw my request, decline theirs, or end our connection."""
    _access, person = me_access()
    publish(networking.disconnect(person, participant_id))
    return "", 204


@bp.get("/me/contacts.vcf")
def contacts_vcf() -> Any:
    """vCards of my connections who share their contact data."""
    _access, person = me_access()
    return vcard_response(person)


@bp.get("/me/contacts/<int:participant_id>.vcf")
def contact_vcf(participant_id: int) -> Any:
    """One connection's vCard (404 unless connected and shared)."""
    _access, person = me_access()
    return vcard_response(person, participant_id)


@bp.get("/me/export")
def export_me() -> Any:
    """Everything stored about me, as JSON."""
    _access, person = me_access()
    response = jsonify(profile.export_me(person))
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/me")
def erase_me() -> Any:
    """Erase me: profile, contact data and connections; my links stop working, my notes stay anonymous."""
    _access, person = me_access()
    pushes, dead_tokens = profile.erase_me(person)
    publish(pushes)
    revoke(dead_tokens)
    return "", 204


@bp.get("/me/summary.<fmt>")
def my_summary(fmt: str) -> Any:
    """The summary the moderator shared with the participants: json, md, csv, html or docx."""
    access, _person = me_access()
    return shared_summary(access, fmt, download=fmt != "html")
