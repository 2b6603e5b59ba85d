"""The start page: create an event (with the admin password when one is set)."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services.access import find_link
from ..services.errors import ServiceError
from ..services.events import create_event

bp = Blueprint("home", __name__)


@bp.route("/", methods=["GET", "POST"])
def index() -> Any:
    """Create a new event and go to its moderator console."""
    needs_password = bool(current_app.config.get("ADMIN_PASSWORD"))
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if needs_password and not hmac.compare_digest(
            password.encode(), str(current_app.config["ADMIN_PASSWORD"]).encode()
        ):
            error = _("Wrong admin password.")
        else:
            try:
                event = create_event(
                    {"name": request.form.get("name", ""), "language": request.form.get("language", "de")}
                )
            except ServiceError as exc:
                error = exc.message
            else:
                link = find_link(event, "moderator")
                assert link is not None
                return redirect(url_for("moderator.console", token=link.token))
    status = 400 if error else 200
    return render_template("home.html", needs_password=needs_password, error=error, form=request.form), status


@bp.get("/healthz")
def healthz() -> Any:
    """Liveness for load balancers."""
    return {"ok": True}
