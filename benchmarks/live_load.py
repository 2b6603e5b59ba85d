"""Live round change under load: how long until every phone holds its new seat.

Run: ``.venv/bin/python benchmarks/live_load.py`` (1,000 and 2,000 phones) or ``--phones 500``, ``--quick``.

For each phone count, in one run:

1. **baseline** — ``benchmarks/baseline_server.py`` (bare Flask-SocketIO on eventlet) in its own process; the
   phones connect, ``POST /broadcast`` emits one ``assignment_changed`` to all of them, twice.
2. **ours** — ``worldcafe run`` in its own process with a fresh SQLite instance folder: an event with N
   participants is created and planned over the JSON API, every participant's phone connects with its token
   and gets its ``snapshot``, then the moderator's ``start_round`` (round 1), ``end_round``, ``start_round``
   (round 2) over ``POST /api/v1/events/<code>/control``.

Phones are python-socketio ``AsyncClient``s over WebSocket only, spread over several client processes.
Latency per phone = its ``time.time()`` on receiving ``assignment_changed`` for that round − the orchestrator's
``time.time()`` just before it sent the HTTP request (one machine, one clock). Server RSS is the server
process and its children (psutil), sampled once everyone is connected and throughout the rounds.

One JSON document goes to stdout; progress goes to stderr. The exit code is 0 even when a target is missed:
read ``targets_met``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import multiprocessing as mp
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

TARGETS = {
    # phones: p99 limit in ms (the targets on a 2-core machine, one server process)
    "p99_ms": {1000: 500.0, 2000: 1000.0},
    "rss_mb": {2000: 300.0},
    "ratio_p99_max": 2.0,
}


# With --gc-trace the servers run under this prelude: eventlet is patched first (as `worldcafe run` does), then
# every garbage collection that takes > 2 ms is appended to $LIVE_LOAD_GC_LOG as "epoch_seconds generation ms".
GC_TRACE_PRELUDE = """
import eventlet
eventlet.monkey_patch()
import gc, os, sys, time, warnings
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
_gc_log = open(os.environ["LIVE_LOAD_GC_LOG"], "a", buffering=1)
_gc_t = [0.0]
def _gc_cb(phase, info):
    if phase == "start":
        _gc_t[0] = time.perf_counter()
        return
    d = time.perf_counter() - _gc_t[0]
    if d > 0.002:
        _gc_log.write(f"{time.time():.4f} {info['generation']} {d * 1000:.2f}\\n")
gc.callbacks.append(_gc_cb)
"""
GC_TRACED_WORLDCAFE = (
    GC_TRACE_PRELUDE
    + """
from worldcafe.cli import cli
sys.argv = ["worldcafe", "run", *sys.argv[1:]]
cli()
"""
)
GC_TRACED_BASELINE = (
    GC_TRACE_PRELUDE
    + """
