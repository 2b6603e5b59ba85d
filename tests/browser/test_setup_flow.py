"""A moderator sets up an event in the browser, a phone joins, the screen's count moves live."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, TABLET, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_moderator_creates_event_participant_joins_screen_updates_live(browser, live_server, page_errors):
    moderator_ctx = browser.new_context(**LAPTOP, locale="en-GB")
    moderator = page_errors.watch(moderator_ctx.new_page())
    moderator.goto(live_server.url + "/")
    moderator.get_by_label("Name of the event").fill("Browser Café")
    moderator.get_by_label("Language of the event").select_option("en")
    moderator.get_by_role("button", name="Create event").click()
    moderator.wait_for_url(re.compile(r"/m/[\w-]{20,}$"))
    moderator_token = moderator.url.rsplit("/", 1)[1]
    assert moderator.locator("#event-name").inner_text() == "Browser Café"

    # Set up: groups, a second topic with two tables, host names; save.
    moderator.get_by_label("Groups to mix (comma-separated, optional)").fill("Kanada, OWL")
    moderator.get_by_role("button", name="+ Add topic").click()
    moderator.locator(".topic-card").nth(0).get_by_label("Title").fill("Zukunft der Arbeit")
    moderator.get_by_role("button", name="+ Add topic").click()
    second = moderator.locator(".topic-card").nth(1)
    second.get_by_label("Title").fill("KI in der Produktentwicklung")
    second.get_by_label("Question").fill("Where does AI help today?")
    second.locator(".table-row").nth(2).get_by_role("button", name="Remove").click()
    moderator.locator(".table-row").nth(0).get_by_label("Host").fill("Anja")
    moderator.get_by_role("button", name="Save setup").click()
    moderator.locator("#setup-ok").filter(has_text="Saved").wait_for()
    assert moderator.locator(".table-row .table-no").all_inner_texts() == [f"Table {n}" for n in range(1, 6)]

    # Bad input is shown, not lost: a round of -5 minutes.
    moderator.locator("#rounds input").nth(0).fill("-5")
    moderator.get_by_role("button", name="Save setup").click()
    error = moderator.locator("#setup-error")
    error.wait_for()
    assert "Round 1: Minutes must be at least 1." in error.inner_text()
    moderator.locator("#rounds input").nth(0).fill("20")
    moderator.get_by_role("button", name="Save setup").click()
    moderator.locator("#setup-ok").filter(has_text="Saved").wait_for()
    shot(moderator, "moderator-setup-1366")

    # The projector, opened through the links page.
    moderator.get_by_role("link", name="Links & QR codes").click()
    screen_url = moderator.locator(".link-card").filter(has_text="Screen").locator("a.url").get_attribute("href")
    join_url = moderator.locator(".link-card").filter(has_text="Join").locator("a.url").get_attribute("href")
    shot(moderator, "moderator-links-1366")
    screen_ctx = browser.new_context(**PROJECTOR)
    screen = page_errors.watch(screen_ctx.new_page())
    screen.goto(screen_url)
    screen.locator("#conn[data-state=live]").wait_for()
    assert screen.locator("#joined-count").inner_text() == "0"
    assert screen.locator(".screen-topic .topic-title").all_inner_texts() == [
        "Zukunft der Arbeit",
        "KI in der Produktentwicklung",
    ]

    # A phone joins through the join page.
    phone_ctx = browser.new_context(**PHONE, locale="de-DE")
    phone = page_errors.watch(phone_ctx.new_page())
    phone.goto(join_url)
    shot(phone, "join-phone-de")
    phone.get_by_label("Ihr Name").fill("Emily Tremblay")
    phone.get_by_text("Kanada").click()
    phone.get_by_role("button", name="Beitreten").click()
    phone.wait_for_url(re.compile(r"/p/[\w-]{20,}$"))
    assert "Emily Tremblay" in phone.locator("h1").inner_text()
    phone.locator("#conn[data-state=live]").wait_for()
    shot(phone, "participant-phone-de")

    # The screen counts the new person without a reload, and the phone as connected.
    screen.locator("#joined-count", has_text="1").wait_for(timeout=5000)
    screen.locator("#connected-count", has_text="1").wait_for(timeout=5000)
    shot(screen, "screen-joining-1920")

    # The moderator's list shows her live too.
    moderator.goto(f"{live_server.url}/m/{moderator_token}")
    moderator.locator("#people tbody tr", has_text="Emily Tremblay").wait_for()
    assert moderator.locator("#joined-count").inner_text() == "1"

    # Re-scanning the join QR on the same phone lands on her own page.
    own = phone.url
    phone.goto(join_url)
    assert phone.url == own

    # A host tablet shows its table.
    moderator.get_by_role("link", name="Links & QR codes").click()
    host_url = moderator.locator(".link-card").filter(has_text="Table 1").locator("a.url").get_attribute("href")
    tablet = page_errors.watch(browser.new_context(**TABLET).new_page())
    tablet.goto(host_url)
    tablet.locator("#conn[data-state=live]").wait_for()
    assert tablet.locator("#topic-title").inner_text() == "Zukunft der Arbeit"
    shot(tablet, "host-tablet-1024")

    # Closing joining hides the join QR on the projector, live.
    moderator.goto(f"{live_server.url}/m/{moderator_token}")
    moderator.get_by_role("button", name="Close joining").click()
    screen.locator("#join-box").wait_for(state="hidden", timeout=5000)
    shot(screen, "screen-closed-1920")
    assert page_errors.errors == []


def test_csv_import_shows_line_errors_then_imports(browser, live_server, page_errors):
    page = page_errors.watch(browser.new_context(**LAPTOP, locale="en").new_page())
    page.goto(live_server.url + "/")
    page.get_by_label("Name of the event").fill("Import test")
    page.get_by_role("button", name="Create event").click()
    page.wait_for_url(re.compile(r"/m/"))
    page.get_by_text("Import a list (CSV: name, group, email)").click()
    page.get_by_label("Paste the list").fill("name;group;email\nAnna;OWL;anna@example.org\n;OWL;\nBen;CA;nope\n")
    page.get_by_role("button", name="Check").click()
    page.locator("#import-report tr.bad").nth(1).wait_for()
    assert page.locator("#import-report tr.bad").count() == 2
    assert page.get_by_role("button", name="Import", exact=True).is_disabled()
    shot(page, "moderator-import-errors-1366")
    page.get_by_label("Paste the list").fill("name;group;email\nAnna;OWL;anna@example.org\n")
    page.get_by_role("button", name="Check").click()
    page.locator("#import-summary", has_text="1 person ready").wait_for()  # counted strings agree with the count
    page.get_by_label("Paste the list").fill("name;group;email\nAnna;OWL;anna@example.org\nBen;CA;\n")
    page.get_by_role("button", name="Check").click()
    page.locator("#import-summary", has_text="2 people ready").wait_for()
    page.get_by_role("button", name="Import", exact=True).click()
    page.locator("#people tbody tr").nth(1).wait_for()
    assert page.locator("#people tbody tr").count() == 2
    assert page_errors.errors == []
