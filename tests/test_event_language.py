"""Which language a page speaks: the event's for what the room reads, the person's own device otherwise; a switch wins.

The projector and the printed cards of a German event are German on an English laptop; a DE/EN switch on every page
changes that for this event in this browser, and no other event is affected.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.conftest import EventHandle

ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}
FRENCH_BROWSER = {"Accept-Language": "fr-FR,fr;q=0.9"}


def html_lang(page: str) -> str:
    found = re.search(r'<html lang="([a-z]+)">', page)
    assert found, page[:200]
    return found.group(1)


def get(client: FlaskClient, path: str, headers: dict[str, str] | None = None) -> str:
    response = client.get(path, headers=headers or ENGLISH_BROWSER)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def room_pages(event: EventHandle) -> list[str]:
    return [f"/s/{event.screen}", f"/m/{event.moderator}/print/participants", f"/m/{event.moderator}/print/tables"]


def test_the_projector_and_print_pages_of_a_german_event_are_german_on_an_english_laptop(
    client: FlaskClient, make_event: Callable[..., EventHandle]
) -> None:
    german = make_event(language="de")
    for path in room_pages(german):
        page = get(client, path)
        assert html_lang(page) == "de", path
        assert 'lang="en" hreflang="en">EN</a>' in page, f"no DE/EN switch on {path}"
    assert "Zum Beitreten scannen" in get(client, f"/s/{german.screen}")
    english = make_event(language="en")
    assert html_lang(get(client, f"/s/{english.screen}", {"Accept-Language": "de-DE"})) == "en"


def test_the_switch_wins_and_is_remembered_for_that_event_only(
    client: FlaskClient, make_event: Callable[..., EventHandle]
) -> None:
    german, other = make_event(language="de"), make_event(language="de")
    page = get(client, f"/s/{german.screen}?lang=en")
    assert html_lang(page) == "en" and "Scan to join" in page
    # Remembered: every page of this event in this browser, the printed cards included.
    for path in room_pages(german):
        assert html_lang(get(client, path)) == "en", path
    # Another event on the same laptop still follows its own language.
    assert html_lang(get(client, f"/s/{other.screen}")) == "de"
    assert html_lang(get(client, f"/s/{german.screen}?lang=de")) == "de"
    assert html_lang(get(client, f"/s/{german.screen}")) == "de"


def test_a_language_chosen_outside_an_event_does_not_turn_a_projector(
    client: FlaskClient, make_event: Callable[..., EventHandle]
) -> None:
    german = make_event(language="de")
    get(client, "/?lang=en")  # the start page, chosen English once on this laptop
    assert html_lang(get(client, f"/s/{german.screen}")) == "de"
    assert html_lang(get(client, f"/m/{german.moderator}/print/tables")) == "de"


def test_personal_pages_follow_the_device_else_the_event(
    client: FlaskClient, make_event: Callable[..., EventHandle]
) -> None:
    german = make_event(language="de")
    ada = german.participants["Ada"]
    for path in (f"/j/{german.code}", f"/m/{german.moderator}", f"/h/{german.hosts[1]}", f"/p/{ada}"):
        assert html_lang(get(client, path, ENGLISH_BROWSER)) == "en", path
        assert html_lang(get(client, path, FRENCH_BROWSER)) == "de", path  # not ours: the event's language


def test_the_switch_keeps_the_part_of_a_long_print_job(
    client: FlaskClient, make_event: Callable[..., EventHandle]
) -> None:
    german = make_event(language="de")
    page = get(client, f"/m/{german.moderator}/print/participants?page=1")
    link = re.search(r'<a href="([^"]+)"[^>]*lang="en"', page)
    assert link and "page=1" in link.group(1) and "lang=en" in link.group(1)
