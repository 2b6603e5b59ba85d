"""The moderator shapes the harvest: rename, merge and hide themes, choose the vote shortlist; only the moderator."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import bearer, received
from tests.test_control import ctl

NOTES = [  # (table, text, kind, starred): "Pilot" at tables 1 and 2 in round 1, "Project" at 1 and 2 as well
    (1, "Small pilots with partners", "insight", False),
    (2, "A pilot in every team", "idea", True),
    (1, "Projects need a sponsor", "idea", True),
    (2, "More projects across borders", "idea", False),
    (1, "Coffee breaks matter", "idea", False),
]


@pytest.fixture
def harvest(client, sio, event):
    """Round 1 with notes at tables 1 and 2 (Future of work), then the harvest."""
    ctl(client, event.code, event.moderator, "start_round")
    ids = {}
    for table, text, kind, starred in NOTES:
        host = sio(event.hosts[table])
        note = host.emit("add_note", {"id": str(uuid.uuid4()), "text": text, "kind": kind}, callback=True)["note"]
        if starred:
            note = host.emit("edit_note", {"id": note["id"], "base_version": 1, "starred": True}, callback=True)["note"]
        ids[text] = note["id"]
    ctl(client, event.code, event.moderator, "end_round")
    ctl(client, event.code, event.moderator, "start_harvest")
    return event, ids


def themes(view, position=1):
    return {t["key"]: t for t in next(tp for tp in view["topics"] if tp["position"] == position)["themes"]}


def edit(client, event, token=None, **body):
    return client.post(f"/api/v1/events/{event.code}/themes/edits", headers=bearer(token or event.moderator),
                       json=body)


def test_the_harvest_view_lists_themes_by_base_form_and_conversations(client, harvest):
    event, _ids = harvest
    view = client.get(f"/api/v1/events/{event.code}/harvest", headers=bearer(event.moderator)).get_json()
    found = themes(view)
    assert {"pilot", "project"} <= set(found)
    assert found["project"]["label"] == "Project"  # "Projects" in its base form
    assert (found["pilot"]["tables"], found["pilot"]["sittings"], found["pilot"]["notes"]) == (2, 2, 2)
    assert view["shortlist"] is None and view["hidden"] == []
    assert {c["text"] for c in view["candidates"]} == {"Small pilots with partners", "A pilot in every team",
                                                       "Projects need a sponsor"}


def test_rename_merge_and_hide_hold_in_the_view_and_the_exports(client, sio, harvest):
    event, _ids = harvest
    co_moderator = sio(event.moderator)
    co_moderator.get_received()
    view = edit(client, event, action="rename", key="pilot", label="Pilot projects").get_json()
    assert themes(view)["pilot"]["label"] == "Pilot projects" and themes(view)["pilot"]["renamed"] is True
    assert [p["action"] for _n, p in received(co_moderator, "themes_edited")] == ["rename"]

    view = edit(client, event, action="merge", key="project", into="pilot").get_json()
    merged = themes(view)
    assert "project" not in merged and merged["pilot"]["notes"] == 4  # both themes' notes in one
    assert view["merged"] == [{"key": "project", "into": "pilot"}]

    view = edit(client, event, action="hide", key="pilot", label="Pilot projects").get_json()
    assert "pilot" not in themes(view) and view["hidden"] == [{"key": "pilot", "label": "Pilot projects"}]
    markdown = client.get(f"/api/v1/events/{event.code}/summary.md", headers=bearer(event.moderator)).get_data(True)
    assert "**Pilot projects**" not in markdown  # hidden everywhere, exports included

    view = edit(client, event, action="show", key="pilot").get_json()
    assert themes(view)["pilot"]["label"] == "Pilot projects" and view["hidden"] == []
    markdown = client.get(f"/api/v1/events/{event.code}/summary.md", headers=bearer(event.moderator)).get_data(True)
    assert "**Pilot projects** — 2 tables, 1 round, 4 notes" in markdown

    view = edit(client, event, action="unmerge", key="project").get_json()
    assert {"pilot", "project"} <= set(themes(view))


@pytest.mark.parametrize("body", [
    {"action": "rename"},
    {"action": "explode", "key": "pilot"},
    {"action": "merge", "key": "pilot"},
    {"action": "merge", "key": "pilot", "into": "pilot"},
    {"action": "rename", "key": "pilot", "label": "x" * 81},
    {"action": "hide", "key": "pilot", "extra": 1},
])
def test_bad_theme_edits_are_refused_clearly(client, harvest, body):
    event, _ids = harvest
    response = edit(client, event, **body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


def test_the_shortlist_is_what_the_phones_vote_on(client, sio, harvest):
    event, ids = harvest
    phone = sio(event.participants["Ada"])
    phone.get_received()
    chosen = [ids["Projects need a sponsor"], ids["More projects across borders"]]
    response = client.put(f"/api/v1/events/{event.code}/shortlist", headers=bearer(event.moderator),
                          json={"notes": chosen})
    assert response.status_code == 200 and response.get_json()["shortlist"] == chosen
    assert received(phone, "ballot_changed")
    ballot = client.get(f"/api/v1/events/{event.code}/votes", headers=bearer(event.participants["Ada"])).get_json()
    assert [i["id"] for i in ballot["items"]] == chosen and ballot["shortlist"] is True
    # A starred note left off the shortlist takes no dots; one on it (even unstarred) does.
    refused = phone.emit("cast_vote", {"note_id": ids["A pilot in every team"]}, callback=True)
    assert refused["ok"] is False and refused["error"]["code"] == "not_found"
    assert phone.emit("cast_vote", {"note_id": ids["More projects across borders"]}, callback=True)["ok"]
    view = client.get(f"/api/v1/events/{event.code}/harvest", headers=bearer(event.moderator)).get_json()
    assert view["votes"]["total"] == 1
    assert [(r["text"], r["votes"]) for r in view["votes"]["results"]][0] == ("More projects across borders", 1)
    # Back to every starred note and insight.
    client.put(f"/api/v1/events/{event.code}/shortlist", headers=bearer(event.moderator), json={"notes": None})
    ballot = client.get(f"/api/v1/events/{event.code}/votes", headers=bearer(event.participants["Ada"])).get_json()
    assert {i["text"] for i in ballot["items"]} == {"Small pilots with partners", "A pilot in every team",
                                                    "Projects need a sponsor"}


def test_a_shortlist_with_a_note_of_another_event_is_refused(client, make_event, harvest):
    event, ids = harvest
    response = client.put(f"/api/v1/events/{event.code}/shortlist", headers=bearer(event.moderator),
                          json={"notes": [ids["Coffee breaks matter"], str(uuid.uuid4())]})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert client.put(f"/api/v1/events/{event.code}/shortlist", headers=bearer(event.moderator),
                      json={"notes": ["not an id"]}).status_code == 400


@pytest.mark.parametrize("role", ["screen", "host", "participant", "none", "forged", "other_moderator"])
@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/v1/events/{code}/harvest", None),
    ("POST", "/api/v1/events/{code}/themes/edits", {"action": "hide", "key": "pilot"}),
    ("PUT", "/api/v1/events/{code}/shortlist", {"notes": None}),
])
def test_only_the_events_moderator_shapes_the_harvest(client, make_event, role, method, path, body):
    event = make_event()
    other = make_event(name="Other café")
    token = {"screen": event.screen, "host": event.hosts[1], "participant": event.participants["Ada"], "none": None,
             "forged": "A" * 32, "other_moderator": other.moderator}[role]
    kwargs = {"json": body} if body is not None else {}
    response = client.open(path.format(code=event.code), method=method, headers=bearer(token) if token else {},
                           **kwargs)
    assert response.status_code in (401, 403), response.get_json()
    view = client.get(f"/api/v1/events/{event.code}/harvest", headers=bearer(event.moderator)).get_json()
    assert view["hidden"] == [] and view["shortlist"] is None  # nothing changed


def test_the_event_time_zone_is_a_setting_and_unknown_zones_are_refused(client, event):
    url = f"/api/v1/events/{event.code}"
    assert client.patch(url, headers=bearer(event.moderator), json={"timezone": "America/Toronto"}).status_code == 200
    assert client.get(url, headers=bearer(event.moderator)).get_json()["timezone"] == "America/Toronto"
    refused = client.patch(url, headers=bearer(event.moderator), json={"timezone": "Mars/Olympus"})
    assert refused.status_code == 400 and "Mars/Olympus" in refused.get_json()["error"]["message"]
    csv_head = client.get(f"{url}/summary.csv", headers=bearer(event.moderator)).get_data(True).splitlines()[0]
    assert "Time (America/Toronto)" in csv_head
