"""The help desk's page at phone and laptop sizes: find a person, see their table now and next, show their QR code,
check them in, add a walk-in; the A–Z seating list on paper; the console's own help desk still works."""

from __future__ import annotations

import re

import pytest

from tests.browser.a11y import assert_accessible, small_targets
from tests.browser.conftest import SHOTS, shot

pytestmark = pytest.mark.browser

FIRST = ["Anna", "Ben", "Clara", "David", "Emily", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Karl", "Lena"]
LAST = ["Müller", "Tremblay", "Schäfer", "Côté", "Becker", "Roy"]
PEOPLE = [f"{first} {last}" for last in LAST for first in FIRST]  # 72 people


@pytest.fixture
def event(live_server):
    created = live_server.api("POST", "/api/v1/events", body={
        "name": "Canada meets OWL — a long event name that must wrap",
        "language": "de",
        "groups": ["Kanada", "OWL"],
        "rounds": [{"minutes": 20}, {"minutes": 20}, {"minutes": 20}],
        "topics": [{"title": "KI in der Produktentwicklung", "question": "Wo hilft KI heute?"},
                   {"title": "Zukunft der Arbeit", "question": "Was ändert sich?"},
                   {"title": "Digital in NRW – Kompetenzzentrum für den Mittelstand", "question": "Was braucht es?"}],
        "tables": [{"number": n, "topic": 1 + n % 3, "capacity": 6} for n in range(1, 15)],
        "participants": [{"name": name, "group": ["Kanada", "OWL"][i % 2]} for i, name in enumerate(PEOPLE)],
    }, timeout=60)
    links = created["links"]
    moderator = links["moderator"].rsplit("/", 1)[1]
    code = created["event"]["id"]
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"}, timeout=60)
    plan = live_server.api("GET", f"/api/v1/events/{code}/plan", moderator)
    return {"code": code, "moderator": moderator, "desk": links["helpdesk"].rsplit("/", 1)[1],
            "tables": {p["name"]: p["tables"] for p in plan["people"]}}


def no_horizontal_overflow(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def qr_drawn(page):
    """Wait until the QR code image has loaded (polled from here: the pages' CSP forbids evaluating strings)."""
    for _ in range(100):
        if page.evaluate("document.getElementById('qr-image').naturalWidth") > 0:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the QR code never loaded")


def find_and_open(page, typed, name):
    page.fill("#help-search", typed)
    row = page.locator("#help-results li", has_text=name)
    row.wait_for()
    return row


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["phone", "laptop"])
def test_the_desk_finds_a_person_and_shows_table_now_next_and_qr(live_server, browser, page_errors, event, size):
    width, height = size
    page = page_errors.watch(browser.new_page(viewport={"width": width, "height": height}))
    page.goto(f"{live_server.url}/d/{event['desk']}?lang=de")
    assert page.locator("h1").inner_text().startswith("Canada meets OWL")
    row = find_and_open(page, "cote ann", "Anna Côté")  # without accents, any order of words
    assert page.locator("#help-results li").count() == 1
    now, following = event["tables"]["Anna Côté"][:2]
    chips = [" ".join(text.split()) for text in row.locator(".desk-chip").all_inner_texts()]
    assert chips == [f"jetzt Tisch {now}", f"danach Tisch {following}"]
    no_horizontal_overflow(page)
    assert_accessible(page, f"help desk search {width}px")
    assert small_targets(page) == []
    shot(page, f"helpdesk-{'phone' if width < 500 else 'laptop'}-search")

    row.get_by_role("button", name="Öffnen").click()
    panel = page.locator("#person")
    panel.wait_for()
    assert page.locator("#person-name").inner_text() == "Anna Côté"
    assert f"Tisch {now}" in page.locator("#seat-now").inner_text()
    assert "Runde 1" in page.locator("#seat-now").inner_text()
    assert f"Tisch {following}" in page.locator("#seat-next").inner_text()
    route = page.locator("#person-route li").all_inner_texts()
    assert len(route) == 3 and all(f"Tisch {t}" in r for r, t in zip(route, event["tables"]["Anna Côté"],
                                                                          strict=True))
    page.get_by_role("button", name="QR-Code zeigen").click()
    image = page.locator("#qr-image")
    image.wait_for()
    qr_drawn(page)
    box = image.bounding_box()
    assert box["width"] >= 250 and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert "/p/" in page.locator("#qr-link").inner_text()
    no_horizontal_overflow(page)
    if width > 1000:  # the laptop has search and person side by side
        assert panel.bounding_box()["x"] > page.locator(".desk-find").bounding_box()["x"] + 300
    page.locator("#person-name").scroll_into_view_if_needed()
    assert_accessible(page, f"help desk person {width}px")
    shot(page, f"helpdesk-{'phone' if width < 500 else 'laptop'}-person")
    if width < 500:  # the guide's picture: what the desk's phone shows (docs/guide.md, make guide-screenshots)
        page.evaluate("window.scrollTo(0, document.getElementById('person').offsetTop - 8)")
        page.screenshot(path=str(SHOTS / "guide-16-helpdesk-phone.png"))

    page.get_by_role("button", name="Für Runde 1 einchecken").click()
    page.locator("#toast", has_text="eingecheckt").wait_for()
    page.locator("#seat-now", has_text="eingecheckt").wait_for()
    assert page_errors.errors == []


def test_a_walk_in_gets_a_seat_and_a_card_and_the_wall_list_prints(live_server, browser, page_errors, event):
    page = page_errors.watch(browser.new_page(viewport={"width": 390, "height": 844}))
    page.goto(f"{live_server.url}/d/{event['desk']}?lang=de")
    form = page.locator("#walkin")
    form.locator("input[name=name]").fill("Walk-in Wanda")
    form.locator("select[name=group]").select_option("OWL")
    form.get_by_role("button", name="Hinzufügen").click()
    page.locator("#person-name", has_text="Walk-in Wanda").wait_for()
    qr_drawn(page)  # shown at once
    page.locator("#seat-next .desk-seat-number", has_text="Tisch").wait_for()  # seated by the re-plan
    form.locator("input[name=name]").fill("walk-in wanda")
    form.locator("select[name=group]").select_option("OWL")
    form.get_by_role("button", name="Hinzufügen").click()
    page.locator("#walkin-error", has_text="Walk-in Wanda ist schon da").wait_for()  # a look-alike: press again
    shot(page, "helpdesk-phone-walk-in")

    with page.expect_popup() as popup:
        page.get_by_role("link", name="Karte neu drucken").click()
    card = page_errors.watch(popup.value)
    card.wait_for_load_state()
    assert card.locator(".person-card").count() == 1
    assert card.locator(".stop-table").count() == 3
    shot(card, "helpdesk-card-reprint")
    sheet = page_errors.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
    sheet.goto(f"{live_server.url}/m/{event['moderator']}/print/participants?lang=de")
    sheet.emulate_media(media="print")
    for person in sheet.locator(".person-card").all()[:16]:  # every card's route fits inside the card
        box, route = person.bounding_box(), person.locator(".card-route").bounding_box()
        assert route["y"] + route["height"] <= box["y"] + box["height"] and route["y"] >= box["y"]
    assert sheet.locator(".person-card").first.locator(".stop-table").count() == 3
    shot(sheet, "route-cards-printed")

    wall = page_errors.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
    wall.goto(f"{live_server.url}/d/{event['desk']}/print/seating?round=2&lang=de")
    names = wall.locator(".seating-name").all_inner_texts()
    assert len(names) == len(PEOPLE) + 1 and "Walk-in Wanda" in names
    table_of = dict(zip(names, wall.locator(".seating-table").all_inner_texts(), strict=True))
    plan = live_server.api("GET", f"/api/v1/events/{event['code']}/plan", event["moderator"])  # re-planned for Wanda
    assert {name: int(table) for name, table in table_of.items()} == {p["name"]: p["tables"][1] for p in plan["people"]}
    assert_accessible(wall, "seating list A–Z")
    shot(wall, "seating-list-screen")
    wall.emulate_media(media="print")
    assert not wall.locator(".print-hint").is_visible()
    # Every name stays inside its column and its sheet, and nothing overlaps the legend.
    for sheet in wall.locator(".seating-sheet").all():
        cols = sheet.locator(".seating-cols").bounding_box()
        legend = sheet.locator(".seating-legend").bounding_box()
        assert cols["y"] + cols["height"] <= legend["y"] + 1
        assert legend["y"] + legend["height"] <= sheet.bounding_box()["y"] + sheet.bounding_box()["height"]
        for column in sheet.locator(".seating-col").all():
            box = column.bounding_box()
            for row in column.locator(".seating-row").all():
                r = row.bounding_box()
                assert r["x"] >= box["x"] - 1 and r["x"] + r["width"] <= box["x"] + box["width"] + 1
                assert r["y"] + r["height"] <= cols["y"] + cols["height"] + 1
    pdf = wall.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == wall.locator(".seating-sheet").count()
    shot(wall, "seating-list-printed")
    assert page_errors.errors == []


def test_the_console_help_desk_still_shows_a_qr(live_server, browser, page_errors, event):
    page = page_errors.watch(browser.new_page(viewport={"width": 1366, "height": 900}))
    page.goto(f"{live_server.url}/m/{event['moderator']}?lang=de")
    page.fill("#help-search", "tremblay emi")
    row = page.locator("#help-results li", has_text="Emily Tremblay")
    row.wait_for()
    row.get_by_role("button", name="QR-Code zeigen").click()
    page.locator("#qr-dialog").wait_for()
    qr_drawn(page)
    page.goto(f"{live_server.url}/m/{event['moderator']}/links?lang=de")
    card = page.locator(".link-card", has_text="Infotheke")
    assert card.locator("svg").count() == 1 and f"/d/{event['desk']}" in card.inner_text()
    assert card.get_by_role("button", name="Neuer Link").is_visible()
    shot(page, "links-with-helpdesk")
    assert page_errors.errors == []
