"""Sockets live no longer than their links: the read-only summary link gets none, and a link that stops working takes
its sockets with it — also when the news of it was lost while Redis was away."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import bearer, received
from worldcafe.extensions import db
from worldcafe.models import AccessLink
from worldcafe.realtime import revocation


def share(client, event, enabled: bool) -> Any:
    response = client.post(f"/api/v1/events/{event.code}/share", headers=bearer(event.moderator),
                           json={"enabled": enabled})
    assert response.status_code == 200
    link = response.get_json()["link"]
    return link.rsplit("/", 1)[1] if link else None


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, Any]]:
    """The control messages this process sends to the others."""
    sent: list[tuple[str, Any]] = []

    def publish(kind: str, data: Any) -> bool:
        sent.append((kind, data))
        return True

    monkeypatch.setattr(revocation.bus, "publish", publish)
    return sent


def test_the_summary_link_gets_no_socket(app, client, sio, event):
    from worldcafe.extensions import socketio

    token = share(client, event, True)
    refused = socketio.test_client(app, flask_test_client=client, auth={"token": token})
    assert not refused.is_connected()
    assert client.get(f"/r/{token}").status_code == 200, "the summary itself is still there"
    for live in (event.moderator, event.screen, event.hosts[1], event.participants["Ada"]):
        assert sio(live).is_connected()


def test_a_refused_summary_socket_is_told_why_so_clients_stop_retrying(app, event, client):
    from flask_socketio import ConnectionRefusedError

    from worldcafe.realtime.handlers import on_connect

    token = share(client, event, True)
    with app.test_request_context(), pytest.raises(ConnectionRefusedError) as refusal:
        on_connect({"token": token})
    assert refusal.value.error_args == {"message": "This link has no live view.",
                                        "data": {"code": "forbidden", "message": "This link has no live view."}}


def test_turning_sharing_off_or_replacing_the_link_revokes_it_on_every_process(client, event, published):
    first = share(client, event, True)
    assert share(client, event, True) == first, "turning it on again keeps the link"
    assert published == []
    share(client, event, False)
    assert published == [("revoke", {"tokens": [first]})]
    second = share(client, event, True)
    client.post(f"/api/v1/events/{event.code}/links/regenerate", headers=bearer(event.moderator),
                json={"role": "summary"})
    assert published[-1] == ("revoke", {"tokens": [second]})
    assert client.get(f"/api/v1/events/{event.code}/summary.md", headers=bearer(second)).status_code == 401


def test_a_revocation_redis_did_not_take_is_sent_on_the_next_heartbeat(app, client, event, monkeypatch):
    sent: list[tuple[str, Any]] = []
    up = False

    def publish(kind: str, data: Any) -> bool:
        if up:
            sent.append((kind, data))
        return up

    monkeypatch.setattr(revocation.bus, "publish", publish)
    monkeypatch.setattr(revocation, "_unsent", set())
    response = client.post(f"/api/v1/events/{event.code}/links/regenerate", headers=bearer(event.moderator),
                           json={"role": "screen"})
    assert response.status_code == 200
    revocation._send_unsent(app)  # Redis still away: kept
    assert sent == [] and revocation._unsent == {event.screen}
    up = True
    revocation._send_unsent(app)
    assert sent == [("revoke", {"tokens": [event.screen]})] and revocation._unsent == set()
    revocation._send_unsent(app)
    assert len(sent) == 1, "sent once"


def test_after_an_outage_every_socket_whose_link_died_meanwhile_is_disconnected(app, sio, event):
    screen, host, phone = sio(event.screen), sio(event.hosts[1]), sio(event.participants["Ada"])
    # The links of the screen and the host died on another process; its revocation never arrived here.
    with app.app_context():
        db.session.execute(db.delete(AccessLink).where(AccessLink.token.in_([event.screen, event.hosts[1]])))
        db.session.commit()
    assert screen.is_connected() and host.is_connected()
    assert revocation.check_connections(app) == 2
    assert not screen.is_connected() and not host.is_connected()
    assert phone.is_connected()
    assert received(phone, "snapshot"), "the live ones go on"
    assert revocation.check_connections(app) == 0


def test_checking_many_sockets_reads_the_links_in_chunks(app, event, monkeypatch):
    monkeypatch.setattr(revocation, "CHECK_CHUNK", 2)
    with app.app_context():
        tokens = {event.moderator, event.screen, *event.hosts.values(), "gone-" + "x" * 30}
        assert revocation.dead_tokens(tokens) == {"gone-" + "x" * 30}
