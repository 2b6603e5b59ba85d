"""The console while live: locked fields say why before Save, edits reach the phone and the pad in place, unsaved
changes are not lost silently; the help desk finds a person and shows their QR; a look-alike name is warned about."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LAPTOP, PHONE, TABLET, shot
from tests.browser.test_live_flow import create_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SMALL_LAPTOP = {**LAPTOP, "viewport": {"width": 1366, "height": 768}}


def path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_live_setup_shows_locks_and_reaches_phone_and_pad(browser, live_server, page_errors):
    body = create_demo(live_server)
    code, moderator_token = body["event"]["id"], body["links"]["moderator"].rsplit("/", 1)[1]
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator_token, {"action": "start_round"})
    person = body["links"]["participants"][0]
    me = live_server.api("GET", "/api/v1/me", person["link"].rsplit("/", 1)[1])
    table, topic_position = me["current"]["table"]["number"], me["current"]["table"]["topic_position"]

    moderator = page_errors.watch(browser.new_context(**SMALL_LAPTOP, locale="en").new_page())
    moderator.goto(live_server.url + path(body["links"]["moderator"]))
    phone = page_errors.watch(browser.new_context(**PHONE, locale="en").new_page())
    phone.goto(live_server.url + path(person["link"]))
    pad = page_errors.watch(browser.new_context(**TABLET, locale="en").new_page())
    pad.goto(live_server.url + path(body["links"]["hosts"][str(table)]))
    for page in (moderator, phone, pad):
        page.locator("#conn[data-state=live]").wait_for()
        page.evaluate("window.notReloaded = true")

    # Before anyone presses Save: round 1, the played tables and topics are locked, each with its reason.
    assert moderator.locator("#setup-live-note").is_visible()
    first_round = moderator.locator("#rounds li").nth(0)
    assert first_round.locator("input").is_disabled() and first_round.locator(".remove").is_disabled()
    assert "started" in first_round.locator(".lock-note").inner_text()
    assert moderator.locator("#rounds li").nth(1).locator("input").is_enabled()
    first_table = moderator.locator(".table-row").nth(0)
    assert first_table.locator(".remove").is_disabled()
    assert first_table.locator(".lock-note").inner_text() == "played in round 1 — cannot be removed"
    assert first_table.get_by_label("Seats").is_enabled()
    assert moderator.locator(".topic-card").nth(0).locator(".remove-topic").is_disabled()
    moderator.locator("#setup-h").scroll_into_view_if_needed()
    shot(moderator, "console-live-setup-1366")
    top = moderator.evaluate("document.getElementById('setup-h').getBoundingClientRect().top + window.scrollY")
    moderator.screenshot(path=str(_shot_path("console-live-setup-form-1366")), full_page=True,
                         clip={"x": 0, "y": top - 20, "width": 1366, "height": 1100})

    # Fix the phone's topic text, shorten round 2, add a table: unsaved until Save, then everyone sees it.
    card = moderator.locator(".topic-card").nth(topic_position - 1)
    card.get_by_label("Title").fill("Neues Thema für Runde 2")
    card.get_by_label("Question").fill("Was nehmen wir mit?")
    assert moderator.locator("#setup-dirty").is_visible()
    moderator.locator("#rounds li").nth(1).locator("input").fill("15")
    moderator.locator(".topic-card").nth(0).get_by_role("button", name="+ Add table").click()
    assert moderator.locator(".topic-card").nth(0).locator(".table-no").last.inner_text() == "Table 10"
    moderator.get_by_role("button", name="Save setup").click()
    moderator.locator("#setup-ok").filter(has_text="Saved").wait_for()
    assert moderator.locator("#setup-dirty").is_hidden()
    assert moderator.locator(".table-row .table-no").all_inner_texts()[3] == "Table 10"  # topic 1: 1, 2, 3, 10

    phone.locator(".seat-topic", has_text="Neues Thema für Runde 2").first.wait_for()
    assert phone.locator(".seat-question").first.inner_text() == "Was nehmen wir mit?"
    pad.locator("#topic-title", has_text="Neues Thema für Runde 2").wait_for()
    assert pad.locator("#topic-question").inner_text() == "Was nehmen wir mit?"
    assert phone.evaluate("window.notReloaded") and pad.evaluate("window.notReloaded")
    shot(phone, "phone-topic-renamed-live-390")
    shot(pad, "pad-topic-renamed-live-1024")
    links = live_server.api("GET", f"/api/v1/events/{code}/links", moderator_token)
    assert "10" in links["hosts"]

    # An edit the server refuses shows its reason; leaving with unsaved changes asks first.
    moderator.locator("#rounds li").nth(2).locator("input").fill("0")
    moderator.get_by_role("button", name="Save setup").click()
    moderator.locator("#setup-error").wait_for()
    assert "Round 3: Minutes must be at least 1." in moderator.locator("#setup-error").inner_text()
    dialogs: list[str] = []
    moderator.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    moderator.close(run_before_unload=True)
    moderator.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]


@pytest.mark.parametrize(("size", "label"), [(SMALL_LAPTOP, "1366"), (PHONE, "390")])
def test_help_desk_finds_a_person_and_shows_their_qr(browser, live_server, page_errors, size, label):
    body = create_demo(live_server)
    moderator = page_errors.watch(browser.new_context(**size, locale="en").new_page())
    moderator.goto(live_server.url + path(body["links"]["moderator"]))
    moderator.locator("#conn[data-state=live]").wait_for()
    search = moderator.get_by_label("Find a person")
    search.scroll_into_view_if_needed()
    search.fill("cote")  # "Ethan Côté", typed without accents
    moderator.locator("#help-results li", has_text="Ethan Côté").wait_for()
    assert moderator.locator("#help-results li").count() == 1
    # The viewport as the help desk sees it (a full-page shot resizes the page under the next click).
    moderator.screenshot(path=str(_shot_path(f"console-helpdesk-search-{label}")))
    moderator.get_by_role("button", name="Show QR code").click()
    dialog = moderator.locator("#qr-dialog")
    dialog.wait_for()
    image = moderator.locator("#qr-image")
    for _ in range(50):
        if image.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        moderator.wait_for_timeout(100)
    assert image.evaluate("img => img.naturalWidth > 0")
    assert moderator.evaluate("document.documentElement.scrollWidth") <= size["viewport"]["width"]
    box = moderator.locator("#qr-image").bounding_box()
    assert box["width"] >= min(300, size["viewport"]["width"] * 0.75)  # big enough for a phone to scan
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["viewport"]["width"]
    ethan = next(p for p in body["links"]["participants"] if p["name"] == "Ethan Côté")
    assert moderator.locator("#qr-link").inner_text() == ethan["link"]
    moderator.screenshot(path=str(_shot_path(f"console-helpdesk-qr-{label}")))
    moderator.get_by_role("button", name="Close", exact=True).click()
    assert dialog.is_hidden()


def _shot_path(name: str):
    from tests.browser.conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / f"{name}.png"


def test_a_look_alike_name_is_warned_on_the_join_page(browser, live_server, page_errors):
    body = create_demo(live_server)
    phone = page_errors.watch(browser.new_context(**PHONE, locale="en").new_page())
    phone.goto(live_server.url + path(body["links"]["join"]))
    phone.get_by_label("Your name").fill("emily  tremblay")
    phone.get_by_text("Kanada").click()
    phone.get_by_role("button", name="Join").click()
    warning = phone.locator(".look-alike")
    warning.wait_for()
    assert "Someone called Emily Tremblay has already joined" in warning.inner_text()
    shot(phone, "join-look-alike-390")
    phone.get_by_label("That is not me: add me as a new participant").check()
    phone.get_by_role("button", name="Join").click()
    phone.wait_for_url("**/p/**")
    assert len(live_server.api("GET", f"/api/v1/events/{body['event']['id']}/participants",
                               body["links"]["moderator"].rsplit("/", 1)[1])["participants"]) == 41
