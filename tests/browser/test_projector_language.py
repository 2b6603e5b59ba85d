"""A German event on an English laptop: the projector and the printed cards speak German; the DE/EN switch wins."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LAPTOP, PROJECTOR, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_projector_follows_the_event_and_the_switch_wins(browser, live_server, page_errors):
    from worldcafe.services.demo import demo_spec

    created = live_server.api("POST", "/api/v1/events", body=demo_spec())  # a German event
    screen_url = live_server.url + "/" + created["links"]["screen"].split("/", 3)[3]
    moderator = created["links"]["moderator"].rsplit("/", 1)[1]
    screen = page_errors.watch(browser.new_context(**PROJECTOR, locale="en-US").new_page())
    screen.goto(screen_url)
    screen.locator("#conn[data-state=live]").wait_for()
    assert screen.locator("html").get_attribute("lang") == "de"
    assert screen.locator(".join-text").inner_text() == "Zum Beitreten scannen"
    assert screen.locator("#connected-count + .counter-label").inner_text() == "verbunden"

    screen.locator(".screen-tools .lang a", has_text="EN").click()
    screen.wait_for_url(re.compile(r"lang=en"))
    screen.locator("#conn[data-state=live]").wait_for()
    assert screen.locator("html").get_attribute("lang") == "en"
    assert screen.locator(".join-text").inner_text() == "Scan to join"
    shot(screen, "projector-switched-to-english")
    screen.goto(screen_url)  # remembered for this event in this browser
    assert screen.locator(".join-text").inner_text() == "Scan to join"
    screen.locator(".screen-tools .lang a", has_text="DE").click()
    screen.wait_for_url(re.compile(r"lang=de"))
    assert screen.locator(".join-text").inner_text() == "Zum Beitreten scannen"

    printing = page_errors.watch(browser.new_context(**LAPTOP, locale="en-US").new_page())
    printing.goto(f"{live_server.url}/m/{moderator}/print/tables")
    assert printing.locator("html").get_attribute("lang") == "de"
    assert printing.locator(".table-label").first.inner_text().lower() == "tisch"
    printing.locator(".print-lang a", has_text="EN").click()
    printing.wait_for_url(re.compile(r"lang=en"))
    assert printing.locator(".table-label").first.inner_text().lower() == "table"
    printing.emulate_media(media="print")
    assert not printing.locator(".print-lang").is_visible()  # the switch is not printed
    assert page_errors.errors == []
