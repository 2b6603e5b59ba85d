"""JSON API v1: the same tokens as the links, sent as ``Authorization: Bearer <token>``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _

from ... import ratelimit
from ...extensions import csrf
from ...realtime import joins
from ...realtime.presence import presence
from ...realtime.publish import publish
from ...realtime.revocation import revoke
from ...services import broadcasts, checkin, payloads, planning, votes
from ...services import control as control_service
from ...services import duplicates as duplicate_service
from ...services import events as event_service
from ...services import notes as note_service
from ...services import participants as participant_service
from ...services import setup as setup_service
from ...services import summary as summary_service
from ...services.access import regenerate_link, resolve
from ...services.errors import ServiceError, rate_limited
from ...services.notes import list_notes
from ...services.photo_limits import PhotoQuota, check_may_add
from ...services.reading import let_others_run
from ...services.spec import PadsSpec, RegenerateSpec, ShareSpec, StatusSpec, parse, plain_text, whole_number
from ...services.views import full_view, me_view, public_view, seating_view
from ..auth import api_access, bearer_token
from ..guards import admin_password_given, check_join_budget, check_may_create
from ..links import event_links, participant_cookie, participant_links, role_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # authorised by bearer tokens, never by cookies


def json_body() -> Any:
    """The request's JSON, or a clear error when it is missing, malformed, nested too deeply, holds a NUL or a
    number no client can represent exactly (see ``payloads``)."""
    if not request.is_json:
        raise ServiceError("invalid", "Send JSON with 'Content-Type: application/json'.")
    try:
        data = payloads.loads(request.get_data(cache=True))
    except payloads.RejectedJSON as exc:
        raise ServiceError("invalid", exc.message(), details=exc.details()) from None
    if data is None:
        raise ServiceError("invalid", "The body is not valid JSON.")
    return data


def check_request_size(body: Any) -> None:
    """Bounded work per request: at most WORLDCAFE_MAX_TABLES_PER_REQUEST tables and WORLDCAFE_MAX_PEOPLE_PER_REQUEST
    people in one spec or list (counted before anything is parsed); more is ``413 too_large``."""
    config = current_app.config
    tables = body.get("tables") if isinstance(body, dict) else None
    people = body.get("participants") if isinstance(body, dict) else body
    if isinstance(tables, list) and len(tables) > config["MAX_TABLES_PER_REQUEST"]:
        raise ServiceError(
            "too_large", _("At most %(limit)s tables in one request.", limit=config["MAX_TABLES_PER_REQUEST"])
        )
    if isinstance(people, list) and len(people) > config["MAX_PEOPLE_PER_REQUEST"]:
        raise ServiceError(
            "too_large",
            _("At most %(limit)s people in one request; add more in further requests.",
              limit=config["MAX_PEOPLE_PER_REQUEST"]),
        )


def _csv_body() -> bytes | str:
    """The CSV of an import: an uploaded ``file``, a form field ``csv``, or a text/csv (text/plain) body."""
    if request.mimetype in ("text/csv", "text/plain"):
        return request.get_data()
    upload = request.files.get("file")
    if upload is not None:
        try:
            return upload.read()
        finally:
            upload.close()
    if "csv" in request.form:
        return request.form["csv"]
    raise ServiceError(
        "invalid",
        "Send the list as an uploaded file 'file', a form field 'csv', or a body with 'Content-Type: text/csv'.",
    )


@bp.post("/events")
def create_event() -> Any:
    """Create an event from a spec; answers with the event and every role's link."""
    check_may_create(admin_password_given(), "Creating events needs the admin password (header X-Admin-Password, or "
                     "HTTP Basic with any user name).")
    body = json_body()
    check_request_size(body)
    event = event_service.create_event(body)
    view = full_view(event)
    let_others_run()  # a big event's view and its links are ~20 + 10 ms of the loop (1,000 tables): two pieces
    return jsonify(event=view, links=event_links(event)), 201


@bp.get("/events/<code>")
def get_event(code: str) -> Any:
    """The event: full for its moderator, the public view for its screen."""
    access = api_access(code)
    access.require("moderator", "screen")
    return jsonify(full_view(access.event) if access.role == "moderator" else public_view(access.event))


def _setup_changed(access: Any, change: tuple[list[Any], list[str]]) -> Any:
    """After a setup change: emit its pushes, cut the links of dropped tables, answer with the full view."""
    pushes, dead_tokens = change
    let_others_run()  # the change's transaction was one piece (30–60 ms for a 1,000-person event, measured)
    publish(pushes)
    revoke(dead_tokens)
    let_others_run()  # a push to the whole room goes out to every phone before the moderator's view is built
    return jsonify(full_view(access.event))