import runpy
sys.argv = [os.environ["LIVE_LOAD_BASELINE"], *sys.argv[1:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
)


def gc_pauses(path: Path | None, start: float, end: float) -> dict[str, Any] | None:
    """Collections logged by the traced server between two ``time.time()`` moments."""
    if path is None or not path.exists():
        return None
    pauses = []
    for line in path.read_text().splitlines():
        try:
            at, gen, dur = line.split()
        except ValueError:
            continue
        if start <= float(at) <= end:
            pauses.append((int(gen), float(dur)))
    full = [d for g, d in pauses if g == 2]
    return {
        "count": len(pauses),
        "total_ms": round(sum(d for _, d in pauses), 1),
        "max_ms": round(max((d for _, d in pauses), default=0.0), 1),
        "full_collections": len(full),
        "full_total_ms": round(sum(full), 1),
    }


def log(*parts: Any) -> None:
    print(f"[{time.strftime('%H:%M:%S')}]", *parts, file=sys.stderr, flush=True)


def raise_nofile() -> None:
    """Lift the soft file-descriptor limit to the hard one (each socket is a descriptor)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft == resource.RLIM_INFINITY or soft >= want:
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------------------------
# HTTP helpers (orchestrator; plain urllib, no event loop)


def http(method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 120) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode(errors="replace")


def wait_healthy(base: str, proc: subprocess.Popen[bytes], logfile: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {logfile.read_text()[-2000:]}")
        try:
            status, _ = http("GET", f"{base}/healthz", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout}s: {logfile.read_text()[-2000:]}")


# --------------------------------------------------------------------------------------------------------------
# Server processes


class Server:
    """A server subprocess with its own log file and a background RSS sampler."""

    def __init__(
        self,
        kind: str,
        argv: list[str],
        env: dict[str, str],
        workdir: Path,
        port: int,
        nofile: tuple[int, int] | None = None,
    ) -> None:
        """``nofile`` starts the process with that (soft, hard) open-file limit instead of the hard limit."""
        self.kind = kind
        self.base = f"http://127.0.0.1:{port}"
        self.logfile = workdir / f"{kind}-server.log"
        self._log = open(self.logfile, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603 - our own server
            argv,
            env=env,
            cwd=str(workdir),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # A descriptor per socket; a given limit is what the server finds when it starts.
            preexec_fn=raise_nofile if nofile is None else lambda: resource.setrlimit(resource.RLIMIT_NOFILE, nofile),  # noqa: PLW1509
        )
        self.peak_rss = 0
        self._sampling = False
        self._sampler: threading.Thread | None = None
        self.gc_log: Path | None = Path(env["LIVE_LOAD_GC_LOG"]) if env.get("LIVE_LOAD_GC_LOG") else None

    def rss(self) -> int:
        import psutil

        try:
            p = psutil.Process(self.proc.pid)
            procs = [p, *p.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for q in procs:
            with contextlib.suppress(psutil.Error):
                total += q.memory_info().rss
        self.peak_rss = max(self.peak_rss, total)
        return total

    def cpu_seconds(self) -> float:
        import psutil

        try:
            t = psutil.Process(self.proc.pid).cpu_times()
            return t.user + t.system
        except psutil.Error:
            return 0.0

    def start_sampling(self, interval: float = 0.25) -> None:
        self.peak_rss = 0
        self._sampling = True

        def loop() -> None:
            while self._sampling:
                self.rss()
                time.sleep(interval)

        self._sampler = threading.Thread(target=loop, daemon=True)
        self._sampler.start()

    def stop_sampling(self) -> int:
        self._sampling = False
        if self._sampler:
            self._sampler.join(timeout=2)
        return self.peak_rss

    def stop(self) -> None:
        self._sampling = False
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def start_baseline(workdir: Path, max_connections: int, gc_trace: bool = False) -> Server:
    port = free_port()
    script = str(HERE / "baseline_server.py")
    args = ["--port", str(port), "--max-connections", str(max_connections)]
    env = dict(os.environ)
    if gc_trace:
        env.update({"LIVE_LOAD_GC_LOG": str(workdir / "gc.log"), "LIVE_LOAD_BASELINE": script})
        argv = [sys.executable, "-c", GC_TRACED_BASELINE, *args]
    else:
        argv = [sys.executable, script, *args]
    server = Server("baseline", argv, env, workdir, port)
    wait_healthy(server.base, server.proc, server.logfile)
    return server


def worldcafe_executable() -> str:
    candidate = Path(sys.executable).parent / "worldcafe"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("worldcafe")
    if not found:
        raise RuntimeError("the worldcafe console script is not installed next to this Python")
    return found


def start_ours(workdir: Path, max_connections: int, gc_trace: bool = False) -> Server:
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
        }
    )
    if gc_trace:
        env["LIVE_LOAD_GC_LOG"] = str(workdir / "gc.log")
        argv = [sys.executable, "-c", GC_TRACED_WORLDCAFE, "--port", str(port)]
    else:
        argv = [worldcafe_executable(), "run", "--port", str(port)]
    server = Server("ours", argv, env, workdir, port)
    wait_healthy(server.base, server.proc, server.logfile)
    return server


# --------------------------------------------------------------------------------------------------------------
# Client processes: each runs an asyncio loop with many python-socketio AsyncClients


def client_process(conn: Any, url: str, tokens: list[str], concurrency: int, connect_timeout: float) -> None:
    """Entry point of one client process; talks to the orchestrator over ``conn`` (a Pipe end)."""
    raise_nofile()
    # engineio logs "packet queue is empty, aborting" for every closed socket; disconnects are counted instead.
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
    try:
        asyncio.run(_client_main(conn, url, tokens, concurrency, connect_timeout))
    finally:
        conn.close()


async def _client_main(conn: Any, url: str, tokens: list[str], concurrency: int, connect_timeout: float) -> None:
    import socketio

    loop = asyncio.get_running_loop()
    n = len(tokens)
    # receipts[i] = [(round, time.time(), table number), …] of assignment_changed pushes for phone i
    receipts: list[list[tuple[Any, float, Any]]] = [[] for _ in range(n)]
    connected = [False] * n
    errors: dict[str, int] = {}
    disconnects = [0]
    stopping = [False]
    clients: list[Any] = [None] * n
    sem = asyncio.Semaphore(concurrency)

    def note_error(exc: BaseException | str) -> None:
        key = exc if isinstance(exc, str) else f"{type(exc).__name__}: {str(exc)[:120]}"
        errors[key] = errors.get(key, 0) + 1

    async def one(i: int, token: str) -> None:
        sio = socketio.AsyncClient(reconnection=False)
        clients[i] = sio
        got_snapshot = asyncio.Event()

        @sio.on("snapshot")
        async def on_snapshot(_data: Any = None) -> None:
            got_snapshot.set()

        @sio.on("assignment_changed")
        async def on_assignment(data: Any = None) -> None:
            t = time.time()
            table = data.get("table") if isinstance(data, dict) else None
            receipts[i].append(
                (
                    data.get("round") if isinstance(data, dict) else None,
                    t,
                    table.get("number") if isinstance(table, dict) else None,
                )
            )

        @sio.on("disconnect")
        async def on_disconnect(*args: Any) -> None:
            if not stopping[0]:
                note_error(f"disconnected by {args[0] if args else 'unknown'}")
                if connected[i]:
                    disconnects[0] += 1
            connected[i] = False

        async with sem:
            try:
                await sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=connect_timeout)
                await asyncio.wait_for(got_snapshot.wait(), connect_timeout)
                connected[i] = True
            except Exception as exc:  # noqa: BLE001 - counted and reported
                note_error(exc)

    started = time.monotonic()
    await asyncio.gather(*(one(i, tok) for i, tok in enumerate(tokens)))
    conn.send(
        {
            "connected": sum(connected),
            "failed": n - sum(connected),
            "seconds": time.monotonic() - started,
            "errors": errors,
        }
    )

    def first_receipt(i: int, rnd: Any, t0: float) -> tuple[float, Any] | None:
        for r, t, table in receipts[i]:
            if r == rnd and t >= t0:
                return t, table
        return None

    while True:
        cmd = await loop.run_in_executor(None, conn.recv)
        op = cmd[0]
        if op == "count":  # ("count", round, t0) -> phones that received that round's push since t0
            _, rnd, t0 = cmd
            conn.send(sum(1 for i in range(n) if first_receipt(i, rnd, t0) is not None))
        elif op == "collect":  # ("collect", round, t0) -> latencies, missing, table numbers, duplicates
            _, rnd, t0 = cmd
            lat: list[float] = []
            tables: list[Any] = []
            dupes = 0
            for i in range(n):
                got = first_receipt(i, rnd, t0)
                if got is not None:
                    lat.append(got[0] - t0)
                    tables.append(got[1])
                    dupes += sum(1 for r, t, _ in receipts[i] if r == rnd and t >= t0) - 1
            conn.send(
                {
                    "latencies": lat,
                    "missing": n - len(lat),
                    "connected_now": sum(connected),
                    "tables": tables,
                    "duplicates": dupes,
                }
            )
        elif op == "stop":
            stopping[0] = True
            live = [c for c in clients if c is not None and c.connected]

            async def close(c: Any) -> None:
                with contextlib.suppress(Exception):  # shutting down anyway
                    await asyncio.wait_for(c.disconnect(), 5)

            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.gather(*(close(c) for c in live)), 20)
            conn.send({"disconnects_during_run": disconnects[0]})
            return


class LagProbe:
    """Samples ``GET /healthz`` round trips while the phones connect: how far the server's event loop lags."""

    def __init__(self, base: str, interval: float = 1.0) -> None:
        self.base, self.interval = base, interval
        self.samples: list[float] = []
        self._running = True
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while self._running:
            t = time.monotonic()
            try:
                http("GET", f"{self.base}/healthz", timeout=60)
                self.samples.append(time.monotonic() - t)
            except OSError:
                self.samples.append(math.inf)
            time.sleep(self.interval)

    def stop(self) -> dict[str, Any]:
        self._running = False
        self._thread.join(timeout=65)
        s = sorted(self.samples)
        return {"samples": len(s), "p50_ms": ms(percentile(s, 50)), "max_ms": ms(s[-1]) if s else None}


class Phones:
    """N phones spread over several client processes."""

    def __init__(self, url: str, tokens: list[str], processes: int, ramp: int, connect_timeout: float) -> None:
        ctx = mp.get_context("spawn")
        self.procs: list[Any] = []
        self.conns: list[Any] = []
        per = math.ceil(len(tokens) / processes)
        concurrency = max(1, ramp // processes)
        for k in range(processes):
            share = tokens[k * per : (k + 1) * per]
            if not share:
                continue
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=client_process, args=(child, url, share, concurrency, connect_timeout), daemon=True
            )
            proc.start()
            child.close()
            self.procs.append(proc)
            self.conns.append(parent)

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def wait_connected(self, timeout: float) -> dict[str, Any]:
        started = time.monotonic()
        reports = []
        for conn in self.conns:
            left = max(1.0, timeout - (time.monotonic() - started))
            if not conn.poll(left):
                raise RuntimeError("a client process did not finish connecting in time")
            reports.append(conn.recv())
        errors: dict[str, int] = {}
        for r in reports:
            for k, v in r["errors"].items():
                errors[k] = errors.get(k, 0) + v
        return {
            "connected": sum(r["connected"] for r in reports),
            "failed": sum(r["failed"] for r in reports),
            "seconds": round(time.monotonic() - started, 2),
            "errors": errors,
        }

    def _ask(self, cmd: tuple[Any, ...]) -> list[Any]:
        for conn in self.conns:
            conn.send(cmd)
        return [conn.recv() for conn in self.conns]

    def count(self, rnd: Any, t0: float) -> int:
        return sum(self._ask(("count", rnd, t0)))

    def collect(self, rnd: Any, t0: float) -> dict[str, Any]:
        parts = self._ask(("collect", rnd, t0))
        return {
            "latencies": [x for p in parts for x in p["latencies"]],
            "missing": sum(p["missing"] for p in parts),
            "connected_now": sum(p["connected_now"] for p in parts),
            "tables": [x for p in parts for x in p["tables"]],
            "duplicates": sum(p["duplicates"] for p in parts),
        }

    def stop(self) -> dict[str, Any]:
        disconnects = 0
        try:
            for conn in self.conns:
                conn.send(("stop",))
            for conn in self.conns:
                if conn.poll(30):
                    disconnects += conn.recv().get("disconnects_during_run", 0)
        except (OSError, EOFError, BrokenPipeError):
            pass
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
        return {"disconnects_during_run": disconnects}

    def cpu_seconds(self) -> float:
        import psutil

        total = 0.0
        for pid in self.pids():
            try:
                t = psutil.Process(pid).cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total


# --------------------------------------------------------------------------------------------------------------
# Measurement


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return math.inf
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def ms(x: float) -> float | None:
    return None if math.isinf(x) else round(x * 1000, 1)


def measure_round(
    phones: Phones, server: Server, rnd: int, expected: int, trigger: Any, timeout: float
) -> dict[str, Any]:
    """Fire ``trigger`` (the HTTP call), wait until every phone got round ``rnd``'s push, summarise."""
    cpu_server0, cpu_clients0 = server.cpu_seconds(), phones.cpu_seconds()
    load_before = os.getloadavg()[0]
    t0 = time.time()
    status, body = trigger()
    http_s = time.time() - t0
    if status >= 300:
        log(f"  round {rnd}: trigger answered {status}: {str(body)[:300]}")
    deadline = time.monotonic() + timeout
    received = 0
    while time.monotonic() < deadline:
        received = phones.count(rnd, t0)
        if received >= expected:
            break
        time.sleep(0.1)
    t_end = time.time()
    all_in_s = t_end - t0
    time.sleep(0.3)  # let duplicates (if any) arrive before collecting
    got = phones.collect(rnd, t0)
    cpu_server = server.cpu_seconds() - cpu_server0
    cpu_clients = phones.cpu_seconds() - cpu_clients0
    lat = sorted(got["latencies"])
    # Phones that never got the push count as infinitely late: a percentile that lands on them is null.
    padded = lat + [math.inf] * max(0, expected - len(lat))
    tables = [t for t in got["tables"] if t is not None]
    extra: dict[str, Any] = {}
    if server.gc_log is not None:
        extra["server_gc"] = gc_pauses(server.gc_log, t0, t_end)
    return {
        "round": rnd,
        "trigger_status": status,
        "trigger_http_ms": round(http_s * 1000, 1),
        "expected": expected,
        "received": len(lat),
        "missing": expected - len(lat),
        "duplicates": got["duplicates"],
        "distinct_tables": len(set(tables)),
        "p50_ms": ms(percentile(padded, 50)),
        "p95_ms": ms(percentile(padded, 95)),
        "p99_ms": ms(percentile(padded, 99)),
        "max_ms": ms(padded[-1]) if padded else None,
        "min_ms": ms(lat[0]) if lat else None,
        "observed_for_s": round(all_in_s, 2),
        "server_cpu_s": round(cpu_server, 3),
        "clients_cpu_s": round(cpu_clients, 3),
        "connected_after": got["connected_now"],
        "loadavg_1min_before": round(load_before, 2),
        **extra,
    }


def worst(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    def key(r: dict[str, Any]) -> float:
        return math.inf if r["p99_ms"] is None else r["p99_ms"]

    w = max(rounds, key=key)
    return {k: w[k] for k in ("round", "received", "expected", "p50_ms", "p95_ms", "p99_ms", "max_ms")}


def event_spec(n: int) -> dict[str, Any]:
    n_tables = math.ceil(n / 10)
    topics = [{"title": f"Topic {k}", "question": f"What matters most about topic {k}?"} for k in range(1, 11)]
    return {
        "name": f"Load test {n}",
        "language": "en",
        "groups": ["A", "B"],
        "rounds": [{"minutes": 20}] * 3,
        "topics": topics,
        "tables": [
            {"number": t, "topic": (t - 1) % len(topics) + 1, "capacity": 10, "host": f"Host {t}"}
            for t in range(1, n_tables + 1)
        ],
        "participants": [{"name": f"P{i}", "group": "AB"[i % 2]} for i in range(1, n + 1)],
    }


def run_baseline(n: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    log(f"baseline, {n} phones: starting the bare Flask-SocketIO server")
    server = start_baseline(workdir, args.max_connections, args.gc_trace)
    phones: Phones | None = None
    try:
        result: dict[str, Any] = {"server": "benchmarks/baseline_server.py (bare Flask-SocketIO, eventlet)"}
        phones = Phones(f"{server.base}", [f"baseline-{i}" for i in range(n)], args.processes_for(n), args.ramp, 60)
        server.start_sampling()
        t_connect = time.time()
        probe = LagProbe(server.base)
        try:
            result["connect"] = phones.wait_connected(args.connect_timeout)
        finally:
            result["connect"] = {**result.get("connect", {}), "healthz_rtt_while_connecting": probe.stop()}
        if server.gc_log is not None:
            result["connect"]["server_gc"] = gc_pauses(server.gc_log, t_connect, time.time())
        result["connect"]["phones_per_s"] = round(
            result["connect"]["connected"] / max(result["connect"]["seconds"], 1e-3), 1
        )
        log(f"  connected {result['connect']['connected']}/{n} in {result['connect']['seconds']} s")
        time.sleep(args.settle)
        result["rss_mb_connected"] = round(server.rss() / 2**20, 1)
        expected = result["connect"]["connected"]
        rounds = []
        for rnd in range(1, args.rounds + 1):
            r = measure_round(
                phones,
                server,
                rnd,
                expected,
                lambda rnd=rnd: http("POST", f"{server.base}/broadcast", {"round": rnd}),
                args.round_timeout,
            )
            log(f"  broadcast {rnd}: {r['received']}/{expected} p50 {r['p50_ms']} p99 {r['p99_ms']} ms")
            rounds.append(r)
            time.sleep(args.settle)
        result["rounds"] = rounds
        result["worst"] = worst(rounds)
        result["rss_mb_peak"] = round(server.stop_sampling() / 2**20, 1)
        result.update(phones.stop())
        phones = None
        return result
    finally:
        if phones is not None:
            phones.stop()
        server.stop()


def run_ours(n: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    log(f"ours, {n} phones: starting worldcafe run")
    server = start_ours(workdir, args.max_connections, args.gc_trace)
    phones: Phones | None = None
    try:
        result: dict[str, Any] = {"server": "worldcafe run (eventlet, SQLite)"}
        t = time.monotonic()
        status, body = http("POST", f"{server.base}/api/v1/events", event_spec(n))
        if status != 201:
            raise RuntimeError(f"creating the event failed: {status} {str(body)[:500]}")
        code = body["event"]["id"]
        moderator = body["links"]["moderator"].rstrip("/").rsplit("/", 1)[-1]
        tokens = [p["link"].rstrip("/").rsplit("/", 1)[-1] for p in body["links"]["participants"]]
        setup = {"create_event_s": round(time.monotonic() - t, 2)}
        t = time.monotonic()
        status, plan = http("POST", f"{server.base}/api/v1/events/{code}/plan", {}, token=moderator)
        setup["plan_s"] = round(time.monotonic() - t, 2)
        setup["plan_status"] = status
        if status >= 300:
            log(f"  plan answered {status}: {str(plan)[:300]}")
        elif isinstance(plan, dict) and isinstance(plan.get("metrics"), dict):
            setup["plan_metrics"] = {
                k: plan["metrics"].get(k) for k in ("repeat_pairs", "topic_repeats", "capacity_overflow")
            }
        result["setup"] = setup
        log(
            f"  event {code}: {len(tokens)} participants, created in {setup['create_event_s']} s, planned in "
            f"{setup['plan_s']} s"
        )

        phones = Phones(server.base, tokens, args.processes_for(n), args.ramp, 60)
        server.start_sampling()
        t_connect = time.time()
        probe = LagProbe(server.base)
        try:
            result["connect"] = phones.wait_connected(args.connect_timeout)
        finally:
            result["connect"] = {**result.get("connect", {}), "healthz_rtt_while_connecting": probe.stop()}
        if server.gc_log is not None:
            result["connect"]["server_gc"] = gc_pauses(server.gc_log, t_connect, time.time())
        result["connect"]["phones_per_s"] = round(
            result["connect"]["connected"] / max(result["connect"]["seconds"], 1e-3), 1
        )
        log(f"  connected {result['connect']['connected']}/{n} in {result['connect']['seconds']} s")
        time.sleep(args.settle)
        result["rss_mb_connected"] = round(server.rss() / 2**20, 1)
        expected = result["connect"]["connected"]

        def control(action: str) -> tuple[int, Any]:
            return http("POST", f"{server.base}/api/v1/events/{code}/control", {"action": action}, token=moderator)

        rounds = []
        result["end_round"] = []
        for rnd in range(1, args.rounds + 1):
            if rnd > 1:
                t = time.time()
                status, body = control("end_round")
                result["end_round"].append({"status": status, "http_ms": round((time.time() - t) * 1000, 1)})
                if status >= 300:
                    log(f"  end_round answered {status}: {str(body)[:300]}")
                time.sleep(args.settle)
            r = measure_round(phones, server, rnd, expected, lambda: control("start_round"), args.round_timeout)
            log(
                f"  start_round {rnd}: {r['received']}/{expected} p50 {r['p50_ms']} p99 {r['p99_ms']} ms "
                f"(HTTP {r['trigger_status']} in {r['trigger_http_ms']} ms)"
            )
            rounds.append(r)
            time.sleep(args.settle)
        result["rounds"] = rounds
        result["worst"] = worst(rounds)
        result["rss_mb_peak"] = round(server.stop_sampling() / 2**20, 1)
        result.update(phones.stop())
        phones = None
        return result
    finally:
        if phones is not None:
            phones.stop()
        server.stop()


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("eventlet", "flask-socketio", "python-socketio", "python-engineio", "aiohttp"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    return out


def machine() -> dict[str, Any]:
    import psutil

    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }


def evaluate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    met: dict[str, Any] = {}
    for run in runs:
        n = run["phones"]
        ours = run.get("ours") or {}
        p99 = (ours.get("worst") or {}).get("p99_ms")
        limit = TARGETS["p99_ms"].get(n)
        if limit is not None:
            met[f"p99_{n}_phones_le_{int(limit)}ms"] = p99 is not None and p99 <= limit
        rss_limit = TARGETS["rss_mb"].get(n)
        if rss_limit is not None:
            rss = max(ours.get("rss_mb_peak") or 0, ours.get("rss_mb_connected") or 0) or None
            met[f"rss_{n}_phones_le_{int(rss_limit)}mb"] = rss is not None and rss <= rss_limit
        if "baseline" not in run or "ours" not in run:
            continue
        ratio = run.get("ratio_p99_ours_over_baseline")
        met[f"ratio_{n}_phones_le_{TARGETS['ratio_p99_max']:g}"] = (
            ratio is not None and ratio <= TARGETS["ratio_p99_max"]
        )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Live round change under load (see module docstring).")
    parser.add_argument("--phones", type=int, nargs="+", default=[1000, 2000], help="phone counts (default 1000 2000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 200 phones, 2 client processes")
    parser.add_argument("--per-process", type=int, default=250, help="phones per client process (default 250)")
    parser.add_argument("--max-processes", type=int, default=8, help="most client processes (default 8)")
    parser.add_argument(
        "--ramp", type=int, default=8, help="connects in flight over all processes (default 8, at least 1 per process)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds started per server (default 2)")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds of quiet between steps (default 2)")
    parser.add_argument("--connect-timeout", type=float, default=420.0, help="seconds for all phones to connect")
    parser.add_argument("--round-timeout", type=float, default=30.0, help="seconds to wait for every phone")
    parser.add_argument("--max-connections", type=int, default=10000, help="servers' eventlet max_size")
    parser.add_argument("--only", choices=["baseline", "ours"], help="run one side only (no ratio)")
    parser.add_argument(
        "--gc-trace",
        action="store_true",
        help="run both servers under a prelude that logs garbage-collection pauses (reported per phase)",
    )
    parser.add_argument("--attempts", type=int, default=2, help="tries per server when setup fails (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server logs, SQLite)")
    args = parser.parse_args(argv)
    if args.quick:
        args.phones = [200]
        args.per_process = 100
        args.settle = min(args.settle, 1.0)

    def processes_for(n: int) -> int:
        return max(1, min(args.max_processes, math.ceil(n / args.per_process)))

    args.processes_for = processes_for
    raise_nofile()
    workroot = Path(tempfile.mkdtemp(prefix="worldcafe-live-load-"))
    started = time.monotonic()
    runs: list[dict[str, Any]] = []
    doc: dict[str, Any] = {
        "benchmark": "live round change: moderator's start_round until every phone holds its new seat",
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "command": " ".join([".venv/bin/python", "benchmarks/live_load.py", *(sys.argv[1:] if argv is None else argv)]),
        "machine": machine(),
        "versions": versions(),
        "config": {
            "phones": args.phones,
            "client_processes": {str(n): processes_for(n) for n in args.phones},
            "ramp_in_flight": args.ramp,
            "rounds": args.rounds,
            "transport": "websocket",
            "client": "python-socketio AsyncClient(reconnection=False)",
        },
        "targets": {
            "p99_ms": {str(k): v for k, v in TARGETS["p99_ms"].items()},
            "rss_mb": {str(k): v for k, v in TARGETS["rss_mb"].items()},
            "ratio_p99_ours_over_baseline_max": TARGETS["ratio_p99_max"],
        },
        "runs": runs,
    }
    try:
        for n in args.phones:
            run: dict[str, Any] = {"phones": n, "client_processes": processes_for(n)}
            runs.append(run)
            for side, fn in (("baseline", run_baseline), ("ours", run_ours)):
                if args.only and args.only != side:
                    continue
                failures = []
                for attempt in range(1, max(1, args.attempts) + 1):
                    workdir = workroot / f"{side}-{n}-{attempt}"
                    workdir.mkdir()
                    try:
                        run[side] = fn(n, args, workdir)
                        if failures:
                            run[side]["failed_attempts"] = failures
                        break
                    except Exception as exc:  # noqa: BLE001 - reported in the JSON
                        log(f"{side}, {n} phones, attempt {attempt} failed: {type(exc).__name__}: {exc}")
                        tail = "".join(p.read_text(errors="replace")[-1500:] for p in workdir.glob("*-server.log"))
                        failures.append({"error": f"{type(exc).__name__}: {exc}", "server_log_tail": tail})
                        run[side] = {"error": failures[-1]["error"], "failed_attempts": failures}
            b = ((run.get("baseline") or {}).get("worst") or {}).get("p99_ms")
            o = ((run.get("ours") or {}).get("worst") or {}).get("p99_ms")
            run["ratio_p99_ours_over_baseline"] = round(o / b, 2) if (b and o) else None
            if run["ratio_p99_ours_over_baseline"] is not None:
                log(f"{n} phones: p99 ours {o} ms / baseline {b} ms = {run['ratio_p99_ours_over_baseline']}")
    finally:
        doc["elapsed_s"] = round(time.monotonic() - started, 1)
        doc["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        doc["targets_met"] = evaluate(runs)
        if args.keep:
            doc["workdir"] = str(workroot)
        else:
            shutil.rmtree(workroot, ignore_errors=True)
        print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
