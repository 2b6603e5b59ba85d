"""The pages of the screen, the table hosts and the participants: each reached only through its secret link."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from ..services.views import me_view, public_view, table_view
from .auth import page_access
from .links import join_url, qr_svg

bp = Blueprint("roles", __name__)


@bp.get("/s/<token>")
def screen(token: str) -> Any:
    """The projector view."""
    access = page_access(token, "screen")
    url = join_url(access.event.public_id)
    return render_template(
        "screen.html",
        event=access.event,
        view=public_view(access.event),
        token=token,
        join_url=url,
        join_qr=qr_svg(url, scale=8),
    )


@bp.get("/h/<token>")
def host(token: str) -> Any:
    """A table host's page."""
    access = page_access(token, "host")
    assert access.table is not None
    return render_template("host.html", event=access.event, table=table_view(access.table), token=token)


@bp.get("/p/<token>")
def participant(token: str) -> Any:
    """A participant's phone page."""
    access = page_access(token, "participant")
    assert access.participant is not None
    return render_template("participant.html", event=access.event, me=me_view(access.participant), token=token)
