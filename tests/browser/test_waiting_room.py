"""A walk-in to a full room: the phone says where to wait, the console counts who waits and makes room in a click."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LAPTOP, PHONE, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SPEC = {
    "name": "Full room",
    "language": "en",
    "rounds": [{"minutes": 20}] * 3,
    "topics": [{"title": "Future of work", "question": "What changes first?"}, {"title": "AI", "question": "Where?"}],
    "tables": [{"number": n, "topic": 1 + n % 2, "capacity": 3, "host": f"Host {n}"} for n in (1, 2)],
    "participants": [{"name": f"Person {i}"} for i in range(6)],
}


def path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_the_waiting_phone_and_the_console_count(browser, live_server, page_errors, size):
    created = live_server.api("POST", "/api/v1/events", body=SPEC)
    code, moderator_link = created["event"]["id"], created["links"]["moderator"]
    token = moderator_link.rsplit("/", 1)[1]
    live_server.api("POST", f"/api/v1/events/{code}/control", token, {"action": "start_round"})
    walk_ins = [live_server.api("POST", f"/api/v1/join/{code}", body={"name": f"Walk-in {i}"}) for i in range(2)]

    phone = page_errors.watch(browser.new_context(**PHONE, locale="en").new_page())
    phone.goto(live_server.url + path(walk_ins[0]["link"]))
    phone.locator("#conn[data-state=live]").wait_for()
    card = phone.locator(".waiting-card")
    card.wait_for()
    assert "All tables are full right now" in card.inner_text()
    assert "Please wait at the front" in card.inner_text()
    shot(phone, "waiting-phone")

    console = page_errors.watch(browser.new_context(**(PHONE if size == "phone" else LAPTOP), locale="en").new_page())
    console.goto(live_server.url + path(moderator_link))
    console.locator("#conn[data-state=live]").wait_for()
    banner = console.locator("#waiting")
    banner.wait_for()
    assert "2 people are waiting for a seat" in banner.inner_text()
    banner.scroll_into_view_if_needed()
    shot(console, f"waiting-console-{size}")
    box = banner.bounding_box()
    width = console.viewport_size["width"]
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, "the banner runs off the screen"
    for name in ("+1 seat at every table", "Open a new table"):
        button = banner.get_by_role("button", name=name)
        button.wait_for()
        b = button.bounding_box()
        assert b and b["x"] + b["width"] <= width and b["height"] >= 30, f"a remedy button is cut or tiny: {b}"

    banner.get_by_role("button", name="+1 seat at every table").click()
    banner.wait_for(state="hidden")
    # The phone that waited is pushed its table for the running round.
    phone.locator(".seat-card").first.wait_for()
    assert phone.locator(".waiting-card").count() == 0
    assert "Round 1 of 3" in phone.locator("#seat").inner_text()
    shot(phone, "waiting-phone-seated")
    assert page_errors.errors == []
