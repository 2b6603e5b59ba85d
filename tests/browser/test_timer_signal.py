"""Two minutes before the end every screen that shows the timer says so: projector, host pad, phone and console."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, TABLET, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Counts the phone's vibrations instead of buzzing (headless Chromium has no motor).
RECORD_VIBRATION = "navigator.vibrate = (pattern) => { (window.vibrations ||= []).push(pattern); return true; };"


def test_two_minutes_left_reaches_every_screen_once_and_the_phone_vibrates(browser, live_server, page_errors):
    from worldcafe.services.demo import demo_spec

    created = live_server.api("POST", "/api/v1/events", body=demo_spec())
    code = created["event"]["id"]
    moderator = created["links"]["moderator"].rsplit("/", 1)[1]
    path = lambda url: live_server.url + "/" + url.split("/", 3)[3]  # noqa: E731
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})

    screen = page_errors.watch(browser.new_context(**PROJECTOR, locale="en").new_page())
    screen.goto(path(created["links"]["screen"]))
    console = page_errors.watch(browser.new_context(**LAPTOP, locale="en").new_page())
    console.goto(path(created["links"]["moderator"]))
    tablet = page_errors.watch(browser.new_context(**TABLET, locale="en").new_page())
    tablet.goto(path(created["links"]["hosts"]["1"]))
    phone_context = browser.new_context(**PHONE, locale="en")
    phone_context.add_init_script(RECORD_VIBRATION)
    phone = page_errors.watch(phone_context.new_page())
    phone.goto(path(created["links"]["participants"][0]["link"]))
    for page in (screen, console, tablet, phone):
        page.locator("#conn[data-state=live]").wait_for()
    phone.locator("#timer").wait_for()
    phone.touchscreen.tap(5, 300)  # a phone the person has touched may vibrate
    assert screen.locator("#timer-signal").inner_text() == ""

    # 2:04 left: in a few seconds the round passes the two-minute mark.
    control = {"action": "extend", "seconds": -(20 * 60 - 124)}
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, control)
    for page in (console, tablet, phone):
        page.locator("#timer-banner:not([hidden])", has_text="2 minutes left").wait_for(timeout=15000)
    # The projector follows the (German) event: its own line under the timer, no banner over the room's boxes.
    screen.locator("#timer-signal[data-on=true]", has_text="Letzte 2 Minuten").wait_for()
    assert screen.locator("#timer-banner").count() == 0
    assert phone.evaluate("window.vibrations") == [[300, 150, 300]]
    shot(phone, "timer-two-minutes-phone")
    shot(tablet, "timer-two-minutes-pad")
    shot(console, "timer-two-minutes-console")
    shot(screen, "timer-two-minutes-projector")

    # Said once: a reload in the last two minutes does not announce it again.
    phone.reload()
    phone.locator("#timer").wait_for()
    phone.wait_for_timeout(1500)
    assert phone.locator("#timer-banner:not([hidden])").count() == 0
    # More time (extend past two minutes) and the mark is passed again: announced again.
    tablet.locator("#timer-banner").wait_for(state="hidden", timeout=15000)
    # Back to 2:04 left, whatever time the steps above took (a fixed +15 s may not reach past 2:00 on a slow run).
    running = next(r for r in live_server.api("GET", f"/api/v1/events/{code}", moderator)["rounds"]
                   if r["status"] == "running")
    left = (datetime.fromisoformat(running["ends_at"]) - datetime.now(UTC)).total_seconds()
    assert left < 120, left
    control = {"action": "extend", "seconds": round(124 - left)}
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, control)
    tablet.locator("#timer-banner:not([hidden])", has_text="2 minutes left").wait_for(timeout=15000)
    assert page_errors.errors == []
