"""Summaries people forward carry no role token and, through the share link, no personal data: photos are embedded
(HTML, DOCX) or linked by a signed, expiring URL for that one photo; the shared JSON has no names or seats."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer
from PIL import Image

from tests.conftest import bearer
from tests.test_control import ctl
from tests.test_notes import upload

FORMATS = ("json", "md", "csv", "html", "docx")
SIGNED_PHOTO = re.compile(r"/photo/([A-Za-z0-9_.\-]+)")


def photo_bytes(kind: str, size: tuple[int, int], orientation: int | None = None) -> bytes:
    """A real image, with an EXIF GPS position and (optionally) an orientation, as a phone would send it."""
    image = Image.new("RGB", size, (200, 60, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 43.0, 9.0)}  # GPSInfo: where the photo was taken
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, kind, exif=exif)
    return out.getvalue()


@pytest.fixture
def pictured(client, sio, event):
    """An event with notes, a running round, three photos (one unreadable) and the share link on."""
    ctl(client, event.code, event.moderator, "start_round")
    host = sio(event.hosts[1])
    ack = host.emit("add_note", {"id": str(uuid.uuid4()), "text": "Pilot projects build trust", "kind": "insight"},
                    callback=True)
    assert ack["ok"], ack
    # Portrait, turned by its EXIF orientation (6: rotate 90°): 2000 × 1500 stored, 1500 × 2000 upright.
    event.jpeg = photo_bytes("JPEG", (2000, 1500), orientation=6)
    event.webp = photo_bytes("WEBP", (900, 600))
    assert upload(client, event, event.hosts[1], event.jpeg, caption="Tablecloth one").status_code == 201
    assert upload(client, event, event.moderator, event.webp, name="t3.webp", table="3",
                  caption="Sticky notes").status_code == 201
    broken = upload(client, event, event.hosts[2], b"\x89PNG\r\n\x1a\n" + bytes(64), caption="Blurry")
    assert broken.status_code == 201
    event.broken_id = broken.get_json()["photo"]["id"]
    shared = client.post(f"/api/v1/events/{event.code}/share", headers=bearer(event.moderator), json={"enabled": True})
    event.summary = shared.get_json()["link"].rsplit("/", 1)[1]
    event.tokens = [event.moderator, event.screen, event.summary, *event.hosts.values(),
                    *event.participants.values()]
    return event


def readable(body: bytes, fmt: str) -> str:
    """Every byte a reader gets, as text; a DOCX is a zip, so every part of it, unpacked."""
    if fmt != "docx":
        return body.decode("utf-8-sig")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def status(client, path: str) -> int:
    """The status of a GET, its body (a file, when it is a photo) closed."""
    with client.get(path) as response:
        return response.status_code


def exports(client, event):
    """(where, format, bytes) of every export a moderator or a share-link reader can get."""
    for fmt in FORMATS:
        for label, token in (("moderator", event.moderator), ("share link", event.summary)):
            page = "m" if token == event.moderator else "r"
            with client.get(f"/{page}/{token}/summary.{fmt}") as response:
                assert response.status_code == 200, (label, fmt)
                yield f"{label} /{page}/…/summary.{fmt}", fmt, response.data
            with client.get(f"/api/v1/events/{event.code}/summary.{fmt}", headers=bearer(token)) as response:
                assert response.status_code == 200, (label, fmt)
                yield f"{label} API summary.{fmt}", fmt, response.data
    for label, path in (("moderator page", f"/m/{event.moderator}/summary"), ("share page", f"/r/{event.summary}")):
        with client.get(path) as response:
            assert response.status_code == 200
            yield label, "html", response.data


def test_no_export_and_no_summary_page_carries_any_access_token(client, pictured):
    seen = 0
    for where, fmt, body in exports(client, pictured):
        text = readable(body, fmt)
        leaked = [token for token in pictured.tokens if token in text]
        assert not leaked, f"{where} carries a role token"
        assert not re.search(r"/[mrhsp]/[A-Za-z0-9_-]{20,}", text), f"{where} carries a role link"
        seen += 1
    assert seen == 2 * 2 * len(FORMATS) + 2


def test_downloaded_html_and_docx_hold_their_photos_upright_small_and_without_gps(client, pictured):
    for token, page in ((pictured.moderator, "m"), (pictured.summary, "r")):
        html = client.get(f"/{page}/{token}/summary.html").data.decode()
        embedded = re.findall(r'<img src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', html)
        assert len(embedded) == 2, "the two readable photos are inside the file"
        import base64

        first = Image.open(io.BytesIO(base64.b64decode(embedded[0])))
        assert first.size == (960, 1280), "turned upright by its EXIF orientation, 1,280 px on the long side"
        assert 0x8825 not in first.getexif(), "no GPS position travels with the copy"
        # The unreadable one is still there, by its link (which grants that photo only).
        assert html.count('src="http://localhost/photo/') == 1

        with zipfile.ZipFile(io.BytesIO(client.get(f"/{page}/{token}/summary.docx").data)) as archive:
            media = [name for name in archive.namelist() if name.startswith("word/media/")]
            assert len(media) == 2, media
            assert all(Image.open(io.BytesIO(archive.read(name))).format == "JPEG" for name in media)
            body = archive.read("word/document.xml").decode()
        assert "Tablecloth one" in body and "Sticky notes" in body and "/photo/" in body  # the unreadable one


def test_other_formats_link_each_photo_by_a_signed_expiring_url_for_that_photo_only(app, client, pictured,
                                                                                     monkeypatch):
    md = client.get(f"/m/{pictured.moderator}/summary.md").data.decode()
    keys = SIGNED_PHOTO.findall(md)
    assert len(keys) == 3
    shared = json.loads(client.get(f"/r/{pictured.summary}/summary.json").data)
    assert all(SIGNED_PHOTO.search(p["url"]) for p in shared["data"]["photos"])
    with client.get(f"/photo/{keys[0]}") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        shared_copy = Image.open(io.BytesIO(response.data))
        # Not the original: upright, web-sized, and nothing of the phone's EXIF (no GPS position) travels with it.
        assert shared_copy.size == (960, 1280)
        assert 0x8825 not in shared_copy.getexif() and 0x0112 not in shared_copy.getexif()
    # The key opens nothing else: not the summary, not the console, not another photo.
    assert client.get(f"/m/{keys[0]}").status_code == 404
    assert client.get(f"/r/{keys[0]}").status_code == 404
    assert client.get(f"/api/v1/events/{pictured.code}/summary.md", headers=bearer(keys[0])).status_code == 401
    tampered = keys[0][:-3] + ("AAA" if not keys[0].endswith("AAA") else "BBB")
    assert client.get(f"/photo/{tampered}").status_code == 404
    with app.app_context():
        other_purpose = URLSafeTimedSerializer(app.secret_key, salt="itsdangerous").dumps(
            [pictured.code, pictured.broken_id])
        assert client.get(f"/photo/{other_purpose}").status_code == 404, "a signature for another purpose"
    # The summary page links its photos on its own origin (its CSP allows no other).
    page = client.get(f"/r/{pictured.summary}").data.decode()
    own_origin = re.findall(r'<img src="(/photo/[^"]+)"', page)
    # The two photos that are images open; the unreadable upload has no copy to share.
    assert len(own_origin) == 3 and sorted(status(client, src) for src in own_origin) == [200, 200, 404]
    # Expired after PHOTO_LINK_DAYS (30 by default).
    later = time.time() + 31 * 86400
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert client.get(f"/photo/{keys[0]}").status_code == 404
    monkeypatch.undo()
    assert status(client, f"/photo/{keys[0]}") == 200
    # A photo whose file is gone (its event deleted meanwhile) is a 404 page, not an error.
    for stored in (Path(app.instance_path) / "photos" / pictured.code).iterdir():
        stored.unlink()
    assert client.get(f"/photo/{keys[0]}").status_code == 404


def test_the_share_links_json_names_nobody_and_seats_nobody(client, pictured):
    names = ["Ada", "Bo", "Cy", "bo@example.org"]
    own = json.loads(client.get(f"/m/{pictured.moderator}/summary.json").data)
    assert own["plan"] and own["data"]["mixing"]["rounds"], "the moderator's own export stays complete"
    assert all(name in json.dumps(own, ensure_ascii=False) for name in names[:3])
    for path in (f"/r/{pictured.summary}/summary.json", f"/api/v1/events/{pictured.code}/summary.json"):
        headers = bearer(pictured.summary) if path.startswith("/api") else {}
        shared = json.loads(client.get(path, headers=headers).data)
        text = json.dumps(shared, ensure_ascii=False)
        assert not [name for name in names if re.search(rf"\b{re.escape(name)}\b", text)], path
        assert shared["plan"] is None and shared["data"]["mixing"] is None
        # What every other format shows stays: notes, counts, the mixing figures per round.
        assert shared["summary"]["attendance"]["rounds"][0]["seated"] == 3
        assert shared["summary"]["mixing"]["rounds"][0]["evenness"] is not None
        assert "Pilot projects build trust" in text


@pytest.mark.slow
def test_a_real_server_renders_the_photos_into_the_download_in_its_worker_processes(tmp_path):
    import urllib.request

    from tests.conftest import SPEC
    from tests.live_server import LiveServer
    from tests.test_notes import multipart

    server = LiveServer(tmp_path)
    try:
        created = server.api("POST", "/api/v1/events", body=SPEC)
        code, links = created["event"]["id"], created["links"]
        moderator = links["moderator"].rsplit("/", 1)[1]
        tokens = [url.rsplit("/", 1)[1] for url in (links["moderator"], links["screen"], *links["hosts"].values())]
        server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})
        body, content_type = multipart({"photo": ("cloth.jpg", photo_bytes("JPEG", (3000, 2000)))}, {"table": "1"})
        request = urllib.request.Request(f"{server.url}/api/v1/events/{code}/photos", data=body, method="POST",
                                         headers={"Content-Type": content_type, "Authorization": f"Bearer {moderator}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201
        for fmt in ("docx", "html"):
            with urllib.request.urlopen(f"{server.url}/m/{moderator}/summary.{fmt}", timeout=60) as response:
                body = response.read()
            assert not [token for token in tokens if token in readable(body, fmt)], fmt
            if fmt == "html":
                assert body.decode().count("data:image/jpeg;base64,") == 1
            else:
                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    assert [n for n in archive.namelist() if n.startswith("word/media/")], "the photo is inside"
    finally:
        server.stop()


def test_the_share_links_photo_route_serves_the_copy_without_exif_not_the_original(client, pictured):
    photos = client.get(f"/api/v1/events/{pictured.code}/photos", headers=bearer(pictured.moderator)).get_json()
    jpeg = next(p for p in photos["photos"] if p["caption"] == "Tablecloth one")
    with client.get(f"/r/{pictured.summary}/photos/{jpeg['id']}") as shared:
        assert shared.status_code == 200 and shared.data != pictured.jpeg
        assert 0x8825 not in Image.open(io.BytesIO(shared.data)).getexif(), "no GPS position for the summary's readers"
    with client.get(f"/m/{pictured.moderator}/photos/{jpeg['id']}") as own:
        assert own.status_code == 200 and own.data == pictured.jpeg, "the moderator keeps the original"
