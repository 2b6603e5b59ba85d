"""Several server processes on one PostgreSQL database and Redis: round change, notes across processes, soak.

Run: ``.venv/bin/python benchmarks/cluster_load.py`` (all three phases, a 30-minute soak; about 40 minutes),
``--minutes 2`` for a short soak, ``--phases a b`` to pick phases, ``--quick`` for a smoke run of about 3 minutes.

Every phase starts two ``worldcafe run`` processes, A and B, on a fresh PostgreSQL database (created next to the
one in ``WORLDCAFE_TEST_POSTGRES_URL``, default ``postgresql+psycopg2://postgres@127.0.0.1:5432/test``, and dropped
afterwards) and one Redis (``--redis``, default ``redis://127.0.0.1:6379/0``) as the Socket.IO message queue.
A starts first (it migrates the fresh database), B once A answers. Clients talk to the processes directly, as
they would through a sticky load balancer.

- **a** — round change: an event with ``--phones`` participants (4,000; ceil(N/10) tables of 10) is created and
  planned over A; half the phones connect to A and half to B (python-socketio ``AsyncClient``s over WebSocket in
  client processes, ``live_load.Phones``). ``start_round`` over A, ``end_round`` and ``start_round`` over B; per
  phone the time from just before the HTTP call until its ``assignment_changed`` (target p99 ≤ 1.5 s).
- **b** — notes across processes: the load of ``notes_load.py`` (100 hosts each adding a note every 5 s, 2
  screens, 1,000 idle phones, 60 s). Tables 1–50's hosts and screen A on process A, tables 51–100's hosts and
  screen B on process B, half the phones on each; every topic has hosts on both. Host → screen latency, split
  into same-process and cross-process pairs (target p95 ≤ 150 ms), lost and duplicated notes.
- **c** — soak: (b)'s load for ``--minutes`` (30). Both servers' RSS every 30 s; RSS growth after the warm-up
  (``--warmup``, 300 s or a third of the soak; target ≤ 10 %); afterwards every acknowledged note must be in the
  database exactly once, with exactly one ``note_added`` log entry, the event's ``seq`` gap-free, and each
  screen must have seen each note once (target: 0 lost, 0 duplicated).
- **seq** — the serialisation point: ``UPDATE event SET last_seq = last_seq + 1 … RETURNING`` plus one
  ``log_entry`` insert and a commit, the statements ``services/live.py:record`` runs, from 1, 4 and 16
  connections for ``--seq-seconds`` each: allocations per second for one event on this PostgreSQL.

One JSON document goes to stdout; progress goes to stderr. The exit code is 0 even when a target is missed (read
``targets_met``) or PostgreSQL/Redis are unreachable (then the JSON says why).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402 - after the path tweak
    LagProbe,
    NoteClients,
    Phones,
    Server,
    http,
    log,
    machine,
    ms,
    percentile,
    raise_nofile,
    setup_event,
    summarize,
    versions,
)
from live_load import event_spec, free_port, wait_healthy, worldcafe_executable  # noqa: E402
from notes_load import analyse  # noqa: E402

POSTGRES_URL = os.environ.get("WORLDCAFE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
TARGETS = {"round_p99_ms": 1500.0, "notes_p95_ms": 150.0, "rss_growth_pct": 10.0, "lost": 0, "duplicates": 0}


# --------------------------------------------------------------------------------------------------------------
# Services and server processes


def reachable(url: str, timeout: float = 3) -> str | None:
    """None when a TCP connection to the URL's host and port opens, else why not."""
    parsed = urlparse(url.replace("+psycopg2", ""))
    host, port = parsed.hostname or "127.0.0.1", parsed.port or (6379 if parsed.scheme == "redis" else 5432)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{url}: {exc}"


class Database:
    """A fresh PostgreSQL database for one phase, dropped in ``drop``."""

    def __init__(self, admin_url: str) -> None:
        import psycopg2

        self.admin_dsn = admin_url.replace("+psycopg2", "")
        self.name = f"wc_bench_{uuid.uuid4().hex[:10]}"
        conn = psycopg2.connect(self.admin_dsn)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{self.name}"')
        conn.close()
        self.url = admin_url.rsplit("/", 1)[0] + "/" + self.name
        self.dsn = self.url.replace("+psycopg2", "")

    def connect(self) -> Any:
        import psycopg2

        return psycopg2.connect(self.dsn)

    def drop(self) -> None:
        import psycopg2

        conn = psycopg2.connect(self.admin_dsn)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        conn.close()


