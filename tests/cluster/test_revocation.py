"""Two processes: every way a link stops working on one disconnects its sockets on the other, even when Redis was
away at that moment; the read-only summary link gets no socket on either."""

from __future__ import annotations

import pytest
import socketio

from tests.cluster.conftest import LiveClient, api, create_event, token_of, wait_until

pytestmark = pytest.mark.slow


def test_every_way_a_link_dies_on_process_a_disconnects_its_sockets_on_process_b(cluster, clients):
    a, b = cluster
    event = create_event(a)
    summary = token_of(api(a, "POST", f"/api/v1/events/{event.code}/share", event.moderator, {"enabled": True})["link"])
    for server in (a, b):
        with pytest.raises(socketio.exceptions.ConnectionError):
            LiveClient(server, summary, "summary link")

    moderator_b = clients(b, event.moderator, "moderator on B")
    host2_b = clients(b, event.hosts[2], "host 2 on B")
    phone_b = clients(b, event.participants["F"], "F on B")
    screen_b = clients(b, event.screen, "screen on B")

    # The table goes from the setup: its host link dies.
    api(a, "PUT", f"/api/v1/events/{event.code}", event.moderator,
        {"tables": [{"number": 1, "topic": 1, "capacity": 4, "host": "Hanna"}]})
    wait_until(lambda: not host2_b.sio.connected, what="removed table's host socket on B to go")
    assert a.call("GET", f"/api/v1/events/{event.code}/notes", event.hosts[2])[0] == 401

    # The person is removed before the event starts.
    people = api(a, "GET", f"/api/v1/events/{event.code}/participants", event.moderator)["participants"]
    f_id = next(p["id"] for p in people if p["name"] == "F")
    api(a, "DELETE", f"/api/v1/events/{event.code}/participants/{f_id}", event.moderator)
    wait_until(lambda: not phone_b.sio.connected, what="removed person's phone on B to go")

    # The screen link is replaced.
    api(a, "POST", f"/api/v1/events/{event.code}/links/regenerate", event.moderator, {"role": "screen"})
    wait_until(lambda: not screen_b.sio.connected, what="replaced screen link's socket on B to go")

    for dead in (event.hosts[2], event.participants["F"], event.screen):
        with pytest.raises(socketio.exceptions.ConnectionError):
            LiveClient(b, dead, "dead link again")
    assert moderator_b.sio.connected, "the links that still work keep their sockets"
    assert moderator_b.call("clock")["ok"]


def test_a_link_replaced_while_redis_is_away_still_loses_its_socket_on_the_other_process(
    cluster, clients, private_redis
):
    a, b = cluster
    event = create_event(a)
    host_b = clients(b, event.hosts[1], "host 1 on B")
    other_b = clients(b, event.hosts[2], "host 2 on B")

    private_redis.stop()
    answer = api(a, "POST", f"/api/v1/events/{event.code}/links/regenerate", event.moderator,
                 {"role": "host", "table": 1})
    # Meanwhile its requests are refused already (each one re-reads the link).
    assert host_b.call("sync", {})["error"]["code"] == "unauthorized"
    private_redis.start()
    wait_until(lambda: not host_b.sio.connected, timeout=20, what="the old link's socket on B to go once Redis is back")
    assert other_b.sio.connected
    clients(b, token_of(answer["link"]), "new link on B")
