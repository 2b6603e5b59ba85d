"""Two server processes serve one event: pushes once each, one seq, one round change, totals, revocation."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from typing import Any

import pytest
import socketio

from tests.cluster.conftest import LiveClient, api, create_event, wait_until

pytestmark = pytest.mark.slow


def expected_seqs(server: Any, client: LiveClient, since: int) -> set[int]:
    """What the log holds for this client's rooms after ``since``: a fresh socket with its token replays it."""
    probe = LiveClient(server, client.token, f"probe of {client.name}")
    try:
        ack = probe.call("sync", {"since": since})
        assert ack["ok"] and ack["mode"] == "replay", ack
        return {d["seq"] for n, d in probe.pushes() if d["seq"] > since}
    finally:
        probe.close()


def log_seqs(database_url: str, code: str) -> list[int]:
    """The event's log in insertion order."""
    import psycopg2

    with psycopg2.connect(database_url.replace("+psycopg2", "")) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.seq FROM log_entry l JOIN event e ON e.id = l.event_id WHERE e.public_id = %s ORDER BY l.id",
            (code,),
        )
        rows = [row[0] for row in cursor.fetchall()]
    connection.close()
    return rows


def run_all(*jobs: Any) -> None:
    """Run the jobs at the same time; re-raise the first failure."""
    errors: list[BaseException] = []

    def guarded(job: Any) -> None:
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if errors:
        raise errors[0]


def send_notes(host: LiveClient, count: int) -> list[str]:
    ids = []
    for i in range(count):
        note_id = str(uuid.uuid4())
        ack = host.call("add_note", {"id": note_id, "text": f"{host.name}: idea {i}"})
        assert ack["ok"], ack
        ids.append(note_id)
    return ids


def test_every_push_reaches_every_client_exactly_once_and_seq_stays_one_gap_free_sequence(
    cluster, clients, database_url
):
    a, b = cluster
    event = create_event(a)
    control = f"/api/v1/events/{event.code}/control"
    host1 = clients(a, event.hosts[1], "host 1 on A")
    host2 = clients(b, event.hosts[2], "host 2 on B")
    screen = clients(b, event.screen, "screen on B")
    moderator = clients(b, event.moderator, "moderator on B")
    phones = [clients(a, event.participants[name], f"phone {name} on A") for name in "ABCD"]
    phones.append(clients(b, event.participants["E"], "phone E on B"))
    everyone = [host1, host2, screen, moderator, *phones]
    since = {client.name: client.named("snapshot")[0]["seq"] for client in everyone}

    api(b, "POST", control, event.moderator, {"action": "start_round"})

    def broadcasts(server: Any, count: int) -> None:
        for i in range(count):
            body = {"text": f"from {server.port}: {i}", "target": "all" if i % 2 else "screen"}
            api(server, "POST", f"/api/v1/events/{event.code}/broadcast", event.moderator, body)

    # Requests hit both processes at the same time: notes over the sockets, broadcasts over HTTP.
    run_all(
        lambda: send_notes(host1, 12),
        lambda: send_notes(host2, 12),
        lambda: broadcasts(a, 8),
        lambda: broadcasts(b, 8),
    )
    api(a, "POST", control, event.moderator, {"action": "pause"})

    seqs = log_seqs(database_url, event.code)
    assert seqs == list(range(1, len(seqs) + 1)), "the event's seq has a gap, a repeat or is out of order"

    for client in everyone:
        other = b if client in (host1, *phones[:4]) else a
        expected = expected_seqs(other, client, since[client.name])
        assert expected, f"{client.name} should have had pushes"
        wait_until(lambda c=client, e=expected: e <= set(c.seqs()), what=f"every push to {client.name}")
    time.sleep(0.5)  # a duplicate would arrive now
    for client in everyone:
        expected = expected_seqs(a, client, since[client.name])
        got = Counter(client.seqs())
        assert not [s for s, n in got.items() if n > 1], f"{client.name} got a push twice: {got}"
        assert set(got) == expected, f"{client.name}: missing {expected - set(got)}, extra {set(got) - expected}"
    # Both processes' note pushes reached the screen on B, once each.
    assert len(screen.pushes("note_added")) == 24


