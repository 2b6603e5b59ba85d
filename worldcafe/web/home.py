"""The start page: create an event (from another machine with the admin password)."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import text

from ..extensions import db
from ..services.access import find_link
from ..services.errors import ServiceError, is_database_outage
from ..services.events import create_event
from .guards import admin_password_given, check_may_create, creating_closed, password_needed

bp = Blueprint("home", __name__)


@bp.route("/", methods=["GET", "POST"])
def index() -> Any:
    """Create a new event and go to its moderator console."""
    error, status, retry_after = None, 200, None
    if request.method == "POST":
        try:
            check_may_create(admin_password_given(), _("Wrong admin password."))
            event = create_event({"name": request.form.get("name", ""), "language": request.form.get("language", "de")})
        except ServiceError as exc:
            error, status = exc.message, (exc.status if exc.code in ("rate_limited", "forbidden") else 400)
            retry_after = exc.details.get("retry_after") if isinstance(exc.details, dict) else None
        else:
            link = find_link(event, "moderator")
            assert link is not None
            return redirect(url_for("moderator.console", token=link.token))
    page = render_template(
        "home.html", needs_password=password_needed(), closed=creating_closed(), error=error, form=request.form
    )
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return page, status, headers


# /healthz asks the database at most once a second, so a probe polling it (load balancer, the benchmarks' lag
# probe) measures the server rather than the connection pool.
HEALTH_CHECK_INTERVAL_S = 1.0


def _database_reachable() -> bool:
    """Whether ``SELECT 1`` works, remembered per app for HEALTH_CHECK_INTERVAL_S."""
    last = current_app.extensions.setdefault("worldcafe.database_check", {"at": float("-inf"), "ok": True})
    now = time.monotonic()
    if now - last["at"] < HEALTH_CHECK_INTERVAL_S:
        return bool(last["ok"])
    last["at"] = now  # probes arriving while this one waits use the last answer
    try:
        db.session.execute(text("SELECT 1"))
        last["ok"] = True
    except Exception as exc:
        if not is_database_outage(exc):
            raise
        last["ok"] = False
    last["at"] = time.monotonic()
    return bool(last["ok"])


@bp.get("/healthz")
def healthz() -> Any:
    """Liveness and database reachability for load balancers: 503 while the database is down."""
    if _database_reachable():
        return {"ok": True, "database": "ok"}
    return {"ok": False, "database": "unreachable"}, 503
