"""Secret role links: issue, resolve, regenerate."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _

from ..extensions import db
from ..models import AccessLink, CafeTable, Event, Participant
from .errors import ServiceError

ROLES = ("moderator", "screen", "host", "participant", "summary", "helpdesk")
# 24 random bytes = 192 bits, URL-safe: well beyond the 128 bits the design asks for.
TOKEN_BYTES = 24
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Access:
    """Who a token speaks for."""

    role: str
    event: Event
    table: CafeTable | None = None
    participant: Participant | None = None

    def require(self, *roles: str) -> None:
        """Refuse unless the token's role is one of ``roles``."""
        if self.role not in roles:
            raise ServiceError("forbidden", _("This link does not allow that."))


def new_token() -> str:
    """A fresh unguessable token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def issue_link(
    role: str, event: Event, *, table: CafeTable | None = None, participant: Participant | None = None
) -> AccessLink:
    """Create a link for a role (the caller commits)."""
    link = AccessLink(token=new_token(), role=role, event=event, table=table, participant=participant)
    db.session.add(link)
    return link


def resolve(token: str | None, role: str | None = None) -> Access | None:
    """The access a token grants, or None for anything unknown, revoked or malformed."""
    if not token or not _TOKEN_SHAPE.match(token):
        return None
    # One query for the link with its event, table and person: every request and socket message resolves its token
    # (four lookups were a quarter of a host's note, measured).
    row = db.session.execute(
        db.select(AccessLink, Event, CafeTable, Participant)
        .join(Event, Event.id == AccessLink.event_id)
        .outerjoin(CafeTable, CafeTable.id == AccessLink.table_id)
        .outerjoin(Participant, Participant.id == AccessLink.participant_id)
        .where(AccessLink.token == token)
    ).first()
    if row is None:
        return None
    link, event, table, person = row
    if role is not None and link.role != role:
        return None
    return Access(role=link.role, event=event, table=table, participant=person)


def find_link(
    event: Event, role: str, *, table_id: int | None = None, participant_id: int | None = None
) -> AccessLink | None:
    """The current link of a role (per table or person where the role needs one)."""
    query = db.select(AccessLink).filter_by(
        event_id=event.id, role=role, table_id=table_id, participant_id=participant_id
    )
    return db.session.execute(query).scalars().first()


def regenerate_link(
    event: Event, role: str, *, table_number: int | None = None, participant_id: int | None = None
) -> tuple[AccessLink, str]:
    """Replace a link with a new token: the old one stops working at once; returns the link and the old token."""
    if role not in ROLES:
        raise ServiceError(
            "invalid", _("Unknown role '%(role)s'; use one of %(roles)s.", role=role, roles=", ".join(ROLES))
        )
    table_id = None
    if role == "host":
        table = next((t for t in event.tables if t.number == table_number), None)
        if table_number is None:
            raise ServiceError("invalid", _('Say which table: {"role": "host", "table": number}.'))
        if table is None:
            raise ServiceError("not_found", _("There is no table %(number)s in this event.", number=table_number))
        table_id = table.id
    if role == "participant":
        person = db.session.get(Participant, participant_id) if participant_id else None
        if person is None or person.event_id != event.id:
            raise ServiceError("not_found", _("There is no such participant in this event."))
    link = find_link(event, role, table_id=table_id, participant_id=participant_id if role == "participant" else None)
    if link is None:
        raise ServiceError("not_found", _("That link does not exist."))
    old_token, link.token = link.token, new_token()
    db.session.commit()
    return link, old_token
