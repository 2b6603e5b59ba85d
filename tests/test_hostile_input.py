"""Hostile or odd input from anyone on the venue network gets a clear 4xx or error ack, never a 500 or a traceback —
the same on SQLite and PostgreSQL (this module runs again on PostgreSQL in the second pass of `make test`)."""

from __future__ import annotations

import codecs
import io
import logging
import time
import uuid

import pytest

from tests.conftest import SPEC, bearer
from tests.test_control import ctl
from tests.test_pages import csrf_token
from worldcafe.extensions import socketio

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
DEEP = "[" * 1000 + "]" * 1000


@pytest.fixture(autouse=True)
def no_server_errors(caplog):
    """Every test here also fails when the server logged an error (a traceback) while answering."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [f"{r.name}: {r.getMessage()}" for r in errors]


def refused(response, status: int = 400, code: str = "invalid") -> dict:
    """Assert the documented error shape and return the error."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == code and isinstance(error["message"], str) and error["message"]
    return error


def people(client, event) -> list[dict]:
    return client.get(f"/api/v1/events/{event.code}/participants", headers=bearer(event.moderator)).get_json()[
        "participants"
    ]


# ---- JSON: depth, numbers, NUL, at the parser -------------------------------------------------------------------


def test_deeply_nested_json_is_refused_also_without_a_link(client, event):
    for path in ("/api/v1/events", f"/api/v1/join/{event.code}"):  # no token needed for either
        for body in (DEEP, '{"name": ' + DEEP + "}"):
            error = refused(client.post(path, data=body, content_type="application/json"))
            assert "nested too deeply" in error["message"]
    put = client.put(f"/api/v1/events/{event.code}", data=DEEP, headers=bearer(event.moderator),
                     content_type="application/json")
    refused(put)
    assert len(people(client, event)) == 3


def test_nesting_our_requests_could_need_is_parsed_and_judged_by_the_schema(client):
    nested = '{"name": ' + "[" * 150 + "]" * 150 + "}"
    error = refused(client.post("/api/v1/events", data=nested, content_type="application/json"))
    assert error["details"] == [{"field": "name", "message": "must be text", "label": "Name of the event",
                                 "sentence": "Name of the event must be text."}]


@pytest.mark.parametrize("number", [2**53, 2**63, 2**64, -(2**64), 10**40])
def test_numbers_no_client_can_represent_are_refused_by_field(client, event, number):
    body = f'{{"keep": {number}, "drop": 1}}'
    error = refused(client.post(f"/api/v1/events/{event.code}/participants/merge", data=body,
                                headers=bearer(event.moderator), content_type="application/json"))
    assert error["details"][0]["field"] == "keep" and "between" in error["details"][0]["message"]


def test_the_largest_exact_number_is_just_an_unknown_id(client, event):
    body = {"keep": 2**53 - 1, "drop": event.participant_ids["Ada"]}
    refused(client.post(f"/api/v1/events/{event.code}/participants/merge", json=body,
                        headers=bearer(event.moderator)), 404, "not_found")


@pytest.mark.parametrize("body", ['{"name": "x", "rounds": NaN}', '{"name": "\\ud800"}', '{"name": "x",}', "\x00"])
def test_what_is_not_json_is_refused(client, body):
    error = refused(client.post("/api/v1/events", data=body, content_type="application/json"))
    assert "not valid JSON" in error["message"]


def test_json_with_a_byte_order_mark_is_read(client):
    body = codecs.BOM_UTF8 + b'{"name": "BOM Caf\xc3\xa9"}'
    created = client.post("/api/v1/events", data=body, content_type="application/json")
    assert created.status_code == 201 and created.get_json()["event"]["name"] == "BOM Café"


# ---- ids in URLs -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [str(10**9), str(2**31), str(2**63), str(2**64), "9" * 40, "%C2%B2", "%D9%A3", "%EF%BC%93", "-1", "1.0"]
)
def test_participant_ids_beyond_any_row_are_not_found(client, event, raw):
    base = f"/api/v1/events/{event.code}/participants/{raw}"
    auth = bearer(event.moderator)
    refused(client.patch(base, json={"name": "x"}, headers=auth), 404, "not_found")
    refused(client.delete(base, headers=auth), 404, "not_found")
    refused(client.post(base + "/status", json={"status": "left"}, headers=auth), 404, "not_found")
    assert client.get(f"/m/{event.moderator}/participants/{raw}/qr.svg").status_code == 404


def test_the_largest_id_is_an_ordinary_not_found(client, event):
    refused(client.delete(f"/api/v1/events/{event.code}/participants/{10**9 - 1}", headers=bearer(event.moderator)),
            404, "not_found")


# ---- the photo form ---------------------------------------------------------------------------------------------


