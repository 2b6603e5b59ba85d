"""Schemas of the event spec and participant payloads: validation at the edge, one clear message per mistake."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from ..domain.flow import ACTIONS
from ..domain.palette import PALETTE
from .access import ROLES
from .errors import ServiceError
from .payloads import field_path

# PostgreSQL can't store a NUL in text (SQLite can): refused in every text field, so both databases answer alike.
NO_NUL = r"^[^\x00]*$"


def _text(max_length: int, min_length: int = 0) -> Any:
    """A trimmed text of bounded length without NUL characters."""
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=NO_NUL)
    ]


Name = _text(200, min_length=1)
Text = _text(2000)
Tag = _text(40, min_length=1)
HostName = _text(200)
GroupName = _text(100)
Email = _text(320)
PrivacyNotice = _text(2000)
# Profile fields (DESIGN.md §8): what a person tells others about themselves.
ShortProfile = _text(200)
LongProfile = _text(500)
Interest = _text(50, min_length=1)
Phone = _text(50)
Website = _text(300)
MAX_INTERESTS = 20
SchemaT = TypeVar("SchemaT", bound=BaseModel)
# An event offers at most this many groups, whether set up by the moderator or brought by the people added.
MAX_GROUPS = 20
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A phone number as people write it: digits with +, spaces, brackets, dots, slashes or dashes; 5 to 20 digits.
_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]*$")
# A web address: a host name with a dot, optionally https:// or http:// before it, no spaces.
_WEBSITE = re.compile(r"^(https?://)?[A-Za-z0-9\u00c0-\uffff-]+(\.[A-Za-z0-9\u00c0-\uffff-]+)+(:[0-9]{1,5})?([/?#]\S*)?$")


def email_address(value: str | None) -> str | None:
    """An email address that looks like one, or None for a blank; anything else is refused."""
    if value and not _EMAIL.match(value):
        raise ValueError(_("“%(value)s” is not an email address (it looks like name@example.org)", value=value))
    return value or None


def split_interests(text: str) -> list[str]:
    """Interests typed in one cell or field: separated by ``;`` or ``,``, blanks dropped, duplicates once."""
    seen: dict[str, str] = {}
    for part in re.split(r"[;,]", text):
        tag = part.strip()
        if tag and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return list(seen.values())


def _time_zone(value: str | None) -> str | None:
    """An IANA time zone this machine knows ("Europe/Berlin"), for the times in the exports."""
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(_("unknown time zone '%(zone)s'; use a name such as Europe/Berlin", zone=value)) from None
    return value


TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_time_zone)]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RoundSpec(_Schema):
    """One round and its length."""

    minutes: int = Field(ge=1, le=240)


class TopicSpec(_Schema):
    """A topic with its question and colour; ``id`` (from the event's view) names the topic a change updates."""

    id: int | None = Field(default=None, ge=1)
    title: Name
    question: Text = ""
    # The enum only tells the published API document (GET /api/v1/openapi.json); the validator below checks.
    colour: str | None = Field(default=None, json_schema_extra={"enum": [*PALETTE, None]})

    @field_validator("colour")
    @classmethod
    def _known_colour(cls, value: str | None) -> str | None:
        if value is not None and value not in PALETTE:
            raise ValueError(
                _(
                    "unknown colour '%(colour)s'; use one of %(colours)s",
                    colour=value,
                    colours=", ".join(PALETTE),
                )
            )
        return value


class TableSpec(_Schema):
    """A table: its number, topic (title or 1-based position), capacity of movers and host."""

    number: int = Field(ge=1, le=9999)
    topic: str | int | None = None
    capacity: int = Field(default=5, ge=1, le=100)
    host: HostName = ""
    tags: list[Tag] = Field(default_factory=list, max_length=20)


class _PersonSchema(_Schema):
    """What adding and correcting a person share: a blank group or email is none, an email must look like one."""

    group: GroupName | None = None
    email: Email | None = None

    @field_validator("group", "email")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        return email_address(value)


class _ProfileSchema(_Schema):
    """The optional profile (DESIGN.md §8): blank texts are none, a phone and a website must look like one.

    The two consents (``listed``, ``share_contact``) are not here: they are the person's own, never the organiser's."""

    organisation: ShortProfile | None = None
    role: ShortProfile | None = None
    offer: LongProfile | None = None
    seek: LongProfile | None = None
    interests: list[Interest] | None = Field(default=None, max_length=MAX_INTERESTS)
    phone: Phone | None = None
    website: Website | None = None

    @field_validator("organisation", "role", "offer", "seek", "phone", "website")
    @classmethod
    def _blank_profile_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str | None) -> str | None:
        digits = sum(c.isdigit() for c in value or "")
        if value is not None and (not _PHONE.match(value) or not 5 <= digits <= 20):
            raise ValueError(_("“%(value)s” is not a phone number (it looks like +49 5251 123456)", value=value))
        return value

    @field_validator("website")
    @classmethod
    def _website_shape(cls, value: str | None) -> str | None:
        if value is not None and not _WEBSITE.match(value):
            raise ValueError(_("“%(value)s” is not a web address (it looks like example.org)", value=value))
        if value is not None and not value.lower().startswith(("http://", "https://")):
            value = "https://" + value
        return value

    @field_validator("interests")
    @classmethod
    def _interests_once(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        seen: dict[str, str] = {}
        for tag in value:
            seen.setdefault(tag.casefold(), tag)
        return list(seen.values())

    def profile(self) -> dict[str, Any]:
        """The profile fields that were sent, as they are stored (interests as a list)."""
        sent = self.model_fields_set & PROFILE_FIELDS
        return {key: (list(getattr(self, key) or []) if key == "interests" else getattr(self, key)) for key in sent}

    def profile_row(self) -> dict[str, Any]:
        """Every profile field as a new person's row stores it (a bulk insert needs the same keys in every row)."""
        return {key: (list(self.interests or []) if key == "interests" else getattr(self, key))
                for key in sorted(PROFILE_FIELDS)}


PROFILE_FIELDS = frozenset({"organisation", "role", "offer", "seek", "interests", "phone", "website"})


class ParticipantSpec(_PersonSchema, _ProfileSchema):
    """A person to add (with an optional profile; the consents are the person's own and refused here)."""

    name: Name
    needs: list[Tag] = Field(default_factory=list, max_length=20)


class SetupSpec(_Schema):
    """Everything the moderator sets up: the event, its rounds, topics and tables."""

    name: Name
    language: Literal["de", "en"] = "de"
    groups: list[Annotated[GroupName, StringConstraints(min_length=1)]] = Field(
        default_factory=list, max_length=MAX_GROUPS
    )
    joining_open: bool = True
    rounds: list[RoundSpec] = Field(default_factory=lambda: [RoundSpec(minutes=20)] * 3, min_length=1, max_length=20)
    topics: list[TopicSpec] = Field(default_factory=list, max_length=100)
    tables: list[TableSpec] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _consistent(self) -> SetupSpec:
        titles = [t.title.casefold() for t in self.topics]
        for i, title in enumerate(titles):
            if title in titles[:i]:
                raise ValueError(_("topic '%(title)s' appears twice", title=self.topics[i].title))
        seen: set[int] = set()
        for table in self.tables:
            if table.number in seen:
                raise ValueError(_("table number %(number)s appears twice", number=table.number))
            seen.add(table.number)
            self.topic_index(table.topic)
        if len(set(g.casefold() for g in self.groups)) != len(self.groups):
            raise ValueError(_("a group name appears twice"))
        return self

    def topic_index(self, ref: str | int | None) -> int | None:
        """The 0-based position of the topic a table refers to (by title or 1-based number)."""
        if ref is None:
            return None
        if isinstance(ref, int):
            if not 1 <= ref <= len(self.topics):
                raise ValueError(
                    _(
                        "topic number %(number)s does not exist (there are %(count)s topics)",
                        number=ref,
                        count=len(self.topics),
                    )
                )
            return ref - 1
        for i, topic in enumerate(self.topics):
            if topic.title.casefold() == ref.strip().casefold():
                return i
        raise ValueError(_("table refers to unknown topic '%(topic)s'", topic=ref))


class EventSpec(SetupSpec):
    """A whole new event, participants included."""

    participants: list[ParticipantSpec] = Field(default_factory=list, max_length=5000)
    # The exports' times are local to it; None: the server's own zone.
    timezone: TimeZone | None = None


class WalkInSpec(_ProfileSchema):
    """A walk-in the help desk adds: what the join page asks, without the consents (those are the person's own,
    given on their phone)."""

    name: Name
    group: GroupName | None = None
    confirm: bool = False
    email: Email | None = None

    @field_validator("email")
    @classmethod
    def _join_email(cls, value: str | None) -> str | None:
        return email_address(value)


class JoinSpec(WalkInSpec):
    """What a person types on the join page; ``confirm`` joins even when someone with a similar name is there. The
    profile and both consents are optional; the consents are off unless ticked."""

    listed: bool = False
    share_contact: bool = False


class MePatchSpec(_ProfileSchema):
    """A person's change to their own profile and consents: only the fields sent change (null or "" clears)."""

    email: Email | None = None
    listed: bool | None = None
    share_contact: bool | None = None

    @field_validator("email")
    @classmethod
    def _own_email(cls, value: str | None) -> str | None:
        return email_address(value)

    @model_validator(mode="after")
    def _consents_not_null(self) -> MePatchSpec:
        for key in ("listed", "share_contact"):
            if key in self.model_fields_set and getattr(self, key) is None:
                raise ValueError(_("%(field)s must be true or false", field=key))
        return self


class ConnectSpec(_Schema):
    """Ask someone for a connection (or accept theirs)."""

    participant: int = Field(ge=1)


class ParticipantPatchSpec(_PersonSchema):
    """A correction to one person: only the fields sent change (``group``/``email`` null clears them)."""

    name: Name | None = None
    needs: list[Tag] | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _name_not_null(self) -> ParticipantPatchSpec:
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError(_("the name must not be empty"))
        return self


class MergeSpec(_Schema):
    """Two records of one person: ``keep`` stays, ``drop`` is merged into it."""

    keep: int = Field(ge=1)
    drop: int = Field(ge=1)


class SettingsSpec(_Schema):
    """Small toggles the moderator flips during setup or the event."""

    joining_open: bool | None = None
    auto_advance: bool | None = None
    participant_notes: bool | None = None
    pad_grace_s: int | None = Field(default=None, ge=0, le=3600)
    votes_per_person: int | None = Field(default=None, ge=0, le=20)
    timezone: TimeZone | None = None
    # Networking (DESIGN.md §8): the join page's privacy notice ("" brings back the built-in one), matched profiles
    # seated together, the summary shared with the participants' follow-up pack.
    privacy_notice: PrivacyNotice | None = None
    seat_complementary: bool | None = None
    summary_shared: bool | None = None


class MeetPairSpec(_Schema):
    """Two participants the plan should seat together (ids from the event's participant list)."""

    a: int = Field(ge=1, le=2**31 - 1)
    b: int = Field(ge=1, le=2**31 - 1)


class ControlSpec(_Schema):
    """A control action for the rounds (see worldcafe.domain.flow)."""

    # The enum only tells the published API document; the validator gives the translated refusal.
    action: str = Field(json_schema_extra={"enum": list(ACTIONS)})
    seconds: int | None = Field(default=None, ge=-3600, le=3600)

    @field_validator("action")
    @classmethod
    def _known_action(cls, value: str) -> str:
        if value not in ACTIONS:
            raise ValueError(_("unknown action '%(action)s'; use one of %(actions)s", action=value,
                               actions=", ".join(ACTIONS)))
        return value

    @model_validator(mode="after")
    def _extend_needs_seconds(self) -> ControlSpec:
        if self.action == "extend" and not self.seconds:
            raise ValueError(_("extend needs 'seconds' (not 0)"))
        return self


class CapacitySpec(_Schema):
    """Room for walk-ins: ``seats_per_table`` more seats at every table and/or ``tables`` new tables."""

    seats_per_table: int = Field(default=0, ge=0, le=20)
    tables: int = Field(default=0, ge=0, le=20)


class RegenerateSpec(_Schema):
    """Which link to replace: a role, with the table number of a host or the id of a participant."""

    # regenerate_link refuses an unknown role with its own translated message; the enum tells the API document.
    role: str = Field(json_schema_extra={"enum": list(ROLES)})
    table: int | None = None
    participant: int | None = None


class PadsSpec(_Schema):
    """Reopen every pad for ``minutes`` (0 ends a reopening)."""

    minutes: int = Field(ge=0, le=240)


class ShareSpec(_Schema):
    """The read-only summary link on or off."""

    enabled: bool


NoteId = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F-]{32,36}$")]
NoteText = _text(2000, min_length=1)
Kind = Literal["idea", "question", "insight", "quote"]


