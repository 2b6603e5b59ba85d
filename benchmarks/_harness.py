"""Shared pieces of the notes benchmarks (``notes_load.py``, ``screen_smoothness.py``).

Not a benchmark: run directly it prints a one-line note and exits 0 (``make bench`` runs every ``*.py`` here).

What comes from ``live_load.py`` is re-exported unchanged (server process with RSS sampling, idle phones in
client processes, ``/healthz`` lag probe, HTTP helper, percentiles). What is new here:

- ``start_worldcafe`` — ``worldcafe run`` like ``live_load.start_ours``, optionally under cProfile (CPU time,
  switched on and off with SIGUSR1/SIGUSR2 so only the measured phase is profiled);
- ``setup_event`` — create an event with topics × tables and participants, plan it, start round 1, fetch the
  links (screen token from ``GET …/links`` with the moderator token);
- ``NoteClients`` — one client process with hosts that send ``add_note`` on a schedule and record send/ack
  times, and/or screens; every socket records the receipt time of every ``note_added`` by note id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import multiprocessing as mp
import os
import pstats
import random
import shutil
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from live_load import (  # noqa: E402 - after the path tweak; re-exported for the notes benchmarks
    LagProbe,
    Phones,
    Server,
    free_port,
    http,
    log,
    machine,
    ms,
    percentile,
    raise_nofile,
    versions,
    wait_healthy,
    worldcafe_executable,
)

__all__ = [
    "LagProbe",
    "NoteClients",
    "Phones",
    "Server",
    "http",
    "log",
    "machine",
    "ms",
    "percentile",
    "profile_summary",
    "raise_nofile",
    "setup_event",
    "start_worldcafe",
    "summarize",
    "token_of",
    "versions",
]

# --------------------------------------------------------------------------------------------------------------
# Server

# The server under cProfile (process CPU time, so time a greenlet spends waiting is not counted). SIGUSR1 starts
# profiling, SIGUSR2 stops it and writes the stats to $BENCH_PROFILE_OUT. eventlet is patched first, as
# `worldcafe run` does.
PROFILED_WORLDCAFE = """
import eventlet
eventlet.monkey_patch()
import cProfile, os, signal, sys, time, warnings
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
_prof = cProfile.Profile(time.process_time)
def _on(*_):
    _prof.enable()
def _off(*_):
    _prof.disable()
    _prof.dump_stats(os.environ["BENCH_PROFILE_OUT"])
signal.signal(signal.SIGUSR1, _on)
signal.signal(signal.SIGUSR2, _off)
from worldcafe.cli import cli
sys.argv = ["worldcafe", "run", *sys.argv[1:]]
cli()
"""

# The server with a trace: every garbage collection > 2 ms, and the wall and CPU time of each add_note request
# (the whole handler, the token check, the service, each commit, the emits), one line each in $BENCH_TRACE_LOG:
# "epoch_seconds kind wall_ms cpu_ms". Only wrappers around the app's functions; the app itself is unchanged.
TRACED_WORLDCAFE = """
import eventlet
eventlet.monkey_patch()
import gc, os, sys, time, warnings
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
_log = open(os.environ["BENCH_TRACE_LOG"], "a", buffering=1)
_gc_t = [0.0]
def _gc_cb(phase, info):
    if phase == "start":
        _gc_t[0] = time.perf_counter()
        return
    d = time.perf_counter() - _gc_t[0]
    if d > 0.002:
        _log.write(f"{time.time():.4f} gc{info['generation']} {d * 1000:.2f} {d * 1000:.2f}\\n")
gc.callbacks.append(_gc_cb)
def _timed(kind, fn):
    def wrapper(*args, **kwargs):
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _log.write(f"{time.time():.4f} {kind} {(time.perf_counter() - t) * 1000:.2f} "
                       f"{(time.process_time() - c) * 1000:.2f}\\n")
    return wrapper
