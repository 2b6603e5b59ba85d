"""A burst of walk-ins' joins is admitted in few transactions, and its answers leave a few at a time
(worldcafe.realtime.joins)."""

from __future__ import annotations

import time

import pytest

from worldcafe.realtime import joins, turns


@pytest.fixture
def queue(monkeypatch):
    """Event 1's queue of joins, the pauses the admission task made, and hooks each pause runs (the joins' lane is
    reset to no one waiting)."""
    monkeypatch.setitem(joins._queues, 1, ["first"])
    monkeypatch.setattr(turns.JOINS, "waiting", 0)
    pauses: list[float] = []
    hooks: list = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        for hook in hooks:
            hook(len(pauses))

    monkeypatch.setattr(joins.socketio, "sleep", sleep)
    return joins._queues[1], pauses, hooks


def test_a_batch_waits_for_the_joins_still_on_their_way_in(queue):
    items, pauses, hooks = queue
    turns.JOINS.waiting = 3

    def two_turns_later(paused: int) -> None:
        if paused == 2:  # the three joins have taken their turn and queued
            items.extend(["second", "third", "fourth"])
            turns.JOINS.waiting = 0

    hooks.append(two_turns_later)
    joins._gather(1)
    assert len(pauses) == 2
    assert items == ["first", "second", "third", "fourth"]


def test_a_batch_does_not_wait_when_no_join_is_on_its_way(queue):
    items, pauses, _ = queue
    joins._gather(1)
    assert pauses == []


def test_a_full_batch_does_not_wait(queue):
    items, pauses, _ = queue
    items.extend(["more"] * (joins.BATCH - 1))
    turns.JOINS.waiting = 5
    joins._gather(1)
    assert pauses == []


def test_a_batch_waits_a_bounded_time(queue, monkeypatch):
    # Joins that never arrive (a phone that lost its connection mid-request) cannot hold the burst back.
    _, pauses, _ = queue
    monkeypatch.setattr(joins, "GATHER_MORE_S", 0.05)
    turns.JOINS.waiting = 1
    began = time.monotonic()
    joins._gather(1)
    assert 0.05 <= time.monotonic() - began < 2.0
    assert pauses


def test_answers_leave_a_few_per_turn_of_the_loop(app, monkeypatch, queue):
    # The admitted batch's requests each write their answer when woken; all 25 at once held the loop 40–70 ms.
    _, pauses, hooks = queue
    batch = [joins._Request(joiner=None) for _ in range(25)]  # type: ignore[arg-type]
    woken_by_pause: list[int] = []
    hooks.append(lambda paused: woken_by_pause.append(sum(r.done.is_set() for r in batch)))
    monkeypatch.setattr(joins.participant_service, "admit", lambda event, joiners: ([("person", "link")] * 25, []))
    monkeypatch.setattr(joins, "_joined", lambda result: "answer")
    monkeypatch.setattr(joins.db.session, "get", lambda model, key: object())
    joins._admit(app, 1, batch)
    assert woken_by_pause == [10, 20]  # ten, a pause of the loop, ten more, a pause, the last five
    assert all(r.done.is_set() and r.outcome == "answer" for r in batch)


def test_an_admitted_burst_is_answered_without_a_query_per_person(app, event):
    # The commit expires every object; reading each walk-in's name and link one by one was 50 queries for a burst
    # of 25 (17 ms of the loop, measured in the server).
    from sqlalchemy import event as sa_event

    from worldcafe.extensions import db
    from worldcafe.models import Event
    from worldcafe.services import participants

    with app.test_request_context():
        cafe = db.session.scalar(db.select(Event).where(Event.public_id == event.code))
        joiners = [participants.check_join(cafe, {"name": f"Walk-in {n}", "group": "CA"}) for n in range(10)]
        results, _ = participants.admit(cafe, joiners)
        queries: list[str] = []

        def count(conn, cursor, statement, *args):
            queries.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", count)
        try:
            answers = [joins._joined(result) for result in results]
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", count)
        assert queries == []
        assert [answer.name for answer in answers] == [f"Walk-in {n}" for n in range(10)]
        assert all(answer.group == "CA" and len(answer.token) > 20 for answer in answers)
