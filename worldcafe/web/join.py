"""The public join page ``/j/<code>``: a name (and group) → the person's own link, remembered in a cookie."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for

from ..models import Event
from ..realtime import joins
from ..services.access import resolve
from ..services.errors import ServiceError
from ..services.events import get_event
from ..services.spec import split_interests
from .guards import check_join_budget
from .i18n import use_event_language
from .links import participant_cookie, remember_participant

bp = Blueprint("join", __name__)


# A refused join is answered with a redirect to the form (POST-redirect-GET), so Back and reload never ask to send the
# form again; what the person typed and why it was refused wait in the session for that one GET.
FAILED_JOIN = "failed_join"
# The join form's optional "tell others about you" fields.
PROFILE_FORM = ("organisation", "role", "offer", "seek", "interests", "email", "phone", "website")


@bp.route("/j/<code>", methods=["GET", "POST"])
def join(code: str) -> Any:
    """Show the join form; a browser that joined before goes straight back to its own page (no second record)."""
    event = get_event(code)
    use_event_language(event)
    token = request.cookies.get(participant_cookie(event.public_id))
    remembered = resolve(token, "participant")
    if token and remembered is not None and remembered.event.id == event.id:
        session.pop(FAILED_JOIN, None)
        return redirect(url_for("roles.participant", token=token))
    if request.method == "POST":
        return _submit(event)
    failed = session.pop(FAILED_JOIN, None)
    if not isinstance(failed, dict) or failed.get("event") != event.public_id:
        failed = {}
    error, look_alike, retry_after = failed.get("error"), bool(failed.get("look_alike")), failed.get("retry_after")
    status = int(failed.get("status", 200)) if error else 200
    form = failed.get("form", {})
    page = render_template("join.html", event=event, error=error, look_alike=look_alike, form=form,
                           profile_open=any(key in form for key in PROFILE_FORM))
    return page, status, {"Retry-After": str(retry_after), "Cache-Control": "no-store"} if retry_after else {
        "Cache-Control": "no-store"}


def _submit(event: Event) -> Any:
    """Join with the form's name and group; a refusal goes back to the form with the values and the reason."""
    form = {"name": request.form.get("name", ""), "group": request.form.get("group") or None}
    # The optional profile (blank fields are left out) and the two consents, off unless ticked.
    form.update({key: request.form.get(key, "").strip() for key in PROFILE_FORM if request.form.get(key, "").strip()})
    consents = {key: request.form.get(key) == "1" for key in ("listed", "share_contact")}
    data: dict[str, Any] = {**form, **consents}
    if "interests" in form:
        data["interests"] = split_interests(form["interests"])
    try:
        check_join_budget(event.public_id)
        person = joins.join(event, {**data, "confirm": request.form.get("confirm") == "1"})
    except ServiceError as exc:
        look_alike = exc.code == "possible_duplicate"
        retry_after = exc.details.get("retry_after") if exc.code == "rate_limited" else None
        session[FAILED_JOIN] = {
            "event": event.public_id,
            "error": exc.message,
            "look_alike": look_alike,
            "retry_after": retry_after,
            "status": 409 if look_alike else 429 if retry_after else 400,
            # What was typed, for the form again: without NUL (the session cookie cannot carry it), and bounded.
            "form": {**{key: value.replace("\x00", "")[:300] for key, value in form.items() if value},
                     **{key: "1" for key, given in consents.items() if given}},
        }
        return redirect(request.full_path if request.query_string else request.path, code=303)
    session.pop(FAILED_JOIN, None)
    response = make_response(redirect(url_for("roles.participant", token=person.token)))
    return remember_participant(response, event.public_id, person.token)