def start_node(label: str, workdir: Path, db: Database, queue: str, max_connections: int) -> Server:
    """``worldcafe run`` on a free port with the shared database and queue, its own instance folder."""
    port = free_port()
    instance = workdir / f"instance-{label}"
    instance.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORLDCAFE_")}
    env.update(
        {
            "WORLDCAFE_INSTANCE_PATH": str(instance),
            "WORLDCAFE_DATABASE_URL": db.url,
            "WORLDCAFE_MESSAGE_QUEUE": queue,
            # Every process must sign with the same key (docs/deploy.md).
            "SECRET_KEY": "bench-cluster",
            "WORLDCAFE_MAX_CONNECTIONS": str(max_connections),
            # Benchmark events (up to 4,000 people, 1,000 tables) are created in one request.
            "WORLDCAFE_MAX_PEOPLE_PER_REQUEST": "10000",
            "WORLDCAFE_MAX_TABLES_PER_REQUEST": "2000",
        }
    )
    server = Server(label, [worldcafe_executable(), "run", "--port", str(port)], env, workdir, port)
    wait_healthy(server.base, server.proc, server.logfile, timeout=120)
    return server


def start_pair(workdir: Path, db: Database, queue: str, max_connections: int) -> tuple[Server, Server]:
    """A first (it brings the fresh database's schema up to date), then B."""
    a = start_node("A", workdir, db, queue, max_connections)
    try:
        b = start_node("B", workdir, db, queue, max_connections)
    except Exception:
        a.stop()
        raise
    return a, b


def mb(n: int) -> float:
    return round(n / 2**20, 1)


# --------------------------------------------------------------------------------------------------------------
# Phase a: round change with phones on both processes


def phone_processes(n: int, per_process: int) -> int:
    return max(1, min(4, math.ceil(n / per_process)))