def _photo(client, event, **form):
    return client.post(f"/api/v1/events/{event.code}/photos", headers=bearer(event.moderator),
                       data={"photo": (io.BytesIO(PNG), "cloth.png"), **form}, content_type="multipart/form-data")


@pytest.mark.parametrize("table", ["٣", "３", "²", "1e3", "-1", "3.0", " 3", "9" * 30])
def test_photo_table_must_be_ascii_digits(client, event, table):
    error = refused(_photo(client, event, table=table))
    assert error["message"].startswith("table:")
    assert client.get(f"/api/v1/events/{event.code}/photos", headers=bearer(event.moderator)).get_json() == {
        "photos": []
    }


def test_photo_table_in_digits_and_unknown_tables(client, event):
    assert _photo(client, event, table="3").get_json()["photo"]["table"] == 3
    refused(_photo(client, event, table="999999999"), 404, "not_found")
    assert _photo(client, event, table="").get_json()["photo"]["table"] is None


def test_photo_caption_with_a_nul_is_refused(client, event):
    error = refused(_photo(client, event, caption="tablecloth\x00"))
    assert error["message"] == "caption: must not contain NUL characters"


# ---- NUL anywhere text is stored ----------------------------------------------------------------------------------


NUL = "Nul\x00l"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": NUL}, "name"),
        ({"topics": [{"title": NUL}]}, "topics[0].title"),
        ({"topics": [{"title": "T", "question": NUL}]}, "topics[0].question"),
        ({"groups": ["CA", NUL]}, "groups[1]"),
        ({"tables": [{"number": 1, "host": NUL}]}, "tables[0].host"),
        ({"tables": [{"number": 1, "tags": [NUL]}]}, "tables[0].tags[0]"),
        ({"participants": [{"name": NUL}]}, "participants[0].name"),
        ({"participants": [{"name": "A", "group": NUL}]}, "participants[0].group"),
        ({"participants": [{"name": "A", "email": "a@b.c" + NUL}]}, "participants[0].email"),
        ({"participants": [{"name": "A", "needs": [NUL]}]}, "participants[0].needs[0]"),
        ({NUL: 1}, ""),
    ],
)
def test_nul_in_any_text_of_a_new_event_is_refused(client, change, field):
    spec = {k: v for k, v in SPEC.items() if k not in ("tables", "topics")} | change
    error = refused(client.post("/api/v1/events", json=spec))
    assert error["details"][0]["field"] == field
    assert error["details"][0]["message"] == "must not contain NUL characters"


def test_nul_in_the_schema_is_refused_even_when_it_did_not_come_as_json(app):
    from worldcafe.services.errors import ServiceError
    from worldcafe.services.spec import EventSpec, parse

    with app.test_request_context(), pytest.raises(ServiceError) as info:
        parse(EventSpec, {"name": "x", "topics": [{"title": "T", "question": "why\x00"}]})
    assert info.value.details == [{"field": "topics[0].question", "message": "must not contain NUL characters",
                                   "label": "Topic 1: Question",
                                   "sentence": "Topic 1: Question — must not contain NUL characters."}]


def test_nul_in_every_moderator_and_join_request_is_refused_and_nothing_changes(client, event):
    auth, code = bearer(event.moderator), event.code
    before = client.get(f"/api/v1/events/{code}", headers=auth).get_json()
    ada = event.participant_ids["Ada"]
    calls = [
        client.post(f"/api/v1/join/{code}", json={"name": NUL, "group": "CA"}),
        client.post(f"/api/v1/join/{code}", json={"name": "Dee", "group": "CA\x00"}),
        client.put(f"/api/v1/events/{code}", json={"name": NUL}, headers=auth),
        client.patch(f"/api/v1/events/{code}/participants/{ada}", json={"name": NUL}, headers=auth),
        client.patch(f"/api/v1/events/{code}/participants/{ada}", json={"email": NUL}, headers=auth),
        client.post(f"/api/v1/events/{code}/participants", json=[{"name": NUL}], headers=auth),
        client.post(f"/api/v1/events/{code}/broadcast", json={"text": NUL}, headers=auth),
        client.post(f"/api/v1/events/{code}/links/regenerate", json={"role": "screen\x00"}, headers=auth),
        client.post(f"/api/v1/events/{code}/control", json={"action": "start_round\x00"}, headers=auth),
        client.post(f"/api/v1/events/{code}/participants/import", data=f"name\nok\n{NUL}\n".encode(),
                    headers=auth, content_type="text/csv"),
    ]
    for response in calls:
        refused(response)
    assert client.get(f"/api/v1/events/{code}", headers=auth).get_json() == before


