"""The help desk: find a person with their table now and next, check them in, add walk-ins; the A–Z seating list per
round and route cards with every round's table. (Who may call what: tests/test_authorization.py.)"""

from __future__ import annotations

import re

import pytest

from tests.conftest import bearer, received
from tests.test_authorization import started

NAMES = ["Zoë Zimmer", "anna Arendt", "Ängelika Auer", "Bernd Bauer", "Émile Ecker", "42 Nummer", "Björn Bär"]


def desk_get(client, event, path):
    response = client.get(f"/api/v1/events/{event.code}/helpdesk{path}", headers=bearer(event.helpdesk))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_desk_finds_people_ignoring_case_and_accents_with_table_now_and_next(client, event):
    before = desk_get(client, event, "/people?q=ADA")
    assert [p["name"] for p in before["people"]] == ["Ada"]
    assert before["people"][0]["now"] is None  # nothing planned yet
    started(client, event)
    found = desk_get(client, event, "/people?q=ada")
    ada = found["people"][0]
    assert found["round_now"] == 1 and found["round_next"] == 2
    plan = client.get(f"/api/v1/events/{event.code}/plan", headers=bearer(event.moderator)).get_json()
    route = next(p["tables"] for p in plan["people"] if p["name"] == "Ada")
    assert ada["now"]["table"]["number"] == route[0] and ada["next"]["table"]["number"] == route[1]
    assert ada["now"]["round"] == 1 and ada["now"]["checked_in"] is False
    assert ada["now"]["table"]["colour"] and ada["now"]["table"]["topic"]


def test_one_person_shows_every_round_and_checking_in_is_recorded(client, sio, event):
    started(client, event)
    moderator = sio(event.moderator)
    moderator.get_received()
    pid = event.participant_ids["Cy"]
    person = desk_get(client, event, f"/people/{pid}")["person"]
    assert [stop["round"] for stop in person["route"]] == [1, 2, 3]
    assert [stop["status"] for stop in person["route"]] == ["running", "planned", "planned"]
    assert all(stop["seat"]["table"]["number"] for stop in person["route"])
    assert person["checkin_round"] == 1
    url = f"/api/v1/events/{event.code}/helpdesk/people/{pid}/check_in"
    answer = client.post(url, headers=bearer(event.helpdesk)).get_json()
    assert answer["checked_in"] is True and answer["yours"]["number"] == person["now"]["table"]["number"]
    assert [name for name, _ in received(moderator)] == ["checked_in"]
    assert desk_get(client, event, f"/people/{pid}")["person"]["now"]["checked_in"] is True
    assert client.post(url, headers=bearer(event.helpdesk)).status_code == 200  # twice is still once
    assert received(moderator) == []


def test_checking_in_before_any_round_is_a_clear_refusal(client, event):
    response = client.post(f"/api/v1/events/{event.code}/helpdesk/people/{event.participant_ids['Ada']}/check_in",
                           headers=bearer(event.helpdesk))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "wrong_state"


