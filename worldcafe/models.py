"""Database models (SQLAlchemy 2.0, typed). Behaviour lives in services; these are the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .dbtypes import UTCDateTime
from .extensions import db


def utcnow() -> datetime:
    """Current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class Event(db.Model):
    """One World Café event; ``public_id`` is its join code."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="de")
    status: Mapped[str] = mapped_column(String(16), default="setup")
    joining_open: Mapped[bool] = mapped_column(default=True)
    # End a round by itself when its time is up (the moderator then starts the next one).
    auto_advance: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Participants may add notes from their phones (to their current table's pad).
    participant_notes: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Pads stay writable this long after a round ends (hosts finish their last notes), unless reopened.
    pad_grace_s: Mapped[int] = mapped_column(default=300, server_default="300")
    # Dot-voting in the harvest: how many votes each participant may give (0 = no voting).
    votes_per_person: Mapped[int] = mapped_column(default=3, server_default="3")
    pads_open_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The IANA time zone the event happens in ("Europe/Berlin"): exports show local times and name the zone.
    # None: the server's local zone (worldcafe.services.summary.event_zone).
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    # The moderator's edits of the harvest's themes, by term key (worldcafe.domain.summary.edits):
    # {"renamed": {key: label}, "merged": {key: into key}, "hidden": [key]}.
    theme_edits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The notes the phones vote on, in the moderator's order; None: every starred note and insight, as before.
    vote_shortlist: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    # Group names offered on the join page (e.g. ["Kanada", "OWL"]); empty = the event does not use groups.
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    current_round: Mapped[int | None] = mapped_column(default=None)
    # Quality figures of the published plan, as worldcafe.domain.rotation reported them.
    plan_metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Moderator messages still on show: [{id, text, target, sent_at, expires_at}] (ISO UTC); each leaves every device at
    # expires_at, when withdrawn, or when the next round starts. Late joiners get the ones still on show.
    broadcasts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    last_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the moderator closed the event; WORLDCAFE_RETENTION_DAYS counts from here.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Networking (DESIGN.md §8): the privacy notice the join page and phone page show next to the two consents
    # (who collects what, for how long); None: the built-in notice.
    privacy_notice: Mapped[str | None] = mapped_column(Text, default=None)
    # "Seat complementary people together": matched profile pairs become rotation `meet` requests.
    seat_complementary: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The moderator's own `meet` pairs and the matched pairs they dropped: [{"a": participant id, "b": id}], a < b.
    meet_added: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    meet_dropped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # The moderator shared the summary with the participants (their follow-up pack shows it).
    summary_shared: Mapped[bool] = mapped_column(default=False, server_default=false())

    topics: Mapped[list[Topic]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Topic.position"
    )
    tables: Mapped[list[CafeTable]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="CafeTable.number"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Participant.id"
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Round.number"
    )
    links: Mapped[list[AccessLink]] = relationship(back_populates="event", cascade="all, delete-orphan")


class Topic(db.Model):
    """A question the café works on; several tables may share one."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(16))

    event: Mapped[Event] = relationship(back_populates="topics")
    tables: Mapped[list[CafeTable]] = relationship(back_populates="topic", order_by="CafeTable.number")


class CafeTable(db.Model):
    """A physical table with a fixed host; ``checkin_code`` is printed on its card."""

    __tablename__ = "cafe_table"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="SET NULL"))
    capacity: Mapped[int] = mapped_column(default=5)
    host_name: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    checkin_code: Mapped[str] = mapped_column(String(32), unique=True)

    event: Mapped[Event] = relationship(back_populates="tables")
    topic: Mapped[Topic | None] = relationship(back_populates="tables")
    links: Mapped[list[AccessLink]] = relationship(back_populates="table", cascade="all, delete-orphan")


