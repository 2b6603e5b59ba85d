"""Cards of a big event in parts: the part picker on screen, whole A4 sheets on paper, nothing of the picker printed."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

PEOPLE = 450  # three parts of up to 200 cards


def test_participant_cards_in_parts_print_whole_sheets(live_server, browser, page_errors):
    created = live_server.api("POST", "/api/v1/events", body={
        "name": "Großes Café",
        "language": "de",
        "groups": ["Kanada", "OWL"],
        "topics": [{"title": "Zukunft der Arbeit", "question": "Was ändert sich?"}],
        "tables": [{"number": n, "topic": 1, "capacity": 10} for n in range(1, 61)],
        "participants": [{"name": f"Teilnehmerin {i}", "group": ["Kanada", "OWL"][i % 2]}
                         for i in range(1, PEOPLE + 1)],
    }, timeout=60)
    moderator = created["links"]["moderator"].rsplit("/", 1)[1]
    page = page_errors.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
    page.goto(f"{live_server.url}/m/{moderator}/print/participants?page=2&lang=de")
    picker = page.locator("nav.pager").first
    assert picker.is_visible()
    assert "Teil 2 von 3" in picker.inner_text() and "Karten 201–400 von 450" in picker.inner_text()
    assert page.locator(".person-card").count() == 200
    assert page.locator(".person-card svg.qr").count() == 200
    shot(page, "cards-part-picker")

    picker.get_by_role("link", name=re.compile("Weiter")).click()
    page.wait_for_url(re.compile(r"page=3"))
    assert page.locator(".person-card").count() == PEOPLE - 400
    assert "Teil 3 von 3" in page.locator("nav.pager").first.inner_text()

    # On paper: no picker, no hint, 25 whole A4 sheets of 8 cards for a part of 200.
    page.goto(f"{live_server.url}/m/{moderator}/print/participants?page=1&lang=de")
    page.emulate_media(media="print")
    assert not page.locator("nav.pager").first.is_visible()
    assert not page.locator(".print-hint").is_visible()
    shot(page, "cards-printed")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 200 // 8

    tables = page_errors.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
    tables.goto(f"{live_server.url}/m/{moderator}/print/tables?page=2")
    assert tables.locator(".table-card").count() == 10
    # Printed for the room: the (German) event's language, whatever the browser's.
    assert "Teil 2 von 2" in tables.locator("nav.pager").first.inner_text()
    shot(tables, "table-cards-part-2")
    links = page_errors.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
    links.goto(f"{live_server.url}/m/{moderator}/links?page=3")
    assert "Part 3 of 3" in links.locator("nav.pager").first.inner_text()
    assert links.locator("tr button.regen").count() == PEOPLE - 400
    shot(links, "links-part-3")
    assert page_errors.errors == []
