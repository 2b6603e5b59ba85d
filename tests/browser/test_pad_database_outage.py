"""The host pad during a PostgreSQL restart: notes wait in the outbox with the reason shown, then go through once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import TABLET, PageErrors, shot
from tests.conftest import SPEC, _migrate
from tests.faults.private_postgres import PrivatePostgres
from tests.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres()
    try:
        yield cluster
    finally:
        cluster.destroy()


def test_host_pad_keeps_notes_queued_while_the_database_is_down(browser, tmp_path: Path, postgres) -> None:
    _migrate(postgres.url, str(tmp_path))
    server = LiveServer(tmp_path, env={"WORLDCAFE_DATABASE_URL": postgres.url})
    errors = PageErrors()
    try:
        status, created = server.call("POST", "/api/v1/events", body=SPEC)
        assert status == 201, created
        code = created["event"]["id"]
        moderator = created["links"]["moderator"].rsplit("/", 1)[1]
        assert server.call("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})[0] == 200
        tablet = errors.watch(browser.new_context(**TABLET, locale="de").new_page())
        tablet.goto(server.url + "/" + created["links"]["hosts"]["1"].split("/", 3)[3] + "?lang=de")
        tablet.locator("#conn[data-state=live]").wait_for()

        postgres.stop()
        for text in ("Während des Neustarts", "Noch eine Notiz"):
            tablet.locator("#note-text").fill(text)
            tablet.locator("#note-text").press("Enter")
        waiting = tablet.locator("#outbox-state[data-waiting=true]")
        waiting.wait_for(timeout=10000)
        assert "Die Datenbank ist gerade nicht erreichbar" in waiting.inner_text()
        assert tablet.locator("#notes-now .note.queued").count() == 2
        shot(tablet, "host-pad-database-down-tablet")

        # The Wi-Fi drops too: reconnecting while the database is away is refused (`unavailable`); the page must
        # keep trying by itself (Socket.IO does not retry a refusal), or the outbox would never get through.
        tablet.context.set_offline(True)
        tablet.locator("#conn[data-state=offline]").wait_for(timeout=10000)
        tablet.context.set_offline(False)
        tablet.wait_for_timeout(4000)
        assert tablet.locator("#conn").get_attribute("data-state") != "live"

        postgres.start()
        # The backoff is 2, 4, 8, then 10 s: the outbox gets through within one more wait.
        tablet.locator("#outbox-state").wait_for(state="hidden", timeout=15000)
        assert tablet.locator("#notes-now .note.queued").count() == 0
        status, listed = server.call("GET", f"/api/v1/events/{code}/notes", moderator)
        assert sorted(n["text"] for n in listed["notes"]) == ["Noch eine Notiz", "Während des Neustarts"]
        assert errors.errors == []
    finally:
        errors.close()
        server.stop()
