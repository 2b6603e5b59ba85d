"""The ``worldcafe`` command: run the server, create the demo event, plan rotations, migrate the database."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup
from flask_migrate import upgrade

from . import create_app
from .config import ConfigError
from .domain import rotation


def _app_or_exit() -> Flask:
    """The app; a setting in the environment that can't be used is one line on stderr and exit code 2."""
    try:
        return create_app()
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


@click.group(cls=FlaskGroup, create_app=_app_or_exit, add_default_commands=False)
def cli() -> None:
    """World Café: rotation, live pads, phones, projector and harvest."""


def _links_text(links: dict[str, Any], with_people: bool = False) -> str:
    lines = [
        f"  moderator : {links['moderator']}",
        f"  screen    : {links['screen']}",
        f"  help desk : {links.get('helpdesk', '')}",
        f"  join      : {links['join']}",
    ]
    lines += [f"  host T{number:<3}: {url}" for number, url in links["hosts"].items()]
    if with_people:
        lines += [f"  {name}: {url}" for name, url in links["participants"].items()]
    return "\n".join(lines)


def _demo_links(event: Any) -> dict[str, Any]:
    from .web.links import base_url, event_links

    links = event_links(event)
    return {
        "event": event.public_id,
        "base_url": base_url(),
        "links": {
            "moderator": links["moderator"],
            "screen": links["screen"],
            "helpdesk": links.get("helpdesk"),
            "join": links["join"],
            "hosts": links["hosts"],
            # Keyed by name as the contract says; a second person of the same name gets "(id)" added.
            "participants": _by_name(links["participants"]),
        },
    }


def _by_name(people: list[dict[str, Any]]) -> dict[str, str]:
    named: dict[str, str] = {}
    for person in people:
        key = person["name"] if person["name"] not in named else f"{person['name']} ({person['id']})"
        named[key] = person["link"]
    return named


@cli.command("links")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print the event and its links as JSON.")
def links_command(code: str, as_json: bool) -> None:
    """Print every link of the event with join code CODE: moderator, screen, help desk, join, hosts, each
    participant."""
    from .services.errors import ServiceError
    from .services.events import get_event

    try:
        event = get_event(code)
    except ServiceError as exc:
        _fail(f"{exc.message} ({code})")
    info = _demo_links(event)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"{event.name} (code {event.public_id}):")
    click.echo(_links_text(info["links"], with_people=True))


@cli.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the event and its links as JSON.")
def demo_command(as_json: bool) -> None:
    """Create the reference event "Canada meets OWL" (unless it exists) and print its links."""
    from .services.demo import ensure_demo

    upgrade()
    event, created = ensure_demo()
    info = _demo_links(event)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'Created' if created else 'Found'} the demo event {event.name!r} (code {event.public_id}):")
    click.echo(_links_text(info["links"]))
    click.echo(
        f"  participants: {len(info['links']['participants'])} personal links (see the moderator console)"
    )


@cli.command("run")
@click.option("--host", default=None, help="Address to bind (0.0.0.0 for a venue LAN). Default 127.0.0.1.")
@click.option("--port", type=int, default=None, help="Port (default $WORLDCAFE_PORT or 5000).")
@click.option(
    "--demo/--no-demo", default=False, help="Create the demo event unless it exists and print its links."
)
def run_command(host: str | None, port: int | None, demo: bool) -> None:
    """Serve the app with eventlet (real-time, many connections)."""
    from .extensions import socketio

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if socketio.async_mode not in ("eventlet", "threading"):
        _fail(
            f"WORLDCAFE_ASYNC_MODE={socketio.async_mode} is not served by `worldcafe run` (it patches for eventlet "
            "only); use eventlet (the default) or threading, or serve wsgi.py's app with your own server."
        )
    if host:
        app.config["HOST"] = host
    if port:
        app.config["PORT"] = port
    from .web.guards import generate_admin_password, is_loopback_host

    generated = not app.config.get("ADMIN_PASSWORD") and not is_loopback_host(app.config["HOST"])
    if generated:
        # Reachable from the venue network and no password set: other machines need this one to create events.
        app.config.update(ADMIN_PASSWORD=generate_admin_password(), ADMIN_PASSWORD_GENERATED=True)
    upgrade()
    if demo:
        from .services.demo import ensure_demo

        event, created = ensure_demo()
        info = _demo_links(event)
        click.echo(
            f"{'Created' if created else 'Serving'} the demo event {event.name!r} (code {event.public_id}):"
        )
        click.echo(_links_text(info["links"]))
    from .web.links import base_url

    click.echo(f"World Café is running at {base_url()}/  (create events there; Ctrl+C stops)", err=False)
    if generated:
        click.echo(
            f"Admin password for creating events from other computers: {app.config['ADMIN_PASSWORD']}\n"
            "  (new at every start; set WORLDCAFE_ADMIN_PASSWORD to choose one; this computer needs none)"
        )
    sys.stdout.flush()
    from . import offload
    from .realtime import cluster, retention, ticker
    from .realtime.tuning import tune_gc

    offload.start(app.config["WORKERS"])
    ticker.start(app)
    cluster.start(app)
    retention.start(app)
    tune_gc()
    if socketio.async_mode == "eventlet":
        from .serving import ServerLimits, serve

        # The file limit, connection cap, timeouts and accept loop for an open venue network (worldcafe.serving).
        serve(app, app.config["HOST"], app.config["PORT"], ServerLimits.from_config(app.config))
        return
    # Threading: Werkzeug's server, started directly. socketio.run() would go through Flask's app.run(), which
    # returns at once under a FlaskGroup CLI like ours (it guards `flask run`): `run` exited 0 serving nothing.
    from werkzeug.serving import run_simple

    run_simple(app.config["HOST"], app.config["PORT"], app, threaded=True)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@cli.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Delete closed events closed more than this many days ago (default $WORLDCAFE_RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="Only list the events that would be deleted.")
def purge_command(days: int | None, dry_run: bool) -> None:
    """Delete closed events past their retention, with everything in them (photos included)."""
    from .services.retention import EVENTS_PER_PASS, purge

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    days = days or app.config.get("RETENTION_DAYS")
    if not days:
        _fail("no retention period: pass --days N or set WORLDCAFE_RETENTION_DAYS")
    assert days is not None
    upgrade()
    total = 0
    while True:
        gone = purge(days, app.instance_path, dry_run=dry_run, limit=EVENTS_PER_PASS if not dry_run else 10_000)
        for deleted in gone:
            click.echo(f"{'would delete' if dry_run else 'deleted'} event {deleted.code}")
        total += len(gone)
        if dry_run or len(gone) < EVENTS_PER_PASS:
            break
    click.echo(f"{total} event(s) {'would be ' if dry_run else ''}deleted (closed more than {days} days ago)")


@cli.command("plan", with_appcontext=False)
@click.argument("input_file", metavar="INPUT.json", type=click.File("r", encoding="utf-8"))
@click.option(
    "-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Where to write the plan."
)
def plan_command(input_file: TextIO, output: TextIO) -> None:
    """Plan who sits where in every round (see docs/rotation.md for the input format)."""
    try:
        spec = json.load(input_file)
    except json.JSONDecodeError as exc:
        _fail(f"{input_file.name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    except UnicodeDecodeError:
        _fail(f"{input_file.name} is not UTF-8 text")
    try:
        result = rotation.plan(spec)
    except rotation.RotationInputError as exc:
        _fail(str(exc))
    json.dump(result, output, ensure_ascii=False, indent=2)
    output.write("\n")


if __name__ == "__main__":
    cli()
