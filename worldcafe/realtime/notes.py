"""Pad, voting and broadcast requests over Socket.IO — each acknowledged with ok or a clear error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..services import broadcasts, notes, votes
from ..services.access import Access
from ..services.errors import ServiceError
from ..services.live import Push
from .handlers import current_access, on_request, over_budget, refused
from .publish import publish

Service = Callable[[Access, Any], tuple[dict[str, Any], list[Push]]]


def _handle(service: Service, data: Any, limited: bool = True, key: str = "note") -> dict[str, Any]:
    """Authorise the socket, spend from its link's write budget, call the service, emit after commit, acknowledge."""
    access = current_access()
    if access is None:
        return refused("unauthorized", "Unknown or replaced link.")
    if limited and (refusal := over_budget("note")) is not None:
        return refusal
    try:
        view, pushes = service(access, data)
    except ServiceError as exc:
        ack = refused(exc.code, exc.message)
        if exc.code == "conflict" and isinstance(exc.details, dict):
            ack["current"] = exc.details
        return ack
    publish(pushes)
    return {"ok": True, key: view}


@on_request("add_note")
def on_add_note(data: Any = None) -> dict[str, Any]:
    """``{id, text, kind?, tags?}`` → ``{ok, note}``; the same id again is harmless."""
    return _handle(notes.add_note, data)


@on_request("edit_note")
def on_edit_note(data: Any = None) -> dict[str, Any]:
    """``{id, base_version, text?, kind?, starred?, tags?}`` → the new note, or a conflict with the current one."""
    return _handle(notes.edit_note, data)


@on_request("delete_note")
def on_delete_note(data: Any = None) -> dict[str, Any]:
    """``{id, base_version}`` → a tombstone."""
    return _handle(notes.delete_note, data)


@on_request("restore_note")
def on_restore_note(data: Any = None) -> dict[str, Any]:
    """``{id, base_version}`` → undo a delete."""
    return _handle(notes.restore_note, data)


@on_request("hide_note")
def on_hide_note(data: Any = None) -> dict[str, Any]:
    """Moderator: ``{id, hidden}``."""
    return _handle(notes.hide_note, data, limited=False)


def _withdraw_broadcast(access: Access, data: Any) -> tuple[dict[str, Any], list[Push]]:
    access.require("moderator")
    return broadcasts.withdraw(access.event, data)


@on_request("withdraw_broadcast")
def on_withdraw_broadcast(data: Any = None) -> dict[str, Any]:
    """Moderator: ``{id}`` → the message leaves every phone, pad and screen at once."""
    return _handle(_withdraw_broadcast, data, limited=False, key="broadcast")


@on_request("cast_vote")
def on_cast_vote(data: Any = None) -> dict[str, Any]:
    """Participant: ``{note_id}`` → one more dot on that insight; acks the updated ballot."""
    return _handle(votes.cast_vote, data, key="ballot")


@on_request("retract_vote")
def on_retract_vote(data: Any = None) -> dict[str, Any]:
    """Participant: ``{note_id}`` → take one dot back."""
    return _handle(votes.retract_vote, data, key="ballot")
