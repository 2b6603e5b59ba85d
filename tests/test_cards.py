"""Printed cards and the links page in parts, with QR codes drawn once per link (DESIGN.md §6a)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SPEC, bearer
from worldcafe import qrcodes
from worldcafe.qrcodes import Qr, QrCache
from worldcafe.services.cards import PEOPLE_PER_PAGE, TABLES_PER_PAGE
from worldcafe.web import printing

PEOPLE = [{"name": f"Person {i:03}", "group": "CA" if i % 2 else "DE"} for i in range(1, PEOPLE_PER_PAGE + 2)]
TABLES = [{"number": n, "topic": 1 + n % 2, "capacity": 5, "host": f"Host {n}"} for n in range(1, TABLES_PER_PAGE + 2)]


@pytest.fixture(autouse=True)
def fresh_cache():
    qrcodes.cache.clear()
    yield
    qrcodes.cache.clear()


def cards(html: str) -> list[str]:
    """The names on a sheet of participant cards, in order."""
    return re.findall(r'<p class="person-name">([^<]*)</p>', html)


def test_participant_cards_come_in_parts_of_200(client, make_event):
    handle = make_event(participants=PEOPLE)
    first = client.get(f"/m/{handle.moderator}/print/participants")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert cards(html) == [p["name"] for p in PEOPLE[:PEOPLE_PER_PAGE]]
    assert html.count('class="sheet people-sheet"') == PEOPLE_PER_PAGE // 8
    assert html.count("<svg") == PEOPLE_PER_PAGE  # every card has its own QR
    assert "Part 1 of 2" in html and "Cards 1–200 of 201" in html
    assert f'href="/m/{handle.moderator}/print/participants?page=2"' in html
    second = client.get(f"/m/{handle.moderator}/print/participants?page=2").get_data(as_text=True)
    assert cards(second) == [PEOPLE[-1]["name"]]
    assert f"/p/{handle.participants[PEOPLE[-1]['name']]}" in second
    assert "Part 2 of 2" in second and f'href="/m/{handle.moderator}/print/participants?page=1"' in second


def test_a_small_event_prints_on_one_part_without_a_picker(client, event):
    html = client.get(f"/m/{event.moderator}/print/participants").get_data(as_text=True)
    assert cards(html) == ["Ada", "Bo", "Cy"]
    assert 'class="pager' not in html


@pytest.mark.parametrize("page, status, code", [("3", 400, "There is no part 3; the last one is 2."),
                                                ("0", 400, "whole number"), ("abc", 400, "whole number"),
                                                ("-1", 400, "whole number")])
def test_a_page_that_does_not_exist_is_a_clear_error(client, make_event, page, status, code):
    handle = make_event(participants=PEOPLE)
    response = client.get(f"/m/{handle.moderator}/print/participants?page={page}")
    assert response.status_code == status
    assert code in response.get_data(as_text=True)


def test_table_cards_come_in_parts_with_both_codes(client, make_event):
    handle = make_event(tables=TABLES)
    html = client.get(f"/m/{handle.moderator}/print/tables").get_data(as_text=True)
    assert html.count('class="sheet table-card"') == TABLES_PER_PAGE
    assert html.count("<svg") == 2 * TABLES_PER_PAGE  # check-in and host slip
    assert "Part 1 of 2" in html and "How will AI change our jobs?" in html
    last = client.get(f"/m/{handle.moderator}/print/tables?page=2").get_data(as_text=True)
    assert last.count('class="sheet table-card"') == 1
    assert f"/h/{handle.hosts[TABLES[-1]['number']]}" in last and "Host 51" in last


def test_links_page_lists_hosts_and_people_in_parts(client, make_event):
    handle = make_event(participants=PEOPLE)
    html = client.get(f"/m/{handle.moderator}/links").get_data(as_text=True)
    assert html.count('data-role="participant"') == PEOPLE_PER_PAGE
    assert all(f"/h/{token}" in html for token in handle.hosts.values())
    assert f"/j/{handle.code}" in html and f"/s/{handle.screen}" in html and f"/m/{handle.moderator}" in html
    second = client.get(f"/m/{handle.moderator}/links?page=2").get_data(as_text=True)
    assert second.count('data-role="participant"') == 1
    assert "All tables are on the earlier parts." in second
    assert f"/s/{handle.screen}" in second  # the role links are on every part


@pytest.mark.parametrize(("page", "shown"), [("print/participants", "Person 001"), ("print/tables", "Host 50"),
                                             ("links", "Person 200"), ("print/seating", "Person 201")])
def test_a_big_page_is_rendered_in_pieces_with_the_loop_free_between_them(client, make_event, monkeypatch, page,
                                                                           shown):
    """200 cards are ~40 ms of rendering, a stall for the whole room in one piece (DESIGN.md §6a). In pieces, the
    loop serves everyone else in between, and the page is the same."""
    handle = make_event(participants=PEOPLE, tables=TABLES)
    planned = client.post(f"/api/v1/events/{handle.code}/plan", headers=bearer(handle.moderator))
    assert planned.status_code == 200, planned.get_json()
    pauses: list[int] = []
    monkeypatch.setattr(printing, "let_others_run", lambda: pauses.append(1))
    monkeypatch.setattr(printing, "PIECE_S", 3600.0)
    whole = client.get(f"/m/{handle.moderator}/{page}").get_data(as_text=True)
    assert len(pauses) == 1  # after the view's reading, before rendering
    pauses.clear()
    monkeypatch.setattr(printing, "PIECE_S", 0.0)  # every bit of output is a piece
    pieced = client.get(f"/m/{handle.moderator}/{page}").get_data(as_text=True)
    assert pieced == whole and shown in whole
    assert len(pauses) > TABLES_PER_PAGE


def test_each_qr_code_is_drawn_once(client, make_event, monkeypatch):
    drawn: list[Qr] = []
    real = qrcodes.draw_all

    def counting(codes):
        drawn.extend(codes)
        return real(codes)

    monkeypatch.setattr(qrcodes, "draw_all", counting)
    handle = make_event(participants=SPEC["participants"])
    first = client.get(f"/m/{handle.moderator}/print/participants").get_data(as_text=True)
    assert len(drawn) == 3
    again = client.get(f"/m/{handle.moderator}/print/participants").get_data(as_text=True)
    assert again == first and len(drawn) == 3
    person = handle.participant_ids["Bo"]
    svg = client.get(f"/m/{handle.moderator}/participants/{person}/qr.svg").get_data(as_text=True)
    client.get(f"/m/{handle.moderator}/participants/{person}/qr.svg")
    assert len(drawn) == 4 and drawn[-1].standalone and svg.startswith("<svg")


def test_cached_codes_are_the_codes_segno_draws():
    import segno

    cache = QrCache(size=2)
    url = "http://192.168.1.20:5000/p/abc"
    inline, standalone = cache.svgs([Qr(url, 3), Qr(url, 10, standalone=True)])
    assert inline == segno.make(url, error="m", micro=False).svg_inline(
        scale=3, border=2, dark="#000", light="#fff", title=None, svgclass="qr", lineclass=None, omitsize=True)
    assert standalone.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and 'class="qr"' in standalone
    cache.svgs([Qr(url + "1"), Qr(url + "2")])
    assert len(cache) == 2  # the least recently used codes make room


def test_the_part_picker_speaks_german(client, make_event):
    handle = make_event(participants=PEOPLE)
    html = client.get(f"/m/{handle.moderator}/print/participants?page=2&lang=de").get_data(as_text=True)
    assert "Teil 2 von 2" in html and "Karten 201–201 von 201" in html and "Zurück" in html