def test_nul_in_an_address_is_refused_before_any_lookup(client, event):
    refused(client.get(f"/api/v1/events/{event.code}%00", headers=bearer(event.moderator)), 404, "not_found")
    refused(client.post(f"/api/v1/join/{event.code[:3]}%00{event.code[3:]}", json={"name": "x"}), 404, "not_found")
    refused(client.get(f"/api/v1/events/{event.code}/participants?q=Ad%00a", headers=bearer(event.moderator)))
    assert client.get("/j/AB%00CD").status_code == 404
    assert client.get(f"/m/{event.moderator}%00").status_code == 404
    assert client.get(f"/m/{event.moderator}/print/tables?page=1%00").status_code == 400
    refused(client.get("/api/v1/me", headers={"Authorization": f"Bearer {event.participants['Ada']}\x00"}), 401,
            "unauthorized")


def test_nul_in_the_forms_is_refused(client, event):
    html = client.get("/").get_data(as_text=True)
    created = client.post("/", data={"name": NUL, "language": "en", "csrf_token": csrf_token(html)})
    assert created.status_code == 400 and "NUL" in created.get_data(as_text=True)
    page = client.get(f"/j/{event.code}").get_data(as_text=True)
    joined = client.post(f"/j/{event.code}", data={"name": NUL, "group": "CA", "csrf_token": csrf_token(page)},
                         follow_redirects=True)
    assert joined.status_code == 400 and joined.request.method == "GET"
    assert len(people(client, event)) == 3


# ---- CSV from Excel's "save as" variants ---------------------------------------------------------------------------


def _import(client, event, body: bytes, dry_run: bool = False):
    query = "?dry_run=1" if dry_run else ""
    return client.post(f"/api/v1/events/{event.code}/participants/import{query}", data=body,
                       headers=bearer(event.moderator), content_type="text/csv")


EXCEL_SAVES = {
    "CSV UTF-8 (BOM, comma, CRLF)": codecs.BOM_UTF8 + "Name,Gruppe\r\nJürgen Weiß,OWL\r\nZoë Côté,CA\r\n".encode(),
    "CSV (Windows-1252, German semicolons)": "Name;Gruppe\r\nJürgen Weiß;OWL\r\nZoë Côté;CA\r\n".encode("cp1252"),
    "CSV (MS-DOS), code page 850": "Name,Gruppe\r\nJürgen Weiß,OWL\r\nZoë Côté,CA\r\n".encode("cp850"),
    "CSV Macintosh (Mac Roman, CR line ends)": "Name,Gruppe\rJürgen Weiß,OWL\rZoë Côté,CA\r".encode("mac_roman"),
    "Unicode Text (UTF-16 with BOM, tabs)": "Name\tGruppe\r\nJürgen Weiß\tOWL\r\nZoë Côté\tCA\r\n".encode("utf-16"),
    "Unicode Text, big-endian": codecs.BOM_UTF16_BE + "Name\tGruppe\nJürgen Weiß\tOWL\nZoë Côté\tCA\n".encode(
        "utf-16-be"),
    "LF only, no header": "Jürgen Weiß,OWL\nZoë Côté,CA\n".encode(),
}


@pytest.mark.parametrize("variant", list(EXCEL_SAVES))
def test_excel_save_as_variants_import(client, event, variant):
    response = _import(client, event, EXCEL_SAVES[variant])
    assert response.status_code == 201, response.get_json()
    added = {p["name"]: p["group"] for p in people(client, event)[3:]}
    assert added == {"Jürgen Weiß": "OWL", "Zoë Côté": "CA"}


def test_mixed_and_stray_carriage_returns_are_line_ends(client, event):
    report = _import(client, event, b"name,group\r\nDora,DE\rEmil,CA\nFe\rlix,DE\n", dry_run=True).get_json()["rows"]
    assert [(r["line"], r["name"], r["group"]) for r in report] == [
        (2, "Dora", "DE"), (3, "Emil", "CA"), (4, "Fe", None), (5, "lix", "DE")
    ]


def test_a_line_break_inside_a_quoted_cell_stays_in_the_cell(client, event):
    report = _import(client, event, b'name,group\r\n"Dora\rDee",DE\r\n', dry_run=True).get_json()["rows"]
    assert [(r["line"], r["name"]) for r in report] == [(2, "Dora\rDee")]


def test_a_cell_over_the_csv_field_limit_is_a_clear_error(client, event):
    body = b"name,group\nDora,DE\n" + b"x" * (128 * 1024 + 1) + b",CA\n"
    error = refused(_import(client, event, body))
    assert error["message"] == "Line 3: a cell is longer than 131072 characters."
    assert len(people(client, event)) == 3


def test_a_spreadsheet_file_or_other_binary_is_not_csv(client, event):
    error = refused(_import(client, event, b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40))
    assert "NUL" in error["message"]
    refused(_import(client, event, codecs.BOM_UTF16_LE + b"\x00\xd8"))  # a lone surrogate: broken UTF-16


