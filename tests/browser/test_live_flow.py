"""Event day in the browser: the moderator starts round 1, the phone shows its table, the screen the timer."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, TABLET, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def create_demo(server):
    from worldcafe.services.demo import demo_spec

    return server.api("POST", "/api/v1/events", body=demo_spec())


def seconds(text: str) -> int:
    minutes, secs = text.strip().split(":")
    return int(minutes) * 60 + int(secs)


def test_rounds_move_the_phone_and_the_screen_follows(browser, live_server, page_errors):
    body = create_demo(live_server)
    path = lambda url: "/" + url.split("/", 3)[3]  # noqa: E731
    moderator = page_errors.watch(browser.new_context(**LAPTOP, locale="en").new_page())
    moderator.goto(live_server.url + path(body["links"]["moderator"]))
    screen = page_errors.watch(browser.new_context(**PROJECTOR, locale="en").new_page())
    screen.goto(live_server.url + path(body["links"]["screen"]))
    phone = page_errors.watch(browser.new_context(**PHONE, locale="en").new_page())
    emily = body["links"]["participants"][0]
    phone.goto(live_server.url + path(emily["link"]))
    host = page_errors.watch(browser.new_context(**TABLET, locale="en").new_page())
    host.goto(live_server.url + path(body["links"]["hosts"]["1"]))
    for page in (moderator, screen, phone, host):
        page.locator("#conn[data-state=live]").wait_for()

    moderator.get_by_role("button", name="Start round 1").click()
    moderator.locator("#toast", has_text="Round 1 started").wait_for()
    phone.locator(".seat-card .seat-number").first.wait_for()
    table_1 = phone.locator(".seat-card .seat-number").first.inner_text()
    assert phone.locator(".seat-round").first.inner_text() == "Round 1 of 3"
    assert re.fullmatch(r"[1-9]", table_1)
    screen.locator("#big-timer").wait_for()
    phone.locator("#timer").wait_for()
    # Every device counts down against the server clock: they agree within a second.
    screen_left, phone_left, host_left = (
        seconds(p.locator(sel).inner_text())
        for p, sel in ((screen, "#big-timer"), (phone, "#timer"), (host, "#host-timer"))
    )
    assert max(screen_left, phone_left, host_left) - min(screen_left, phone_left, host_left) <= 1
    assert 1190 <= screen_left <= 1200
    shot(phone, "live-phone-round1")
    shot(screen, "live-screen-round1-1920")

    moderator.get_by_role("button", name="Pause").click()
    screen.locator("#paused-badge").wait_for()
    phone.locator("#timer-label", has_text="paused").wait_for()
    frozen = phone.locator("#timer").inner_text()
    phone.wait_for_timeout(1500)
    assert phone.locator("#timer").inner_text() == frozen
    shot(screen, "live-screen-paused-1920")
    moderator.get_by_role("button", name="Resume").click()
    screen.locator("#paused-badge").wait_for(state="hidden")

    moderator.once("dialog", lambda dialog: dialog.accept())
    moderator.get_by_role("button", name="End round 1").click()
    phone.locator(".go-now").wait_for()
    table_2 = phone.locator(".seat-card .seat-number").first.inner_text()
    screen.locator(".find-list li", has_text=emily["name"]).wait_for()
    shot(screen, "live-screen-find-1920")
    moderator.get_by_role("button", name="Start round 2").click()
    phone.locator("#timer").wait_for()
    assert phone.locator(".seat-round").first.inner_text() == "Round 2 of 3"
    assert phone.locator(".seat-card .seat-number").first.inner_text() == table_2
    assert table_2 != table_1  # no one stays at a table: every round is a new topic
    assert phone.locator("#route li").count() == 2
    shot(phone, "live-phone-round2")
    shot(moderator, "live-moderator-round2-1366")
    assert page_errors.errors == []


def test_late_arrival_phone_gets_a_seat_at_once(browser, live_server, page_errors):
    body = create_demo(live_server)
    code = body["event"]["id"]
    moderator_token = body["links"]["moderator"].rsplit("/", 1)[1]
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator_token, {"action": "start_round"})
    phone = page_errors.watch(browser.new_context(**PHONE, locale="de-DE").new_page())
    phone.goto(f"{live_server.url}/j/{code}")
    phone.get_by_label("Ihr Name").fill("Spät Gekommen")
    phone.get_by_text("OWL", exact=True).click()
    phone.get_by_role("button", name="Beitreten").click()
    phone.locator(".seat-round", has_text="Runde 1 von 3").wait_for()
    shot(phone, "live-late-arrival-phone-de")
    assert page_errors.errors == []
