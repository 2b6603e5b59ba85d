"""The phone's networking at 390 px, in German and English: the join form's profile and consents, the people met,
connecting and accepting live, the contact card, the directory, and the follow-up pack after the close."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, shot
from tests.live_server import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = {
    "en": {"connect": "Connect", "accept": "Accept", "connected": "Connected", "add": "Add to address book",
           "met": "People you met", "more": "Tell others about you (optional)", "directory": "Directory",
           "recap": "Your follow-up", "summary": "Read the summary of the café"},
    "de": {"connect": "Verbinden", "accept": "Annehmen", "connected": "Verbunden", "add": "Ins Adressbuch",
           "met": "Menschen, die Sie getroffen haben", "more": "Erzählen Sie anderen von sich (freiwillig)",
           "directory": "Verzeichnis", "recap": "Ihr Rückblick", "summary": "Die Zusammenfassung des Cafés lesen"},
}


def spec(language: str) -> dict:
    return {
        "name": "Matchmaking Paderborn" if language == "de" else "Matchmaking day",
        "language": language,
        "groups": ["Kanada", "OWL"],
        "rounds": [{"minutes": 20}, {"minutes": 20}],
        "topics": [{"title": "KI in der Produktion"}],
        "tables": [{"number": 1, "topic": 1, "capacity": 6, "host": "Hanna"}],
        "participants": [
            {"name": "Emily Chen", "group": "Kanada", "email": "emily@example.org", "organisation": "Vision Labs Inc.",
             "role": "CTO", "offer": "Computer vision for quality inspection", "seek": "Pilot customers in Germany",
             "interests": ["AI", "vision"], "phone": "+1 555 0100 200", "website": "visionlabs.example"},
            {"name": "Jonas Weber", "group": "OWL", "email": "jonas@example.org",
             "organisation": "Weber Maschinenbau GmbH", "role": "Leitung Produktion",
             "offer": "Fertigungslinien zum Testen", "seek": "Visuelle Inspektion",
             "phone": "+49 5251 123456"},
            {"name": "Sam Quiet", "group": "OWL"},
        ],
    }


def path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px wide)"


@pytest.mark.parametrize("language", ["en", "de"])
def test_two_phones_meet_connect_and_see_each_others_card(browser, live_server, page_errors, language):
    words = TEXT[language]
    body = live_server.api("POST", "/api/v1/events", body=spec(language))
    code = body["event"]["id"]
    moderator = body["links"]["moderator"].rsplit("/", 1)[1]
    links = {p["name"]: p["link"] for p in body["links"]["participants"]}
    tokens = {name: link.rsplit("/", 1)[1] for name, link in links.items()}

    # The join form: name and group first, the profile folded away, both consents unticked beside the notice.
    joiner = page_errors.watch(browser.new_context(**PHONE, locale=language).new_page())
    joiner.goto(f"{live_server.url}/j/{code}")
    assert not joiner.locator("input[name=listed]").is_checked()
    assert not joiner.locator("input[name=share_contact]").is_checked()
    assert not joiner.locator("input[name=organisation]").is_visible()
    shot(joiner, f"networking-join-{language}")
    joiner.get_by_text(words["more"]).click()
    assert joiner.locator("input[name=organisation]").is_visible()
    no_sideways_scroll(joiner)
    shot(joiner, f"networking-join-profile-{language}")

    # Both consent on their phones' behalf beforehand (the API the profile form uses), then round 1 starts.
    live_server.api("PATCH", "/api/v1/me", tokens["Jonas Weber"], {"listed": True, "share_contact": True})
    live_server.api("PATCH", "/api/v1/me", tokens["Emily Chen"], {"listed": True, "share_contact": True})
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})

    emily = page_errors.watch(browser.new_context(**PHONE, locale=language).new_page())
    jonas = page_errors.watch(browser.new_context(**PHONE, locale=language).new_page())
    emily.goto(live_server.url + path(links["Emily Chen"]))
    jonas.goto(live_server.url + path(links["Jonas Weber"]))
    met = emily.locator("#met")
    met.get_by_text("Jonas Weber").wait_for()
    assert "Weber Maschinenbau GmbH" in met.inner_text()
    # Sam consented to nothing: his name and table only.
    sam = met.locator(".person", has_text="Sam Quiet")
    assert sam.locator(".person-org").count() == 0 and sam.locator(".person-text").count() == 0
    no_sideways_scroll(emily)
    shot(emily, f"networking-met-{language}")

    met.locator(".person", has_text="Jonas Weber").get_by_role("button", name=words["connect"]).click()
    # Jonas's phone hears of it live and accepts.
    request = jonas.locator("#connections .person", has_text="Emily Chen")
    request.get_by_role("button", name=words["accept"]).wait_for()
    shot(jonas, f"networking-incoming-{language}")
    request.get_by_role("button", name=words["accept"]).click()
    card = emily.locator("#connections .person", has_text="Jonas Weber")
    card.get_by_text("jonas@example.org").wait_for()
    assert card.get_by_role("link", name=words["add"]).get_attribute("href").endswith(".vcf")
    assert emily.locator("#all-contacts").is_visible()
    no_sideways_scroll(emily)
    shot(emily, f"networking-connected-{language}")

    # The directory: listed people, searchable.
    emily.locator("#directory-box > summary").click()
    emily.locator("#directory-q").fill("weber")
    emily.locator("#directory-q").press("Enter")
    wait_for(lambda: emily.locator("#directory .person").count() == 1, 5, "the search result")
    shot(emily, f"networking-directory-{language}")

    # The profile form: a bad phone number is refused, naming the field.
    emily.locator("#profile-box > summary").click()
    emily.locator("#profile-form input[name=phone]").fill("call me")
    emily.locator("#profile-form button[type=submit]").click()
    emily.locator("#profile-error").wait_for()
    assert emily.locator("#profile-form input[name=phone]").get_attribute("aria-invalid") == "true"
    no_sideways_scroll(emily)
    shot(emily, f"networking-profile-{language}")

    # After the close: the follow-up pack, with the summary once the moderator shares it.
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "end_round"})
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_harvest"})
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "close"})
    emily.reload()
    emily.get_by_text(words["recap"]).wait_for()
    emily.locator("#met").get_by_text("Jonas Weber").wait_for()
    no_sideways_scroll(emily)
    shot(emily, f"networking-recap-{language}")
    assert page_errors.errors == []
