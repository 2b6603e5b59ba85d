"""Every Socket.IO request fuzzed with Hypothesis: hostile payloads (wrong types, huge strings, deep nesting, NUL,
missing and unknown fields, extra arguments) for every request name, from every role's socket.

Each must be answered with an ack in protocol.md's shape — ``{"ok": true, …}`` or ``{"ok": false, "error": {"code",
"message"}}`` with a documented code — never an exception or an ``internal`` error, never a dropped connection; and a
refused request changes nothing in the database.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.conftest import TEST_DATABASE_URL, bearer
from worldcafe.extensions import db, socketio
from worldcafe.services import payloads as decoding

pytestmark = pytest.mark.fuzz

DOCS = Path(__file__).resolve().parent.parent / "docs"
# Codes an ack may carry: the error table of api.md (socket-only ones included) and the codes protocol.md shows.
DOCUMENTED_CODES = set(
    re.findall(r"^\| `([a-z_]+)` \|", (DOCS / "api.md").read_text(encoding="utf-8"), re.MULTILINE)
) | set(re.findall(r'"code": "([a-z_]+)"', (DOCS / "protocol.md").read_text(encoding="utf-8")))

REQUESTS = ("sync", "clock", "add_note", "edit_note", "delete_note", "restore_note", "hide_note", "cast_vote",
            "retract_vote")
# Names python-socketio or Socket.IO clients treat specially: a client sending them as events is still a request.
RESERVED = ("connect", "disconnect", "connect_error", "message", "json")
ROLES = ("moderator", "screen", "host", "participant")
# Every table a request could touch: a refused request must leave all of them as they were.
TABLES = ("event", "topic", "cafe_table", "participant", "round", "seat", "note", "vote", "photo", "access_link",
          "log_entry")

# Derandomized, so a failure reproduces; fewer examples on the PostgreSQL pass, which repeats the run there.
FUZZ_SETTINGS = settings(
    max_examples=100 if TEST_DATABASE_URL else 300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.binary(max_size=32)
)
hostile = st.recursive(
    scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=10), kids, max_size=3),
    max_leaves=10,
)
huge = st.sampled_from(["x" * 200_000, "\x00" * 5_000, "ü" * 3_000, " " * 10_000, "\u202e" * 1_000, "a\x00b"])


def nested(depth: int) -> Any:
    """Lists and objects nested ``depth`` deep."""
    value: Any = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"id": value}
    return value


# Deep enough to reach every recursive path in validation; far deeper JSON over HTTP is sec-inputs' class.
deep = st.integers(2, 200).map(nested)


@pytest.fixture(params=["running", "harvest"])
def room(request: Any, app: Any, client: Any, make_event: Any, sio: Any) -> dict[str, Any]:
    """An event with notes (an insight open for votes, a participant's note), and a socket for every role."""
    # The fuzzer's requests must reach the handlers, not the link's budgets.
    app.config.update(NOTE_BURST=10**9, SYNC_LIMIT_PER_LINK="1000000/second", CLOCK_LIMIT_PER_LINK="1000000/second")
    event = make_event()
    mod = bearer(event.moderator)
    client.patch(f"/api/v1/events/{event.code}", headers=mod, json={"participant_notes": True})
    client.post(f"/api/v1/events/{event.code}/control", headers=mod, json={"action": "start_round"})
    sockets = {role: sio(token) for role, token in (
        ("moderator", event.moderator), ("screen", event.screen), ("host", event.hosts[1]),
        ("participant", event.participants["Ada"]))}
    note_ids = [str(uuid.uuid4()) for _ in range(2)]
    assert sockets["host"].emit("add_note", {"id": note_ids[0], "text": "Pilots first", "kind": "insight"},
                                callback=True)["ok"]
    sockets["participant"].emit("add_note", {"id": note_ids[1], "text": "Mine"}, callback=True)
    if request.param == "harvest":
        for action in ("end_round", "start_harvest"):
            client.post(f"/api/v1/events/{event.code}/control", headers=mod, json={"action": action})
    return {"event": event, "sockets": sockets, "note_ids": note_ids}


def fingerprint(app: Any) -> dict[str, list[Any]]:
    """Every row of every table, to compare before and after a request."""
    with app.app_context(), db.engine.connect() as connection:
        return {table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
                for table in TABLES}


def field_values(note_ids: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    """For each field a request may carry: sensible values (real note ids, versions) or anything hostile."""
    sensible = {
        "id": st.sampled_from(note_ids) | st.uuids().map(str),
        "note_id": st.sampled_from(note_ids) | st.uuids().map(str),
        "text": st.text(min_size=1, max_size=40),
        "kind": st.sampled_from(["idea", "question", "insight", "quote"]),
        "tags": st.lists(st.text(min_size=1, max_size=8), max_size=3),
        "base_version": st.integers(0, 6),
        "starred": st.booleans(),
        "hidden": st.booleans(),
        "since": st.integers(-3, 60),
    }
    return {name: strategy | hostile | huge for name, strategy in sensible.items()}


def payloads(note_ids: list[str]) -> st.SearchStrategy[Any]:
    """A request's payload: an object with some known fields (and maybe an unknown one), or anything at all."""
    fields = field_values(note_ids)
    shaped = st.fixed_dictionaries({}, optional={**fields, "extra": hostile})
    return st.one_of(shaped, shaped, hostile, huge, deep)


@given(data=st.data())
@FUZZ_SETTINGS
def test_every_socket_request_is_acknowledged_and_refusals_change_nothing(app: Any, room: dict[str, Any],
                                                                         data: Any) -> None:
    payload = payloads(room["note_ids"])
    role = data.draw(st.sampled_from(ROLES), label="role")
    name = data.draw(st.sampled_from(REQUESTS + RESERVED) | st.text(max_size=40), label="request")
    args = data.draw(st.just(()) | payload.map(lambda p: (p,)) | st.tuples(payload, payload), label="args")
    sc = room["sockets"][role]
    before = fingerprint(app)

    ack = sc.emit(name, *args, callback=True)

    sc.get_received()
    assert sc.is_connected(), f"{name} dropped the {role}'s connection"
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), f"{name} from {role}: ack {ack!r}"
    if ack["ok"]:
        assert name in REQUESTS, f"{name!r} is no request, yet it was acknowledged ok"
        return
    error = ack["error"]
    assert set(error) == {"code", "message"} and isinstance(error["message"], str) and error["message"], ack
    assert error["code"] != "internal", f"{name} from {role} with {args!r:.300} raised on the server"
    assert error["code"] in DOCUMENTED_CODES, f"{error['code']} is not documented"
    # Besides ok and error: the stored note with a conflict, and when to try again with rate_limited.
    assert set(ack) - {"ok", "error"} <= {"conflict": {"current"}, "rate_limited": {"retry_after"}}.get(
        error["code"], set()
    ), ack
    assert fingerprint(app) == before, f"refused {name} from {role} changed the database"


# A CONNECT packet carries JSON, not binary, and a bare number in it is read as a packet id by python-socketio's
# decoder before any handler runs: those are the transport's business. Everything else reaches on_connect.
connect_auth = st.recursive(
    st.none() | st.booleans() | st.text(max_size=30) | huge,
    lambda kids: st.lists(kids | scalars.filter(lambda v: not isinstance(v, bytes)), max_size=3)
    | st.dictionaries(st.text(max_size=10), kids | scalars.filter(lambda v: not isinstance(v, bytes)), max_size=3),
    max_leaves=8,
)


@given(
    auth=st.one_of(
        connect_auth,
        st.fixed_dictionaries(
            {"token": st.sampled_from(["moderator", "screen", "host", "participant"]) | connect_auth},
            optional={"since": connect_auth | st.integers(-3, 60) | st.integers(), "extra": connect_auth},
        ),
    )
)
@FUZZ_SETTINGS
def test_connecting_with_any_auth_is_accepted_only_with_a_live_token(app: Any, client: Any, event: Any, caplog: Any,
                                                                      auth: Any) -> None:
    caplog.clear()
    tokens = {"moderator": event.moderator, "screen": event.screen, "host": event.hosts[1],
              "participant": event.participants["Ada"]}
    if isinstance(auth, dict) and isinstance(auth.get("token"), str) and auth["token"] in tokens:
        auth = {**auth, "token": tokens[auth["token"]]}
    sc = socketio.test_client(app, flask_test_client=client, auth=auth)
    try:
        valid = isinstance(auth, dict) and isinstance(auth.get("token"), str) and auth["token"] in tokens.values()
        # An auth the decoder refuses (a NUL, a number no JSON client holds exactly) is refused whatever its token:
        # protocol.md, payloads refused while decoding.
        try:
            decoding.loads(json.dumps(auth))
        except decoding.RejectedJSON:
            valid = False
        assert sc.is_connected() == valid, f"auth {auth!r:.300}"
        if valid:
            [snapshot_or_synced] = [m["name"] for m in sc.get_received() if m["name"] in ("snapshot", "synced")]
            assert snapshot_or_synced
    finally:
        if sc.is_connected():
            sc.disconnect()
    # A refusal is the connect handler's answer, never an error it failed with (logged, and refused as internal).
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR], f"auth {auth!r:.300}"