import sqlalchemy.orm
import worldcafe.realtime.notes as _rn
import worldcafe.services.notes as _sn
_rn._handle = _timed("handle", _rn._handle)
_rn.current_access = _timed("access", _rn.current_access)
_rn.publish = _timed("publish", _rn.publish)
_sn.add_note = _timed("add_note", _sn.add_note)
sqlalchemy.orm.Session.commit = _timed("commit", sqlalchemy.orm.Session.commit)
from worldcafe.cli import cli
sys.argv = ["worldcafe", "run", *sys.argv[1:]]
cli()
"""


def read_trace(path: Path, start: float, end: float) -> list[tuple[float, str, float, float]]:
    """The trace lines logged between two ``time.time()`` moments: (at, kind, wall ms, CPU ms)."""
    rows = []
    if not path.exists():
        return rows
    for line in path.read_text().splitlines():
        try:
            at, kind, wall, cpu = line.split()
        except ValueError:
            continue
        if start <= float(at) <= end:
            rows.append((float(at), kind, float(wall), float(cpu)))
    return rows


def start_worldcafe(
    workdir: Path,
    max_connections: int = 10000,
    profile_out: Path | None = None,
    trace_log: Path | None = None,
    extra_env: dict[str, str] | None = None,
    nofile: tuple[int, int] | None = None,
) -> Server:
    """``worldcafe run`` in its own process with a fresh SQLite instance folder (as ``live_load.start_ours``);
    ``nofile`` is its (soft, hard) open-file limit at start (default: the hard limit)."""
    port = free_port()
    instance = workdir / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORLDCAFE_")}
    env.update(
        {
            "WORLDCAFE_INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench",
            "WORLDCAFE_MAX_CONNECTIONS": str(max_connections),
            # Benchmark events (up to 4,000 people, 1,000 tables) are created in one request.
            "WORLDCAFE_MAX_PEOPLE_PER_REQUEST": "10000",
            "WORLDCAFE_MAX_TABLES_PER_REQUEST": "2000",
            **(extra_env or {}),
        }
    )
    if profile_out is not None:
        env["BENCH_PROFILE_OUT"] = str(profile_out)
        argv = [sys.executable, "-c", PROFILED_WORLDCAFE, "--port", str(port)]
    elif trace_log is not None:
        env["BENCH_TRACE_LOG"] = str(trace_log)
        argv = [sys.executable, "-c", TRACED_WORLDCAFE, "--port", str(port)]
    else:
        argv = [worldcafe_executable(), "run", "--port", str(port)]
    server = Server("ours", argv, env, workdir, port, nofile=nofile)
    wait_healthy(server.base, server.proc, server.logfile)
    return server


def profile_on(server: Server) -> None:
    os.kill(server.proc.pid, signal.SIGUSR1)


def profile_off(server: Server, out: Path, timeout: float = 30) -> bool:
    """Stop profiling and wait until the stats file is written."""
    before = out.stat().st_mtime if out.exists() else None
    os.kill(server.proc.pid, signal.SIGUSR2)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if out.exists() and out.stat().st_mtime != before and out.stat().st_size > 0:
            time.sleep(0.5)  # let the write finish
            return True
        time.sleep(0.2)
    return False


def profile_summary(path: Path, top: int = 25) -> dict[str, Any]:
    """The profile's top functions by own CPU time and by cumulative CPU time (seconds)."""
    stats = pstats.Stats(str(path))
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = file
        for marker in ("site-packages/", "/worldcafe/", "lib/python3"):
            if marker in file:
                short = (marker.strip("/") + "/" if marker == "/worldcafe/" else "") + file.split(marker, 1)[1]
                break
        rows.append({"function": f"{short}:{line}:{func}", "calls": nc, "own_s": round(tt, 3), "cum_s": round(ct, 3)})
    total = sum(r["own_s"] for r in rows)
    by_own = sorted(rows, key=lambda r: -r["own_s"])[:top]
    ours = [r for r in rows if r["function"].startswith("worldcafe/")]
    by_cum = sorted(ours, key=lambda r: -r["cum_s"])[:top]
    return {"total_cpu_s": round(total, 2), "top_own": by_own, "worldcafe_top_cumulative": by_cum}


