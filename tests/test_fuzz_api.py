"""Every /api/v1 route fuzzed by Schemathesis from the published OpenAPI document: never a 500, every error in the
documented shape with a documented code and status, and never a success for a token whose role the route refuses.

The fuzzer gets past authentication: each example sends, as Hypothesis chooses, a live token of any role of the
event under test (read afresh, since regenerating a link replaces it), another event's moderator token, a forged
token, or none; and the event's own join code (any case), another event's, or whatever the schema allows.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.serialization import Binary
from sqlalchemy import select

from tests.conftest import SPEC, TEST_DATABASE_URL, bearer
from worldcafe import create_app
from worldcafe.extensions import db, socketio
from worldcafe.models import AccessLink, Event
from worldcafe.web.api.openapi import build_document

pytestmark = pytest.mark.fuzz

API_MD = Path(__file__).resolve().parent.parent / "docs" / "api.md"
# The error table of docs/api.md: "| `invalid` | 400 | …"; socket-only codes are written "(409)" and not sent over HTTP.
DOCUMENTED_ERRORS = {
    code: int(status)
    for code, status in re.findall(r"^\| `([a-z_]+)` \| (\d{3}) \|", API_MD.read_text(encoding="utf-8"), re.MULTILINE)
}

# Examples per route and phase: enough to reach every field's edge cases through the schema, few enough that the run
# stays within a few minutes on a 2-core machine. The PostgreSQL pass repeats a third of them, for what differs there
# (integer ranges, text rules). Derandomized: the same examples every run, so a failure reproduces.
FUZZ_SETTINGS = settings(
    max_examples=15 if TEST_DATABASE_URL else 50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

DOCUMENT = build_document(create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}))
schema = schemathesis.openapi.from_dict(DOCUMENT)
# The document's examples are drawn in the test (Schemathesis' own examples phase takes no extra strategies).
schema.config.phases.update(phases=["coverage", "fuzzing"])


def body_examples(case: Any) -> list[Any]:
    """The examples the document gives for the operation's JSON body."""
    content = case.operation.definition.raw.get("requestBody", {}).get("content", {})
    name = content.get("application/json", {}).get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
    return DOCUMENT["components"]["schemas"].get(name, {}).get("examples", [])


def live_tokens(app: Any, code: str) -> dict[str, str]:
    """The event's tokens by role as they are now (one host and one participant stand for their role)."""
    with app.app_context():
        links = db.session.scalars(
            select(AccessLink).join(Event).where(Event.public_id == code).order_by(AccessLink.id)
        ).all()
        tokens: dict[str, str] = {}
        for link in links:
            tokens.setdefault(link.role, link.token)
        db.session.remove()
    return tokens


@pytest.fixture
def fuzz_app(app: Any) -> Any:
    """The app with an admin password, so creating events is fuzzed with and without it."""
    app.config["ADMIN_PASSWORD"] = "fuzz-admin"
    return app


# The phases an event goes through, each fuzzed on its own: setup (everything may change), a running round
# (late arrivals are seated, the setup is partly locked), and the harvest (votes, pads in their grace period).
PHASES = {"setup": [], "running": ["start_round"], "harvest": ["start_round", "end_round", "start_harvest"]}


@pytest.fixture(params=list(PHASES))
def live(request: Any, fuzz_app: Any, client: Any, make_event: Any) -> dict[str, Any]:
    """The event under test in one phase (summary shared, a note written) and another event beside it."""
    fuzz_app.config["ADMIN_PASSWORD"] = ""
    event = make_event()
    other = make_event(name="Other café")
    fuzz_app.config["ADMIN_PASSWORD"] = "fuzz-admin"
    mod = bearer(event.moderator)
    for action in PHASES[request.param]:
        done = client.post(f"/api/v1/events/{event.code}/control", headers=mod, json={"action": action})
        assert done.status_code == 200, done.get_json()
    assert client.post(f"/api/v1/events/{event.code}/share", headers=mod, json={"enabled": True}).status_code == 200
    if request.param != "setup":  # an insight on table 1's pad: notes, votes, themes and exports have something
        host = socketio.test_client(fuzz_app, flask_test_client=client, auth={"token": event.hosts[1]})
        ack = host.emit("add_note", {"id": str(uuid.uuid4()), "text": "Trust grows in pilots", "kind": "insight"},
                        callback=True)
        assert ack["ok"], ack
        host.disconnect()
    return {"event": event, "other": other}