@bp.put("/events/<code>")
def update_event(code: str) -> Any:
    """Change the setup (name, language, groups, rounds, topics, tables); once live, only what history allows."""
    access = api_access(code)
    access.require("moderator")
    body = json_body()
    check_request_size(body)
    return _setup_changed(access, setup_service.update_setup(access.event, body))


@bp.post("/events/<code>/capacity")
def add_capacity(code: str) -> Any:
    """More room for walk-ins: a seat more at every table, or new tables (the rounds to come are re-planned)."""
    access = api_access(code)
    access.require("moderator")
    return _setup_changed(access, setup_service.add_capacity(access.event, json_body()))


@bp.patch("/events/<code>")
def update_settings(code: str) -> Any:
    """Flip settings such as ``joining_open``."""
    access = api_access(code)
    access.require("moderator")
    publish(event_service.update_settings(access.event, json_body()))
    return jsonify(full_view(access.event))


@bp.get("/events/<code>/links")
def get_links(code: str) -> Any:
    """Every role's link."""
    access = api_access(code)
    access.require("moderator")
    return jsonify(event_links(access.event))


@bp.post("/events/<code>/links/regenerate")
def regenerate(code: str) -> Any:
    """Replace one link with a new one; the old one stops working at once."""
    access = api_access(code)
    access.require("moderator")
    body = parse(RegenerateSpec, json_body())
    link, old_token = regenerate_link(
        access.event, body.role, table_number=body.table, participant_id=body.participant
    )
    revoke([old_token])
    return jsonify(role=link.role, link=role_url(link.role, link.token))


@bp.get("/events/<code>/participants")
def list_participants(code: str) -> Any:
    """Everyone in the event with their links; ``?q=`` finds names containing every typed word (help desk)."""
    access = api_access(code)
    access.require("moderator")
    query = request.args.get("q", "").strip()
    if query:
        return jsonify(participants=participant_links(participant_service.search(access.event, query)))
    return jsonify(participants=event_links(access.event)["participants"])


@bp.patch("/events/<code>/participants/<int:participant_id>")
def update_participant(code: str, participant_id: int) -> Any:
    """Correct a person's ``name``, ``group``, ``email`` or ``needs`` (also during the event)."""
    access = api_access(code)
    access.require("moderator")
    view, pushes = participant_service.update_participant(access.event, participant_id, json_body())
    publish(pushes)
    return jsonify(participant=view)


@bp.get("/events/<code>/duplicates")
def duplicates(code: str) -> Any:
    """Pairs of people whose names look alike, most similar first."""
    access = api_access(code)
    access.require("moderator")
    return jsonify(pairs=duplicate_service.likely_duplicates(access.event))


@bp.post("/events/<code>/participants/merge")
def merge_participants(code: str) -> Any:
    """Merge two records of one person: ``{"keep": id, "drop": id}``; the dropped record's link stops working."""
    access = api_access(code)
    access.require("moderator")
    kept, pushes, dead_tokens = duplicate_service.merge(access.event, json_body())
    publish(pushes)
    revoke(dead_tokens)
    return jsonify(participant=kept)


@bp.post("/events/<code>/participants")
def add_participants(code: str) -> Any:
    """Add people ``[{name, group?, email?}]`` (also late arrivals) → their links."""
    access = api_access(code)
    access.require("moderator")
    body = json_body()
    check_request_size(body)
    added, pushes = participant_service.add_participants(access.event, body)
    publish(pushes)
    for person in added:
        person["link"] = role_url("participant", person.pop("token"))
    return jsonify(participants=added), 201


@bp.post("/events/<code>/participants/import")
def import_participants(code: str) -> Any:
    """Import a CSV (body or uploaded file ``file``); ``?dry_run=1`` only checks it."""
    access = api_access(code)
    access.require("moderator")
    raw = _csv_body()
    if request.args.get("dry_run") in ("1", "true"):
        report = participant_service.check_csv(access.event, raw)
        return jsonify(rows=report, ok=not any(row["error"] for row in report))
    added, pushes = participant_service.import_csv(access.event, raw)
    publish(pushes)
    return jsonify(imported=len(added)), 201


@bp.delete("/events/<code>/participants/<int:participant_id>")
def remove_participant(code: str, participant_id: int) -> Any:
    """Remove a person before the event starts."""
    access = api_access(code)
    access.require("moderator")
    pushes, dead_tokens = participant_service.remove_participant(access.event, participant_id)
    publish(pushes)
    revoke(dead_tokens)
    return "", 204