# --------------------------------------------------------------------------------------------------------------
# Event set-up over the JSON API


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def setup_event(
    base: str,
    *,
    participants: int,
    topics: int,
    tables: int,
    capacity: int = 10,
    minutes: int = 60,
    name: str = "Bench",
) -> dict[str, Any]:
    """Create, plan and start round 1 of an event; return its code and every token."""
    topic_specs = [
        {"title": f"Topic {k}", "question": f"What matters most about topic {k}?"} for k in range(1, topics + 1)
    ]
    spec = {
        "name": name,
        "language": "en",
        "groups": ["A", "B"],
        "rounds": [{"minutes": minutes}] * 3,
        "topics": topic_specs,
        "tables": [
            {"number": t, "topic": (t - 1) % topics + 1, "capacity": capacity, "host": f"Host {t}"}
            for t in range(1, tables + 1)
        ],
        "participants": [{"name": f"P{i}", "group": "AB"[i % 2]} for i in range(1, participants + 1)],
    }
    timings: dict[str, Any] = {}
    t = time.monotonic()
    status, body = http("POST", f"{base}/api/v1/events", spec)
    if status != 201:
        raise RuntimeError(f"creating the event failed: {status} {str(body)[:500]}")
    timings["create_event_s"] = round(time.monotonic() - t, 2)
    code = body["event"]["id"]
    moderator = token_of(body["links"]["moderator"])
    t = time.monotonic()
    status, plan = http("POST", f"{base}/api/v1/events/{code}/plan", {}, token=moderator)
    timings["plan_s"] = round(time.monotonic() - t, 2)
    if status >= 300:
        raise RuntimeError(f"planning failed: {status} {str(plan)[:500]}")
    status, links = http("GET", f"{base}/api/v1/events/{code}/links", token=moderator)
    if status != 200:
        raise RuntimeError(f"GET links failed: {status} {str(links)[:500]}")
    t = time.monotonic()
    status, started = http("POST", f"{base}/api/v1/events/{code}/control", {"action": "start_round"}, token=moderator)
    timings["start_round_s"] = round(time.monotonic() - t, 2)
    if status >= 300:
        raise RuntimeError(f"start_round failed: {status} {str(started)[:500]}")
    hosts = [
        {"table": int(number), "topic": (int(number) - 1) % topics + 1, "token": token_of(link)}
        for number, link in links["hosts"].items()
    ]
    return {
        "code": code,
        "moderator": moderator,
        "screen": token_of(links["screen"]),
        "screen_path": "/s/" + token_of(links["screen"]),
        "hosts": sorted(hosts, key=lambda h: h["table"]),
        "participants": [token_of(p["link"]) for p in links["participants"]],
        "timings": timings,
    }


# --------------------------------------------------------------------------------------------------------------
# Hosts and screens in a client process

WORDS = [
    "neighbourhood", "exchange", "language", "school", "clubs", "housing", "mentors", "jobs", "transport",
    "culture", "sport", "volunteers", "library", "childcare", "festival", "apprenticeships", "youth", "elders",
]  # fmt: skip
KINDS = ["idea", "idea", "question", "insight", "quote"]


def note_text(table: int, k: int, rng: random.Random) -> str:
    """A plain note whose first token (``T<table>-<k>``) identifies it on the projector."""
    a, b = rng.sample(WORDS, 2)
    return f"T{table}-{k} We could bring {a} and {b} together"


def notes_client_process(conn: Any, url: str, hosts: list[dict[str, Any]], screens: list[str], timeout: float) -> None:
    """Entry point of one client process with hosts and/or screens; talks to the orchestrator over ``conn``."""
    raise_nofile()
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
    logging.getLogger("socketio.client").setLevel(logging.CRITICAL)
    try:
        asyncio.run(_notes_client_main(conn, url, hosts, screens, timeout))
    finally:
        conn.close()


