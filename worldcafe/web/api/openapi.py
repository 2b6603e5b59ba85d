"""The OpenAPI 3.1 document of ``/api/v1``, built from the Flask routes and the request schemas the views validate with.

Paths and methods come from the app's ``url_map``, request bodies from the pydantic schemas in
``worldcafe.services.spec`` (their JSON Schema is what pydantic derives from the very classes that check each request).
What a route cannot say about itself — which schema its body is, who may call it, what it answers — is in
``OPERATIONS``, one line per view; a view without a line there makes building the document fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ...services import spec
from ...services.errors import STATUS
from ...services.events import CODE_ALPHABET
from ...services.participants import MAX_IMPORT_ROWS
from ...services.summary import EXPORTS

PREFIX = "/api/v1"
ERROR = {"$ref": "#/components/schemas/Error"}
JSON = "application/json"


@dataclass(frozen=True)
class Operation:
    """What the document says about one view beyond its URL: roles, request body, success status and query."""

    roles: tuple[str, ...]
    success: int = 200
    also: tuple[int, ...] = ()  # other success statuses (a dry run, a returning browser)
    body: type[BaseModel] | str | None = None  # a schema class, or the name of one of BODIES below
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    tag: str = "events"
    answers: tuple[str, ...] = (JSON,)  # the media types of a success


# Bodies that are not one JSON object of a schema class.
BODIES: dict[str, dict[str, Any]] = {
    "participant_list": {
        JSON: {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ParticipantSpec"},
                          "minItems": 1, "maxItems": MAX_IMPORT_ROWS}},
    },
    # PUT takes every top-level field of the setup, each optional (the rest stays as it is).
    "setup_change": {JSON: {"schema": {"$ref": "#/components/schemas/SetupChange"}}},
    "csv": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                       "required": ["file"]},
        },
        "application/x-www-form-urlencoded": {
            "schema": {"type": "object", "properties": {"csv": {"type": "string"}}, "required": ["csv"]},
        },
    },
    "photo": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "photo": {"type": "string", "format": "binary"},
                    "caption": {"type": "string"},
                    # At most 9 ASCII digits; empty means no table (docs/api.md, photos).
                    "table": {"type": "string", "pattern": "^[0-9]{0,9}$"},
                },
                "required": ["photo"],
            },
            "encoding": {"photo": {"contentType": "image/jpeg, image/png, image/webp"}},
        },
    },
}

# Examples of request bodies (as in docs/api.md), shown by API tools and tried first by the fuzz tests.
EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "ControlSpec": [{"action": "start_round"}, {"action": "extend", "seconds": 60}, {"action": "end_round"}],
    "PadsSpec": [{"minutes": 10}, {"minutes": 0}],
    "CapacitySpec": [{"seats_per_table": 1}, {"tables": 2}],
    "RegenerateSpec": [{"role": "host", "table": 1}, {"role": "screen"}],
    "MergeSpec": [{"keep": 1, "drop": 2}],
    "JoinSpec": [{"name": "Late Larry", "group": "OWL"}],
    "WalkInSpec": [{"name": "Late Larry", "group": "OWL"}],
    "ShareSpec": [{"enabled": True}],
    "SettingsSpec": [{"joining_open": False, "auto_advance": True}, {"timezone": "Europe/Berlin"}],
    "ThemeEditSpec": [{"action": "rename", "key": "programm", "label": "Förderprogramme"},
                      {"action": "merge", "key": "firma", "into": "unternehmen"}, {"action": "hide", "key": "kaffee"}],
    "ShortlistSpec": [{"notes": ["3f2b8c4e-1d2a-4b7e-9c1f-0a5d6e7f8a9b"]}, {"notes": None}],
    "BroadcastSpec": [{"text": "Kaffee ist fertig!", "target": "all"}],
    "StatusSpec": [{"status": "left"}],
    "MeetPairSpec": [{"a": 1, "b": 2}],
    "ParticipantPatchSpec": [{"group": "OWL", "needs": ["step-free"]}],
    "MePatchSpec": [{"organisation": "Weber GmbH", "offer": "Sensorik", "interests": ["KI", "Robotik"],
                     "listed": True}, {"share_contact": False}],
    "ConnectSpec": [{"participant": 12}],
}

MODERATOR = ("moderator",)
HELPDESK = ("helpdesk", "moderator")
PARTICIPANT = ("participant",)
OPERATIONS: dict[str, Operation] = {
    "api.create_event": Operation(roles=(), success=201, body=spec.EventSpec),
    "api.get_event": Operation(roles=("moderator", "screen")),
    "api.update_event": Operation(roles=MODERATOR, body="setup_change"),
    "api.update_settings": Operation(roles=MODERATOR, body=spec.SettingsSpec),
    "api.add_capacity": Operation(roles=MODERATOR, body=spec.CapacitySpec),
    "api.get_links": Operation(roles=MODERATOR),
    "api.regenerate": Operation(roles=MODERATOR, body=spec.RegenerateSpec),
    "api.list_participants": Operation(
        roles=MODERATOR, query={"q": {"type": "string"}}, tag="participants"
    ),
    "api.add_participants": Operation(roles=MODERATOR, success=201, body="participant_list", tag="participants"),
    "api.import_participants": Operation(
        roles=MODERATOR, success=201, also=(200,), body="csv", query={"dry_run": {"type": "string"}},
        tag="participants",
    ),
    "api.update_participant": Operation(roles=MODERATOR, body=spec.ParticipantPatchSpec, tag="participants"),
    "api.remove_participant": Operation(roles=MODERATOR, success=204, tag="participants"),
    "api.participant_status": Operation(roles=MODERATOR, body=spec.StatusSpec, tag="participants"),
    "api.duplicates": Operation(roles=MODERATOR, tag="participants"),
    "api.merge_participants": Operation(roles=MODERATOR, body=spec.MergeSpec, tag="participants"),
    "api.plan": Operation(roles=MODERATOR, tag="rounds"),
    "api.get_plan": Operation(roles=MODERATOR, tag="rounds"),
    "api.control": Operation(roles=MODERATOR, body=spec.ControlSpec, tag="rounds"),
    "api.broadcast": Operation(roles=MODERATOR, success=201, body=spec.BroadcastSpec, tag="rounds"),
    "api.list_broadcasts": Operation(roles=MODERATOR, tag="rounds"),
    "api.withdraw_broadcast": Operation(roles=MODERATOR, success=204, tag="rounds"),
    "api.occupancy": Operation(roles=MODERATOR, tag="rounds"),
    "api.table_health": Operation(roles=MODERATOR, tag="rounds"),
    "api.seating": Operation(roles=("moderator", "screen"), tag="rounds"),
    "api.join": Operation(roles=(), success=201, also=(200,), body=spec.JoinSpec, tag="participants"),
    "api.me": Operation(roles=("participant",), tag="participants"),
    "api.list_event_notes": Operation(roles=("moderator", "screen", "host"), tag="harvest"),
    "api.pads": Operation(roles=MODERATOR, body=spec.PadsSpec, tag="harvest"),
    "api.upload_photo": Operation(roles=("moderator", "host"), success=201, body="photo", tag="harvest"),
    "api.photos": Operation(roles=("moderator", "host", "summary"), tag="harvest"),
    "api.event_votes": Operation(roles=("moderator", "screen", "participant"), tag="harvest"),
    "api.themes": Operation(roles=("moderator", "screen"), tag="harvest"),
    "api.get_harvest": Operation(roles=MODERATOR, tag="harvest"),
    "api.edit_themes": Operation(roles=MODERATOR, body=spec.ThemeEditSpec, tag="harvest"),
    "api.set_shortlist": Operation(roles=MODERATOR, body=spec.ShortlistSpec, tag="harvest"),
    "api.summary": Operation(
        roles=("moderator", "summary"),
        tag="harvest",
        # The organiser's networking outcomes as a CSV of their own (moderator, csv only).
        query={"part": {"type": "string", "enum": ["outcomes"]}},
        answers=tuple(sorted({mimetype.split(";")[0] for mimetype, _extension in EXPORTS.values()})),
    ),
    "api.share": Operation(roles=MODERATOR, body=spec.ShareSpec, tag="harvest"),
    "api.openapi_document": Operation(roles=(), tag="meta"),
    "api.get_matches": Operation(roles=MODERATOR, tag="networking"),
    "api.add_match": Operation(roles=MODERATOR, success=201, body=spec.MeetPairSpec, tag="networking"),
    "api.drop_match": Operation(roles=MODERATOR, success=204, tag="networking"),
    "api.outcomes": Operation(roles=MODERATOR, tag="networking"),
    "api.delete_event": Operation(roles=MODERATOR, success=204),
    "api.helpdesk_people": Operation(roles=HELPDESK, query={"q": {"type": "string"}}, tag="helpdesk"),
    "api.helpdesk_person": Operation(roles=HELPDESK, tag="helpdesk"),
    "api.helpdesk_check_in": Operation(roles=HELPDESK, tag="helpdesk"),
    "api.helpdesk_walk_in": Operation(roles=HELPDESK, success=201, body=spec.WalkInSpec, tag="helpdesk"),
    # A participant's networking (DESIGN.md §8).
    "api.update_me": Operation(roles=PARTICIPANT, body=spec.MePatchSpec, tag="networking"),
    "api.met": Operation(roles=PARTICIPANT, tag="networking"),
    "api.directory": Operation(
        roles=PARTICIPANT, query={"q": {"type": "string", "maxLength": 200},
                                  "page": {"type": "string", "pattern": "^[0-9]{1,9}$"}}, tag="networking",
    ),
    "api.list_connections": Operation(roles=PARTICIPANT, tag="networking"),
    "api.connect": Operation(roles=PARTICIPANT, success=201, also=(200,), body=spec.ConnectSpec, tag="networking"),
    "api.disconnect": Operation(roles=PARTICIPANT, success=204, tag="networking"),
    "api.contacts_vcf": Operation(roles=PARTICIPANT, tag="networking", answers=("text/vcard",)),
    "api.contact_vcf": Operation(roles=PARTICIPANT, tag="networking", answers=("text/vcard",)),
    "api.export_me": Operation(roles=PARTICIPANT, tag="networking"),
    "api.erase_me": Operation(roles=PARTICIPANT, success=204, tag="networking"),
    "api.my_summary": Operation(
        roles=PARTICIPANT, tag="networking",
        answers=tuple(sorted({mimetype.split(";")[0] for mimetype, _extension in EXPORTS.values()})),
    ),
}

# URL parts, as the routes name them.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    # The join code, in any case.
    "code": {"type": "string", "pattern": f"^[{''.join(sorted(set(CODE_ALPHABET + CODE_ALPHABET.lower())))}]{{6}}$"},
    "participant_id": {"type": "integer", "minimum": 0},
    # The two participants of a pair to seat together.
    "a": {"type": "integer", "minimum": 0},
    "b": {"type": "integer", "minimum": 0},
    "fmt": {"type": "string", "enum": list(EXPORTS)},
    "message_id": {"type": "string", "pattern": "^[0-9a-f]{8,32}$"},
}

# Error statuses every operation may answer besides its own success: a 4xx with its code, and the few 5xx a service
# refuses with on purpose, such as 503 while the database is away (docs/api.md, Errors). A 500 is never documented:
# the fuzz tests fail on one.
ERROR_RESPONSES = {
    status: {"description": "Refused; see docs/api.md, Errors", "content": {JSON: {"schema": ERROR}}}
    for status in ["4XX", *sorted({str(code) for code in STATUS.values() if code >= 500})]
}

ERROR_SCHEMA = {
    "type": "object",
    "description": 'Every failure: {"error": {"code", "message", "details"?}} with a 4xx (or 503) status.',
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z_]+$"},
                "message": {"type": "string", "minLength": 1},
                "details": {},
            },
            "required": ["code", "message"],
            "additionalProperties": False,
        }
    },
    "required": ["error"],
    "additionalProperties": False,
}


def _path(rule: str) -> tuple[str, list[str]]:
    """A Flask rule as an OpenAPI path and its parameter names: ``/e/<int:id>`` → ``/e/{id}``."""
    names: list[str] = []

    def one(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        names.append(name)
        return "{" + name + "}"

    return re.sub(r"<([^>]+)>", one, rule), names


def _responses(operation: Operation) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "Done; see docs/api.md"}
    if operation.success != 204:
        success["content"] = {mimetype: {"schema": {}} for mimetype in operation.answers}
    return {str(status): success for status in (operation.success, *operation.also)} | ERROR_RESPONSES


def _security(operation: Operation, endpoint: str) -> list[dict[str, list[str]]]:
    if operation.roles:
        return [{"bearer": []}]
    if endpoint == "api.create_event":
        return [{}, {"adminPassword": []}]  # the password is needed only when the server has one
    return []


def _schemas() -> dict[str, Any]:
    """The JSON Schemas of every request body class, as OpenAPI components."""
    bodies = {op.body for op in OPERATIONS.values() if isinstance(op.body, type)}
    # ParticipantSpec and SetupSpec are referenced by the list and setup-change bodies above.
    models = sorted(bodies | {spec.ParticipantSpec, spec.SetupSpec}, key=lambda model: model.__name__)
    _keys, generated = models_json_schema(
        [(model, "validation") for model in models], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = dict(generated.get("$defs", {}))
    for name, examples in EXAMPLES.items():
        schemas[name] = {**schemas[name], "examples": examples}
    change = {key: value for key, value in schemas["SetupSpec"].items() if key != "required"}
    schemas["SetupChange"] = {**change, "title": "SetupChange"}
    schemas["Error"] = ERROR_SCHEMA
    return schemas


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every ``/api/v1`` route of ``app``."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        if rule.endpoint not in OPERATIONS:
            raise LookupError(f"{rule.endpoint} ({rule.rule}) has no entry in worldcafe.web.api.openapi.OPERATIONS")
        operation = OPERATIONS[rule.endpoint]
        path, names = _path(rule.rule)
        view = app.view_functions[rule.endpoint]
        summary = (view.__doc__ or rule.endpoint).strip().splitlines()[0]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            item: dict[str, Any] = {
                "operationId": f"{method.lower()}_{rule.endpoint.removeprefix('api.')}",
                "summary": summary,
                "tags": [operation.tag],
                "x-roles": list(operation.roles),
                "security": _security(operation, rule.endpoint),
                "parameters": [
                    {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS[name]} for name in names
                ]
                + [{"name": name, "in": "query", "schema": schema} for name, schema in operation.query.items()],
                "responses": _responses(operation),
            }
            if operation.body is not None:
                content = (
                    BODIES[operation.body]
                    if isinstance(operation.body, str)
                    else {JSON: {"schema": {"$ref": f"#/components/schemas/{operation.body.__name__}"}}}
                )
                item["requestBody"] = {"required": True, "content": content}
            paths.setdefault(path, {})[method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "World Café API",
            "version": "1",
            "description": "The JSON API v1 (docs/api.md). Every role link's token authorises it as a Bearer token.",
        },
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "The last segment of a role link"},
                "adminPassword": {"type": "apiKey", "in": "header", "name": "X-Admin-Password"},
            },
        },
    }


def document(app: Flask) -> dict[str, Any]:
    """The app's document, built once (routes and schemas do not change while it runs)."""
    cached = app.extensions.get("worldcafe.openapi")
    if cached is None:
        cached = app.extensions["worldcafe.openapi"] = build_document(app)
    return cached
