"""Adding people: by the moderator, by CSV import (all or nothing), or by joining with the event's code."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from ..domain.names import matches, name_key, similar_to
from ..extensions import db
from ..models import AccessLink, Event, Participant
from ..realtime.rooms import moderators_room, screen_room
from .access import issue_link
from .errors import ServiceError
from .live import Push, record
from .spec import JoinSpec, ParticipantPatchSpec, ParticipantSpec, parse, split_interests, with_groups

_HEADER_ALIASES = {
    "name": "name",
    "vorname nachname": "name",
    "full name": "name",
    "teilnehmer": "name",
    "group": "group",
    "gruppe": "group",
    "herkunft": "group",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "e-mail-adresse": "email",
    # Profiles (DESIGN.md §8), as Excel sheets in German and English head them.
    "organisation": "organisation",
    "organization": "organisation",
    "organisation/firma": "organisation",
    "firma": "organisation",
    "unternehmen": "organisation",
    "company": "organisation",
    "institution": "organisation",
    "rolle": "role",
    "role": "role",
    "position": "role",
    "funktion": "role",
    "job title": "role",
    "wir bieten": "offer",
    "angebot": "offer",
    "offer": "offer",
    "we offer": "offer",
    "wir suchen": "seek",
    "gesucht": "seek",
    "suche": "seek",
    "seek": "seek",
    "we seek": "seek",
    "looking for": "seek",
    "interessen": "interests",
    "interests": "interests",
    "themen": "interests",
    "telefon": "phone",
    "telefonnummer": "phone",
    "tel.": "phone",
    "mobil": "phone",
    "phone": "phone",
    "mobile": "phone",
    "website": "website",
    "webseite": "website",
    "homepage": "website",
    "web": "website",
    "email address": "email",
}
# The columns an import reads, in the order of a list without a header row (name, group, email).
_IMPORT_FIELDS = ("name", "group", "email", "organisation", "role", "offer", "seek", "interests", "phone", "website")
MAX_IMPORT_ROWS = 5000


def participant_view(person: Participant, link: AccessLink | None = None) -> dict[str, Any]:
    """A participant as the moderator sees it."""
    view: dict[str, Any] = {
        "id": person.id,
        "name": person.name,
        "group": person.group,
        "email": person.email,
        "needs": list(person.needs),
        "status": person.status,
        "source": person.source,
    }
    if link is not None:
        view["token"] = link.token
    return view


def add_people(event: Event, specs: Iterable[ParticipantSpec], source: str) -> list[tuple[Participant, AccessLink]]:
    """Add people with their links (in the caller's transaction); new group names join the event's groups."""
    added = []
    specs = list(specs)
    groups = with_groups(event.groups, [spec.group for spec in specs])
    for spec in specs:
        person = Participant(
            event=event,
            name=spec.name,
            group=spec.group,
            email=spec.email,
            needs=list(spec.needs),
            source=source,
            **spec.profile_row(),
        )
        db.session.add(person)
        added.append((person, issue_link("participant", event, participant=person)))
    event.groups = groups
    db.session.flush()
    return added


def _announce(event: Event, added: list[tuple[Participant, AccessLink]]) -> list[Push]:
    people = [participant_view(p) for p, _ in added]
    return [
        record(event, "participants_added", {"participants": people}, [moderators_room(event.id)]),
        attendance_push(event),
    ]


def attendance_push(event: Event) -> Push:
    """The joined count changed: the screen and the moderators show it."""
    count = db.select(db.func.count(Participant.id)).where(
        Participant.event_id == event.id, Participant.status == "active"
    )
    joined = db.session.execute(count).scalar_one()
    return record(event, "attendance_changed", {"joined": joined}, [screen_room(event.id), moderators_room(event.id)])


def add_participants(event: Event, data: Any, source: str = "api") -> tuple[list[dict[str, Any]], list[Push]]:
    """Add a list of ``{name, group?, email?}``; returns their views with tokens and the pushes."""
    if not isinstance(data, list) or not data:
        raise ServiceError("invalid", _('Send a non-empty JSON list of people: [{"name": …, "group": …}].'))
    if len(data) > MAX_IMPORT_ROWS:
        raise ServiceError("invalid", _("At most %(limit)s people at once.", limit=MAX_IMPORT_ROWS))
    specs = []
    for index, item in enumerate(data):
        try:
            specs.append(parse(ParticipantSpec, item))
        except ServiceError as exc:
            # One person (the console's form) needs no number; in a list, "Person 3: …" says which.
            prefix = "" if len(data) == 1 else _("Person %(n)s", n=index + 1) + ": "
            details = [
                {
                    **d,
                    "field": f"[{index}].{d['field']}" if d["field"] else f"[{index}]",
                    **({"label": prefix + d["label"], "sentence": prefix + d["sentence"]} if "label" in d else {}),
                }
                for d in exc.details
            ]
            raise ServiceError("invalid", prefix + exc.message, details=details) from None
    added = add_people(event, specs, source)
    pushes = _announce(event, added) + _seat_late(event, [p for p, _ in added])
    db.session.commit()
    return [participant_view(p, link) for p, link in added], pushes


def _seat_late(event: Event, people: list[Participant]) -> list[Push]:
    """Once a plan exists, newcomers are seated at once and the rounds to come re-planned around them (this
    module's one re-plan call)."""
    # Imported here: planning builds on this module (attendance counts), not the other way round.
    from .planning import reseat_after_change

    return reseat_after_change(event, people)


def _decode(raw: bytes | str) -> str:
    """The text of an uploaded list, in whichever encoding Excel's "save as" variants write."""
    if isinstance(raw, str):
        text = raw
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")  # "Unicode Text": UTF-16 with a byte order mark, tab-separated
        except UnicodeDecodeError:
            raise ServiceError("invalid", _("The file is not text (UTF-8, UTF-16 or Windows-1252 expected).")) from None
    else:
        try:
            text = raw.decode("utf-8-sig")  # "CSV UTF-8", with or without its BOM
        except UnicodeDecodeError:
            text = _single_byte(raw)
    if "\x00" in text:
        raise ServiceError(
            "invalid",
            _("The file contains NUL characters, so it is not CSV text. Save it as 'CSV UTF-8' and try again."),
        )
    return text


def _single_byte(raw: bytes) -> str:
    """One byte per character: "CSV" (Windows-1252), "CSV (MS-DOS)" (code page 850) or "CSV (Macintosh)" (Mac Roman,
    CR line ends). Decoding can't tell them apart, so the one that reads the most letters wins (a wrong code page
    turns umlauts into „ ™ ‚ and the like); on a tie, the likelier one for the file's line ends."""
    mac = b"\r" in raw and b"\n" not in raw
    names = ("mac_roman", "cp1252", "cp850") if mac else ("cp1252", "cp850", "mac_roman")
    texts = []
    for name in names:
        try:
            texts.append(raw.decode(name))
        except UnicodeDecodeError:  # Windows-1252 leaves five bytes undefined
            continue
    return max(texts, key=_letters)  # max keeps the first of equals; cp850 and mac_roman decode any byte


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _letters(text: str) -> int:
    return sum(char.isalpha() for char in _NON_ASCII.findall(text))


_QUOTED = re.compile(r'"[^"]*"')
# The delimiter is read from the start of each of the first lines only: quoted cells of any length cost nothing.
_SNIFF_LINES, _SNIFF_CHARS = 10, 4096


def _delimiter(text: str) -> str:
    """The one of ``,``, ``;`` and tab that the first lines use alike: found the same number of times in the most
    lines (quoted cells left out), then the most columns; ``,`` when none is there.

    (csv.Sniffer takes quadratic time on long lines: a few kilobytes of quotes held the loop for seconds.)"""
    lines = [_QUOTED.sub("", line[:_SNIFF_CHARS]) for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
    best, best_score = ",", (0, 0)
    for candidate in (",", ";", "\t"):
        counts = [line.count(candidate) for line in lines]
        usual = max(set(counts), key=lambda n: (counts.count(n), n)) if counts else 0
        score = (counts.count(usual), usual) if usual else (0, 0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _rows(text: str) -> list[list[str]]:
    """The CSV's rows: any line ends (CRLF, LF, or CR as old Macs write), a cell at most csv's field limit."""
    # newline="": lines end at CR, LF or CRLF; a line break inside a quoted cell stays in the cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return list(reader)
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise ServiceError("invalid", _("Line %(line)s: a cell is longer than %(n)s characters.",
                                            line=reader.line_num, n=csv.field_size_limit())) from None
        raise ServiceError("invalid", _("Line %(line)s is not valid CSV (%(reason)s).", line=reader.line_num,
                                        reason=str(exc))) from None


def check_csv(event: Event, raw: bytes | str) -> list[dict[str, Any]]:
    """Validate a CSV of ``name, group, email`` line by line; every row comes back with its error or None."""
    text = _decode(raw).strip()
    if not text:
        raise ServiceError("invalid", _("The list is empty."))
    rows = _rows(text)
    columns = ["name", "group", "email"]
    first = [cell.strip().casefold() for cell in rows[0]] if rows else []
    start = 1
    if any(_HEADER_ALIASES.get(cell) == "name" for cell in first):
        columns = [_HEADER_ALIASES.get(cell, "") for cell in first]
        if "name" not in columns:
            raise ServiceError("invalid", _("The header row has no 'name' column."))
    else:
        start = 0
    if len(rows) - start > MAX_IMPORT_ROWS:
        raise ServiceError("invalid", _("At most %(limit)s people at once.", limit=MAX_IMPORT_ROWS))
    known = {(p.name.casefold(), (p.email or "").casefold()) for p in event.participants}
    groups = list(event.groups)
    report = []
    for line_no, cells in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in cells):
            continue
        values = {col: cells[i].strip() for i, col in enumerate(columns) if col and i < len(cells)}
        row: dict[str, Any] = {"line": line_no, "name": values.get("name", "")}
        row.update({field: values.get(field) or None for field in _IMPORT_FIELDS[1:]})
        row["error"] = None
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            row["error"] = _(
                "%(found)s columns, expected at most %(expected)s (%(names)s)",
                found=len(cells),
                expected=len(columns),
                names=", ".join(columns),
            )
        else:
            try:
                spec = parse(ParticipantSpec, _spec_data(row))
                key = (spec.name.casefold(), (spec.email or "").casefold())
                if key in known:
                    row["error"] = _("%(name)s is already on the list", name=spec.name)
                known.add(key)
                groups = with_groups(groups, [spec.group])
            except ServiceError as exc:
                row["error"] = exc.message
        report.append(row)
    if not report:
        raise ServiceError("invalid", _("The list has no people in it."))
    return report


def _spec_data(row: dict[str, Any]) -> dict[str, Any]:
    """A checked CSV row as a person's spec: the cells given, interests split at ``;`` or ``,``."""
    data = {key: row[key] for key in _IMPORT_FIELDS if row.get(key) is not None}
    if "interests" in data:
        data["interests"] = split_interests(data["interests"])
    return data


def import_csv(event: Event, raw: bytes | str) -> tuple[list[dict[str, Any]], list[Push]]:
    """Import a CSV only if every line is valid; otherwise nothing is added and the report says why."""
    report = check_csv(event, raw)
    bad = [row for row in report if row["error"]]
    if bad:
        raise ServiceError(
            "unprocessable",
            _(
                "%(bad)s of %(total)s lines need fixing; nothing was imported.",
                bad=len(bad),
                total=len(report),
            ),
            details=report,
        )
    specs = [parse(ParticipantSpec, _spec_data(row)) for row in report]
    added = add_people(event, specs, source="import")
    pushes = _announce(event, added) + _seat_late(event, [p for p, _ in added])
    db.session.commit()
    return [participant_view(p, link) for p, link in added], pushes


@dataclass(frozen=True)
class Joiner:
    """A checked join request: who, in which group (the event's spelling), and whether a look-alike is accepted."""

    name: str
    group: str | None
    confirm: bool
    # The optional profile and email typed on the join form, and the person's own two consents.
    profile: dict[str, Any] = field(default_factory=dict)
    listed: bool = False
    share_contact: bool = False


def check_join(event: Event, data: Any) -> Joiner:
    """Validate a join request against the event (cheap: no other people are read)."""
    if not event.joining_open or event.status == "closed":
        raise ServiceError("joining_closed", _("Joining this event is closed. Please ask the moderator."))
    spec = parse(JoinSpec, data)
    group = spec.group or None
    if event.groups:
        match = next((g for g in event.groups if group and g.casefold() == group.casefold()), None)
        if match is None:
            raise ServiceError("invalid", _("Choose your group: %(groups)s.", groups=", ".join(event.groups)))
        group = match
    elif group:
        raise ServiceError("invalid", _("This event does not use groups."))
    profile = {**spec.profile_row(), **({"email": spec.email} if spec.email else {})}
    return Joiner(name=spec.name, group=group, confirm=spec.confirm, profile=profile, listed=spec.listed,
                  share_contact=spec.share_contact)


def admit(
    event: Event, joiners: list[Joiner]
) -> tuple[list[tuple[Participant, AccessLink] | list[tuple[str, int]]], list[Push]]:
    """Add checked joiners in one transaction (a burst of walk-ins is one commit, one seating, one re-plan).

    Each comes back as its (person, link), or as the look-alike names ``[(name, similarity)]`` that held it back
    (someone already there, or earlier in the same burst); commits.
    """
    if not event.joining_open or event.status == "closed":
        raise ServiceError("joining_closed", _("Joining this event is closed. Please ask the moderator."))
    # Names only, keyed once per burst: joins must answer in milliseconds even at 1,000 people.
    names = list(db.session.execute(db.select(Participant.name).where(Participant.event_id == event.id)).scalars())
    keys = [name_key(name) for name in names]
    outcome: list[ParticipantSpec | list[tuple[str, int]]] = []
    for joiner in joiners:
        found = [] if joiner.confirm else similar_to(joiner.name, names, keys=keys)
        if found:
            outcome.append([(names[index], score) for index, score in found])
            continue
        names.append(joiner.name)
        keys.append(name_key(joiner.name))
        outcome.append(ParticipantSpec(name=joiner.name, group=joiner.group))
    added = iter(add_people(event, [o for o in outcome if isinstance(o, ParticipantSpec)], source="join"))
    results = [next(added) if isinstance(o, ParticipantSpec) else o for o in outcome]
    for joiner, result in zip(joiners, results, strict=True):
        if isinstance(result, tuple):  # the profile and consents the person gave themselves
            person = result[0]
            for key, value in joiner.profile.items():
                setattr(person, key, value)
            person.listed, person.share_contact = joiner.listed, joiner.share_contact
    people = [r for r in results if isinstance(r, tuple)]
    pushes = _announce(event, people) + _seat_late(event, [p for p, _ in people]) if people else []
    person_ids, link_ids = [p.id for p, _ in people], [link.id for _, link in people]
    db.session.commit()
    # The commit expired every object; the answers read each person's name and link. Loaded again in two queries:
    # one per object was 50 queries, 17 ms of the loop for a burst of 25, measured in the server.
    if people:
        db.session.scalars(db.select(Participant).where(Participant.id.in_(person_ids))).all()
        db.session.scalars(db.select(AccessLink).where(AccessLink.id.in_(link_ids))).all()
    return results, pushes


def look_alike_error(found: list[tuple[str, int]]) -> ServiceError:
    """The refusal for a name someone in the event already has (probably the same person who lost their link)."""
    return ServiceError(
        "possible_duplicate",
        _(
            "Someone called %(name)s has already joined. If that is you, ask the help desk for your link; "
            "otherwise continue.",
            name=found[0][0],
        ),
        details=[{"name": name, "similarity": score} for name, score in found],
    )


def join(event: Event, data: Any) -> tuple[Participant, AccessLink, list[Push]]:
    """A person joins with the event's code; refused while joining is closed or when the name looks taken."""
    [result], pushes = admit(event, [check_join(event, data)])
    if isinstance(result, list):
        raise look_alike_error(result)
    person, link = result
    return person, link, pushes


def find_participant(event: Event, participant_id: int) -> Participant:
    """A person of this event, or not_found."""
    person = db.session.get(Participant, participant_id)
    if person is None or person.event_id != event.id:
        raise ServiceError("not_found", _("There is no such participant in this event."))
    return person


def update_participant(event: Event, participant_id: int, data: Any) -> tuple[dict[str, Any], list[Push]]:
    """Correct a person's name, group, email or needs at any time; a new group or need re-plans the rounds to come."""
    person = find_participant(event, participant_id)
    spec = parse(ParticipantPatchSpec, data)
    given = spec.model_fields_set
    group = spec.group
    if "group" in given and group:
        known = next((g for g in event.groups if g.casefold() == group.casefold()), None)
        if known is None:
            event.groups = with_groups(event.groups, [group])
        group = known or group
    seating_changed = ("group" in given and group != person.group) or (
        "needs" in given and sorted(spec.needs or []) != sorted(person.needs)
    )
    if "name" in given and spec.name is not None:
        person.name = spec.name
    if "group" in given:
        person.group = group
    if "email" in given:
        person.email = spec.email
    if "needs" in given:
        person.needs = list(spec.needs or [])
    db.session.flush()
    view = participant_view(person)
    pushes = [record(event, "participant_changed", {"participant": view}, [moderators_room(event.id)])]
    if seating_changed:
        pushes += _seat_late(event, [])
    db.session.commit()
    return view, pushes


def search(event: Event, query: str) -> list[Participant]:
    """Everyone whose name contains every typed word, ignoring case and accents (the help desk's search box)."""
    return [p for p in event.participants if matches(query, p.name)]


def remove_participant(event: Event, participant_id: int) -> tuple[list[Push], list[str]]:
    """Delete a person before the event starts (later they are marked as left instead); returns the pushes and
    the person's now dead tokens."""
    person = find_participant(event, participant_id)
    if any(r.status != "planned" for r in event.rounds):
        raise ServiceError("wrong_state", _("The event has started; mark the person as left instead."))
    tokens = [link.token for link in person.links]
    db.session.delete(person)
    db.session.flush()
    db.session.expire(event, ["participants"])
    pushes = [
        record(event, "participant_removed", {"participant_id": participant_id}, [moderators_room(event.id)]),
        attendance_push(event),
    ]
    db.session.commit()
    return pushes, tokens
