"""Two tablets on one pad: notes appear on both; one goes offline, writes, comes back — nothing lost or doubled."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PROJECTOR, TABLET, shot
from tests.browser.test_live_flow import create_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def add(page, text):
    field = page.locator("#note-text")
    field.fill(text)
    field.press("Enter")


@pytest.fixture
def running_demo(live_server):
    body = create_demo(live_server)
    code = body["event"]["id"]
    moderator = body["links"]["moderator"].rsplit("/", 1)[1]
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})
    return body, code, moderator


def test_two_tablets_one_offline_nothing_lost_or_doubled(browser, live_server, page_errors, running_demo):
    body, code, moderator = running_demo
    path = lambda url: "/" + url.split("/", 3)[3]  # noqa: E731
    contexts = [browser.new_context(**TABLET, locale="en") for _ in range(2)]
    tablet_a, tablet_b = (page_errors.watch(c.new_page()) for c in contexts)
    tablet_a.goto(live_server.url + path(body["links"]["hosts"]["1"]))  # tables 1 and 2 share a topic
    tablet_b.goto(live_server.url + path(body["links"]["hosts"]["2"]))
    screen = page_errors.watch(browser.new_context(**PROJECTOR).new_page())
    screen.goto(live_server.url + path(body["links"]["screen"]))
    for page in (tablet_a, tablet_b, screen):
        page.locator("#conn[data-state=live]").wait_for()

    add(tablet_a, "Pilot projects build trust #trust")
    assert tablet_a.locator("#note-text").evaluate("el => el === document.activeElement")  # ready for the next
    tablet_b.get_by_role("tab", name="Earlier rounds").click()
    tablet_b.locator("#notes-earlier .note", has_text="Pilot projects build trust").wait_for(timeout=3000)

    contexts[0].set_offline(True)
    tablet_a.locator("#conn[data-state=offline]").wait_for(timeout=30000)
    for text in ("Offline one", "Offline two", "Offline three"):
        add(tablet_a, text)
    tablet_a.locator("#outbox-state").wait_for()
    assert tablet_a.locator("#notes-now .note.queued").count() == 3
    shot(tablet_a, "pad-offline-queued")
    # The tablet's page is closed while the Wi-Fi is down; the notes wait in the browser's storage.
    host_url = tablet_a.url
    tablet_a.close()
    contexts[0].set_offline(False)
    tablet_a = page_errors.watch(contexts[0].new_page())
    tablet_a.goto(host_url)
    tablet_a.locator("#conn[data-state=live]").wait_for(timeout=30000)
    tablet_a.locator("#outbox-state").wait_for(state="hidden", timeout=15000)
    for text in ("Offline one", "Offline two", "Offline three"):
        for page, where in ((tablet_a, "#notes-now"), (tablet_b, "#notes-earlier")):
            page.locator(f"{where} .note", has_text=text).wait_for(timeout=5000)
            assert page.locator(f"{where} .note", has_text=text).count() == 1
    notes = live_server.api("GET", f"/api/v1/events/{code}/notes", moderator)["notes"]
    texts = sorted(n["text"] for n in notes)
    assert texts == sorted(["Pilot projects build trust #trust", "Offline one", "Offline two", "Offline three"])
    assert [n["tags"] for n in notes if n["text"].startswith("Pilot")] == [["trust"]]
    assert "null" not in tablet_a.locator("#notes-now").inner_text()
    screen.locator("#ticker li", has_text="Offline three").wait_for(timeout=5000)
    shot(screen, "screen-ticker-1920")
    shot(tablet_a, "pad-back-online")
    assert page_errors.errors == []


def test_markup_in_notes_stays_text_everywhere(browser, live_server, page_errors, running_demo):
    body, code, moderator = running_demo
    path = lambda url: "/" + url.split("/", 3)[3]  # noqa: E731
    tablet = page_errors.watch(browser.new_context(**TABLET).new_page())
    tablet.goto(live_server.url + path(body["links"]["hosts"]["1"]))
    screen = page_errors.watch(browser.new_context(**PROJECTOR).new_page())
    screen.goto(live_server.url + path(body["links"]["screen"]))
    moderator_page = page_errors.watch(browser.new_context(**TABLET).new_page())
    moderator_page.goto(live_server.url + path(body["links"]["moderator"]))
    for page in (tablet, screen, moderator_page):
        page.locator("#conn[data-state=live]").wait_for()
    evil = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b>'
    add(tablet, evil)
    for page, where in ((tablet, "#notes-now .note-text"), (screen, "#ticker li"), (moderator_page, "#mod-notes li")):
        page.locator(where, has_text="<img src=x").wait_for(timeout=5000)
        assert page.locator("img[src=x]").count() == 0 and page.locator("b", has_text="bold").count() == 0
        assert page.title() != "pwned"
    assert page_errors.errors == []


def test_edit_conflict_shows_both_versions(browser, live_server, page_errors, running_demo):
    body, code, moderator = running_demo
    path = lambda url: "/" + url.split("/", 3)[3]  # noqa: E731
    contexts = [browser.new_context(**TABLET, locale="en") for _ in range(2)]
    a, b = (page_errors.watch(c.new_page()) for c in contexts)
    a.goto(live_server.url + path(body["links"]["hosts"]["1"]))
    b.goto(live_server.url + path(body["links"]["hosts"]["1"]))  # a co-host's second device on the same table
    for page in (a, b):
        page.locator("#conn[data-state=live]").wait_for()
    add(a, "Original")
    b.locator("#notes-now .note", has_text="Original").wait_for()
    contexts[1].set_offline(True)
    b.locator("#conn[data-state=offline]").wait_for(timeout=30000)
    b.locator("#notes-now .note", has_text="Original").get_by_role("button", name="Edit").click()
    b.locator(".edit-text").fill("Offline edit")
    b.get_by_role("button", name="Save").click()
    a.locator("#notes-now .note", has_text="Original").get_by_role("button", name="Edit").click()
    a.locator(".edit-text").fill("Online edit")
    a.get_by_role("button", name="Save").click()
    a.locator("#notes-now .note", has_text="Online edit").wait_for()
    contexts[1].set_offline(False)
    conflict = b.locator(".conflict")
    conflict.wait_for(timeout=30000)
    assert "Online edit" in conflict.inner_text() and "Offline edit" in conflict.inner_text()
    shot(b, "pad-conflict")
    conflict.get_by_role("button", name="Use my change").click()
    a.locator("#notes-now .note", has_text="Offline edit").wait_for(timeout=5000)
    assert page_errors.errors == []
