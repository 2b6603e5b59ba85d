"""HTTP adapters: one blueprint per audience, plus security headers and error pages shared by all."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import IntegerConverter

from ..domain.palette import PALETTE
from ..services import payloads
from ..services.errors import ServiceError, database_unavailable, is_database_outage, outage_summary
from .i18n import LANGUAGES, js_strings, lang_url, remember_language

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


# Seconds a 503 during a database outage asks clients to wait before trying again (HTML pages reload after it).
RETRY_AFTER_S = 5


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error(code: str, message: str, status: int, details: Any = None) -> Any:
    if _wants_json():
        body: dict[str, Any] = {"code": code, "message": message}
        if details is not None:
            body["details"] = details
        return jsonify(error=body), status
    return render_template("error.html", status=status, message=message), status


class UntrustedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that every JSON a request carries is decoded by ``payloads`` (bounded, no NUL)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Decode like the API's bodies and the sockets' packets (with options: Flask's own signed session data)."""
        if kwargs:
            return super().loads(s, **kwargs)
        return payloads.loads(s)


class IdConverter(IntegerConverter):
    """``<int:…>`` in our routes: 1 to 9 ASCII digits, inside every id column's range on both databases (PostgreSQL's
    ends at 2**31 − 1). Anything else matches no route: 404 for every method.

    Werkzeug's own matched any Unicode digit (``²`` then failed ``int()``) of any length (2**64 overflowed SQLite's
    column). The bound is in the pattern, not a ``max``: a value refused after matching would make another method's
    rule on the same path answer 405."""

    regex = r"[0-9]{1,9}"


def _socket_transport() -> Any:
    """The Socket.IO path seen by Flask (only when no socket server sits in front, e.g. a plain WSGI test client)."""
    raise NotFound()


def register_web(app: Flask) -> None:
    """Attach blueprints, headers and error handlers."""
    app.json = UntrustedJSONProvider(app)
    app.url_map.converters["int"] = IdConverter  # before the blueprints add their rules
    from .api import bp as api_bp
    from .helpdesk import bp as helpdesk_bp
    from .home import bp as home_bp
    from .join import bp as join_bp
    from .moderator import bp as moderator_bp
    from .roles import bp as roles_bp
    from .summary import bp as summary_bp

    for blueprint in (api_bp, helpdesk_bp, home_bp, join_bp, moderator_bp, roles_bp, summary_bp):
        app.register_blueprint(blueprint)
    # Flask-SocketIO runs every socket message in a request context made from its connection's environ (path
    # /socket.io/). Without a rule for that path, making each context raised a NotFound and kept it with its
    # traceback: ~60 objects in reference cycles per message, most of a live room's young garbage, whose collections
    # stalled the loop 10–30 ms every two seconds. The socket layer answers this path before Flask ever sees it.
    # Both transports: long polling, and the WebSocket upgrade (a plain rule would not match that: WebsocketMismatch).
    for websocket in (False, True):
        app.add_url_rule(
            "/socket.io/",
            endpoint="socket_transport",
            view_func=_socket_transport,
            strict_slashes=False,
            websocket=websocket,
        )

    @app.before_request
    def _no_nul_in_address() -> None:
        # A NUL would reach database lookups (PostgreSQL refuses it): no page has one in its path, no query needs one.
        if "\x00" in request.path:
            raise NotFound()
        if any("\x00" in key + value for key, value in request.args.items(multi=True)):
            raise ServiceError("invalid", _("The address must not contain NUL characters."))

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "locale": str(get_locale()),
            "languages": LANGUAGES,
            "lang_url": lang_url,
            "js_strings": js_strings(),
            "palette": PALETTE,
        }

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Role links carry their secret in the path: never send it to another site.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return remember_language(response)

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Any:
        response = app.make_response(_error(exc.code, exc.message, exc.status, exc.details))
        if exc.code == "rate_limited" and isinstance(exc.details, dict):
            response.headers["Retry-After"] = str(exc.details["retry_after"])
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Any:
        return _error("csrf", "The form expired. Please reload the page and try again.", 400)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        code = {
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            400: "invalid",
            401: "unauthorized",
            403: "forbidden",
        }.get(exc.code or 500, "error")
        message = {
            404: "Not found. Check the link; it may have been replaced by a new one.",
            413: "The request is too large.",
        }.get(exc.code or 500, exc.description or "Error")
        return _error(code, message, exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if is_database_outage(exc):
            # Expected while PostgreSQL restarts: one line per request, no traceback; clients retry. (The session is
            # removed at teardown, and the pool's pre-ping replaces dead connections once the database is back.)
            app.logger.warning("database unreachable: %s %s: %s", request.method, request.path, outage_summary(exc))
            error = database_unavailable()
            response = app.make_response(_error(error.code, error.message, error.status))
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
            if not _wants_json():
                response.headers["Refresh"] = str(RETRY_AFTER_S)  # the page tries again by itself
            return response
        app.logger.exception("unhandled error", exc_info=exc)
        g.failed = True
        return _error("internal", "Something went wrong on the server. Nothing was changed.", 500)