async def _notes_client_main(
    conn: Any, url: str, hosts: list[dict[str, Any]], screens: list[str], timeout: float
) -> None:
    import socketio

    loop = asyncio.get_running_loop()
    # label -> list of (note id, time.time()) for every note_added this socket received
    receipts: dict[str, list[tuple[str, float]]] = {}
    sends: list[dict[str, Any]] = []
    errors: dict[str, int] = {}
    disconnects = [0]
    stopping = [False]
    halted = [False]  # set by "halt": the hosts schedule no further notes
    clients: dict[str, Any] = {}
    pad_open: dict[str, Any] = {}

    def note_error(key: str) -> None:
        errors[key] = errors.get(key, 0) + 1

    async def connect(label: str, token: str) -> bool:
        sio = socketio.AsyncClient(reconnection=False)
        clients[label] = sio
        receipts[label] = []
        got = asyncio.Event()

        @sio.on("snapshot")
        async def on_snapshot(data: Any = None) -> None:
            if isinstance(data, dict):
                pad_open[label] = data.get("pad_open")
            got.set()

        @sio.on("note_added")
        async def on_note(data: Any = None) -> None:
            t = time.time()
            note = data.get("note") if isinstance(data, dict) else None
            receipts[label].append((note.get("id") if isinstance(note, dict) else None, t))

        @sio.on("disconnect")
        async def on_disconnect(*args: Any) -> None:
            if not stopping[0]:
                note_error(f"{label.split(':')[0]} disconnected by {args[0] if args else 'unknown'}")
                disconnects[0] += 1

        try:
            await sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=timeout)
            await asyncio.wait_for(got.wait(), timeout)
            return True
        except Exception as exc:  # noqa: BLE001 - counted and reported
            note_error(f"connect: {type(exc).__name__}: {str(exc)[:120]}")
            return False

    async def host_loop(h: dict[str, Any], t_start: float, seconds: float, interval: float, ack_timeout: float) -> None:
        sio = clients[f"host:{h['table']}"]
        rng = random.Random(h["table"])
        tasks = []
        k = 0
        while True:
            at = t_start + h["offset"] + k * interval
            if at >= t_start + seconds or halted[0]:
                break
            delay = at - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if halted[0]:
                break
            tasks.append(asyncio.create_task(send_one(sio, h, k, rng, ack_timeout)))
            k += 1
        await asyncio.gather(*tasks)

    async def send_one(sio: Any, h: dict[str, Any], k: int, rng: random.Random, ack_timeout: float) -> None:
        payload = {"id": str(uuid.uuid4()), "text": note_text(h["table"], k, rng), "kind": KINDS[k % len(KINDS)]}
        rec: dict[str, Any] = {"id": payload["id"], "table": h["table"], "topic": h["topic"], "k": k}
        rec["text"] = payload["text"]
        rec["t_send"] = time.time()
        try:
            ack = await sio.call("add_note", payload, timeout=ack_timeout)
            rec["t_ack"] = time.time()
            rec["ok"] = isinstance(ack, dict) and ack.get("ok") is True
            if not rec["ok"]:
                rec["error"] = (ack.get("error") or {}).get("code") if isinstance(ack, dict) else repr(ack)[:80]
            else:
                rec["version"] = (ack.get("note") or {}).get("version")
        except Exception as exc:  # noqa: BLE001 - a timeout or a dropped socket
            rec["t_ack"] = None
            rec["ok"] = False
            rec["error"] = type(exc).__name__
        sends.append(rec)

    sem = asyncio.Semaphore(8)

    async def limited(label: str, token: str) -> bool:
        async with sem:
            return await connect(label, token)

    started = time.monotonic()
    labels = [f"host:{h['table']}" for h in hosts] + [f"screen:{i}" for i in range(len(screens))]
    tokens = [h["token"] for h in hosts] + list(screens)
    ok = await asyncio.gather(*(limited(lab, tok) for lab, tok in zip(labels, tokens, strict=True)))
    conn.send(
        {
            "connected": sum(ok),
            "failed": len(ok) - sum(ok),
            "seconds": round(time.monotonic() - started, 2),
            "errors": dict(errors),
            "pads_closed": sum(1 for lab in labels if lab.startswith("host:") and pad_open.get(lab) is False),
            "labels": [lab for lab, good in zip(labels, ok, strict=True) if good],
        }
    )

    run_task: asyncio.Task[Any] | None = None
    while True:
        cmd = await loop.run_in_executor(None, conn.recv)
        op = cmd[0]
        if op == "run":  # ("run", t_start, seconds, interval, ack_timeout) -> "started"; the hosts send on schedule
            _, t_start, seconds, interval, ack_timeout = cmd
            halted[0] = False
            run_task = asyncio.gather(*(host_loop(h, t_start, seconds, interval, ack_timeout) for h in hosts))
            conn.send("started")
        elif op == "halt":  # -> "halted"; the hosts send nothing after this (notes in flight still get their acks)
            halted[0] = True
            conn.send("halted")
        elif op == "wait":  # -> number of notes sent, once every one is acknowledged or timed out
            if run_task is not None:
                await run_task
            conn.send(len(sends))
        elif op == "status":  # -> {label: distinct note ids received}
            conn.send({lab: len({i for i, _ in got}) for lab, got in receipts.items()})
        elif op == "collect":
            conn.send(
                {
                    "sends": sends,
                    "receipts": receipts,
                    "errors": dict(errors),
                    "disconnects": disconnects[0],
                }
            )
        elif op == "stop":
            stopping[0] = True

            async def close(c: Any) -> None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(c.disconnect(), 5)

            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.gather(*(close(c) for c in clients.values() if c.connected)), 20)
            conn.send("stopped")
            return


