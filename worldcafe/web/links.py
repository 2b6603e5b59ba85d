"""Absolute links that phones can open, and their QR codes."""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import psutil
from flask import current_app, has_request_context, request
from markupsafe import Markup

from ..qrcodes import Qr
from ..qrcodes import cache as qr_cache

if TYPE_CHECKING:
    from ..models import Event, Participant

ROLE_PREFIX = {"moderator": "m", "screen": "s", "host": "h", "participant": "p", "summary": "r", "helpdesk": "d"}


def lan_address() -> str | None:
    """This machine's first private IPv4 address, read from its interfaces (no traffic sent)."""
    candidates = []
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family != socket.AF_INET:
                continue
            ip = ipaddress.ip_address(address.address)
            if ip.is_loopback or ip.is_link_local:
                continue
            candidates.append(ip)
    candidates.sort(key=lambda ip: (not ip.is_private, str(ip)))
    return str(candidates[0]) if candidates else None


def base_url() -> str:
    """The address printed in links and QR codes: the public URL, else the LAN address, else this request's host."""
    config = current_app.config
    if config.get("PUBLIC_URL"):
        return str(config["PUBLIC_URL"])
    if config.get("HOST") in ("0.0.0.0", "::"):
        address = lan_address()
        if address:
            return f"http://{address}:{config['PORT']}"
    if has_request_context():
        return request.host_url.rstrip("/")
    return f"http://{config.get('HOST', '127.0.0.1')}:{config['PORT']}"


def is_loopback(url: str) -> bool:
    """Whether links to ``url`` open only on this computer (127.0.0.1, ::1, localhost): no phone reaches them."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def role_url(role: str, token: str) -> str:
    """The secret link of a role."""
    return f"{base_url()}/{ROLE_PREFIX[role]}/{token}"


def join_url(code: str) -> str:
    """The event's public join link."""
    return f"{base_url()}/j/{code}"


def participant_cookie(code: str) -> str:
    """The cookie that remembers a participant's link in this browser, per event."""
    return f"wc_p_{code.upper()}"


def remember_participant(response: Any, code: str, token: str) -> Any:
    """Keep a participant's link in this browser (a re-scan of the join QR or a table card finds it)."""
    response.set_cookie(participant_cookie(code), token, max_age=7 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def checkin_url(code: str) -> str:
    """A table card's check-in link."""
    return f"{base_url()}/t/{code}"


def qr_svg(data: str, scale: int = 4, title: str | None = None) -> Markup:
    """An inline SVG QR code, from the cache of drawn codes (drawn in a worker if new)."""
    return qr_svgs([Qr(data, scale, title)])[0]


def qr_svgs(codes: list[Qr]) -> list[Markup]:
    """Several inline SVG QR codes at once: one worker job draws every one not cached (a page of cards)."""
    drawn = iter(qr_cache.svgs([code for code in codes if code.data]))
    return [Markup(next(drawn)) if code.data else Markup("") for code in codes]


def qr_svg_file(data: str, scale: int = 10) -> str:
    """The same QR code as ``qr_svg``, as a standalone SVG file (for an ``<img>``)."""
    return qr_cache.svgs([Qr(data, scale, standalone=True)])[0]


def participant_links(people: list[Participant]) -> list[dict[str, Any]]:
    """Some people with their links, in the ``participants`` shape of ``event_links`` (the help desk's results)."""
    from ..extensions import db
    from ..models import AccessLink

    ids = [p.id for p in people]
    tokens = dict(
        db.session.execute(
            db.select(AccessLink.participant_id, AccessLink.token).where(
                AccessLink.role == "participant", AccessLink.participant_id.in_(ids)
            )
        ).all()
    ) if ids else {}
    return [
        {"id": p.id, "name": p.name, "group": p.group, "link": role_url("participant", tokens[p.id])}
        for p in sorted(people, key=lambda person: person.id)
        if p.id in tokens
    ]


def event_links(event: Event) -> dict[str, Any]:
    """Every role's link of an event, as the API and ``worldcafe demo --json`` report them (read column by column:
    a 5,000-person event's ORM objects would hold the loop)."""
    from ..extensions import db
    from ..models import AccessLink, CafeTable, Participant
    from ..services.reading import rows_in_chunks
    from ..services.views import participant_tokens

    by_table = dict(db.session.execute(
        db.select(CafeTable.id, CafeTable.number).where(CafeTable.event_id == event.id)
    ).all())
    links: dict[str, Any] = {"join": join_url(event.public_id), "hosts": {}, "participants": []}
    for role, token, table_id in db.session.execute(
        db.select(AccessLink.role, AccessLink.token, AccessLink.table_id)
        .where(AccessLink.event_id == event.id, AccessLink.role != "participant")
    ):
        if role in ("moderator", "screen", "summary", "helpdesk"):
            links[role] = role_url(role, token)
        elif role == "host" and table_id in by_table:
            links["hosts"][str(by_table[table_id])] = role_url("host", token)
    tokens = participant_tokens(event)
    people = (
        db.select(Participant.id, Participant.name, Participant.group)
        .where(Participant.event_id == event.id)
        .order_by(Participant.id)
    )
    prefix = f"{base_url()}/{ROLE_PREFIX['participant']}/"
    links["participants"] = [
        {"id": person_id, "name": name, "group": group, "link": prefix + tokens[person_id]}
        for person_id, name, group in rows_in_chunks(people)
        if person_id in tokens
    ]
    links["hosts"] = dict(sorted(links["hosts"].items(), key=lambda kv: int(kv[0])))
    return links
