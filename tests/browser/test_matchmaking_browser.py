"""The console's matchmaking panel at laptop and phone sizes: pairs with their reasons, switch, search, drop and ask
again, a pair by hand, how many the plan seats together; no sideways scrolling."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.browser.conftest import LAPTOP, PHONE, SHOTS, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROFILES = {
    "Emily Tremblay": ("Kanada", "Acme Vision Inc.", "Computer vision for visual inspection", "Pilot customers in OWL"),
    "Jonas Meier": ("OWL", "Meier Maschinenbau GmbH", "Sondermaschinen", "Computer vision für die Qualitätsprüfung"),
    "Chloé Gagnon": ("Kanada", "Northern Robotics", "Robotik und Greifsysteme", "Partner im Maschinenbau"),
    "Lena Schulz": ("OWL", "Schulz Automation", "Maschinenbau und Automatisierung", "Robotik"),
    "Liam Wilson": ("Kanada", "Maple Speech", "Speech recognition for noisy factories", "Industrial data"),
    "Mia Becker": ("OWL", "Becker Logistik", "Industrial data platforms", "speech recognition on the shop floor"),
}


def matchmaking_event(server: Any) -> dict[str, Any]:
    people = [{"name": name, "group": group} for name, (group, *_rest) in PROFILES.items()]
    tables = [{"number": n, "topic": 1, "capacity": 4, "host": f"Host {n}"} for n in range(1, 4)]
    spec = {"name": "Canada meets OWL", "language": "en", "groups": ["Kanada", "OWL"],
            "rounds": [{"minutes": 20}] * 3, "topics": [{"title": "Cooperation"}], "tables": tables,
            "participants": people}
    body = server.api("POST", "/api/v1/events", body=spec, timeout=30)
    # Profiles come from the phones (another branch's pages); here straight into the server's database.
    with sqlite3.connect(server.tmp / "worldcafe.db") as connection:
        for name, (_group, organisation, offer, seek) in PROFILES.items():
            connection.execute("UPDATE participant SET organisation = ?, offer = ?, seek = ? WHERE name = ?",
                               (organisation, offer, seek, name))
    return {"code": body["event"]["id"], "token": body["links"]["moderator"].rsplit("/", 1)[1]}


def overflow(page: Any) -> float:
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize(("size", "name"), [(LAPTOP, "laptop"), (PHONE, "phone")])
def test_the_matchmaking_panel(browser, live_server, page_errors, size, name):
    event = matchmaking_event(live_server)
    page = page_errors.watch(browser.new_context(**size, locale="en").new_page())
    page.goto(f"{live_server.url}/m/{event['token']}")
    panel = page.locator("#match-panel")
    panel.locator("#match-list li", has_text="Turn on").wait_for()
    panel.get_by_label("Seat complementary people together").check()
    panel.locator(".match").first.wait_for(timeout=30_000)
    text = panel.locator("#match-list").inner_text()
    assert "Emily Tremblay offers “Computer vision for visual inspection”; Jonas Meier seeks" in text
    assert "Acme Vision Inc." in text
    assert panel.locator(".match").count() == 3
    assert overflow(page) <= 0
    panel.scroll_into_view_if_needed()
    shot(page, f"matchmaking-{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    panel.screenshot(path=str(SHOTS / f"matchmaking-{name}-panel.png"))

    # Search, drop, ask again.
    panel.get_by_label("Find a pair").fill("speech")
    page.locator("#match-shown", has_text="1 pair shown").wait_for()
    panel.get_by_role("button", name="Drop the pair Liam Wilson and Mia Becker").click()
    panel.locator(".match.dropped").wait_for()
    page.locator("#match-quality li", has_text="2 pairs requested").wait_for()
    panel.get_by_role("button", name="Ask again for the pair Liam Wilson and Mia Becker").click()
    page.locator("#match-quality li", has_text="3 pairs requested").wait_for()
    panel.get_by_label("Find a pair").fill("")

    # A pair by hand, then a plan that seats the pairs.
    ids = {p["name"]: p["id"] for p in live_server.api("GET", f"/api/v1/events/{event['code']}/participants",
                                                       event["token"])["participants"]}
    panel.get_by_label("Person").fill(f"Emily Tremblay (Kanada) #{ids['Emily Tremblay']}")
    panel.get_by_label("meets").fill(f"Mia Becker (OWL) #{ids['Mia Becker']}")
    panel.get_by_role("button", name="Add pair").click()
    panel.locator(".match", has_text="added by hand").wait_for()
    page.get_by_role("button", name="Plan the rounds").click()
    page.locator("#match-quality li", has_text="The plan seats 4 of 4 requested pairs at one table.").wait_for(
        timeout=30_000)
    assert overflow(page) <= 0
    shot(page, f"matchmaking-{name}-planned")
    panel.screenshot(path=str(SHOTS / f"matchmaking-{name}-planned-panel.png"))