class NoteAddSpec(_Schema):
    """A new note; the client chooses the id (a UUID) so that sending it twice is harmless."""

    id: NoteId
    text: NoteText
    kind: Kind = "idea"
    tags: list[Tag] = Field(default_factory=list, max_length=10)


class NoteEditSpec(_Schema):
    """A change made on top of ``base_version``."""

    id: NoteId
    base_version: int = Field(ge=1)
    text: NoteText | None = None
    kind: Kind | None = None
    starred: bool | None = None
    tags: list[Tag] | None = Field(default=None, max_length=10)


class NoteDeleteSpec(_Schema):
    """Delete (or restore) a note at ``base_version``."""

    id: NoteId
    base_version: int = Field(ge=1)


class NoteHideSpec(_Schema):
    """Moderation: hide a note from the screen, or show it again."""

    id: NoteId
    hidden: bool


ThemeKey = _text(100, min_length=1)
ThemeLabel = _text(80)


class ThemeEditSpec(_Schema):
    """One edit of the harvest's themes, by the theme's key (its base form, lower case: "programm")."""

    action: Literal["rename", "merge", "unmerge", "hide", "show"]
    key: ThemeKey
    label: ThemeLabel | None = None
    into: ThemeKey | None = None


class ShortlistSpec(_Schema):
    """The notes the phones vote on, in order; ``null`` goes back to every starred note and insight."""

    notes: list[NoteId] | None = Field(max_length=50)


