"""The harvest in the app: exports for the moderator and the share link only, live themes for the screen."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from tests.conftest import bearer
from tests.test_control import ctl


@pytest.fixture
def harvested(client, sio, event):
    ctl(client, event.code, event.moderator, "start_round")
    texts = [
        "Pilot projects build trust",
        "Small pilot projects with partners",
        "Trust needs pilot projects first",
        "<img src=x onerror=alert(1)> markup stays text",
    ]
    for i, text in enumerate(texts):
        host = sio(event.hosts[1 + i % 2])
        host.emit("add_note", {"id": str(uuid.uuid4()), "text": text, "kind": "insight"}, callback=True)
    ctl(client, event.code, event.moderator, "end_round")
    return event


@pytest.mark.parametrize(
    ("fmt", "mimetype"),
    [
        ("json", "application/json"),
        ("md", "text/markdown"),
        ("csv", "text/csv"),
        ("html", "text/html"),
        ("docx", "application/vnd.openxmlformats"),
    ],
)
def test_moderator_downloads_every_format(client, harvested, fmt, mimetype):
    with client.get(f"/m/{harvested.moderator}/summary.{fmt}") as response:
        assert response.status_code == 200 and response.mimetype.startswith(mimetype)
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        body = response.data
    assert len(body) > 200
    if fmt == "html":
        text = body.decode()
        assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img src=x" not in text
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";" if b";" in body[:200] else ","))
        assert len(rows) == 1 + 4
    if fmt == "json":
        data = json.loads(body)
        assert data["format"] == "worldcafe-event" and len(data["data"]["notes"]) == 4 and data["plan"]
    if fmt == "docx":
        import docx

        document = docx.Document(io.BytesIO(body))
        assert any("markup stays text" in p.text for p in document.paragraphs) or any(
            "markup stays text" in cell.text for table in document.tables for row in table.rows for cell in row.cells
        )


def test_api_summary_for_moderator_and_share_link_only(client, harvested):
    event = harvested
    assert client.get(f"/api/v1/events/{event.code}/summary.json", headers=bearer(event.moderator)).status_code == 200
    for token in (event.screen, event.hosts[1], event.participants["Ada"]):
        assert client.get(f"/api/v1/events/{event.code}/summary.json", headers=bearer(token)).status_code == 403
    assert client.get(f"/api/v1/events/{event.code}/summary.pdf", headers=bearer(event.moderator)).status_code == 404
    shared = client.post(f"/api/v1/events/{event.code}/share", headers=bearer(event.moderator), json={"enabled": True})
    link = shared.get_json()["link"]
    token = link.rsplit("/", 1)[1]
    assert "/r/" in link
    with client.get(f"/r/{token}") as page:
        assert page.status_code == 200 and b"Pilot projects" in page.data
    assert client.get(f"/api/v1/events/{event.code}/summary.md", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/events/{event.code}", headers=bearer(token)).status_code == 403  # read the summary only
    client.post(f"/api/v1/events/{event.code}/share", headers=bearer(event.moderator), json={"enabled": False})
    assert client.get(f"/r/{token}").status_code == 404
    assert client.get(f"/m/{event.screen}/summary").status_code == 404


def test_live_themes_for_the_screen(client, harvested):
    event = harvested
    themes = client.get(f"/api/v1/events/{event.code}/themes", headers=bearer(event.screen)).get_json()["topics"]
    terms = [t["term"].lower() for t in themes["Future of work"]]
    assert any("pilot" in term for term in terms)
    assert (
        client.get(f"/api/v1/events/{event.code}/themes", headers=bearer(event.participants["Ada"])).status_code == 403
    )


def test_the_share_link_never_shows_a_hidden_note(client, sio, harvested):
    event = harvested
    moderator = sio(event.moderator)
    notes = client.get(f"/api/v1/events/{event.code}/notes", headers=bearer(event.moderator)).get_json()["notes"]
    markup = next(n for n in notes if "markup stays text" in n["text"])
    assert moderator.emit("hide_note", {"id": markup["id"], "hidden": True}, callback=True)["ok"]
    own = json.loads(client.get(f"/m/{event.moderator}/summary.json").data)["data"]["notes"]
    assert [n["hidden"] for n in own if n["id"] == markup["id"]] == [True]  # the moderator's export flags it

    link = client.post(f"/api/v1/events/{event.code}/share", headers=bearer(event.moderator), json={"enabled": True})
    token = link.get_json()["link"].rsplit("/", 1)[1]
    for fmt in ("json", "md", "csv", "html"):
        body = client.get(f"/r/{token}/summary.{fmt}").data.decode("utf-8-sig")
        assert "Pilot projects build trust" in body and "markup stays text" not in body, fmt
    assert "markup stays text" not in client.get(f"/r/{token}").data.decode()
