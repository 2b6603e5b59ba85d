"""The pages of the screen, the table hosts and the participants: each reached only through its secret link."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, make_response, render_template, request

from ..realtime.publish import publish
from ..services.access import resolve
from ..services.checkin import check_in, table_by_code
from ..services.errors import ServiceError
from ..services.views import me_view, public_view, table_view
from .auth import page_access, send_photo
from .i18n import js_strings, use_event_language
from .i18n_networking import PHONE_KEYS
from .links import join_url, participant_cookie, qr_svg, remember_participant

bp = Blueprint("roles", __name__)


@bp.get("/s/<token>")
def screen(token: str) -> Any:
    """The projector view."""
    access = page_access(token, "screen")
    url = join_url(access.event.public_id)
    # The address without its scheme (browsers add it), in parts that may wrap after "/", "." or ":"; the code after it.
    base = re.sub(r"^https?://", "", url[: -len(access.event.public_id)])
    return render_template(
        "screen.html",
        event=access.event,
        view=public_view(access.event),
        token=token,
        join_url=url,
        join_base=re.split(r"(?<=[/.:])", base),
        join_qr=qr_svg(url, scale=8),
    )


@bp.get("/h/<token>")
def host(token: str) -> Any:
    """A table host's page."""
    access = page_access(token, "host")
    assert access.table is not None
    return render_template("host.html", event=access.event, table=table_view(access.table), token=token)


@bp.get("/h/sw.js")
def host_service_worker() -> Any:
    """The pad's service worker, served under /h/ so that its scope is the host pages and nothing else."""
    response = current_app.send_static_file("js/host_sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    return response


@bp.get("/h/<token>/photos/<photo_id>")
def host_photo(token: str, photo_id: str) -> Any:
    """A photo of the host's own table."""
    return send_photo(page_access(token, "host"), photo_id)


@bp.get("/p/<token>")
def participant(token: str) -> Any:
    """A participant's phone page; remembered in a cookie so scanning a table card can check the person in."""
    access = page_access(token, "participant")
    assert access.participant is not None
    response = make_response(render_template(
        "participant.html", event=access.event, me=me_view(access.participant), token=token,
        js_strings=js_strings(PHONE_KEYS),
    ))
    return remember_participant(response, access.event.public_id, token)


@bp.get("/t/<code>")
def checkin(code: str) -> Any:
    """A table card's QR: check the scanning participant in, or tell them kindly where their table is."""
    table = table_by_code(code)
    use_event_language(table.event)
    token = request.cookies.get(participant_cookie(table.event.public_id))
    access = resolve(token, "participant")
    if access is None or access.participant is None:
        return render_template(
            "checkin.html", event=table.event, result=None, token=None, join_url=join_url(table.event.public_id)
        ), 200
    try:
        result, pushes = check_in(access.participant, table)
    except ServiceError as exc:
        return render_template("checkin.html", event=table.event, result=None, error=exc.message, token=token), 200
    publish(pushes)
    return render_template("checkin.html", event=table.event, result=result, token=token)


# The phone page's downloads (vCards, my data, the shared summary) live in their own module, on this blueprint.
from . import phone as _phone  # noqa: E402, F401