class VoteSpec(_Schema):
    """One dot on one insight."""

    note_id: NoteId


class StatusSpec(_Schema):
    """A participant's presence."""

    status: Literal["active", "left", "no_show"]


class BroadcastSpec(_Schema):
    """A message from the moderator to everyone or only the screen."""

    text: Annotated[Text, StringConstraints(min_length=1, max_length=280)]
    target: Literal["all", "screen"] = "all"
    # How long it stays on phones, pads and the screen: 5 minutes unless the moderator says otherwise (max 4 hours).
    seconds: int = Field(default=300, ge=5, le=14400)


class BroadcastWithdrawSpec(_Schema):
    """Take a message off every device."""

    id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8,32}$")]


def _message(err: Any) -> str:
    """A plain-language message for pydantic's most common error types."""
    kind, ctx = err["type"], err.get("ctx") or {}
    plain = {
        "missing": _("is required"),
        "extra_forbidden": _("is not a known field"),
        "int_type": _("must be a whole number"),
        "int_parsing": _("must be a whole number"),
        "int_from_float": _("must be a whole number"),
        "string_type": _("must be text"),
        "bool_type": _("must be true or false"),
        "bool_parsing": _("must be true or false"),
        "list_type": _("must be a list"),
        "dict_type": _("must be an object"),
        "model_type": _("must be an object"),
    }
    if kind in plain:
        return plain[kind]
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_NUL:
        return _("must not contain NUL characters")
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("must not be empty")
        return _("needs at least %(n)s characters", n=ctx["min_length"])
    if kind == "string_too_long":
        return _("must be at most %(n)s characters", n=ctx["max_length"])
    if kind == "greater_than_equal":
        return _("must be at least %(n)s", n=ctx["ge"])
    if kind == "less_than_equal":
        return _("must be at most %(n)s", n=ctx["le"])
    if kind == "too_short":
        return _("needs at least %(n)s item(s)", n=ctx["min_length"])
    if kind == "too_long":
        return _("allows at most %(n)s items", n=ctx["max_length"])
    return str(err["msg"]).removeprefix("Value error, ")


