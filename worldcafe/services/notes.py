"""Notes on the topics' pads."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import CafeTable, Note, Topic
from .access import Access
from .views import iso


def note_view(note: Note, table_number: int | None, topic_title: str | None) -> dict[str, Any]:
    """A note as clients receive it (text is plain text; clients never render it as markup)."""
    return {
        "id": note.id,
        "version": note.version,
        "text": note.text,
        "kind": note.kind,
        "tags": list(note.tags),
        "starred": note.starred,
        "hidden": note.hidden,
        "table": table_number,
        "topic": topic_title,
        "round": note.round_number,
        "by_participant": note.participant_id is not None,
        "deleted": note.deleted_at is not None,
        "created_at": iso(note.created_at),
        "updated_at": iso(note.updated_at),
    }


def list_notes(access: Access) -> list[dict[str, Any]]:
    """The notes a role may read: hosts their topic's, the screen what is not hidden, the moderator all."""
    query = (
        db.select(Note, CafeTable.number, Topic.title)
        .outerjoin(CafeTable, Note.table_id == CafeTable.id)
        .outerjoin(Topic, Note.topic_id == Topic.id)
        .where(Note.event_id == access.event.id, Note.deleted_at.is_(None))
        .order_by(Note.created_at)
    )
    if access.role == "screen":
        query = query.where(Note.hidden.is_(False))
    if access.role == "host":
        assert access.table is not None
        if access.table.topic_id is not None:
            query = query.where(Note.topic_id == access.table.topic_id)
        else:
            query = query.where(Note.table_id == access.table.id)
    return [note_view(note, number, title) for note, number, title in db.session.execute(query)]
