"""The organiser's networking calls (DESIGN.md §8): pairs to seat together, outcome counts, deleting an event."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from ...realtime.revocation import revoke
from ...services import matchmaking, retention
from ...services.outcomes import outcomes as outcome_counts
from ...services.spec import MeetPairSpec, parse
from ..auth import api_access
from . import bp, json_body


@bp.get("/events/<code>/matches")
def get_matches(code: str) -> Any:
    """The pairs to seat together: matched profiles with their reasons, and the moderator's own."""
    access = api_access(code)
    access.require("moderator")
    return jsonify(matchmaking.matches_view(access.event))


@bp.post("/events/<code>/matches")
def add_match(code: str) -> Any:
    """Ask for a pair by hand (or take back dropping a matched one): ``{"a": id, "b": id}``."""
    access = api_access(code)
    access.require("moderator")
    pair = parse(MeetPairSpec, json_body())
    matchmaking.add_pair(access.event, pair.a, pair.b)
    return jsonify(matchmaking.matches_view(access.event)), 201


@bp.delete("/events/<code>/matches/<int:a>/<int:b>")
def drop_match(code: str, a: int, b: int) -> Any:
    """Drop a pair: one added by hand goes, a matched one is no longer requested."""
    access = api_access(code)
    access.require("moderator")
    matchmaking.drop_pair(access.event, a, b)
    return "", 204


@bp.get("/events/<code>/outcomes")
def outcomes(code: str) -> Any:
    """Counts of what the day achieved, by group and pair of groups; never a name or contact."""
    access = api_access(code)
    access.require("moderator")
    return jsonify(outcome_counts(access.event))


@bp.delete("/events/<code>")
def delete_event(code: str) -> Any:
    """Delete the event and everything of it, photo files included; every link stops working."""
    access = api_access(code)
    access.require("moderator")
    deleted = retention.delete_event(access.event, current_app.instance_path)
    revoke(deleted.tokens)
    return "", 204
