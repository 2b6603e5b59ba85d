"""The public join page ``/j/<code>``: a name (and group) → the person's own link, remembered in a cookie."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from ..realtime import joins
from ..services.access import resolve
from ..services.errors import ServiceError
from ..services.events import get_event
from .guards import check_join_budget
from .i18n import use_event_language
from .links import participant_cookie, remember_participant

bp = Blueprint("join", __name__)


@bp.route("/j/<code>", methods=["GET", "POST"])
def join(code: str) -> Any:
    """Show the join form; a browser that joined before goes straight back to its own page (no second record)."""
    event = get_event(code)
    use_event_language(event)
    token = request.cookies.get(participant_cookie(event.public_id))
    remembered = resolve(token, "participant")
    if token and remembered is not None and remembered.event.id == event.id:
        return redirect(url_for("roles.participant", token=token))
    error, look_alike, retry_after = None, False, None
    if request.method == "POST":
        try:
            check_join_budget(event.public_id)
            person = joins.join(
                event,
                {
                    "name": request.form.get("name", ""),
                    "group": request.form.get("group") or None,
                    "confirm": request.form.get("confirm") == "1",
                },
            )
        except ServiceError as exc:
            error, look_alike = exc.message, exc.code == "possible_duplicate"
            retry_after = exc.details.get("retry_after") if exc.code == "rate_limited" else None
        else:
            response = make_response(redirect(url_for("roles.participant", token=person.token)))
            return remember_participant(response, event.public_id, person.token)
    status = (409 if look_alike else 429 if retry_after else 400) if error else 200
    page = render_template("join.html", event=event, error=error, look_alike=look_alike, form=request.form)
    return page, status, {"Retry-After": str(retry_after)} if retry_after else {}
