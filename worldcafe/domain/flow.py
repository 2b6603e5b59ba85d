"""The event's state machine: which control action fits which state, and where it leads."""

from __future__ import annotations

from dataclasses import dataclass

ACTIONS = (
    "start_round",
    "pause",
    "resume",
    "extend",
    "end_round",
    "reopen_round",
    "cancel_round",
    "start_harvest",
    "close",
)

# setup → ready (plan published) → running ⇄ paused → moving (between rounds) → running … → harvest → closed
STATES = ("setup", "ready", "running", "paused", "moving", "harvest", "closed")


class FlowError(ValueError):
    """An action that does not fit the event's state: API ``code``, a ``reason`` key and its parameters."""

    def __init__(self, code: str, reason: str, **params: int | str | None) -> None:
        super().__init__(f"{reason} {params}" if params else reason)
        self.code = code
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class Step:
    """What an action does: the new event state and the round it acts on."""

    action: str
    state: str
    round_number: int | None


def step(state: str, action: str, current: int | None, total_rounds: int, last_ended: int | None = None) -> Step:
    """The transition for ``action`` in ``state``; ``current`` is the round running/paused or last played."""
    if action not in ACTIONS:
        raise FlowError("invalid", "unknown_action", action=action)
    if state == "closed":
        raise FlowError("wrong_state", "closed")
    if action == "close":
        return Step(action, "closed", current)
    if action == "start_round":
        if state in ("running", "paused"):
            raise FlowError("wrong_state", "round_going", round=current)
        if state == "harvest":
            raise FlowError("wrong_state", "harvest_started")
        number = (current or 0) + 1
        if number > total_rounds:
            raise FlowError("wrong_state", "all_played", total=total_rounds)
        return Step(action, "running", number)
    if action in ("pause", "extend") and state in ("running", "paused"):
        if action == "pause" and state == "paused":
            raise FlowError("wrong_state", "already_paused", round=current)
        return Step(action, "paused" if action == "pause" else state, current)
    if action == "resume":
        if state != "paused":
            raise FlowError("wrong_state", "none_paused")
        return Step(action, "running", current)
    if action in ("end_round", "cancel_round"):
        if state not in ("running", "paused"):
            raise FlowError("wrong_state", "none_running")
        return Step(
            action, "moving" if action == "end_round" else ("moving" if (current or 1) > 1 else "ready"), current
        )
    if action == "reopen_round":
        if state != "moving" or last_ended is None:
            raise FlowError("wrong_state", "nothing_to_reopen")
        return Step(action, "running", last_ended)
    if action == "start_harvest":
        if state in ("running", "paused"):
            raise FlowError("wrong_state", "round_going", round=current)
        if state == "harvest":
            raise FlowError("wrong_state", "harvest_already")
        return Step(action, "harvest", current)
    raise FlowError("wrong_state", "not_now", action=action, state=state)
