"""Socket.IO room names: the one place they are spelled."""

from __future__ import annotations


def event_room(event_id: int) -> str:
    """Everyone connected to the event."""
    return f"event:{event_id}"


def moderators_room(event_id: int) -> str:
    """The event's moderators."""
    return f"moderators:{event_id}"


def screen_room(event_id: int) -> str:
    """The event's projector screens."""
    return f"screen:{event_id}"


def table_room(table_id: int) -> str:
    """The host devices of one table."""
    return f"table:{table_id}"


def topic_room(topic_id: int) -> str:
    """Every pad of one topic (its tables' hosts)."""
    return f"topic:{topic_id}"


def person_room(participant_id: int) -> str:
    """One participant's devices."""
    return f"person:{participant_id}"