def whole_number(raw: str, field: str) -> int:
    """A form or query field's whole number: ASCII digits only (``int()`` also takes ``٣`` and fails on ``²``), at
    most 9 of them; anything else is refused naming the field."""
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        raise ServiceError("invalid", _("%(field)s: must be a whole number (digits 0-9)", field=field))
    return int(raw)


def plain_text(raw: str, field: str, max_length: int) -> str:
    """A form field's free text, trimmed and cut to ``max_length``; a NUL is refused as in every schema."""
    if "\x00" in raw:
        raise ServiceError("invalid", f"{field}: " + _("must not contain NUL characters"))
    return raw.strip()[:max_length]


def with_groups(groups: list[str], names: Iterable[str | None]) -> list[str]:
    """The event's groups with the new ones among ``names`` added (compared ignoring case); refused beyond
    MAX_GROUPS, however the people came (spec, list, import or correction)."""
    merged = list(groups)
    known = {group.casefold() for group in merged}
    for name in names:
        if not name or name.casefold() in known:
            continue
        if len(merged) >= MAX_GROUPS:
            raise ServiceError(
                "invalid",
                _(
                    "An event has at most %(n)s groups; '%(group)s' would be one more. Use one of: %(groups)s.",
                    n=MAX_GROUPS,
                    group=name,
                    groups=", ".join(merged),
                ),
            )
        known.add(name.casefold())
        merged.append(name)
    return merged


