"""Accessibility (WCAG 2.2 AA): axe-core on every page, with every role, at its device size, in every state a
person meets during an event — and no target under 24 × 24 CSS px (SC 2.5.8) on any of them.

The tour walks one event from an empty form to the shared summary; each stop is audited, and the test fails once at
the end with every serious or critical finding of every page (`tests/browser/a11y.py` prints them readably).
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.browser.a11y import AxeAudit, axe_audit, small_targets  # noqa: F401 (axe_audit is a fixture)
from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, TABLET, shot
from tests.browser.test_live_flow import create_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def local(url: str) -> str:
    return "/" + url.split("/", 3)[3]


class Tour:
    """Audits pages with axe and measures their targets, collecting everything for one verdict."""

    def __init__(self, audit: AxeAudit) -> None:
        self.audit = audit
        self.small: list[str] = []

    def check(self, page, where: str, picture: bool = False) -> None:
        page.wait_for_timeout(150)  # let a render after a push settle (transitions of colours, toasts)
        self.audit.check(page, where)
        self.small += [f"[{where}] {item}" for item in small_targets(page)]
        if picture:
            shot(page, f"a11y-{where.replace(' ', '-').replace('/', '-')}")

    def assert_clean(self) -> None:
        problems = []
        if self.audit.blocking:
            problems.append(f"axe, serious or critical:\n{self.audit.report()}")
        if self.small:
            problems.append("targets under 24 × 24 CSS px (WCAG 2.5.8):\n" + "\n".join(self.small))
        if self.audit.minor:
            print("axe, moderate and minor findings:\n" + "\n".join(self.audit.minor))
        assert not problems, "\n\n".join(problems)


def checkin_codes(live_server) -> dict[int, str]:
    """Each table's check-in code (printed on its card as a QR), straight from the server's database."""
    with sqlite3.connect(live_server.tmp / "worldcafe.db") as db:
        return dict(db.execute("SELECT number, checkin_code FROM cafe_table"))


def test_every_page_every_role_every_state(browser, live_server, page_errors, axe_audit):  # noqa: F811
    tour = Tour(axe_audit)
    url = live_server.url
    laptop = page_errors.watch(browser.new_context(**LAPTOP, locale="en").new_page())

    # Before the event: the home page, its error, a brand-new event's console.
    laptop.goto(url + "/")
    tour.check(laptop, "home laptop")
    laptop.get_by_role("button", name="Create event").click()
    laptop.locator(".form-error").wait_for()
    tour.check(laptop, "home error laptop")
    laptop.get_by_label("Name of the event").fill("Leeres Café")
    laptop.get_by_role("button", name="Create event").click()
    laptop.locator("#conn[data-state=live]").wait_for()
    tour.check(laptop, "console empty-setup laptop", picture=True)

    body = create_demo(live_server)
    code = body["event"]["id"]
    links = body["links"]
    mod_token = links["moderator"].rsplit("/", 1)[1]
    live_server.api("PATCH", f"/api/v1/events/{code}", mod_token, {"pad_grace_s": 0})  # pads lock at a round's end
    share = live_server.api("POST", f"/api/v1/events/{code}/share", mod_token, {"enabled": True})["link"]
    participant = links["participants"][0]
    codes = checkin_codes(live_server)

    laptop.goto(url + local(links["moderator"]))
    laptop.locator("#conn[data-state=live]").wait_for()
    tour.check(laptop, "console setup laptop", picture=True)
    laptop.goto(f"{url}/m/{mod_token}/links")
    tour.check(laptop, "links laptop")
    printing = page_errors.watch(browser.new_context(viewport={"width": 900, "height": 1270}, locale="en").new_page())
    printing.goto(f"{url}/m/{mod_token}/print/tables")
    tour.check(printing, "print tables")
    printing.goto(f"{url}/m/{mod_token}/print/participants")
    tour.check(printing, "print participants")

    phone_context = browser.new_context(**PHONE, locale="en")
    phone = page_errors.watch(phone_context.new_page())
    phone.goto(f"{url}/j/{code}")
    tour.check(phone, "join phone")
    phone.get_by_role("button", name="Join").click()
    phone.locator(".form-error").wait_for()
    tour.check(phone, "join error phone", picture=True)
    phone.goto(url + local(participant["link"]))
    phone.locator("#conn[data-state=live]").wait_for()
    tour.check(phone, "participant before phone", picture=True)
    scanner = page_errors.watch(phone_context.new_page())  # the same phone's camera opens the table card's link
    scanner.goto(f"{url}/t/{codes[1]}")
    tour.check(scanner, "check-in before phone")
    stranger = page_errors.watch(browser.new_context(**PHONE, locale="de-DE").new_page())
    stranger.goto(f"{url}/t/{codes[1]}")
    tour.check(stranger, "check-in unknown phone")

    tablet = page_errors.watch(browser.new_context(**TABLET, locale="en").new_page())
    tablet.goto(url + local(links["hosts"]["1"]))
    tablet.locator("#conn[data-state=live]").wait_for()
    tour.check(tablet, "host before tablet", picture=True)
    screen = page_errors.watch(browser.new_context(**PROJECTOR, locale="en").new_page())
    screen.goto(url + local(links["screen"]))
    screen.locator("#conn[data-state=live]").wait_for()
    tour.check(screen, "projector welcome")

    # Round 1.
    laptop.goto(url + local(links["moderator"]))
    laptop.locator("#conn[data-state=live]").wait_for()
    laptop.get_by_role("button", name="Start round 1").click()
    phone.locator("#timer").wait_for()
    tour.check(phone, "participant round phone", picture=True)
    table = int(phone.locator(".seat-card .seat-number").first.inner_text())
    scanner.goto(f"{url}/t/{codes[table % 9 + 1]}")
    tour.check(scanner, "check-in wrong-table phone", picture=True)
    scanner.goto(f"{url}/t/{codes[table]}")
    tour.check(scanner, "check-in ok phone", picture=True)
    tablet.locator("#host-timer").wait_for()
    for text in ("Pilot projects build trust #trust", "Data sharing agreements first?"):
        tablet.locator("#note-text").fill(text)
        tablet.locator("#note-text").press("Enter")
    tablet.locator("#notes-now .note").nth(1).wait_for()
    tablet.locator("#notes-now .note").first.get_by_role("button", name="☆ Star").click()
    tour.check(tablet, "host round tablet", picture=True)
    tablet.locator("#notes-now .note").first.get_by_role("button", name="Edit").click()
    tour.check(tablet, "host editing tablet", picture=True)
    tablet.keyboard.press("Escape")
    tablet.get_by_role("tab", name="Recap for newcomers").click()
    tour.check(tablet, "host recap tablet")
    tablet.get_by_role("tab", name="This round").click()
    screen.locator("#ticker li").first.wait_for()
    tour.check(screen, "projector round", picture=True)
    laptop.locator("#mod-notes li").first.wait_for()
    tour.check(laptop, "console live laptop", picture=True)
    laptop.get_by_role("button", name="Pause").click()
    screen.locator("#paused-badge").wait_for()
    tour.check(screen, "projector paused")
    tour.check(laptop, "console paused laptop")
    laptop.get_by_role("button", name="Resume").click()
    laptop.get_by_label("Message to the room").fill("Coffee is ready in the foyer")
    laptop.get_by_role("button", name="Send").click()
    phone.locator("#broadcast").wait_for()
    tour.check(phone, "participant message phone", picture=True)
    screen.locator("#screen-message").wait_for()
    tour.check(screen, "projector message")
    laptop.locator("#help-search").fill("a")
    laptop.locator("#help-results li").first.wait_for()
    laptop.locator("#help-results li").first.get_by_role("button").first.click()
    laptop.locator("#qr-dialog[open]").wait_for()
    tour.check(laptop, "console help-desk dialog laptop")
    laptop.keyboard.press("Escape")

    # Between rounds: the pads lock, the screen shows where to go.
    laptop.once("dialog", lambda dialog: dialog.accept())
    laptop.get_by_role("button", name="End round 1").click()
    phone.locator(".go-now").wait_for()
    tour.check(phone, "participant between phone", picture=True)
    screen.locator(".find-list li").first.wait_for()
    tour.check(screen, "projector find-your-table", picture=True)
    tablet.reload()  # the pad learns it is locked from the server (a write or a fresh page)
    tablet.locator("#pad-state[data-state=locked]").wait_for()
    tour.check(tablet, "host locked tablet", picture=True)
    tour.check(laptop, "console between laptop")

    # The harvest, then the close.
    laptop.once("dialog", lambda dialog: dialog.accept())
    laptop.get_by_role("button", name="Start the harvest").click()
    phone.locator(".ballot-item").first.wait_for()
    tour.check(phone, "participant ballot phone", picture=True)
    # A dot by keyboard: the ballot re-draws, the keyboard stays on the same item's button.
    first_item = phone.locator(".ballot-item").first
    item_id = first_item.get_attribute("data-id")
    first_item.locator("button.primary").focus()
    phone.keyboard.press("Enter")
    phone.locator(".ballot-dots", has_text="●").first.wait_for()
    assert phone.evaluate("document.activeElement.closest('.ballot-item')?.dataset.id") == item_id
    screen.locator(".bar").first.wait_for()
    tour.check(screen, "projector harvest", picture=True)
    tour.check(laptop, "console harvest laptop", picture=True)
    tour.check(tablet, "host harvest tablet")
    laptop.once("dialog", lambda dialog: dialog.accept())
    laptop.get_by_role("button", name="Close the event").click()
    screen.locator("#main-end:not([hidden])").wait_for()
    tour.check(screen, "projector end")
    phone.goto(url + local(participant["link"]))
    phone.locator("#conn[data-state=live]").wait_for()
    tour.check(phone, "participant after phone", picture=True)
    tour.check(laptop, "console closed laptop")
    stranger.goto(f"{url}/j/{code}")
    tour.check(stranger, "join closed phone")

    # The summary, for the moderator and through the share link (on a phone too).
    laptop.goto(f"{url}/m/{mod_token}/summary")
    tour.check(laptop, "summary laptop", picture=True)
    phone.goto(url + local(share))
    tour.check(phone, "shared summary phone", picture=True)

    # Error pages.
    phone.goto(f"{url}/p/not-a-valid-link")
    tour.check(phone, "error 404 phone", picture=True)
    laptop.goto(f"{url}/m/revoked-or-mistyped-link")
    assert laptop.locator("h1").inner_text() == "404"
    tour.check(laptop, "error 404 laptop")
    tour.assert_clean()
    assert len(axe_audit.pages) == 43
    assert page_errors.errors == []


def test_german_pages_and_reflow_at_320_px(browser, live_server, page_errors, axe_audit):  # noqa: F811
    """The German UI (longer words) at each device size, and every page at 320 CSS px wide — a phone's narrowest, and
    a laptop zoomed to 400 % (WCAG 1.4.10 Reflow): no sideways scrolling, no small targets, nothing axe objects to."""
    tour = Tour(axe_audit)
    url = live_server.url
    body = create_demo(live_server)
    code, links = body["event"]["id"], body["links"]
    mod_token = links["moderator"].rsplit("/", 1)[1]
    pages = {
        "join": f"/j/{code}",
        "participant": local(links["participants"][1]["link"]),
        "host": local(links["hosts"]["7"]),  # a green table: its header carries dark ink
        "console": local(links["moderator"]),
        "links": f"/m/{mod_token}/links",
        "projector": local(links["screen"]),
        "home": "/",
        "error": "/h/no-such-link",
    }
    sizes = {"join": PHONE, "participant": PHONE, "host": TABLET, "console": LAPTOP, "links": LAPTOP,
             "projector": PROJECTOR, "home": LAPTOP, "error": PHONE}
    live_server.api("POST", f"/api/v1/events/{code}/control", mod_token, {"action": "start_round"})
    narrow = {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True}
    overflow = []
    for name, path in pages.items():
        for label, device in (("de", sizes[name]), ("de 320px", narrow)):
            page = page_errors.watch(browser.new_context(**device, locale="de-DE").new_page())
            page.goto(url + path)
            if page.locator("#conn").count():
                page.locator("#conn[data-state=live]").wait_for()
            tour.check(page, f"{name} {label}", picture=label.endswith("px"))
            width = page.evaluate("document.documentElement.scrollWidth")
            if label.endswith("px") and width > 320:
                overflow.append(f"{name}: {width} px wide at 320 px")
            page.context.close()
    tour.assert_clean()
    assert not overflow, "pages that scroll sideways at 320 CSS px (WCAG 1.4.10):\n" + "\n".join(overflow)
    assert page_errors.errors == []