@bp.post("/events/<code>/plan")
def plan(code: str) -> Any:
    """(Re)plan the rounds not yet played → the plan's quality figures."""
    access = api_access(code)
    access.require("moderator")
    metrics, pushes = planning.plan_event(access.event)
    publish(pushes)
    return jsonify(metrics=metrics, plan=planning.plan_view(access.event))


@bp.get("/events/<code>/plan")
def get_plan(code: str) -> Any:
    """The stored plan: tables per round and each person's route."""
    access = api_access(code)
    access.require("moderator")
    return jsonify(planning.plan_view(access.event))


@bp.post("/events/<code>/control")
def control(code: str) -> Any:
    """Drive the rounds: start_round, pause, resume, extend (seconds), end_round, reopen_round, cancel_round,
    start_harvest, close."""
    access = api_access(code)
    access.require("moderator")
    result, pushes = control_service.control(access.event, json_body())
    publish(pushes)
    return jsonify(result)


@bp.post("/events/<code>/participants/<int:participant_id>/status")
def participant_status(code: str, participant_id: int) -> Any:
    """Mark a person as left, a no-show, or back (``{"status": "left" | "no_show" | "active"}``)."""
    access = api_access(code)
    access.require("moderator")
    body = parse(StatusSpec, json_body())
    publish(planning.set_status(access.event, participant_id, body.status))
    return jsonify(full_view(access.event))


@bp.post("/events/<code>/broadcast")
def broadcast(code: str) -> Any:
    """Show a message on every device (``target: "all"``) or only on the screen."""
    access = api_access(code)
    access.require("moderator")
    message, pushes = broadcasts.broadcast(access.event, json_body())
    publish(pushes)
    return jsonify(ok=True, broadcast=message), 201


@bp.get("/events/<code>/broadcasts")
def list_broadcasts(code: str) -> Any:
    """The messages still on show (not expired, not withdrawn)."""
    access = api_access(code)
    access.require("moderator")
    return jsonify(broadcasts=broadcasts.on_show(access.event))


@bp.delete("/events/<code>/broadcasts/<message_id>")
def withdraw_broadcast(code: str, message_id: str) -> Any:
    """Take a message off every phone, pad and screen at once."""
    access = api_access(code)
    access.require("moderator")
    _message, pushes = broadcasts.withdraw(access.event, {"id": message_id})
    publish(pushes)
    return "", 204


@bp.get("/events/<code>/occupancy")
def occupancy(code: str) -> Any:
    """Per table: planned and checked in, for the round running or the next one."""
    access = api_access(code)
    access.require("moderator")
    event = access.event
    number = event.current_round if event.status in ("running", "paused") else (event.current_round or 0) + 1
    return jsonify(round=number, tables=checkin.occupancy(event.id, number))


@bp.get("/events/<code>/health")
def table_health(code: str) -> Any:
    """Per table: host tablet online, notes this round, and whether it has gone silent in a running round."""
    access = api_access(code)
    access.require("moderator")
    event = access.event
    number = event.current_round if event.status in ("running", "paused") else (event.current_round or 0) + 1
    return jsonify(checkin.table_health(event.id, number, presence.host_tables(event.id)))


@bp.post("/events/<code>/photos")
def upload_photo(code: str) -> Any:
    """A photo of a tablecloth or sticky notes (multipart ``photo``; ``table`` for the moderator, ``caption``)."""
    access = api_access(code)
    # Refused before the upload is read: a role without photos, a closed event, a link beyond its upload budget.
    access.require("host", "moderator")
    check_may_add(access.event)
    config = current_app.config
    wait = ratelimit.spend("link-photo", config["PHOTO_LIMIT_PER_LINK"], ratelimit.link_key(bearer_token()))
    if wait is not None:
        raise rate_limited(_("Too many photos at once; please wait %(seconds)s seconds.", seconds=wait), wait)
    # Photos may be up to 10 MB; every other request keeps the small global limit.
    request.max_content_length = note_service.MAX_PHOTO_BYTES + 64 * 1024
    upload = request.files.get("photo")
    if upload is None:
        raise ServiceError("invalid", "Send the photo as a multipart file field 'photo'.")
    table = request.form.get("table") or None
    number = whole_number(table, "table") if table is not None else None
    caption = plain_text(request.form.get("caption", ""), "caption", 200)
    try:
        data = upload.read()
    finally:
        upload.close()
    quota = PhotoQuota(per_table=config["PHOTOS_PER_TABLE"], event_bytes=config["PHOTO_MB_PER_EVENT"] * 1024 * 1024)
    view, pushes = note_service.upload_photo(access, data, number, caption, current_app.instance_path, quota)
    publish(pushes)
    return jsonify(photo=view), 201


