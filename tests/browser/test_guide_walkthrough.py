"""A whole event, as the facilitator's guide tells it — every step asserted, every screen photographed.

The screenshots land in test-artifacts/screenshots/guide-*.png; docs/guide.md shows copies of them
(refresh with `make guide-screenshots`).
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, TABLET, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_whole_event_from_setup_to_summary(browser, live_server, page_errors):
    url = live_server.url
    moderator = page_errors.watch(browser.new_context(**LAPTOP, locale="en").new_page())

    # 1. Create the event and set it up.
    moderator.goto(url + "/")
    shot(moderator, "guide-01-create")
    moderator.get_by_label("Name of the event").fill("Canada meets OWL")
    moderator.get_by_role("button", name="Create event").click()
    moderator.wait_for_url(re.compile(r"/m/[\w-]{20,}$"))
    token = moderator.url.rsplit("/", 1)[1]
    moderator.get_by_label("Groups to mix (comma-separated, optional)").fill("Kanada, OWL")
    for title in ("KI in der Produktentwicklung", "Zukunft der Arbeit", "Digital in NRW"):
        moderator.get_by_role("button", name="+ Add topic").click()
        moderator.locator(".topic-card").last.get_by_label("Title").fill(title)
    moderator.get_by_role("button", name="Save setup").click()
    moderator.locator("#setup-ok").filter(has_text="Saved").wait_for()
    code = moderator.locator("main#console").get_attribute("data-event")
    people = "\n".join(["name;group"] + [f"Guest {i};{'Kanada' if i % 3 == 0 else 'OWL'}" for i in range(1, 31)])
    moderator.get_by_text("Import a list (CSV: name, group, email)").click()
    moderator.get_by_label("Paste the list").fill(people)
    moderator.get_by_role("button", name="Check").click()
    moderator.locator("#import-summary", has_text="30 people ready").wait_for()
    moderator.get_by_role("button", name="Import", exact=True).click()
    moderator.locator("#people tbody tr").nth(29).wait_for()
    moderator.locator("#setup-panel, .panel").first.scroll_into_view_if_needed()
    shot(moderator, "guide-02-setup")

    # 2. Plan the rounds.
    moderator.get_by_role("button", name="Plan the rounds").click()
    moderator.locator("#plan-quality li", has_text="Nobody meets anyone twice.").wait_for()
    moderator.locator("#plan-panel").scroll_into_view_if_needed()
    shot(moderator, "guide-03-plan")

    # 3. Links and printing.
    moderator.goto(f"{url}/m/{token}/links")
    screen_url = moderator.locator(".link-card").filter(has_text="Screen").locator("a.url").get_attribute("href")
    host_url = moderator.locator(".link-card").filter(has_text="Table 1").locator("a.url").get_attribute("href")
    phone_url = moderator.locator("table.people a.url").first.get_attribute("href")
    shot(moderator, "guide-04-links")
    printing = page_errors.watch(browser.new_context(viewport={"width": 900, "height": 1270}).new_page())
    printing.goto(f"{url}/m/{token}/print/tables")
    shot(printing, "guide-05-table-card")

    # 4. The room: projector, a host tablet, a phone.
    screen = page_errors.watch(browser.new_context(**PROJECTOR, locale="en").new_page())
    screen.goto(screen_url)
    # A second, smaller projector (1280×720) follows along: every mode must fit there too.
    small = page_errors.watch(browser.new_context(viewport={"width": 1280, "height": 720}, locale="de").new_page())
    small.goto(screen_url)
    tablet = page_errors.watch(browser.new_context(**TABLET, locale="en").new_page())
    tablet.goto(host_url)
    phone = page_errors.watch(browser.new_context(**PHONE, locale="de-DE").new_page())
    phone.goto(phone_url)
    for page in (screen, small, tablet, phone):
        page.locator("#conn[data-state=live]").wait_for()
    shot(screen, "guide-06-screen-welcome")
    shot(small, "screen-720-welcome")

    # 5. Run round 1.
    moderator.goto(f"{url}/m/{token}")
    moderator.get_by_role("button", name="Start round 1").click()
    phone.locator("#timer").wait_for()
    screen.locator("#big-timer").wait_for()
    shot(moderator, "guide-07-control-room")
    shot(phone, "guide-08-phone-round")
    for text in ("Pilotprojekte senken die Einstiegshürde für KMU", "Data sharing agreements are needed first",
                 "Pilot projects with Canadian partners"):
        tablet.locator("#note-text").fill(text)
        tablet.locator("#note-text").press("Enter")
    tablet.locator("#notes-now .note").nth(2).wait_for()
    tablet.locator("#notes-now .note").first.get_by_role("button", name="☆ Star").click()
    tablet.locator("#notes-now .note.starred").wait_for()
    shot(tablet, "guide-09-host-pad")
    screen.locator("#ticker li", has_text="Pilot projects with Canadian partners").wait_for()
    shot(screen, "guide-10-screen-round")
    small.locator("#ticker li", has_text="Pilot projects with Canadian partners").wait_for()
    shot(small, "screen-720-round")

    # 6. Between rounds, then rounds 2 and 3.
    moderator.once("dialog", lambda dialog: dialog.accept())
    moderator.get_by_role("button", name="End round 1").click()
    screen.locator(".find-list li").first.wait_for()
    shot(screen, "guide-11-screen-find-your-table")
    small.locator(".find-list li").first.wait_for()
    shot(small, "screen-720-find")
    shot(phone, "guide-12-phone-move")
    for n in (2, 3):
        moderator.get_by_role("button", name=f"Start round {n}").click()
        moderator.locator("#toast", has_text=f"Round {n} started").wait_for()
        moderator.once("dialog", lambda dialog: dialog.accept())
        moderator.get_by_role("button", name=f"End round {n}").click()
        moderator.locator("#toast", has_text=f"Round {n} ended").wait_for()

    # 7. The harvest: votes from phones, bars on the projector.
    moderator.once("dialog", lambda dialog: dialog.accept())
    moderator.get_by_role("button", name="Start the harvest").click()
    phone.locator(".ballot-item").first.wait_for()
    phone.locator(".ballot-item").first.locator("button.primary").click()
    screen.locator(".bar").first.wait_for()
    shot(phone, "guide-13-phone-vote")
    shot(screen, "guide-14-screen-harvest")
    small.locator(".bar").first.wait_for()
    shot(small, "screen-720-harvest")
    for page in (screen, small):  # nothing to scroll on a projector
        assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")

    # 8. The summary.
    summary = page_errors.watch(browser.new_context(viewport={"width": 1280, "height": 900}).new_page())
    summary.goto(f"{url}/m/{token}/summary")
    assert "Pilot" in summary.content()
    shot(summary, "guide-15-summary")
    request = urllib.request.Request(f"{url}/api/v1/events/{code}/summary.json",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        exported = json.loads(response.read())
    assert len(exported["data"]["notes"]) == 3 and len(exported["data"]["event"]["rounds"]) == 3
    assert page_errors.errors == []
