"""The harvest's shaping, for the moderator: themes (rename, merge, hide) and the vote shortlist."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from ...realtime.publish import publish
from ...services import harvest
from ..auth import api_access
from . import bp, json_body


@bp.get("/events/<code>/harvest")
def get_harvest(code: str) -> Any:
    """Themes per topic with the moderator's edits, hidden themes, the vote shortlist, candidates and votes."""
    access = api_access(code)
    access.require("moderator")
    return jsonify(harvest.harvest_view(access.event))


@bp.post("/events/<code>/themes/edits")
def edit_themes(code: str) -> Any:
    """Rename, merge, unmerge, hide or show one theme: ``{"action", "key", "label"?, "into"?}``."""
    access = api_access(code)
    access.require("moderator")
    view, pushes = harvest.edit_themes(access.event, json_body())
    publish(pushes)
    return jsonify(view)


@bp.put("/events/<code>/shortlist")
def set_shortlist(code: str) -> Any:
    """The notes the phones vote on: ``{"notes": [id, …]}``, or ``{"notes": null}`` for every starred note."""
    access = api_access(code)
    access.require("moderator")
    view, pushes = harvest.set_shortlist(access.event, json_body())
    publish(pushes)
    return jsonify(view)