class NoteClients:
    """One client process with hosts (``[{table, topic, token, offset}]``) and/or screen tokens."""

    def __init__(self, url: str, hosts: list[dict[str, Any]], screens: list[str], timeout: float = 60) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=notes_client_process, args=(child, url, hosts, screens, timeout), daemon=True)
        self.proc.start()
        child.close()

    def _recv(self, timeout: float) -> Any:
        if not self.conn.poll(timeout):
            raise RuntimeError("a note client process did not answer in time")
        return self.conn.recv()

    def wait_connected(self, timeout: float = 120) -> dict[str, Any]:
        return self._recv(timeout)

    def run(self, t_start: float, seconds: float, interval: float, ack_timeout: float) -> None:
        self.conn.send(("run", t_start, seconds, interval, ack_timeout))
        self._recv(30)

    def halt(self) -> None:
        """Stop scheduling notes (for a run with an open end); ``wait_sent`` then waits for the acks in flight."""
        self.conn.send(("halt",))
        self._recv(30)

    def wait_sent(self, timeout: float) -> int:
        self.conn.send(("wait",))
        return self._recv(timeout)

    def status(self) -> dict[str, int]:
        self.conn.send(("status",))
        return self._recv(30)

    def collect(self) -> dict[str, Any]:
        self.conn.send(("collect",))
        return self._recv(60)

    def cpu_seconds(self) -> float:
        import psutil

        try:
            t = psutil.Process(self.proc.pid).cpu_times()
            return t.user + t.system
        except psutil.Error:
            return 0.0

    def stop(self) -> None:
        with contextlib.suppress(OSError, EOFError, BrokenPipeError, RuntimeError):
            self.conn.send(("stop",))
            self._recv(30)
        self.proc.join(timeout=10)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)


# --------------------------------------------------------------------------------------------------------------
# Figures


def summarize(latencies_s: list[float], expected: int | None = None) -> dict[str, Any]:
    """p50/p95/p99/max/min in ms; with ``expected``, missing samples count as infinitely late (→ null)."""
    lat = sorted(latencies_s)
    padded = lat + [math.inf] * max(0, (expected or 0) - len(lat))
    return {
        "n": len(lat),
        "p50_ms": ms(percentile(padded, 50)),
        "p95_ms": ms(percentile(padded, 95)),
        "p99_ms": ms(percentile(padded, 99)),
        "max_ms": ms(padded[-1]) if padded else None,
        "min_ms": ms(lat[0]) if lat else None,
    }


if __name__ == "__main__":
    print("benchmarks/_harness.py holds shared helpers; run notes_load.py or screen_smoothness.py instead.")


def finish(
    doc: dict[str, Any],
    started: float,
    evaluate: Any,
    workdir: Path,
    keep: bool,
    out: Path | None = None,
) -> None:
    """End a benchmark's JSON document: its run time, load, targets; keep or remove its work directory; print it
    (and write it to ``out``)."""
    doc["elapsed_s"] = round(time.monotonic() - started, 1)
    doc["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    doc["targets_met"] = evaluate(doc)
    if keep:
        doc["workdir"] = str(workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    text = json.dumps(doc, indent=2)
    print(text)
    if out:
        out.write_text(text + "\n")