class Participant(db.Model):
    """A mover: someone who changes tables every round."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    group: Mapped[str | None] = mapped_column(String(100), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    # active | left | no_show
    status: Mapped[str] = mapped_column(String(16), default="active")
    # import | join | moderator | api
    source: Mapped[str] = mapped_column(String(16), default="moderator")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Profile (DESIGN.md §8), every field optional: what others may see when the person is `listed`.
    organisation: Mapped[str | None] = mapped_column(String(200), default=None)
    role: Mapped[str | None] = mapped_column(String(200), default=None)
    offer: Mapped[str | None] = mapped_column(String(500), default=None)
    seek: Mapped[str | None] = mapped_column(String(500), default=None)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # Contact data, shown only to connections and only with `share_contact` (email is above).
    phone: Mapped[str | None] = mapped_column(String(50), default=None)
    website: Mapped[str | None] = mapped_column(String(300), default=None)
    # The person's own consents, off by default, never set by the organiser's spec or import.
    listed: Mapped[bool] = mapped_column(default=False, server_default=false())
    share_contact: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set when the person erased themselves (DELETE /api/v1/me): profile and contacts gone, the name replaced.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    event: Mapped[Event] = relationship(back_populates="participants")
    links: Mapped[list[AccessLink]] = relationship(back_populates="participant", cascade="all, delete-orphan")


class Connection(db.Model):
    """A contact request between two participants of one event; ``connected`` once the other accepted (or asked too).

    One row per pair: ``requester`` asked first. Withdrawing or declining deletes the row.
    """

    __tablename__ = "connection"
    __table_args__ = (
        UniqueConstraint("requester_id", "addressee_id"),
        Index("ix_connection_addressee", "addressee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    addressee_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    # requested | connected
    status: Mapped[str] = mapped_column(String(16), default="requested")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Round(db.Model):
    """One round of conversation; times are absolute UTC so every device counts down alike."""

    __tablename__ = "round"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    minutes: Mapped[int] = mapped_column(default=20)
    # planned | running | paused | ended
    status: Mapped[str] = mapped_column(String(16), default="planned")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    paused_remaining_s: Mapped[float | None] = mapped_column(default=None)

    event: Mapped[Event] = relationship(back_populates="rounds")


class Seat(db.Model):
    """Where a participant sits in a round."""

    __tablename__ = "seat"
    __table_args__ = (UniqueConstraint("round_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("cafe_table.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Note(db.Model):
    """A note on a topic's pad; the client chooses the id so adding is idempotent."""

    __tablename__ = "note"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="SET NULL"), index=True)
    table_id: Mapped[int | None] = mapped_column(ForeignKey("cafe_table.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    round_number: Mapped[int | None] = mapped_column(default=None)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="idea")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    starred: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Vote(db.Model):
    """One dot a participant put on an insight during the harvest (several dots on one note are several rows)."""

    __tablename__ = "vote"
    __table_args__ = (Index("ix_vote_event_note", "event_id", "note_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    note_id: Mapped[str] = mapped_column(ForeignKey("note.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Photo(db.Model):
    """A photo of a tablecloth or sticky notes, for one table and round; the file lives in the instance folder."""

    __tablename__ = "photo"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int | None] = mapped_column(ForeignKey("cafe_table.id", ondelete="SET NULL"))
    round_number: Mapped[int | None] = mapped_column(default=None)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    caption: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccessLink(db.Model):
    """A secret link granting one role in one event (and one table or person where the role needs it)."""

    __tablename__ = "access_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # moderator | screen | host | participant | summary | helpdesk
    role: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int | None] = mapped_column(ForeignKey("cafe_table.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="links")
    table: Mapped[CafeTable | None] = relationship(back_populates="links")
    participant: Mapped[Participant | None] = relationship(back_populates="links")


class LogEntry(db.Model):
    """One state change in an event's log; ``seq`` is gap-free per event and replayed to reconnecting clients."""

    __tablename__ = "log_entry"
    __table_args__ = (
        UniqueConstraint("event_id", "seq"),
        Index("ix_log_entry_event_seq", "event_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(40))
    # The rooms the push went to (room names from worldcafe.realtime.rooms); replay filters by them.
    rooms: Mapped[list[str]] = mapped_column(JSON)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