def test_long_quoted_lines_do_not_hold_the_server(client, event):
    # The standard library's csv.Sniffer takes quadratic time here: 64 KB of quotes took 50 s.
    body = b"name,group\n" + b',"' * 200_000 + b"\n"
    started = time.monotonic()
    response = _import(client, event, body, dry_run=True)
    assert time.monotonic() - started < 5
    assert response.status_code in (200, 400)


# ---- sockets ---------------------------------------------------------------------------------------------------


@pytest.fixture
def running(client, event):
    assert ctl(client, event.code, event.moderator, "start_round").status_code == 200
    return event


def raw_request(sc, encoded: str):
    """Send one Socket.IO packet as it would arrive on the wire (``2<ack id>[name, payload]``); its ack or None."""
    sc.acks = None
    socketio.server._handle_eio_message(sc.eio_sid, encoded)
    ack = sc.acks
    sc.acks = None
    return ack["args"][0] if ack else None


def test_nul_in_a_socket_payload_gets_an_error_ack(client, sio, running):
    host = sio(running.hosts[1])
    ack = host.emit("add_note", {"id": str(uuid.uuid4()), "text": "note\x00"}, callback=True)
    assert ack == {"ok": False, "error": {"code": "invalid", "message": "text: must not contain NUL characters"}}
    ack = host.emit("add_note", {"id": str(uuid.uuid4()), "text": "ok", "tags": ["t\x00"]}, callback=True)
    assert ack["ok"] is False and ack["error"]["message"] == "tags[0]: must not contain NUL characters"
    notes = client.get(f"/api/v1/events/{running.code}/notes", headers=bearer(running.moderator)).get_json()
    assert notes == {"notes": []}


@pytest.mark.parametrize(
    ("packet", "words"),
    [
        ('21["add_note",' + DEEP + "]", "nested too deeply"),
        ('22["edit_note",{"id":"x","base_version":' + str(2**64) + "}]", "base_version: must be between"),
        ('23["sync",{"since":' + str(2**63) + "}]", "since: must be between"),
        ('24["add_note",{"text":"\\ud800"}]', "not valid JSON"),
        ('25["add_note",{"text":', "not valid JSON"),
        ('26{"add_note":1}', "[name, payload]"),
        ("27[]", "[name, payload]"),
        ("28[7]", "[name, payload]"),
        ('51-29["add_note",{"_placeholder":true,"num":0}]', "binary data"),
    ],
)
def test_a_socket_payload_refused_while_decoding_gets_an_error_ack(sio, running, packet, words):
    host = sio(running.hosts[1])
    ack = raw_request(host, packet)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid" and words in ack["error"]["message"], ack
    assert host.emit("add_note", {"id": str(uuid.uuid4()), "text": "still fine"}, callback=True)["ok"]


def test_garbage_without_an_ack_id_is_dropped_quietly(sio, running):
    host = sio(running.hosts[1])
    for packet in ('2["add_note",' + DEEP + "]", "x", "9", "3[[[", b"2-x"):
        assert raw_request(host, packet) is None
    assert host.is_connected() and host.emit("clock", callback=True)["ok"]


def test_the_rejected_request_name_sent_on_purpose_is_unknown(sio, running):
    ack = sio(running.hosts[1]).emit("worldcafe:rejected", {"error": "x"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unknown_request"


def wire_connect(app, client, auth: str) -> bool:
    """A new socket whose CONNECT packet carries ``auth`` as raw JSON text; whether the server accepted it."""
    eio_sid = uuid.uuid4().hex
    environ = client._request_from_builder_args(args=(), kwargs={"path": "/socket.io"}).environ
    socketio.server._handle_eio_connect(eio_sid, {**environ, "flask.app": app})
    socketio.server._handle_eio_message(eio_sid, "0" + auth)
    accepted = socketio.server.manager.sid_from_eio_sid(eio_sid, "/") is not None
    socketio.server._handle_eio_disconnect(eio_sid, socketio.server.reason.CLIENT_DISCONNECT)
    return accepted


def test_a_connect_with_a_nul_or_a_deep_auth_is_refused(app, client, running):
    sio_client = socketio.test_client(app, flask_test_client=client, auth={"token": running.hosts[1] + "\x00"})
    assert not sio_client.is_connected()
    token = running.hosts[1]
    assert not wire_connect(app, client, '{"token":' + DEEP + "}")
    assert not wire_connect(app, client, f'{{"token":"{token}\\u0000"}}')
    assert not wire_connect(app, client, f'{{"token":"{token}",')
    assert wire_connect(app, client, f'{{"token":"{token}"}}')
