"""What anyone on the venue network may do without a link: join within budgets, and create events only with the
admin password or from the server's own machine."""

from __future__ import annotations

import hmac
from ipaddress import IPv6Address, IPv6Network, ip_address

from flask import current_app, request
from flask_babel import gettext as _

from .. import ratelimit
from ..services.errors import ServiceError, rate_limited
from ..services.events import readable_code

# Headers a proxy adds when it forwards someone else's request.
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def client_address() -> str:
    """The client's address: the connection's peer, or the proxy's word for it when WORLDCAFE_TRUSTED_PROXIES says
    which proxies to believe (app.py applies that)."""
    return request.remote_addr or ""


def address_key() -> str:
    """The address a per-address budget counts: an IPv6 device may use any address of its /64, so the /64."""
    address = client_address()
    try:
        ip = ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is None:
        return str(IPv6Network((ip, 64), strict=False))
    return str(ip.ipv4_mapped or ip) if isinstance(ip, IPv6Address) else str(ip)


def is_local_client() -> bool:
    """Whether the request comes from the server's own machine (loopback), not forwarded for someone else."""
    try:
        ip = ip_address(client_address())
    except ValueError:
        return False
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_loopback:
        return False
    # A proxy on this machine (nginx) connects from loopback for every client. Unless the app was told to believe it
    # (then the address above is already the client's), a forwarded request is somebody else's.
    trusted = int(current_app.config.get("TRUSTED_PROXIES") or 0) > 0
    return trusted or not any(name in request.headers for name in FORWARDING_HEADERS)


def check_join_budget(event_code: str) -> None:
    """Spend one join from the client address's and the event's budgets, or refuse with ``rate_limited``."""
    wait = ratelimit.spend("join-address", current_app.config["JOIN_LIMIT_PER_ADDRESS"], address_key())
    if wait is None:
        wait = ratelimit.spend("join-event", current_app.config["JOIN_LIMIT_PER_EVENT"], event_code.upper())
    if wait is not None:
        raise rate_limited(
            _("Many people are joining right now. Please try again in %(seconds)s seconds.", seconds=wait), wait
        )


def check_helpdesk_budget(token: str) -> None:
    """Spend one help desk request from the link's budget, or refuse with ``rate_limited``."""
    wait = ratelimit.spend("link-helpdesk", current_app.config["HELPDESK_LIMIT_PER_LINK"], ratelimit.link_key(token))
    if wait is not None:
        raise rate_limited(_("Too many requests at once; please wait %(seconds)s seconds.", seconds=wait), wait)


def password_needed() -> bool:
    """Whether this client must give the admin password to create an event.

    A password the operator set is needed by everyone. One that ``worldcafe run`` generated (bound to a venue
    network without a password set) only by other machines: the operator at the server's own keyboard may create
    events as before."""
    if not current_app.config.get("ADMIN_PASSWORD"):
        return False
    return not (current_app.config.get("ADMIN_PASSWORD_GENERATED") and is_local_client())


def creating_closed() -> str | None:
    """Why this client can never create events here (another machine, and the server has no password), or None."""
    if current_app.config.get("ADMIN_PASSWORD") or is_local_client():
        return None
    return str(_(
        "Creating events from another computer needs an admin password, and this server has none. Create the event "
        "on the server's own computer, or start the server with WORLDCAFE_ADMIN_PASSWORD set."
    ))


def admin_password_given() -> bytes | None:
    """The admin password a request sends, as UTF-8 bytes: HTTP Basic (any user name; browsers can send any text
    this way), the header ``X-Admin-Password``, or the start page's form field; None when it sends none."""
    credentials = request.authorization
    if credentials is not None and credentials.type == "basic" and credentials.password is not None:
        return credentials.password.encode()  # Werkzeug decodes Basic credentials as UTF-8 (RFC 7617)
    header = request.headers.get("X-Admin-Password")
    if header is not None:
        try:
            # WSGI hands header bytes over as latin-1: encoding back gives the bytes sent (UTF-8 from curl and such).
            return header.encode("latin-1")
        except UnicodeEncodeError:
            return header.encode()
    field = request.form.get("password") if request.method == "POST" else None
    return None if field is None else field.encode()


def check_may_create(password: bytes | None, wrong: str) -> None:
    """Refuse creating an event: too many attempts from this address, a missing or wrong admin password (``wrong``
    says so), or another machine when the server has no password at all (only its own machine may create events)."""
    local = is_local_client()
    if not local:
        # Also slows down guessing the password.
        wait = ratelimit.spend("create-address", current_app.config["CREATE_LIMIT_PER_ADDRESS"], address_key())
        if wait is not None:
            raise rate_limited(
                _("Too many attempts to create an event. Please try again in %(seconds)s seconds.", seconds=wait), wait
            )
    if password_needed():
        expected = str(current_app.config["ADMIN_PASSWORD"])
        if password is None or not hmac.compare_digest(password, expected.encode()):
            raise ServiceError("unauthorized", wrong)
        return
    closed = creating_closed()
    if closed is not None:
        raise ServiceError("forbidden", closed)


def is_loopback_host(host: str) -> bool:
    """Whether binding to ``host`` serves this machine only (127.0.0.1, ::1, localhost)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name or a LAN address: other machines can reach it


def generate_admin_password() -> str:
    """A password to print at start-up: 12 characters that are easy to type (about 59 bits)."""
    return "-".join(readable_code(4) for _ in range(3))
