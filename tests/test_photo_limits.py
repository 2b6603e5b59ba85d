"""Photos within bounds: a quota per table and per event, none once the event is closed, an upload budget per link,
and a full disk that refuses clearly and leaves no file behind."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from tests.conftest import bearer
from tests.test_control import ctl
from tests.test_notes import JPEG, PNG, upload


@pytest.fixture
def running(client, event):
    assert ctl(client, event.code, event.moderator, "start_round").status_code == 200
    return event


def listed(client, event):
    return client.get(f"/api/v1/events/{event.code}/photos", headers=bearer(event.moderator)).get_json()["photos"]


def stored_files(app, event) -> list[str]:
    folder = Path(app.instance_path) / "photos" / event.code
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_table_keeps_at_most_its_quota_of_photos(app, client, running):
    app.config["PHOTOS_PER_TABLE"] = 2
    assert [upload(client, running, running.hosts[1], JPEG).status_code for _ in range(2)] == [201, 201]
    full = upload(client, running, running.hosts[1], JPEG)
    assert full.status_code == 409
    assert full.get_json()["error"]["code"] == "quota_exceeded" and "Table 1" in full.get_json()["error"]["message"]
    # The moderator adding to that table meets the same quota; other tables have their own.
    assert upload(client, running, running.moderator, PNG, table="1").status_code == 409
    assert upload(client, running, running.hosts[2], JPEG).status_code == 201
    assert upload(client, running, running.moderator, PNG).status_code == 201  # no table: the event's quota only
    assert [p["table"] for p in listed(client, running)] == [1, 1, 2, None]
    assert len(stored_files(app, running)) == 4


def test_an_event_keeps_at_most_its_megabytes_of_photos(app, client, running):
    app.config["PHOTO_MB_PER_EVENT"] = 1
    half = b"\xff\xd8\xff" + b"\x00" * (600 * 1024)
    assert upload(client, running, running.hosts[1], half).status_code == 201
    over = upload(client, running, running.hosts[2], half)
    assert over.status_code == 409 and over.get_json()["error"]["code"] == "quota_exceeded"
    assert "1 MB" in over.get_json()["error"]["message"]
    assert upload(client, running, running.hosts[2], JPEG).status_code == 201  # a small one still fits
    assert len(listed(client, running)) == 2 and len(stored_files(app, running)) == 2


def test_no_photos_once_the_event_is_closed(app, client, running):
    assert upload(client, running, running.hosts[1], JPEG).status_code == 201
    assert ctl(client, running.code, running.moderator, "close").status_code == 200
    for token in (running.hosts[1], running.moderator):
        refused = upload(client, running, token, JPEG)
        assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "wrong_state"
        assert "closed" in refused.get_json()["error"]["message"]
    assert len(listed(client, running)) == 1 and len(stored_files(app, running)) == 1


def test_uploads_per_link_have_a_budget(app, client, running):
    app.config["PHOTO_LIMIT_PER_LINK"] = "2/minute"
    statuses = [upload(client, running, running.hosts[1], JPEG).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    refused = upload(client, running, running.hosts[1], JPEG)
    assert refused.get_json()["error"]["code"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1
    assert upload(client, running, running.hosts[2], JPEG).status_code == 201


def test_a_full_disk_refuses_the_photo_and_leaves_no_partial_file(app, client, running, monkeypatch):
    from worldcafe.files import write_private

    def write_on_full_disk(path: Path, data: bytes) -> None:
        """The disk fills up halfway through the photo: half of it is on disk when the write fails."""
        write_private(path, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("worldcafe.services.photo_limits.write_private", write_on_full_disk)
    refused = upload(client, running, running.hosts[1], JPEG)
    assert refused.status_code == 507
    error = refused.get_json()["error"]
    assert error["code"] == "storage_full" and "disk is full" in error["message"]
    assert stored_files(app, running) == [] and listed(client, running) == []
    monkeypatch.setattr("worldcafe.services.photo_limits.write_private", write_private)
    assert upload(client, running, running.hosts[1], JPEG).status_code == 201  # space again: it works


def test_a_photo_whose_row_does_not_commit_leaves_no_file(app, client, running, monkeypatch):
    from worldcafe.services import notes

    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away mid-way")

    monkeypatch.setattr(notes, "record", broken)
    assert upload(client, running, running.hosts[1], JPEG).status_code == 500
    assert stored_files(app, running) == []