def parse(schema: type[SchemaT], data: Any) -> SchemaT:
    """Validate ``data`` or raise ``ServiceError('invalid')`` listing every problem with its place.

    The message is a sentence for people ("Name is empty: please fill it in."); each detail keeps the machine
    ``field`` path and the short ``message`` and adds the field's ``label`` and that ``sentence``."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            label = field_label(loc, event_name=schema in (SetupSpec, EventSpec), text=_text_label(schema))
            problems.append(
                {"field": field_path(loc), "message": _message(err), "label": label, "sentence": _sentence(err, label)}
            )
        summary = problems[0]["sentence"]
        if len(problems) > 1:
            summary += " " + _("(and %(n)s more)", n=len(problems) - 1)
        raise ServiceError("invalid", summary, details=problems) from None


def _labels() -> dict[str, str]:
    """Field names as a form shows them, in the request's language."""
    return {
        "name": _("Name"),
        "email": _("Email"),
        "group": _("Group"),
        "groups": _("Groups"),
        "text": _("Text"),
        "title": _("Title"),
        "question": _("Question"),
        "host": _("Host"),
        "capacity": _("Seats"),
        "minutes": _("Minutes"),
        "tags": _("Tags"),
        "needs": _("Needs"),
        "language": _("Language"),
        "rounds": _("Rounds"),
        "topics": _("Topics"),
        "tables": _("Tables"),
        "participants": _("People"),
        "colour": _("Colour"),
        "number": _("Table number"),
        "topic": _("Topic"),
        "kind": _("Kind"),
        "seconds": _("Seconds"),
        "action": _("Action"),
        "status": _("Presence"),
        "target": _("Recipients"),
        "confirm": _("Confirmation"),
        "organisation": _("Organisation"),
        "role": _("Role"),
        "offer": _("We offer"),
        "seek": _("We seek"),
        "interests": _("Interests"),
        "phone": _("Phone"),
        "website": _("Website"),
        "listed": _("Listed"),
        "share_contact": _("Share contact"),
        "participant": _("Person"),
    }