def test_a_round_ends_and_advances_exactly_once_with_two_tickers(cluster, clients, database_url):
    a, b = cluster
    event = create_event(a)
    control = f"/api/v1/events/{event.code}/control"
    api(a, "PATCH", f"/api/v1/events/{event.code}", event.moderator, {"auto_advance": True})
    phone_a = clients(a, event.participants["A"], "phone on A")
    moderator_b = clients(b, event.moderator, "moderator on B")

    started = api(b, "POST", control, event.moderator, {"action": "start_round"})
    assert started["status"] == "running"
    assert len(log_names(database_url, event.code, "round_started")) == 1
    # One minute is the shortest round: take 57 s away, so both tickers find it due in about 3 s.
    api(a, "POST", control, event.moderator, {"action": "extend", "seconds": -57})

    for client in (phone_a, moderator_b):
        wait_until(lambda c=client: c.pushes("round_ended"), timeout=15, what=f"round_ended at {client.name}")
    time.sleep(2.5)  # both tickers tick twice more
    assert len(log_names(database_url, event.code, "round_ended")) == 1
    for client in (phone_a, moderator_b):
        ended = client.pushes("round_ended")
        assert len(ended) == 1, f"{client.name} got {len(ended)} round_ended"
        assert ended[0][1]["round"]["number"] == 1 and ended[0][1]["next_round"] == 2
        assert len(client.pushes("round_started")) == 1
    view = api(b, "GET", f"/api/v1/events/{event.code}", event.moderator)
    assert view["status"] == "moving" and view["current_round"] == 1
    assert [r["status"] for r in view["rounds"]] == ["ended", "planned", "planned"]


def log_names(database_url: str, code: str, name: str) -> list[int]:
    import psycopg2

    with psycopg2.connect(database_url.replace("+psycopg2", "")) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.seq FROM log_entry l JOIN event e ON e.id = l.event_id WHERE e.public_id = %s AND l.name = %s",
            (code, name),
        )
        rows = [row[0] for row in cursor.fetchall()]
    connection.close()
    return rows


def latest_presence(client: LiveClient) -> dict[str, int] | None:
    pushes = client.named("presence_changed")
    return pushes[-1]["connected"] if pushes else None


def test_presence_counts_the_whole_event_across_processes_and_forgets_a_killed_one(cluster, clients):
    a, b = cluster
    event = create_event(a)
    moderator_b = clients(b, event.moderator, "moderator on B")
    screen_a = clients(a, event.screen, "screen on A")
    clients(a, event.hosts[1], "host on A")
    clients(a, event.participants["A"], "phone A on A")
    clients(a, event.participants["B"], "phone B on A")
    clients(b, event.participants["B"], "phone B's second tab on B")  # the same person: counted once
    clients(b, event.participants["C"], "phone C on B")
    total = {"participants": 3, "hosts": 1, "screens": 1, "moderators": 1}
    for client in (moderator_b, screen_a):
        wait_until(lambda c=client: latest_presence(c) == total, what=f"the event's totals at {client.name}")

    # One more phone on A: each audience gets exactly one push with the new totals, and no echo afterwards.
    before = {client.name: len(client.named("presence_changed")) for client in (moderator_b, screen_a)}
    clients(a, event.participants["D"], "phone D on A")
    more = {**total, "participants": 4}
    for client in (moderator_b, screen_a):
        wait_until(lambda c=client: latest_presence(c) == more, what=f"the new totals at {client.name}")
    time.sleep(4.5)  # two heartbeats of each process: the same totals are not pushed again
    for client in (moderator_b, screen_a):
        assert len(client.named("presence_changed")) == before[client.name] + 1, client.named("presence_changed")

    # A dies: its host, screen and phones (A, B's first tab, D) leave the counts; B's own sockets stay.
    a.kill()
    left = {"participants": 2, "hosts": 0, "screens": 0, "moderators": 1}
    wait_until(lambda: latest_presence(moderator_b) == left, timeout=15, what="A's sockets leaving the counts")


def test_a_link_regenerated_on_one_process_disconnects_its_socket_on_the_other(cluster, clients):
    a, b = cluster
    event = create_event(a)
    host_b = clients(b, event.hosts[1], "host 1 on B")
    other_b = clients(b, event.hosts[2], "host 2 on B")
    answer = api(a, "POST", f"/api/v1/events/{event.code}/links/regenerate", event.moderator,
                 {"role": "host", "table": 1})
    assert answer["role"] == "host"
    wait_until(lambda: not host_b.sio.connected, what="the old host link's socket on B to be disconnected")
    assert other_b.sio.connected, "only the regenerated link's socket goes"
    # Its reconnect is refused; the new link works on B.
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveClient(b, event.hosts[1], "old link again")
    clients(b, answer["link"].rsplit("/", 1)[1], "new link on B")