def round_change(args: argparse.Namespace, workdir: Path, db: Database) -> dict[str, Any]:
    n = args.phones
    a, b = start_pair(workdir, db, args.redis, args.max_connections)
    groups: dict[str, Phones] = {}
    try:
        out: dict[str, Any] = {"phones": n}
        spec = {**event_spec(n), "rounds": [{"minutes": 20}] * max(3, args.rounds)}
        t = time.monotonic()
        status, body = http("POST", f"{a.base}/api/v1/events", spec, timeout=300)
        if status != 201:
            raise RuntimeError(f"creating the event failed: {status} {str(body)[:500]}")
        code = body["event"]["id"]
        moderator = body["links"]["moderator"].rstrip("/").rsplit("/", 1)[-1]
        tokens = [p["link"].rstrip("/").rsplit("/", 1)[-1] for p in body["links"]["participants"]]
        setup = {"create_event_s": round(time.monotonic() - t, 2)}
        t = time.monotonic()
        status, plan = http("POST", f"{a.base}/api/v1/events/{code}/plan", {}, token=moderator, timeout=300)
        setup["plan_s"] = round(time.monotonic() - t, 2)
        if status >= 300:
            raise RuntimeError(f"planning failed: {status} {str(plan)[:300]}")
        out["setup"] = setup
        log(
            f"a: event {code} with {n} participants, created in {setup['create_event_s']} s, "
            f"planned in {setup['plan_s']} s"
        )

        half = {"A": tokens[: n // 2], "B": tokens[n // 2 :]}
        servers = {"A": a, "B": b}
        for label, share in half.items():
            groups[label] = Phones(
                servers[label].base, share, phone_processes(len(share), args.per_process), args.ramp, 60
            )
        connect: dict[str, Any] = {}
        t_connect = time.monotonic()
        probes = {label: LagProbe(s.base) for label, s in servers.items()}
        for label, g in groups.items():
            connect[label] = g.wait_connected(args.connect_timeout)
        for label, p in probes.items():
            connect[label]["healthz_rtt_while_connecting"] = p.stop()
        seconds = round(time.monotonic() - t_connect, 2)
        connected = {label: c["connected"] for label, c in connect.items()}
        out["connect"] = {
            "per_process": connect,
            "connected": sum(connected.values()),
            "seconds": seconds,
            "phones_per_s": round(sum(connected.values()) / max(seconds, 1e-3), 1),
        }
        log(f"a: connected {connected} in {seconds} s")
        time.sleep(args.settle)
        out["rss_mb_connected"] = {label: mb(s.rss()) for label, s in servers.items()}
        for s in servers.values():
            s.start_sampling()

        def control(server: Server, action: str) -> tuple[int, Any]:
            return http("POST", f"{server.base}/api/v1/events/{code}/control", {"action": action}, token=moderator)

        rounds = []
        out["end_round"] = []
        for rnd in range(1, args.rounds + 1):
            via = a if rnd % 2 else b
            if rnd > 1:
                t = time.time()
                status, body = control(via, "end_round")
                out["end_round"].append(
                    {"via": via.kind, "status": status, "http_ms": round((time.time() - t) * 1000, 1)}
                )
                time.sleep(args.settle)
            r = measure_round(groups, servers, rnd, connected, lambda via=via: control(via, "start_round"), args)
            r["via"] = via.kind
            log(
                f"a: start_round {rnd} via {via.kind}: {r['received']}/{r['expected']} p50 {r['p50_ms']} "
                f"p99 {r['p99_ms']} ms (HTTP {r['trigger_status']} in {r['trigger_http_ms']} ms)"
            )
            rounds.append(r)
            time.sleep(args.settle)
        out["rounds"] = rounds
        out["worst_p99_ms"] = max((r["p99_ms"] if r["p99_ms"] is not None else math.inf) for r in rounds)
        if math.isinf(out["worst_p99_ms"]):
            out["worst_p99_ms"] = None
        out["rss_mb_peak"] = {label: mb(s.stop_sampling()) for label, s in servers.items()}
        out["disconnects_during_run"] = 0
        for g in list(groups.values()):
            out["disconnects_during_run"] += g.stop().get("disconnects_during_run", 0)
        groups.clear()
        return out
    finally:
        for g in groups.values():
            g.stop()
        a.stop()
        b.stop()


def measure_round(
    groups: dict[str, Phones],
    servers: dict[str, Server],
    rnd: int,
    expected: dict[str, int],
    trigger: Any,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Fire the control call, wait until every connected phone on both processes got round ``rnd``, summarise."""
    cpu0 = {label: s.cpu_seconds() for label, s in servers.items()}
    ccpu0 = sum(g.cpu_seconds() for g in groups.values())
    load_before = os.getloadavg()[0]
    total = sum(expected.values())
    t0 = time.time()
    status, body = trigger()
    http_s = time.time() - t0
    if status >= 300:
        log(f"a: round {rnd}: control answered {status}: {str(body)[:300]}")
    deadline = time.monotonic() + args.round_timeout
    while time.monotonic() < deadline:
        if sum(g.count(rnd, t0) for g in groups.values()) >= total:
            break
        time.sleep(0.1)
    all_in_s = time.time() - t0
    time.sleep(0.3)  # duplicates, if any, arrive now
    per: dict[str, Any] = {}
    latencies: list[float] = []
    duplicates = 0
    for label, g in groups.items():
        got = g.collect(rnd, t0)
        latencies += got["latencies"]
        duplicates += got["duplicates"]
        per[f"phones_on_{label}"] = summarize(got["latencies"], expected=expected[label])
    s = summarize(latencies, expected=total)
    return {
        "round": rnd,
        "trigger_status": status,
        "trigger_http_ms": round(http_s * 1000, 1),
        "expected": total,
        "received": s["n"],
        "missing": total - s["n"],
        "duplicates": duplicates,
        **{k: s[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "min_ms")},
        **per,
        "observed_for_s": round(all_in_s, 2),
        "server_cpu_s": {label: round(srv.cpu_seconds() - cpu0[label], 2) for label, srv in servers.items()},
        "clients_cpu_s": round(sum(g.cpu_seconds() for g in groups.values()) - ccpu0, 2),
        "loadavg_1min_before": round(load_before, 2),
    }


# --------------------------------------------------------------------------------------------------------------
# Phases b and c: notes from hosts on one process to screens on the other


def notes_run(args: argparse.Namespace, workdir: Path, db: Database, seconds: float, soak: bool) -> dict[str, Any]:
    a, b = start_pair(workdir, db, args.redis, args.max_connections)
    servers = {"A": a, "B": b}
    phones: dict[str, Phones] = {}
    clients: dict[str, NoteClients] = {}
    sampler: RssSampler | None = None
    try:
        out: dict[str, Any] = {}
        n_participants = max(args.notes_phones, args.hosts)
        ev = setup_event(
            a.base,
            participants=n_participants,
            topics=args.topics,
            tables=args.hosts,
            capacity=max(10, math.ceil(n_participants / args.hosts)),
            name="Cluster notes",
        )
        out["setup"] = {"event": ev["code"], "tables": len(ev["hosts"]), **ev["timings"]}
        phase = "c" if soak else "b"
        log(
            f"{phase}: event {ev['code']}: {len(ev['hosts'])} tables, {len(ev['participants'])} participants, "
            "round 1 running"
        )
        tokens = ev["participants"][: args.notes_phones]
        half = {"A": tokens[: len(tokens) // 2], "B": tokens[len(tokens) // 2 :]}
        for label, share in half.items():
            if share:
                phones[label] = Phones(
                    servers[label].base, share, phone_processes(len(share), args.per_process), args.ramp, 60
                )
        out["phones"] = {label: p.wait_connected(args.connect_timeout) for label, p in phones.items()}
        log(f"{phase}: phones " + ", ".join(f"{k}: {v['connected']}" for k, v in out["phones"].items()))

        hosts = [{**h, "offset": args.interval * i / len(ev["hosts"])} for i, h in enumerate(ev["hosts"])]
        split = len(hosts) // 2
        host_side = {h["table"]: ("A" if i < split else "B") for i, h in enumerate(hosts)}
        clients["hosts_A"] = NoteClients(a.base, hosts[:split], [])
        clients["hosts_B"] = NoteClients(b.base, hosts[split:], [])
        clients["screen_A"] = NoteClients(a.base, [], [ev["screen"]])
        clients["screen_B"] = NoteClients(b.base, [], [ev["screen"]])
        host_labels: list[str] = []
        out["clients_connect"] = {}
        for name, c in clients.items():
            report = c.wait_connected()
            labels = report.pop("labels")
            if name.startswith("hosts"):
                host_labels += labels
            out["clients_connect"][name] = report
        log(
            f"{phase}: hosts and screens connected: "
            + ", ".join(f"{k} {v['connected']}" for k, v in out["clients_connect"].items())
        )
        time.sleep(args.settle)
        out["rss_mb_connected"] = {label: mb(s.rss()) for label, s in servers.items()}

        sampler = RssSampler(servers, args.rss_every)
        probes = {label: LagProbe(s.base, interval=5.0 if soak else 1.0) for label, s in servers.items()}
        cpu0 = {label: s.cpu_seconds() for label, s in servers.items()}
        load_before = os.getloadavg()[0]
        t_start = time.time() + 1.0
        host_clients = [clients["hosts_A"], clients["hosts_B"]]
        for c in host_clients:
            c.run(t_start, seconds, args.interval, args.ack_timeout)
        log(f"{phase}: hosts sending for {seconds:g} s ({args.hosts / args.interval:g} notes/s)")
        sent = sum(c.wait_sent(seconds + args.ack_timeout + 120) for c in host_clients)
        t_sent = time.time()
        hosts_got = [c.collect() for c in host_clients]
        sends = [r for g in hosts_got for r in g["sends"]]
        acked = sum(1 for r in sends if r["ok"])
        log(f"{phase}: {sent} notes sent, {acked} acked; waiting for the screens")
        deadline = time.monotonic() + args.drain
        while time.monotonic() < deadline:
            if all(v >= acked for name in ("screen_A", "screen_B") for v in clients[name].status().values()):
                break
            time.sleep(0.2)
        time.sleep(0.5)
        elapsed = time.time() - t_start
        cpu = {label: round(s.cpu_seconds() - cpu0[label], 2) for label, s in servers.items()}
        rss = sampler.stop()
        sampler = None
        hosts_got = [c.collect() for c in host_clients]
        sends = [r for g in hosts_got for r in g["sends"]]
        screens_got = {name: clients[name].collect() for name in ("screen_A", "screen_B")}
        receipts: dict[str, list[tuple[str, float]]] = {}
        for g in hosts_got:
            receipts.update(g["receipts"])
        for name, g in screens_got.items():
            receipts[f"screen:{name[-1]}"] = g["receipts"]["screen:0"]
        result = analyse(sends, receipts, host_labels, args.topics, t_start)
        result["cross_process"] = cross_process(sends, receipts, host_side)
        result["send_phase_s"] = round(t_sent - t_start, 2)
        result["server_cpu_s"] = cpu
        result["server_cpu_share_of_a_core"] = {k: round(v / max(elapsed, 1e-3), 3) for k, v in cpu.items()}
        result["loadavg_1min_before"] = round(load_before, 2)
        result["healthz_rtt_during_notes"] = {label: p.stop() for label, p in probes.items()}
        result["client_errors"] = {k: v for g in [*hosts_got, *screens_got.values()] for k, v in g["errors"].items()}
        result["disconnects_during_run"] = sum(g["disconnects"] for g in [*hosts_got, *screens_got.values()])
        if soak:
            for screen in result["screens"].values():
                screen["by_5min"] = rewindow(screen.pop("by_10s"), 300)
        result["rss"] = rss
        result["database"] = database_check(db, ev["code"], sends)
        for label, s in result["screens"].items():
            log(
                f"{phase}: {label}: {s['received']}/{result['acks_ok']} p50 {s['p50_ms']} p95 {s['p95_ms']} "
                f"p99 {s['p99_ms']} ms, lost {s['lost']}, dup {s['duplicates']}"
            )
        log(f"{phase}: database: {result['database']}")
        out["notes"] = result
        return out
    finally:
        if sampler is not None:
            sampler.stop()
        for c in clients.values():
            c.stop()
        for p in phones.values():
            p.stop()
        a.stop()
        b.stop()


def rewindow(windows: list[dict[str, Any]], width: float) -> list[dict[str, Any]]:
    """Coarser windows for the soak: keep every ``width // 10``-th 10 s window's worst p99 and max."""
    out: dict[int, dict[str, Any]] = {}
    for w in windows:
        k = int(w["from_s"] // width)
        cur = out.setdefault(k, {"from_s": k * width, "n": 0, "worst_10s_p99_ms": 0.0, "max_ms": 0.0})
        cur["n"] += w["n"]
        cur["worst_10s_p99_ms"] = max(cur["worst_10s_p99_ms"], w["p99_ms"] or 0.0)
        cur["max_ms"] = max(cur["max_ms"], w["max_ms"] or 0.0)
    return [out[k] for k in sorted(out)]


def cross_process(
    sends: list[dict[str, Any]], receipts: dict[str, list[tuple[str, float]]], host_side: dict[int, str]
) -> dict[str, Any]:
    """Host → screen latency split by whether the host and the screen are on the same process."""
    acked = {r["id"]: r for r in sends if r["ok"]}
    pairs: dict[str, list[float]] = {"same_process": [], "cross_process": []}
    expected = {"same_process": 0, "cross_process": 0}
    for label in ("screen:A", "screen:B"):
        side = label[-1]
        first: dict[str, float] = {}
        for note_id, t in receipts.get(label, []):
            first.setdefault(note_id, t)
        for note_id, r in acked.items():
            key = "same_process" if host_side[r["table"]] == side else "cross_process"
            expected[key] += 1
            if note_id in first:
                pairs[key].append(first[note_id] - r["t_send"])
    return {key: summarize(vals, expected=expected[key]) for key, vals in pairs.items()}


class RssSampler:
    """Both servers' RSS every ``every`` seconds, in a thread."""

    def __init__(self, servers: dict[str, Server], every: float) -> None:
        self.servers, self.every = servers, every
        self.t0 = time.monotonic()
        self.samples: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._take()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _take(self) -> None:
        row: dict[str, Any] = {"t_s": round(time.monotonic() - self.t0, 1)}
        row.update({label: mb(s.rss()) for label, s in self.servers.items()})
        self.samples.append(row)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._take()
            if len(self.samples) % 10 == 1:
                log("rss " + json.dumps(self.samples[-1]))

    def stop(self) -> dict[str, Any]:
        if not self._stop.is_set():
            self._stop.set()
            self._thread.join(timeout=5)
            self._take()
        return {"every_s": self.every, "samples_mb": self.samples}


def rss_growth(rss: dict[str, Any], warmup_s: float) -> dict[str, Any]:
    """Per server: RSS at the first sample after the warm-up, at the end, the maximum, and growth in %."""
    samples = rss["samples_mb"]
    out: dict[str, Any] = {"warmup_s": warmup_s}
    after = [s for s in samples if s["t_s"] >= warmup_s]
    if len(after) < 2:
        return {**out, "error": "too few samples after the warm-up"}
    for label in ("A", "B"):
        start, end = after[0][label], after[-1][label]
        out[label] = {
            "start_of_warm_up_mb": samples[0][label],
            "after_warm_up_mb": start,
            "end_mb": end,
            "max_mb": max(s[label] for s in after),
            "growth_pct": round((end - start) / start * 100, 2) if start else None,
            "max_growth_pct": round((max(s[label] for s in after) - start) / start * 100, 2) if start else None,
        }
    return out


def database_check(db: Database, code: str, sends: list[dict[str, Any]]) -> dict[str, Any]:
    """Every acknowledged note is stored once with one ``note_added`` log entry; the event's seq is gap-free."""
    acked = {r["id"] for r in sends if r["ok"]}
    sent = {r["id"] for r in sends}
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id, last_seq FROM event WHERE public_id = %s", (code,))
            event_id, last_seq = cur.fetchone()
            cur.execute("SELECT id FROM note WHERE event_id = %s", (event_id,))
            stored = [row[0] for row in cur.fetchall()]
            cur.execute(
                "SELECT payload::json -> 'note' ->> 'id', count(*) FROM log_entry "
                "WHERE event_id = %s AND name = 'note_added' GROUP BY 1",
                (event_id,),
            )
            logged = dict(cur.fetchall())
            cur.execute("SELECT count(*), min(seq), max(seq) FROM log_entry WHERE event_id = %s", (event_id,))
            n_log, min_seq, max_seq = cur.fetchone()
    finally:
        conn.close()
    stored_set = set(stored)
    return {
        "acked": len(acked),
        "stored": len(stored),
        "acked_missing_from_db": len(acked - stored_set),
        "stored_twice": len(stored) - len(stored_set),
        "stored_not_sent": len(stored_set - sent),
        "stored_but_not_acked": len((stored_set & sent) - acked),
        "note_added_log_entries_missing": sum(1 for i in acked if logged.get(i, 0) == 0),
        "note_added_log_entries_duplicated": sum(1 for i in acked if logged.get(i, 0) > 1),
        "log_entries": n_log,
        "seq_gap_free": n_log == (max_seq - min_seq + 1 if n_log else 0) and max_seq == last_seq,
    }


# --------------------------------------------------------------------------------------------------------------
# Phase seq: how fast one event's seq can be allocated on this PostgreSQL


def seq_worker(db: Database, event_id: int, stop: float, counts: list[int], i: int, lat: list[float]) -> None:
    """One connection allocating seqs until ``stop`` (monotonic time); counts and latencies go to the lists."""
    c = db.connect()
    mine: list[float] = []
    try:
        with c.cursor() as cur:
            while time.monotonic() < stop:
                t = time.perf_counter()
                cur.execute("UPDATE event SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq", (event_id,))
                seq = cur.fetchone()[0]
                cur.execute(
                    "INSERT INTO log_entry (event_id, seq, name, rooms, payload, created_at) "
                    "VALUES (%s, %s, 'bench', '[]', %s, now())",
                    (event_id, seq, json.dumps({"seq": seq, "text": "x" * 80})),
                )
                c.commit()
                mine.append(time.perf_counter() - t)
                counts[i] += 1
    finally:
        c.close()
        lat.extend(mine)


def seq_rate(db: Database, seconds: float, connections: list[int]) -> dict[str, Any]:
    """``record``'s statements (seq UPDATE … RETURNING, log insert, commit) in a loop from k connections."""
    conn = db.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM event ORDER BY id LIMIT 1")
        row = cur.fetchone()
    conn.close()
    if row is None:
        return {"error": "no event in the database"}
    event_id = row[0]
    statements = "UPDATE event … RETURNING last_seq; INSERT log_entry; COMMIT"
    out: dict[str, Any] = {"seconds_each": seconds, "statements": statements}
    for k in connections:
        counts = [0] * k
        lat: list[float] = []
        stop = time.monotonic() + seconds
        threads = [threading.Thread(target=seq_worker, args=(db, event_id, stop, counts, i, lat)) for i in range(k)]
        t0 = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.monotonic() - t0
        lat.sort()
        out[f"{k}_connections"] = {
            "allocations": sum(counts),
            "per_s": round(sum(counts) / wall, 1),
            "transaction_p50_ms": ms(percentile(lat, 50)),
            "transaction_p99_ms": ms(percentile(lat, 99)),
        }
        log(f"seq: {k} connections: {out[f'{k}_connections']}")
    conn = db.connect()
    with conn.cursor() as cur:
        cur.execute("SHOW synchronous_commit")
        out["synchronous_commit"] = cur.fetchone()[0]
        cur.execute("SHOW fsync")
        out["fsync"] = cur.fetchone()[0]
    conn.close()
    return out


# --------------------------------------------------------------------------------------------------------------


def evaluate(doc: dict[str, Any]) -> dict[str, Any]:
    met: dict[str, Any] = {}
    a = doc.get("a_round_change")
    if a and "rounds" in a:
        worst = a["worst_p99_ms"]
        met[f"a_round_p99_le_{int(TARGETS['round_p99_ms'])}ms"] = worst is not None and worst <= TARGETS["round_p99_ms"]
        met["a_every_phone_once"] = all(r["missing"] == 0 and r["duplicates"] == 0 for r in a["rounds"])
    for key, name in (("b_notes", "b"), ("c_soak", "c")):
        notes = (doc.get(key) or {}).get("notes")
        if not notes:
            continue
        screens = notes["screens"].values()
        dbc = notes["database"]
        if key == "b_notes":
            met["b_screen_p95_le_150ms"] = all(
                s["p95_ms"] is not None and s["p95_ms"] <= TARGETS["notes_p95_ms"] for s in screens
            )
        met[f"{name}_zero_lost"] = (
            notes["acks_failed"] == 0
            and all(s["lost"] == 0 for s in screens)
            and notes["pad_fanout"]["lost"] == 0
            and dbc["acked_missing_from_db"] == 0
            and dbc["note_added_log_entries_missing"] == 0
        )
        met[f"{name}_zero_duplicated"] = (
            all(s["duplicates"] == 0 for s in screens)
            and notes["pad_fanout"]["duplicates"] == 0
            and dbc["stored_twice"] == 0
            and dbc["note_added_log_entries_duplicated"] == 0
        )
        met[f"{name}_seq_gap_free"] = dbc["seq_gap_free"]
        if key == "c_soak":
            growth = doc["c_soak"].get("rss_growth") or {}
            met["c_rss_growth_le_10pct"] = all(
                (growth.get(label) or {}).get("growth_pct") is not None
                and growth[label]["growth_pct"] <= TARGETS["rss_growth_pct"]
                for label in ("A", "B")
            )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Two processes on PostgreSQL + Redis (see module docstring).")
    parser.add_argument("--phases", nargs="+", choices=["a", "b", "c", "seq"], default=["a", "b", "c", "seq"])
    parser.add_argument("--minutes", type=float, default=30.0, help="soak length in minutes (default 30)")
    parser.add_argument("--warmup", type=float, default=300.0, help="soak warm-up in s (default 300, at most 1/3)")
    parser.add_argument("--rss-every", type=float, default=30.0, help="RSS sample interval in s (default 30)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 400 phones, 20 hosts, 200 phones, 1-min soak")
    parser.add_argument("--phones", type=int, default=4000, help="phones in phase a (default 4000)")
    parser.add_argument("--hosts", type=int, default=100, help="hosts in phases b and c (default 100)")
    parser.add_argument("--topics", type=int, default=10, help="topics in phases b and c (default 10)")
    parser.add_argument("--notes-phones", type=int, default=1000, help="idle phones in b and c (default 1000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of notes in phase b (default 60)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between a host's notes (default 5)")
    parser.add_argument("--per-process", type=int, default=500, help="phones per client process (default 500)")
    parser.add_argument("--ramp", type=int, default=8, help="connects in flight per server (default 8)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds started in phase a, via A, B, A, … (default 2)")
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--connect-timeout", type=float, default=600.0)
    parser.add_argument("--round-timeout", type=float, default=60.0)
    parser.add_argument("--ack-timeout", type=float, default=30.0)
    parser.add_argument("--drain", type=float, default=20.0)
    parser.add_argument("--max-connections", type=int, default=10000)
    parser.add_argument("--seq-seconds", type=float, default=5.0, help="seconds per connection count in phase seq")
    parser.add_argument("--postgres", default=POSTGRES_URL, help="admin URL; fresh databases are made beside it")
    parser.add_argument("--redis", default=os.environ.get("WORLDCAFE_BENCH_REDIS", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server logs)")
    args = parser.parse_args(argv)
    if args.quick:
        args.phones, args.hosts, args.notes_phones, args.seconds = 400, 20, 200, 20.0
        args.minutes, args.rss_every, args.seq_seconds = min(args.minutes, 1.0), 10.0, 2.0
        args.topics = min(args.topics, 10)
    soak_s = args.minutes * 60
    warmup = min(args.warmup, soak_s / 3)
    raise_nofile()
    started = time.monotonic()
    doc: dict[str, Any] = {
        "benchmark": "two worldcafe processes on one PostgreSQL database and Redis",
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "command": " ".join(
            [".venv/bin/python", "benchmarks/cluster_load.py", *(sys.argv[1:] if argv is None else argv)]
        ),
        "machine": machine(),
        "versions": versions(),
        "config": {
            "phases": args.phases,
            "postgres": args.postgres.rsplit("/", 1)[0] + "/<fresh database per phase>",
            "redis": args.redis,
            "a": {
                "phones": args.phones,
                "rounds": args.rounds,
                "per_client_process": args.per_process,
                "ramp_per_server": args.ramp,
            },
            "b": {
                "hosts": args.hosts,
                "screens": 2,
                "phones": args.notes_phones,
                "seconds": args.seconds,
                "notes_per_s": round(args.hosts / args.interval, 2),
            },
            "c": {"minutes": args.minutes, "warmup_s": warmup, "rss_every_s": args.rss_every},
            "transport": "websocket",
            "client": "python-socketio AsyncClient(reconnection=False)",
        },
        "targets": {
            "a_round_p99_ms_max": TARGETS["round_p99_ms"],
            "b_screen_p95_ms_max": TARGETS["notes_p95_ms"],
            "c_rss_growth_pct_max": TARGETS["rss_growth_pct"],
            "lost": 0,
            "duplicates": 0,
        },
    }
    problems = [p for p in (reachable(args.postgres), reachable(args.redis)) if p]
    if problems:
        doc["error"] = "PostgreSQL and Redis are needed: " + "; ".join(problems)
        doc["targets_met"] = {"ran": False}
        print(json.dumps(doc, indent=2))
        return 0
    workroot = Path(tempfile.mkdtemp(prefix="worldcafe-cluster-load-"))
    try:
        for phase in args.phases:
            key = {"a": "a_round_change", "b": "b_notes", "c": "c_soak", "seq": "seq_allocation"}[phase]
            workdir = workroot / phase
            workdir.mkdir()
            db = Database(args.postgres)
            try:
                if phase == "a":
                    doc[key] = round_change(args, workdir, db)
                elif phase == "b":
                    doc[key] = notes_run(args, workdir, db, args.seconds, soak=False)
                elif phase == "c":
                    doc[key] = notes_run(args, workdir, db, soak_s, soak=True)
                    doc[key]["rss_growth"] = rss_growth(doc[key]["notes"]["rss"], warmup)
                    log(f"c: RSS growth {json.dumps(doc[key]['rss_growth'])}")
                else:
                    with contextlib.ExitStack() as stack:
                        a = start_node("seq", workdir, db, args.redis, 100)
                        stack.callback(a.stop)
                        setup_event(a.base, participants=10, topics=2, tables=2, name="Seq")
                    doc[key] = seq_rate(db, args.seq_seconds, [1, 4, 16])
            except Exception as exc:  # noqa: BLE001 - reported in the JSON
                log(f"{phase} failed: {type(exc).__name__}: {exc}")
                doc[key] = {
                    "error": f"{type(exc).__name__}: {exc}",
                    "server_log_tail": {
                        p.name: p.read_text(errors="replace")[-1500:] for p in workdir.glob("*-server.log")
                    },
                }
            finally:
                with contextlib.suppress(Exception):
                    db.drop()
    finally:
        doc["elapsed_s"] = round(time.monotonic() - started, 1)
        doc["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        doc["targets_met"] = evaluate(doc)
        if args.keep:
            doc["workdir"] = str(workroot)
        else:
            shutil.rmtree(workroot, ignore_errors=True)
        print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