@bp.get("/events/<code>/photos")
def photos(code: str) -> Any:
    """Photos: all for the moderator, the own table's for a host."""
    return jsonify(photos=note_service.list_photos(api_access(code)))


@bp.post("/events/<code>/pads")
def pads(code: str) -> Any:
    """Reopen the pads for ``{"minutes": n}`` after the grace period (0 ends a reopening and the grace period)."""
    access = api_access(code)
    access.require("moderator")
    body = parse(PadsSpec, json_body())
    publish(note_service.reopen_pads(access.event, body.minutes))
    return jsonify(open=note_service.is_pad_open(access.event))


@bp.get("/events/<code>/votes")
def event_votes(code: str) -> Any:
    """The insights open for votes with their counts (and, for a participant, their own dots)."""
    access = api_access(code)
    access.require("moderator", "screen", "participant")
    return jsonify(votes.ballot(access))


@bp.get("/events/<code>/summary.<fmt>")
def summary(code: str, fmt: str) -> Any:
    """The harvest: json (the complete event, plan included), md, csv (one row per note), html or docx."""
    access = api_access(code)
    access.require("moderator", "summary")
    from ..summary import summary_response

    return summary_response(access, fmt, download=fmt != "json")


@bp.post("/events/<code>/share")
def share(code: str) -> Any:
    """Turn the read-only summary link on or off: ``{"enabled": bool}``."""
    access = api_access(code)
    access.require("moderator")
    body = parse(ShareSpec, json_body())
    link, dead_token = summary_service.set_share(access.event, body.enabled)
    revoke([dead_token] if dead_token else [])
    return jsonify(enabled=link is not None, link=role_url("summary", link.token) if link else None)


@bp.get("/events/<code>/themes")
def themes(code: str) -> Any:
    """Live themes: ranked key terms per topic from the visible notes."""
    access = api_access(code)
    access.require("moderator", "screen")
    return jsonify(summary_service.live_themes(access.event))


@bp.get("/events/<code>/seating")
def seating(code: str) -> Any:
    """Names and tables of the round running or the next one (the projector's "find your table")."""
    access = api_access(code)
    access.require("moderator", "screen")
    return jsonify(seating_view(access.event))


@bp.post("/join/<code>")
def join(code: str) -> Any:
    """Join an open event with ``{name, group?, confirm?}`` → that person's link (the own one again from a
    browser that joined before)."""
    token = request.cookies.get(participant_cookie(code.upper()))
    remembered = resolve(token, "participant")
    if remembered is not None and remembered.event.public_id == code.upper() and remembered.participant is not None:
        person = remembered.participant
        return jsonify(
            participant={"id": person.id, "name": person.name, "group": person.group},
            link=role_url("participant", token),
            token=token,
            returning=True,
        ), 200
    check_join_budget(code)  # before the database is asked anything: a flood's refusals stay cheap
    event = event_service.get_event(code)
    person = joins.join(event, json_body())
    return jsonify(
        participant={"id": person.id, "name": person.name, "group": person.group},
        link=role_url("participant", person.token),
        token=person.token,
    ), 201


@bp.get("/me")
def me() -> Any:
    """The participant's name, current and next seat, and the timer."""
    access = api_access()
    access.require("participant")
    assert access.participant is not None
    return jsonify(me_view(access.participant))


@bp.get("/events/<code>/notes")
def list_event_notes(code: str) -> Any:
    """Notes: all for moderator and screen (hidden ones only for the moderator), the own topic for a host."""
    access = api_access(code)
    access.require("moderator", "screen", "host")
    return jsonify(notes=list_notes(access))


@bp.get("/openapi.json")
def openapi_document() -> Any:
    """This API as an OpenAPI 3.1 document, built from its routes and request schemas (no token: it holds no
    secrets)."""
    from .openapi import document

    return jsonify(document(current_app))


# The help desk's and the harvest's routes live in their own modules, on this blueprint.
from . import harvest as _harvest  # noqa: E402, F401
from . import helpdesk as _helpdesk  # noqa: E402, F401
from . import networking as _networking  # noqa: E402, F401
from . import organiser as _organiser  # noqa: E402, F401
