"""Faults with two real processes: Redis restarted mid-round, one process killed mid-round."""

from __future__ import annotations

import time

import pytest

from tests.cluster.conftest import LiveClient, api, create_event, wait_until
from tests.cluster.test_two_processes import log_names, send_notes

pytestmark = pytest.mark.slow


def note_ids(client: LiveClient) -> list[str]:
    """The ids of the notes a client was pushed, once per seq (live and replayed copies are the same push)."""
    by_seq = {d["seq"]: d["note"]["id"] for _n, d in client.pushes("note_added")}
    return list(by_seq.values())


def test_redis_restarted_mid_round_loses_no_note_and_clients_catch_up(cluster, clients, private_redis):
    a, b = cluster
    event = create_event(a)
    api(a, "POST", f"/api/v1/events/{event.code}/control", event.moderator, {"action": "start_round"})
    host_a = clients(a, event.hosts[1], "host 1 on A")
    pad_b = clients(b, event.hosts[2], "host 2 on B")
    pad_a = clients(a, event.hosts[2], "host 2's second device on A")
    screen_b = clients(b, event.screen, "screen on B")
    moderator_b = clients(b, event.moderator, "moderator on B")
    before = send_notes(host_a, 2)
    wait_until(lambda: set(before) <= set(note_ids(screen_b)), what="the screen on B to show A's notes")

    private_redis.stop()
    # Hosts on both processes go on writing: each note is acknowledged (and committed) at once.
    started = time.monotonic()
    during_a = send_notes(host_a, 5)
    during_b = send_notes(pad_b, 3)
    assert time.monotonic() - started < 5, "note requests stalled while Redis was away"
    time.sleep(1)  # the pushes to the other process are lost meanwhile
    assert not set(during_a) & set(note_ids(screen_b)), "Redis is down: A's pushes cannot reach B"
    private_redis.start()

    # Both processes are back on the queue by themselves and tell their clients to catch up.
    for client, expected in (
        (screen_b, before + during_a + during_b),
        (moderator_b, before + during_a + during_b),
        (pad_a, during_b),
    ):
        wait_until(lambda c=client: c.named("resync"), timeout=15, what=f"resync at {client.name}")
        wait_until(lambda c=client, e=expected: set(e) <= set(note_ids(c)), what=f"every note at {client.name}")
    # After the catch-up the queue carries pushes again, live: a new note from A reaches B without a resync.
    resyncs = len(screen_b.named("resync"))
    after = send_notes(host_a, 1)
    wait_until(lambda: set(after) <= set(note_ids(screen_b)), what="a live push from A to B after the restart")
    assert len(screen_b.named("resync")) == resyncs
    # Nothing lost, nothing doubled: in the database, and on the screen once per note.
    stored = api(b, "GET", f"/api/v1/events/{event.code}/notes", event.moderator)["notes"]
    assert sorted(n["id"] for n in stored) == sorted(before + during_a + during_b + after)
    shown = note_ids(screen_b)
    assert sorted(shown) == sorted(before + during_a + during_b + after), "a note missing or twice on the screen"
    # One catch-up each: the reports of pushes given up during the outage (next heartbeat) were covered by it.
    time.sleep(2.5)
    for client in (host_a, pad_b, pad_a, screen_b, moderator_b):
        assert len(client.named("resync")) == 1, f"{client.name}: {len(client.named('resync'))} resyncs"


def test_one_process_killed_its_clients_resync_on_the_other_and_the_timer_runs_on(cluster, clients, database_url):
    a, b = cluster
    event = create_event(a)
    control = f"/api/v1/events/{event.code}/control"
    api(b, "PATCH", f"/api/v1/events/{event.code}", event.moderator, {"auto_advance": True})
    moderator_b = clients(b, event.moderator, "moderator on B")
    phone = clients(a, event.participants["A"], "phone on A")
    host = clients(a, event.hosts[1], "host on A")
    api(a, "POST", control, event.moderator, {"action": "start_round"})
    # A 1-minute round with 48 s taken away: it ends by itself about 12 s from now.
    extended = api(a, "POST", control, event.moderator, {"action": "extend", "seconds": -48})
    ends_at = extended["round"]["ends_at"]
    send_notes(host, 1)
    wait_until(lambda: phone.pushes("round_extended") and host.pushes("note_added"), what="pushes on A")

    a.kill()
    wait_until(lambda: phone.disconnects and host.disconnects, what="A's clients to notice")
    # While they are away, B pushes something they must not miss.
    api(b, "POST", f"/api/v1/events/{event.code}/broadcast", event.moderator, {"text": "Coffee!", "target": "all"})
    for client in (phone, host):
        seen = len(client.events)
        client.connect(b)  # the load balancer sends them to B; they resume with `since`
        assert client.caught_up(after=seen) == "synced", f"{client.name} should replay, not reload"
        assert [d["text"] for _n, d in client.pushes("message_broadcast")] == ["Coffee!"]

    view = api(b, "GET", f"/api/v1/events/{event.code}", event.moderator)
    assert view["status"] == "running", "the round ended early"
    assert view["rounds"][0]["ends_at"] == ends_at, "the timer moved"
    # B's ticker alone ends the round on time, once.
    for client in (phone, host, moderator_b):
        wait_until(lambda c=client: c.pushes("round_ended"), timeout=20, what=f"round_ended at {client.name}")
    time.sleep(2.5)
    assert len(log_names(database_url, event.code, "round_ended")) == 1
    for client in (phone, host, moderator_b):
        ended = [d for _n, d in client.pushes("round_ended")]
        assert len({d["seq"] for d in ended}) == 1 and ended[0]["round"]["ends_at"] >= ends_at
    assert api(b, "GET", f"/api/v1/events/{event.code}", event.moderator)["status"] == "moving"
