"""The public join page ``/j/<code>``: a name (and group) → the person's own link, remembered in a cookie."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from ..realtime.publish import publish
from ..services import participants as participant_service
from ..services.access import resolve
from ..services.errors import ServiceError
from ..services.events import get_event
from .links import participant_cookie, remember_participant

bp = Blueprint("join", __name__)


@bp.route("/j/<code>", methods=["GET", "POST"])
def join(code: str) -> Any:
    """Show the join form, or send a returning person straight to their page."""
    event = get_event(code)
    remembered = resolve(request.cookies.get(participant_cookie(event.public_id)), "participant")
    if request.method == "GET" and remembered is not None and remembered.event.id == event.id:
        return redirect(url_for("roles.participant", token=request.cookies[participant_cookie(event.public_id)]))
    error = None
    if request.method == "POST":
        try:
            _person, link, pushes = participant_service.join(
                event, {"name": request.form.get("name", ""), "group": request.form.get("group") or None}
            )
        except ServiceError as exc:
            error = exc.message
        else:
            publish(pushes)
            response = make_response(redirect(url_for("roles.participant", token=link.token)))
            return remember_participant(response, event.public_id, link.token)
    status = 400 if error else 200
    return render_template("join.html", event=event, error=error, form=request.form), status
