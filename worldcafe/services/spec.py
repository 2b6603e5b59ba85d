"""Schemas of the event spec and participant payloads: validation at the edge, one clear message per mistake."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from ..domain.palette import PALETTE
from .errors import ServiceError

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
SchemaT = TypeVar("SchemaT", bound=BaseModel)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RoundSpec(_Schema):
    """One round and its length."""

    minutes: int = Field(ge=1, le=240)


class TopicSpec(_Schema):
    """A topic with its question and colour."""

    title: Name
    question: Text = ""
    colour: str | None = None

    @field_validator("colour")
    @classmethod
    def _known_colour(cls, value: str | None) -> str | None:
        if value is not None and value not in PALETTE:
            raise ValueError(f"unknown colour {value!r}; use one of {', '.join(PALETTE)}")
        return value


class TableSpec(_Schema):
    """A table: its number, topic (title or 1-based position), capacity of movers and host."""

    number: int = Field(ge=1, le=9999)
    topic: str | int | None = None
    capacity: int = Field(default=5, ge=1, le=100)
    host: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    tags: list[Tag] = Field(default_factory=list, max_length=20)


class ParticipantSpec(_Schema):
    """A person to add."""

    name: Name
    group: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)] | None = None
    needs: list[Tag] = Field(default_factory=list, max_length=20)

    @field_validator("group", "email")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an email address")
        return value


class SetupSpec(_Schema):
    """Everything the moderator sets up: the event, its rounds, topics and tables."""

    name: Name
    language: Literal["de", "en"] = "de"
    groups: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20)
    joining_open: bool = True
    rounds: list[RoundSpec] = Field(default_factory=lambda: [RoundSpec(minutes=20)] * 3, min_length=1,
                                    max_length=20)
    topics: list[TopicSpec] = Field(default_factory=list, max_length=100)
    tables: list[TableSpec] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _consistent(self) -> SetupSpec:
        titles = [t.title.casefold() for t in self.topics]
        for i, title in enumerate(titles):
            if title in titles[:i]:
                raise ValueError(f"topic {self.topics[i].title!r} appears twice")
        seen: set[int] = set()
        for table in self.tables:
            if table.number in seen:
                raise ValueError(f"table number {table.number} appears twice")
            seen.add(table.number)
            self.topic_index(table.topic)
        if len(set(g.casefold() for g in self.groups)) != len(self.groups):
            raise ValueError("a group name appears twice")
        return self

    def topic_index(self, ref: str | int | None) -> int | None:
        """The 0-based position of the topic a table refers to (by title or 1-based number)."""
        if ref is None:
            return None
        if isinstance(ref, int):
            if not 1 <= ref <= len(self.topics):
                raise ValueError(f"topic number {ref} does not exist (there are {len(self.topics)} topics)")
            return ref - 1
        for i, topic in enumerate(self.topics):
            if topic.title.casefold() == ref.strip().casefold():
                return i
        raise ValueError(f"table refers to unknown topic {ref!r}")


class EventSpec(SetupSpec):
    """A whole new event, participants included."""

    participants: list[ParticipantSpec] = Field(default_factory=list, max_length=5000)


class JoinSpec(_Schema):
    """What a person types on the join page."""

    name: Name
    group: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None


class SettingsSpec(_Schema):
    """Small toggles the moderator flips during setup or the event."""

    joining_open: bool | None = None


def _message(err: Any) -> str:
    """A plain-language message for pydantic's most common error types."""
    kind, ctx = err["type"], err.get("ctx") or {}
    plain = {
        "missing": "is required",
        "extra_forbidden": "is not a known field",
        "int_type": "must be a whole number", "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "string_type": "must be text", "bool_type": "must be true or false", "bool_parsing": "must be true or false",
        "list_type": "must be a list", "dict_type": "must be an object", "model_type": "must be an object",
    }
    if kind in plain:
        return plain[kind]
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"needs at least {ctx['min_length']} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    if kind == "too_short":
        return f"needs at least {ctx['min_length']} item(s)"
    if kind == "too_long":
        return f"allows at most {ctx['max_length']} items"
    return str(err["msg"]).removeprefix("Value error, ")


def _where(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def parse(schema: type[SchemaT], data: Any) -> SchemaT:
    """Validate ``data`` or raise ``ServiceError('invalid')`` listing every problem with its place."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            where = _where(tuple(err["loc"]))
            message = _message(err)
            problems.append({"field": where, "message": message})
        first = problems[0]
        summary = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        if len(problems) > 1:
            summary += f" (and {len(problems) - 1} more)"
        raise ServiceError("invalid", summary, details=problems) from None
