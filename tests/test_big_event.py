"""Big events stay cheap: creation in bulk chunks, snapshots that read only what they send (DESIGN.md §6a)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.conftest import SPEC, bearer, received
from worldcafe.extensions import db
from worldcafe.models import AccessLink, CafeTable, Event, Note, Participant, utcnow
from worldcafe.services import events as event_service

PEOPLE = [{"name": f"Person {i}", "group": "CA" if i % 3 else "NZ"} for i in range(1, 2101)]  # several chunks
TABLES = [{"number": n, "topic": 1 + n % 2, "capacity": 10, "host": f"Host {n}"} for n in range(1, 601)]


@pytest.fixture(autouse=True)
def big_requests_allowed(app):
    """An operator may raise the per-request caps (WORLDCAFE_MAX_*_PER_REQUEST): such an event still goes in whole."""
    app.config.update(MAX_PEOPLE_PER_REQUEST=len(PEOPLE), MAX_TABLES_PER_REQUEST=len(TABLES))


def test_a_big_event_is_created_whole_with_every_link_its_own(client, app):
    response = client.post("/api/v1/events", json={**SPEC, "participants": PEOPLE, "tables": TABLES})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    people = body["links"]["participants"]
    assert [p["name"] for p in people] == [p["name"] for p in PEOPLE]
    assert len({p["link"] for p in people}) == len(PEOPLE)
    assert [p["name"] for p in body["event"]["participants"]] == [p["name"] for p in PEOPLE]
    assert body["event"]["groups"] == ["CA", "DE", "NZ"]  # a new group joins the event's groups
    assert sorted(map(int, body["links"]["hosts"])) == list(range(1, 601))
    # Each person's link opens that person's page, each host link that table's pad.
    for person in (people[0], people[1000], people[-1]):
        me = client.get("/api/v1/me", headers=bearer(person["link"].rsplit("/", 1)[1])).get_json()
        assert me["name"] == person["name"]
    for number in (1, 333, 600):
        page = client.get("/h/" + body["links"]["hosts"][str(number)].rsplit("/", 1)[1]).get_data(as_text=True)
        assert f'data-table="{number}"' in page
    with app.app_context():
        assert db.session.query(Participant).filter_by(source="api").count() == len(PEOPLE)
        codes = db.session.execute(db.select(CafeTable.checkin_code)).scalars().all()
        assert len(set(codes)) == len(TABLES)


def test_a_big_event_goes_in_pieces_with_the_loop_free_between_them(client, monkeypatch):
    """Topics, each chunk of tables and of people, then the answer's view and its links: each a piece of its own,
    the room's other requests in between (one piece held the loop ~50 ms per 1,000 tables, measured)."""
    from worldcafe.web import api

    pauses: list[str] = []
    monkeypatch.setattr(event_service, "let_others_run", lambda: pauses.append("creating"))
    monkeypatch.setattr(api, "let_others_run", lambda: pauses.append("answering"))
    response = client.post("/api/v1/events", json={**SPEC, "participants": PEOPLE, "tables": TABLES})
    assert response.status_code == 201, response.get_json()
    rows = event_service.CREATE_CHUNK_ROWS
    chunks = -(-len(TABLES) // (rows // 2)) + -(-len(PEOPLE) // rows)
    assert pauses == ["creating"] * (1 + chunks) + ["answering"]


def test_a_failed_chunk_leaves_no_half_made_event(client, app, monkeypatch):
    real = event_service._insert_people
    calls: list[int] = []

    def fail_on_the_second(event, people):
        calls.append(len(people))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(event, people)

    monkeypatch.setattr(event_service, "_insert_people", fail_on_the_second)
    response = client.post("/api/v1/events", json={**SPEC, "participants": PEOPLE, "tables": TABLES})
    assert response.status_code == 500
    assert calls == [event_service.CREATE_CHUNK_ROWS] * 2  # the first chunk went in, the second failed
    with app.app_context():
        assert db.session.query(Event).count() == 0
        assert db.session.query(Participant).count() == 0
        assert db.session.query(AccessLink).count() == 0


@pytest.fixture
def many_notes(app, event):
    """130 notes at table 1, a second apart, the last one hidden."""
    with app.app_context():
        ev = db.session.execute(db.select(Event).filter_by(public_id=event.code)).scalar_one()
        table = next(t for t in ev.tables if t.number == 1)
        start = utcnow() - timedelta(hours=1)
        for k in range(130):
            db.session.add(Note(id=str(uuid.uuid4()), event_id=ev.id, table_id=table.id, topic_id=table.topic_id,
                                round_number=1, text=f"note {k}", hidden=k == 129,
                                created_at=start + timedelta(seconds=k), updated_at=start + timedelta(seconds=k)))
        db.session.commit()
    return event


def test_the_screen_snapshot_sends_the_newest_hundred_notes_oldest_first(sio, many_notes):
    screen = sio(many_notes.screen)
    [(_, snap)] = received(screen, "snapshot")
    assert [n["text"] for n in snap["notes"]] == [f"note {k}" for k in range(29, 129)]
    host = sio(many_notes.hosts[1])
    [(_, pad)] = received(host, "snapshot")
    assert [n["text"] for n in pad["notes"]] == [f"note {k}" for k in range(130)]  # the host's pad: all of them
