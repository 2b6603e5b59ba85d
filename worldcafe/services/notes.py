"""Notes on the topics' pads: idempotent adds, versioned edits, tombstones, moderation, and photos."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from flask_babel import gettext as _
from sqlalchemy import Row

from ..domain import pad
from ..extensions import db
from ..files import private_dir
from ..models import CafeTable, Event, Note, Photo, Topic, utcnow
from ..realtime.rooms import event_room, moderators_room, screen_room, table_room, topic_room
from .access import Access
from .errors import ServiceError
from .live import Push, record
from .photo_limits import PhotoQuota, check_may_add, check_quota, discard, store_whole
from .reading import rows_in_chunks
from .spec import NoteAddSpec, NoteDeleteSpec, NoteEditSpec, NoteHideSpec, parse
from .views import find_seat, iso


def note_view(note: Note | Row[Any], table_number: int | None, topic_title: str | None) -> dict[str, Any]:
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


def _view(note: Note) -> dict[str, Any]:
    table = db.session.get(CafeTable, note.table_id) if note.table_id else None
    topic = db.session.get(Topic, note.topic_id) if note.topic_id else None
    return note_view(note, table.number if table else None, topic.title if topic else None)


def list_notes(access: Access, newest: int | None = None) -> list[dict[str, Any]]:
    """The notes a role may read: hosts their topic's, the screen what is not hidden, the moderator all; oldest
    first, only the ``newest`` ones if given. Read column by column and in chunks (an event has 10,000 notes)."""
    query = (
        db.select(Note.id, Note.version, Note.text, Note.kind, Note.tags, Note.starred, Note.hidden,
                  Note.round_number, Note.participant_id, Note.deleted_at, Note.created_at, Note.updated_at,
                  CafeTable.number, Topic.title)
        .outerjoin(CafeTable, Note.table_id == CafeTable.id)
        .outerjoin(Topic, Note.topic_id == Topic.id)
        .where(Note.event_id == access.event.id, Note.deleted_at.is_(None))
    )
    if access.role == "screen":
        query = query.where(Note.hidden.is_(False))
    if access.role == "host":
        assert access.table is not None
        if access.table.topic_id is not None:
            query = query.where(Note.topic_id == access.table.topic_id)
        else:
            query = query.where(Note.table_id == access.table.id)
    if access.role == "participant":
        assert access.participant is not None
        query = query.where(Note.participant_id == access.participant.id)
    if newest is not None:
        # The newest few, read newest first so the database stops early; sent oldest first like the rest.
        query = query.order_by(Note.created_at.desc(), Note.id.desc()).limit(newest)
        return [note_view(row, row.number, row.title) for row in reversed(db.session.execute(query).all())]
    return [note_view(row, row.number, row.title) for row in rows_in_chunks(query.order_by(Note.created_at))]


# Roles that see hidden notes (the moderator moderates, the pads keep them, flagged); every other role never gets
# a hidden note's text.
SEES_HIDDEN = ("moderator", "host")


def visible_replay(access: Access, pushes: list[Push]) -> list[Push]:
    """A replay as this role may see it now: a note hidden since it was pushed loses every push carrying its text
    (the text-less ``note_deleted`` of its hiding stays, so a client that showed it drops it)."""
    if access.role in SEES_HIDDEN:
        return pushes

    def shown_note(push: Push) -> Any:
        note = push.payload.get("note")
        return note.get("id") if isinstance(note, dict) and "text" in note else None

    ids = {note_id for note_id in map(shown_note, pushes) if note_id is not None}
    if not ids:
        return pushes
    hidden = set(db.session.execute(
        db.select(Note.id).where(Note.event_id == access.event.id, Note.id.in_(ids), Note.hidden.is_(True))
    ).scalars())
    return [push for push in pushes if shown_note(push) not in hidden]


def pad_rooms(note: Note) -> list[str]:
    """Where a note's changes go: its topic's pads (or its table's), and the moderators."""
    pads = topic_room(note.topic_id) if note.topic_id is not None else table_room(note.table_id or 0)
    return [pads, moderators_room(note.event_id)]


def _last_ended(event: Event) -> Any:
    ended = [r.ends_at for r in event.rounds if r.status == "ended" and r.ends_at is not None]
    return max(ended) if ended else None


def is_pad_open(event: Event) -> bool:
    """Whether hosts (and participants, where allowed) may write now."""
    # The rounds (a query on every note) are read only where the grace period after a round decides.
    last_ended = _last_ended(event) if event.status in ("moving", "harvest") else None
    return pad.pad_open(event.status, last_ended, event.pad_grace_s, event.pads_open_until, utcnow())


def _require_open(event: Event) -> None:
    if is_pad_open(event):
        return
    if not any(r.status != "planned" for r in event.rounds):
        raise ServiceError("pad_locked", _("The pad opens when the first round starts."))
    raise ServiceError("pad_locked", _("The pad is locked: the round is over. The moderator can reopen it."))


def _current_table(access: Access) -> CafeTable:
    """The table a writer adds to: the host's own, or the participant's seat in the current round."""
    if access.role == "host":
        assert access.table is not None
        return access.table
    event, person = access.event, access.participant
    assert person is not None
    if not event.participant_notes:
        raise ServiceError("forbidden", _("Notes from phones are not enabled for this event."))
    found = find_seat(person, event.current_round)
    if found is None:
        raise ServiceError("wrong_state", _("You have no table in this round."))
    return found[1]


def add_note(access: Access, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Add a note with the client's id; the same id again returns the note already stored (idempotent)."""
    access.require("host", "participant")
    spec = parse(NoteAddSpec, data)
    event = access.event
    existing = db.session.get(Note, spec.id)
    if existing is not None:
        if existing.event_id != event.id or not _may_edit(access, existing):
            raise ServiceError("conflict", _("That note id is taken."))
        return _view(existing), []
    _require_open(event)
    table = _current_table(access)
    note = Note(
        id=spec.id,
        event_id=event.id,
        topic_id=table.topic_id,
        table_id=table.id,
        participant_id=access.participant.id if access.participant else None,
        round_number=event.current_round,
        text=spec.text,
        kind=spec.kind,
        tags=list(spec.tags),
    )
    db.session.add(note)
    db.session.flush()
    view = _view(note)
    push = record(event, "note_added", {"note": view}, [*pad_rooms(note), screen_room(event.id)])
    db.session.commit()
    return view, [push]


def _may_edit(access: Access, note: Note) -> bool:
    if access.role == "moderator":
        return True
    if access.role == "host" and access.table is not None:
        if note.topic_id is not None:
            return note.topic_id == access.table.topic_id
        return note.table_id == access.table.id
    if access.role == "participant" and access.participant is not None:
        return note.participant_id == access.participant.id
    return False


def _editable(access: Access, note_id: str) -> Note:
    note = db.session.get(Note, note_id)
    if note is None or note.event_id != access.event.id or not _may_edit(access, note):
        raise ServiceError("not_found", _("There is no such note on your pad."))
    return note


def _conflict(note: Note) -> ServiceError:
    return ServiceError(
        "conflict", _("Someone changed this note meanwhile. Compare both versions and choose."), details=_view(note)
    )


def edit_note(access: Access, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Change text, kind, tags or star — only on top of the current version; a stale edit gets a conflict."""
    access.require("host", "participant", "moderator")
    spec = parse(NoteEditSpec, data)
    if spec.starred is not None and access.role == "participant":
        # A star puts a note up for the dot vote: the table's host and the moderator choose, not the note's author.
        raise ServiceError("forbidden", _("Only the table host or the moderator can star a note."))
    note = _at_version(access, spec.id, spec.base_version, deleted=False)
    for field in ("text", "kind", "starred", "tags"):
        value = getattr(spec, field)
        if value is not None:
            setattr(note, field, list(value) if field == "tags" else value)
    note.updated_at = utcnow()
    return _publish_change(access.event, note, "note_updated")


def _at_version(access: Access, note_id: str, base_version: int, deleted: bool | None = None) -> Note:
    """The note, checked: the caller may change it, its pad is open, and the edit is based on its current version."""
    note = _editable(access, note_id)
    if access.role != "moderator":
        _require_open(access.event)
    if deleted is False and note.deleted_at is not None:
        raise ServiceError("not_found", _("This note was deleted."))
    try:
        note.version = pad.check_base(note.version, base_version)
    except pad.StaleEdit:
        raise _conflict(note) from None
    return note


def _publish_change(event: Event, note: Note, name: str) -> tuple[dict[str, Any], list[Push]]:
    db.session.flush()
    view = _view(note)
    pushes = [record(event, name, {"note": view}, pad_rooms(note))]
    if not note.hidden:
        pushes.append(record(event, name, {"note": view}, [screen_room(event.id)]))
    db.session.commit()
    return view, pushes


def delete_note(access: Access, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Leave a tombstone (so every device removes it, and undo can bring it back)."""
    access.require("host", "participant", "moderator")
    spec = parse(NoteDeleteSpec, data)
    note = _at_version(access, spec.id, spec.base_version)
    note.deleted_at = note.updated_at = utcnow()
    return _publish_change(access.event, note, "note_deleted")


def restore_note(access: Access, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Undo a delete."""
    access.require("host", "participant", "moderator")
    spec = parse(NoteDeleteSpec, data)
    note = _at_version(access, spec.id, spec.base_version)
    note.deleted_at, note.updated_at = None, utcnow()
    return _publish_change(access.event, note, "note_updated")


def hide_note(access: Access, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Moderation: hide a note from the screen (and show it again) without deleting it."""
    access.require("moderator")
    spec = parse(NoteHideSpec, data)
    note = _editable(access, spec.id)
    if note.hidden == spec.hidden:
        return _view(note), []
    note.hidden, note.version, note.updated_at = spec.hidden, note.version + 1, utcnow()
    db.session.flush()
    view = _view(note)
    event = access.event
    pushes = [record(event, "note_updated", {"note": view}, pad_rooms(note))]
    # The screen never receives a hidden note's text: it is told to drop it, or gets it back when unhidden
    # (unless the note was deleted meanwhile).
    if spec.hidden or note.deleted_at is None:
        pushes.append(
            record(
                event,
                "note_deleted" if spec.hidden else "note_added",
                {"note": {"id": note.id, "version": note.version, "deleted": True}} if spec.hidden else {"note": view},
                [screen_room(event.id)],
            )
        )
    db.session.commit()
    return view, pushes


def reopen_pads(event: Event, minutes: int) -> list[Push]:
    """Let hosts write again for ``minutes`` after the grace period; 0 ends a reopening and the grace period (for the
    rest of the event), so pads lock as soon as no round is running."""
    if not 0 <= minutes <= 240:
        raise ServiceError("invalid", _("Reopen for 1 to 240 minutes, or send 0 to lock the pads once no round runs."))
    pushes = []
    if minutes:
        event.pads_open_until = utcnow() + timedelta(minutes=minutes)
    else:
        event.pads_open_until = None
        if event.pad_grace_s:
            event.pad_grace_s = 0
            pushes.append(record(event, "settings_changed", {"pad_grace_s": 0}, [event_room(event.id)]))
    pushes.append(record(
        event,
        "pads_changed",
        {"open": is_pad_open(event), "open_until": iso(event.pads_open_until)},
        [event_room(event.id)],
    ))
    db.session.commit()
    return pushes


# ---- photos -------------------------------------------------------------------------------------------

PHOTO_TYPES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", "png")}
MAX_PHOTO_BYTES = 10 * 1024 * 1024


def _sniff(head: bytes) -> tuple[str, str] | None:
    for magic, kind in PHOTO_TYPES.items():
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ("image/webp", "webp")
    return None


def photo_dir(instance_path: str, event: Event) -> Path:
    """Where an event's photos are stored."""
    return Path(instance_path) / "photos" / event.public_id


def upload_photo(
    access: Access, data: bytes, table_number: int | None, caption: str, instance_path: str, quota: PhotoQuota
) -> tuple[dict[str, Any], list[Push]]:
    """Store a photo for a table and the current round (hosts: their own table); type checked by its bytes, within
    the table's and the event's quota, never once the event is closed."""
    access.require("host", "moderator")
    check_may_add(access.event)
    if len(data) > MAX_PHOTO_BYTES:
        raise ServiceError("too_large", _("The photo is larger than 10 MB."))
    kind = _sniff(data[:16])
    if kind is None:
        raise ServiceError("invalid", _("Only JPEG, PNG or WebP photos, please."))
    event = access.event
    if access.role == "host":
        table = access.table
    else:
        table = next((t for t in event.tables if t.number == table_number), None) if table_number else None
        if table_number and table is None:
            raise ServiceError("not_found", _("There is no table %(number)s in this event.", number=table_number))
    check_quota(event, table, len(data), quota)
    photo = Photo(
        id=str(uuid4()),
        event_id=event.id,
        table_id=table.id if table else None,
        round_number=event.current_round,
        content_type=kind[0],
        size=len(data),
        caption=caption[:200],
    )
    # Readable by the server's user only, like the database (worldcafe.files).
    path = private_dir(photo_dir(instance_path, event)) / f"{photo.id}.{kind[1]}"
    store_whole(path, data)
    try:
        db.session.add(photo)
        db.session.flush()
        view = photo_view(photo, table.number if table else None)
        push = record(event, "photo_added", {"photo": view}, [moderators_room(event.id)])
        db.session.commit()
    except BaseException:
        discard(path)  # no file without its row
        raise
    return view, [push]


def photo_view(photo: Photo, table_number: int | None) -> dict[str, Any]:
    """A photo's metadata."""
    return {
        "id": photo.id,
        "table": table_number,
        "round": photo.round_number,
        "content_type": photo.content_type,
        "size": photo.size,
        "caption": photo.caption,
        "created_at": iso(photo.created_at),
    }


def list_photos(access: Access) -> list[dict[str, Any]]:
    """Photos: all for the moderator, the own table's for a host."""
    access.require("moderator", "host", "summary")
    query = (
        db.select(Photo, CafeTable.number)
        .outerjoin(CafeTable, Photo.table_id == CafeTable.id)
        .where(Photo.event_id == access.event.id)
        .order_by(Photo.created_at)
    )
    if access.role == "host":
        assert access.table is not None
        query = query.where(Photo.table_id == access.table.id)
    return [photo_view(photo, number) for photo, number in db.session.execute(query)]


def photo_file(access: Access, photo_id: str, instance_path: str) -> tuple[Path, str]:
    """The stored file of a photo the caller may see."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.event_id != access.event.id:
        raise ServiceError("not_found", _("There is no such photo."))
    if access.role == "host" and (access.table is None or photo.table_id != access.table.id):
        raise ServiceError("not_found", _("There is no such photo."))
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[photo.content_type]
    return photo_dir(instance_path, access.event) / f"{photo.id}.{ext}", photo.content_type
