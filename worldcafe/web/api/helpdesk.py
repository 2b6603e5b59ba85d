"""The help desk's calls: find a person, see one person's route and link, check them in, add a walk-in.

For the help desk link and the moderator (who may do everything for the event); every other link is refused. Each
call spends from the calling link's help desk budget.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from ...realtime import joins
from ...realtime.publish import publish
from ...services import helpdesk
from ...services.access import Access, find_link
from ...services.errors import ServiceError
from ...services.spec import WalkInSpec, parse
from ..auth import api_access, bearer_token
from ..guards import check_helpdesk_budget, check_join_budget
from ..links import role_url
from . import bp, json_body

HELPDESK_ROLES = ("helpdesk", "moderator")


def desk_access(code: str) -> Access:
    """The access of a help desk call: the help desk's or the moderator's link of this event, within its budget."""
    access = api_access(code)
    access.require(*HELPDESK_ROLES)
    check_helpdesk_budget(bearer_token())
    return access


def person_link(access: Access, participant_id: int) -> str:
    """The personal link of one person (the one the desk has on screen)."""
    link = find_link(access.event, "participant", participant_id=participant_id)
    if link is None:
        raise ServiceError("not_found", _("That link does not exist."))
    return role_url("participant", link.token)


@bp.get("/events/<code>/helpdesk/people")
def helpdesk_people(code: str) -> Any:
    """Find people by name (``?q=``, every typed word): their table now and next, without links."""
    access = desk_access(code)
    return jsonify(helpdesk.find_people(access.event, request.args.get("q", "")))


@bp.get("/events/<code>/helpdesk/people/<int:participant_id>")
def helpdesk_person(code: str, participant_id: int) -> Any:
    """One person: table now and next, every round's table, and their personal link (to show or reprint)."""
    access = desk_access(code)
    view = helpdesk.person_view(access.event, participant_id)
    return jsonify(person=view, link=person_link(access, participant_id))


@bp.post("/events/<code>/helpdesk/people/<int:participant_id>/check_in")
def helpdesk_check_in(code: str, participant_id: int) -> Any:
    """Check a person in at their own table for the round running or the next one."""
    access = desk_access(code)
    result, pushes = helpdesk.check_in_person(access.event, participant_id)
    publish(pushes)
    return jsonify(result)


@bp.post("/events/<code>/helpdesk/walk_ins")
def helpdesk_walk_in(code: str) -> Any:
    """Add a walk-in as the join page would (``{name, group?, confirm?}``) → their route and personal link."""
    access = desk_access(code)
    check_join_budget(code)
    body = json_body()
    parse(WalkInSpec, body)  # the join page's fields without the consents: only the person gives those
    person = joins.join(access.event, body)
    view = helpdesk.person_view(access.event, person.id)
    return jsonify(person=view, link=role_url("participant", person.token)), 201