def _item(container: str, index: int) -> str:
    """An entry of a list by its 1-based number: "Table 3", "Person 2"."""
    n = index + 1
    named = {
        "rounds": _("Round %(n)s", n=n),
        "topics": _("Topic %(n)s", n=n),
        "tables": _("Table %(n)s", n=n),
        "participants": _("Person %(n)s", n=n),
        "groups": _("Group %(n)s", n=n),
        "tags": _("Tag %(n)s", n=n),
        "needs": _("Need %(n)s", n=n),
        "interests": _("Interest %(n)s", n=n),
    }
    return named.get(container, _("Entry %(n)s", n=n))


def _text_label(schema: type[BaseModel]) -> str | None:
    """What a payload's ``text`` is to the person who typed it."""
    if schema in (NoteAddSpec, NoteEditSpec):
        return _("Note")
    if schema is BroadcastSpec:
        return _("Message")
    return None


def field_label(loc: tuple[Any, ...], event_name: bool = False, text: str | None = None) -> str:
    """A place in a payload as a form names it: ``("tables", 2, "host")`` → "Table 3: Host"; the setup's own
    ``name`` is the event's name, a note's or message's ``text`` is ``text``."""
    if event_name and loc == ("name",):
        return _("Name of the event")
    if text and loc == ("text",):
        return text
    labels = _labels()
    parts: list[str] = []
    for i, item in enumerate(loc):
        if isinstance(item, int):
            container = loc[i - 1] if i and isinstance(loc[i - 1], str) else ""
            if parts and container:
                parts.pop()  # "Tables, Table 3" would say it twice
            parts.append(_item(str(container), item))
        elif isinstance(item, str) and not item.startswith(("function-", "json-")):
            parts.append(labels.get(item, item))
    return ": ".join(parts)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(err: Any, label: str) -> str:
    """One plain sentence about one problem, naming the field as the form does."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if not label:
        return _capital(_message(err)).rstrip(".") + "."
    fixed = {
        "missing": _("%(field)s is missing.", field=label),
        "extra_forbidden": _("%(field)s is not something this form knows.", field=label),
        "int_type": _("%(field)s must be a whole number.", field=label),
        "int_parsing": _("%(field)s must be a whole number.", field=label),
        "int_from_float": _("%(field)s must be a whole number.", field=label),
        "string_type": _("%(field)s must be text.", field=label),
        "bool_type": _("%(field)s must be yes or no.", field=label),
        "bool_parsing": _("%(field)s must be yes or no.", field=label),
        "list_type": _("%(field)s must be a list.", field=label),
    }
    if kind in fixed:
        return fixed[kind]
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return _("%(field)s is empty: please fill it in.", field=label)
    if kind == "string_too_short":
        return _("%(field)s needs at least %(n)s characters.", field=label, n=ctx["min_length"])
    if kind == "string_too_long":
        return _("%(field)s is too long: at most %(n)s characters.", field=label, n=ctx["max_length"])
    if kind == "greater_than_equal":
        return _("%(field)s must be at least %(n)s.", field=label, n=ctx["ge"])
    if kind == "less_than_equal":
        return _("%(field)s must be at most %(n)s.", field=label, n=ctx["le"])
    if kind == "too_short":
        return _("%(field)s needs at least %(n)s entries.", field=label, n=ctx["min_length"])
    if kind == "too_long":
        return _("%(field)s allows at most %(n)s entries.", field=label, n=ctx["max_length"])
    return f"{label} — {_message(err).rstrip('.')}."