@pytest.mark.parametrize("path", ["/people/999999", "/people/999999/check_in"])
def test_an_unknown_person_is_not_found(client, event, path):
    method = client.post if path.endswith("check_in") else client.get
    response = method(f"/api/v1/events/{event.code}/helpdesk{path}", headers=bearer(event.helpdesk))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_a_walk_in_joins_as_on_the_join_page(client, event):
    url = f"/api/v1/events/{event.code}/helpdesk/walk_ins"
    added = client.post(url, headers=bearer(event.helpdesk), json={"name": "Walk-in Wanda", "group": "ca"})
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert body["person"]["name"] == "Walk-in Wanda" and body["person"]["group"] == "CA"
    token = body["link"].rsplit("/", 1)[1]
    assert client.get(f"/p/{token}").status_code == 200
    people = client.get(f"/api/v1/events/{event.code}", headers=bearer(event.moderator)).get_json()["participants"]
    assert next(p for p in people if p["name"] == "Walk-in Wanda")["source"] == "join"
    again = client.post(url, headers=bearer(event.helpdesk), json={"name": "walk-in wanda", "group": "CA"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "possible_duplicate"
    sure = client.post(url, headers=bearer(event.helpdesk), json={"name": "walk-in wanda", "group": "CA",
                                                                    "confirm": True})
    assert sure.status_code == 201
    assert client.post(url, headers=bearer(event.helpdesk), json={"name": ""}).status_code == 400
    client.patch(f"/api/v1/events/{event.code}", headers=bearer(event.moderator), json={"joining_open": False})
    closed = client.post(url, headers=bearer(event.helpdesk), json={"name": "Late Larry", "group": "DE"})
    assert closed.status_code == 403 and closed.get_json()["error"]["code"] == "joining_closed"


def seating_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<span class="seating-name">([^<]*)</span><span class="seating-table c-\w+"[^>]*>(\d+)</span>',
                      html)


def test_the_seating_list_is_a_to_z_per_round_for_desk_and_moderator(client, make_event):
    event = started(client, make_event(participants=[{"name": n, "group": "CA"} for n in NAMES]))
    plan = client.get(f"/api/v1/events/{event.code}/plan", headers=bearer(event.moderator)).get_json()
    tables = {p["name"]: p["tables"] for p in plan["people"]}
    for token, prefix in ((event.helpdesk, "d"), (event.moderator, "m")):
        page = client.get(f"/{prefix}/{token}/print/seating")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        rows = seating_rows(html)
        # A–Z ignoring case and accents; a name that starts with no letter files under "#".
        assert [name for name, _ in rows] == ["42 Nummer", "Ängelika Auer", "anna Arendt", "Bernd Bauer",
                                              "Björn Bär", "Émile Ecker", "Zoë Zimmer"]
        assert all(int(table) == tables[name][0] for name, table in rows)
        assert re.findall(r'<h2 class="seating-letter">([^<]*)</h2>', html) == ["#", "A", "B", "E", "Z"]
        assert "Future of work" in html  # the legend: colour → topic
        second = client.get(f"/{prefix}/{token}/print/seating?round=2").get_data(as_text=True)
        assert all(int(table) == tables[name][1] for name, table in seating_rows(second))
        assert f'href="/{prefix}/{token}/print/seating?round=3"' in html
    for bad in ("0", "4", "x"):
        response = client.get(f"/d/{event.helpdesk}/print/seating?round={bad}")
        assert response.status_code == 400


def test_a_wall_list_of_400_is_sheets_of_three_columns(client, make_event):
    people = [{"name": f"Person {i:03}", "group": "CA" if i % 2 else "DE"} for i in range(400)]
    tables = [{"number": n, "topic": 1 + n % 2, "capacity": 6} for n in range(1, 71)]
    event = make_event(participants=people, tables=tables)
    assert client.post(f"/api/v1/events/{event.code}/plan", headers=bearer(event.moderator)).status_code == 200
    html = client.get(f"/d/{event.helpdesk}/print/seating?round=1").get_data(as_text=True)
    assert len(seating_rows(html)) == 400
    # Three columns of a heading and 30 names: 90 names a sheet (tests/browser checks that they fit on paper).
    assert html.count('class="sheet seating-sheet"') == 5
    assert html.count('class="seating-col"') == 14
    assert "Sheet 5 of 5" in html


def test_cards_carry_every_rounds_table(client, event):
    html = client.get(f"/m/{event.moderator}/print/participants").get_data(as_text=True)
    assert "see phone" in html  # nothing planned yet: the card says where to look
    started(client, event)
    plan = client.get(f"/api/v1/events/{event.code}/plan", headers=bearer(event.moderator)).get_json()
    html = client.get(f"/m/{event.moderator}/print/participants").get_data(as_text=True)
    cards = re.findall(r'<p class="person-name">([^<]*)</p>.*?</article>', html, re.S)
    assert cards == ["Ada", "Bo", "Cy"]
    for person in plan["people"]:
        card = re.search(rf'<p class="person-name">{person["name"]}</p>(.*?)</article>', html, re.S).group(1)
        assert re.findall(r"Round (\d+)</span>", card) == ["1", "2", "3"]
        assert [int(n) for n in re.findall(r'class="stop-table c-\w+">Table (\d+)<', card)] == person["tables"]
    one = client.get(f"/d/{event.helpdesk}/participants/{event.participant_ids['Bo']}/card").get_data(as_text=True)
    assert re.findall(r'<p class="person-name">([^<]*)</p>', one) == ["Bo"]
    assert f"/p/{event.participants['Bo']}" in one and event.participants["Ada"] not in one
    assert one.count('class="stop-table') == 3


def test_the_links_page_lists_the_desk_link(client, event):
    html = client.get(f"/m/{event.moderator}/links").get_data(as_text=True)
    assert f"/d/{event.helpdesk}" in html and 'data-role="helpdesk"' in html


def test_the_desk_page_has_search_and_walk_in_but_no_console(client, event):
    html = client.get(f"/d/{event.helpdesk}").get_data(as_text=True)
    assert 'id="help-search"' in html and 'id="walkin"' in html
    assert event.moderator not in html and event.screen not in html
    assert not any(token in html for token in event.participants.values())