def steer(body: Any, data: Any, event: Any) -> Any:
    """Now and then put a value the event knows into a generated body (a real group, table or person), so the
    fuzzer reaches the code behind the lookups as well as their refusals."""
    known = {
        "group": st.sampled_from(SPEC_GROUPS),
        "table": st.sampled_from(sorted(event.hosts)),
        "participant": st.sampled_from(sorted(event.participant_ids.values())),
        "keep": st.sampled_from(sorted(event.participant_ids.values())),
        "drop": st.sampled_from(sorted(event.participant_ids.values())),
    }
    if isinstance(body, list):
        return [steer(item, data, event) for item in body]
    if isinstance(body, dict) and not any(isinstance(v, Binary) for v in body.values()):
        return {
            key: data.draw(known[key], label=key) if key in known and data.draw(st.booleans()) else value
            for key, value in body.items()
        }
    return body


ID_FIELDS = ("id", "participant", "keep", "drop")


def _id_fields(value: Any) -> list[Any]:
    """The values of fields naming a row by its database id, anywhere in a body."""
    if isinstance(value, dict):
        return [v for key, item in value.items() for v in ([item] if key in ID_FIELDS else []) + _id_fields(item)]
    if isinstance(value, list):
        return [v for item in value for v in _id_fields(item)]
    return []


def _leaves(value: Any) -> list[Any]:
    """Every scalar and dict key inside ``value``, with digit strings (path values) also as their number."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in (key, *_leaves(item))]
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in _leaves(item)]
    if isinstance(value, Binary):  # a generated file's bytes
        return [value.data]
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return [value, int(value)]
    return [value]


SPEC_GROUPS = SPEC["groups"]
CREDENTIALS = ("moderator", "screen", "host", "participant", "summary", "helpdesk", "other_moderator", "forged", "none")


def error_shape(response: Any) -> None:
    """An error is ``{"error": {"code", "message", "details"?}}`` with a code and status docs/api.md lists."""
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), (response.status_code, content_type, response.content[:200])
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) <= {"code", "message", "details"}, error
    assert isinstance(error["message"], str) and error["message"], error
    assert DOCUMENTED_ERRORS.get(error["code"]) == response.status_code, (
        f"{error['code']} with {response.status_code} is not in docs/api.md's error table: {error}"
    )


@schema.parametrize()
@schema.given(data=st.data())
@FUZZ_SETTINGS
def test_api_route_fuzzed(case: Any, data: Any, fuzz_app: Any, live: dict[str, Any]) -> None:
    event, other = live["event"], live["other"]
    tokens = {
        **live_tokens(fuzz_app, event.code),
        "other_moderator": live_tokens(fuzz_app, other.code)["moderator"],
        "forged": "A" * 32,
    }
    roles = case.operation.definition.raw["x-roles"]
    # Mostly a token the route accepts, so the fuzzer gets past the token check; any other one the rest of the time.
    allowed = st.sampled_from(roles) if roles else st.nothing()
    credential = data.draw(allowed | allowed | st.sampled_from(CREDENTIALS), label="credential")
    headers = dict(case.headers or {})
    headers.pop("Authorization", None)
    if credential != "none":
        # A link turned off (sharing off) leaves its role without a token: send a dead one.
        headers.update(bearer(tokens.get(credential, "B" * 32)))
    if data.draw(st.booleans(), label="admin password"):
        headers["X-Admin-Password"] = "fuzz-admin"
    case.headers = headers
    # A path the fuzzer made invalid on purpose is sent as it is; it is answered by routing or the token check.
    negative_path = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
    if "code" in (case.path_parameters or {}) and not negative_path:
        case.path_parameters["code"] = data.draw(
            st.sampled_from([event.code, event.code, event.code.lower(), other.code, case.path_parameters["code"]]),
            label="code",
        )
    negative_body = case.meta is not None and case.meta.is_negative_at(ParameterLocation.BODY)
    if case.media_type == "application/json" and not negative_body:
        if body_examples(case) and data.draw(st.booleans(), label="an example body"):
            case.body = data.draw(st.sampled_from(body_examples(case)), label="example")
        case.body = steer(case.body, data, event)
    if "participant_id" in (case.path_parameters or {}) and not negative_path:
        case.path_parameters["participant_id"] = data.draw(
            st.sampled_from([*event.participant_ids.values(), case.path_parameters["participant_id"]]),
            label="participant_id",
        )

    response = case.call(app=fuzz_app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    # A request the schema forbids is refused — except a CSV import: any text is a CSV, checked by CSV's own rules
    # (docs/api.md), and a "negative" CSV body still arrives as text.
    if not case.operation.path.endswith("/participants/import"):
        checks.append(negative_data_rejection)
    case.validate_response(response, checks=checks)
    error_shape(response)
    on_other = str((case.path_parameters or {}).get("code", "")).upper() == other.code
    role = "moderator" if credential == "other_moderator" and on_other else credential
    if roles and role not in roles:
        assert response.status_code >= 400, f"{credential} got {response.status_code} from a route for {roles}"
