"""Notes from hosts to the screen under load: how long until a host's note is on the projector.

Run: ``.venv/bin/python benchmarks/notes_load.py`` (100 hosts, 2 screens, 1,000 idle phones, 60 s) or
``--quick`` (20 hosts, 200 phones, 20 s); ``--help`` lists the rest.

The issue's target: 100 hosts each adding a note every 5 s, 2 screens, 1,000 idle phones, one server process:
host → screen latency p95 ≤ 100 ms and p99 ≤ 250 ms, zero notes lost or duplicated.

1. ``worldcafe run`` in its own process with a fresh SQLite instance folder. Over the JSON API: an event with
   ``--phones`` participants at ``--hosts`` tables (10 topics × 10 tables by default), planned, round 1 started
   (the pads open), links fetched with the moderator token.
2. The phones (python-socketio ``AsyncClient``s over WebSocket, several client processes, ``live_load.Phones``)
   connect with their participant tokens and then stay idle. The screens connect in one client process, the
   hosts in another.
3. Every host sends ``add_note {id: uuid4, text, kind}`` every ``--interval`` seconds (the hosts staggered
   evenly over the interval) for ``--seconds``, each as its own request, and records ``time.time()`` just
   before sending and when the ack arrives. Every screen and every host records ``time.time()`` of each
   ``note_added`` by note id.

Latency = receipt − the host's send time (one machine, one clock). Per screen: p50/p95/p99/max, notes received,
lost (acked but never received), duplicates (received more than once). Pad fan-out = the same for the other
hosts of the note's topic. Also the ack round trip, the server's CPU use and RSS (process and children), and
``/healthz`` round trips during the notes.

One JSON document goes to stdout; progress goes to stderr. The exit code is 0 even when a target is missed:
read ``targets_met``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402 - after the path tweak
    LagProbe,
    NoteClients,
    Phones,
    finish,
    log,
    machine,
    profile_off,
    profile_on,
    profile_summary,
    raise_nofile,
    read_trace,
    setup_event,
    start_worldcafe,
    summarize,
    versions,
)

TARGETS = {"p95_ms": 100.0, "p99_ms": 250.0, "lost": 0, "duplicates": 0}


def by_window(pairs: list[tuple[float, float]], t0: float, width: float) -> list[dict[str, Any]]:
    """(send time, latency) pairs → p50/p99/max per ``width``-second window of send time."""
    buckets: dict[int, list[float]] = defaultdict(list)
    for t_send, lat in pairs:
        buckets[int((t_send - t0) // width)].append(lat)
    out = []
    for k in sorted(buckets):
        s = summarize(buckets[k])
        out.append(
            {"from_s": k * width, "n": s["n"], "p50_ms": s["p50_ms"], "p99_ms": s["p99_ms"], "max_ms": s["max_ms"]}
        )
    return out


def trace_figures(
    rows: list[tuple[float, str, float, float]], sends: list[dict[str, Any]], receipts: list[tuple[str, float]]
) -> dict[str, Any]:
    """Per kind of traced step: count and wall/CPU ms; and what ran while the slowest notes waited."""
    by_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _, kind, wall, cpu in rows:
        by_kind[kind].append((wall, cpu))
    out: dict[str, Any] = {}
    for kind, vals in sorted(by_kind.items()):
        walls = sorted(w for w, _ in vals)
        cpus = sorted(c for _, c in vals)
        out[kind] = {
            "count": len(vals),
            "wall_ms": {
                "p50": walls[len(walls) // 2],
                "p99": walls[min(len(walls) - 1, int(len(walls) * 0.99))],
                "max": walls[-1],
                "total": round(sum(walls), 1),
            },
            "cpu_ms": {"p50": cpus[len(cpus) // 2], "max": cpus[-1], "total": round(sum(cpus), 1)},
        }
    sent = {r["id"]: r["t_send"] for r in sends if r["ok"]}
    first: dict[str, float] = {}
    for note_id, t in receipts:
        first.setdefault(note_id, t)
    slow = sorted(((first[i] - t0, t0, first[i]) for i, t0 in sent.items() if i in first), reverse=True)[:5]
    out["slowest_notes"] = [
        {
            "latency_ms": round(lat * 1000, 1),
            "overlapping_steps_over_20ms": [
                {"kind": kind, "wall_ms": wall, "cpu_ms": cpu, "ended_after_send_ms": round((at - t0) * 1000, 1)}
                for at, kind, wall, cpu in rows
                if wall > 20 and at >= t0 and at - wall / 1000 <= t1
            ],
        }
        for lat, t0, t1 in slow
    ]
    return out


def analyse(
    sends: list[dict[str, Any]],
    receipts: dict[str, list[tuple[str, float]]],
    host_labels: list[str],
    topics: int,
    t_start: float,
) -> dict[str, Any]:
    acked = {r["id"]: r for r in sends if r["ok"]}
    failed: dict[str, int] = defaultdict(int)
    for r in sends:
        if not r["ok"]:
            failed[r.get("error") or "?"] += 1
    ack_lat = [r["t_ack"] - r["t_send"] for r in acked.values()]
    out: dict[str, Any] = {
        "notes_sent": len(sends),
        "acks_ok": len(acked),
        "acks_failed": sum(failed.values()),
        "ack_errors": dict(failed),
        "ack_round_trip": summarize(ack_lat),
    }
    screens = {}
    for label in sorted(lab for lab in receipts if lab.startswith("screen:")):
        first: dict[str, float] = {}
        count: dict[str, int] = defaultdict(int)
        for note_id, t in receipts[label]:
            count[note_id] += 1
            first.setdefault(note_id, t)
        pairs = [(acked[i]["t_send"], first[i] - acked[i]["t_send"]) for i in acked if i in first]
        screens[label] = {
            "received": sum(1 for i in acked if i in first),
            "lost": sum(1 for i in acked if i not in first),
            "duplicates": sum(c - 1 for c in count.values() if c > 1),
            "unexpected": sum(1 for i in first if i not in acked),
            **summarize([lat for _, lat in pairs], expected=len(acked)),
            "by_10s": by_window(pairs, t_start, 10.0),
        }
    out["screens"] = screens

    # Pad fan-out: the other connected hosts of the note's topic.
    def topic_of(table: int) -> int:
        return (table - 1) % topics + 1

    hosts_by_topic: dict[int, set[int]] = defaultdict(set)
    for label in host_labels:
        table = int(label.split(":")[1])
        hosts_by_topic[topic_of(table)].add(table)
    expected = sum(len(hosts_by_topic[r["topic"]] - {r["table"]}) for r in acked.values())
    lat, dupes, got, wrong_topic = [], 0, 0, 0
    self_echo = []
    for label, rec in receipts.items():
        if not label.startswith("host:"):
            continue
        table = int(label.split(":")[1])
        seen: set[str] = set()
        for note_id, t in rec:
            r = acked.get(note_id)
            if r is None:
                continue
            if note_id in seen:
                dupes += 1
                continue
            seen.add(note_id)
            if r["table"] == table:
                self_echo.append(t - r["t_send"])
            elif r["topic"] != topic_of(table):
                wrong_topic += 1
            else:
                got += 1
                lat.append(t - r["t_send"])
    out["pad_fanout"] = {
        "expected": expected,
        "received": got,
        "lost": expected - got,
        "duplicates": dupes,
        "wrong_topic": wrong_topic,
        **summarize(lat, expected=expected),
        "own_echo": summarize(self_echo),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Notes from hosts to the screen under load (see module docstring).")
    parser.add_argument("--hosts", type=int, default=100, help="hosts, one per table (default 100)")
    parser.add_argument("--topics", type=int, default=10, help="topics; tables are spread over them (default 10)")
    parser.add_argument("--screens", type=int, default=2, help="screens (default 2)")
    parser.add_argument("--phones", type=int, default=1000, help="idle phones (default 1000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the hosts send (default 60)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between a host's notes (default 5)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 hosts, 200 phones, 20 s")
    parser.add_argument("--per-process", type=int, default=250, help="phones per client process (default 250)")
    parser.add_argument("--ramp", type=int, default=8, help="phone connects in flight (default 8)")
    parser.add_argument("--ack-timeout", type=float, default=30.0, help="seconds to wait for an ack (default 30)")
    parser.add_argument("--drain", type=float, default=15.0, help="seconds to wait for late pushes (default 15)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of quiet before the notes (default 3)")
    parser.add_argument(
        "--profile", action="store_true", help="run the server under cProfile during the notes (slows it down)"
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="log the server's GC pauses and the time of each add_note step (commit, emits) during the notes",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server log, SQLite)")
    args = parser.parse_args(argv)
    if args.quick:
        args.hosts, args.phones, args.seconds = 20, 200, 20.0
    args.topics = max(1, min(args.topics, args.hosts))
    raise_nofile()
    workdir = Path(tempfile.mkdtemp(prefix="worldcafe-notes-load-"))
    started = time.monotonic()
    doc: dict[str, Any] = {
        "benchmark": "notes: host add_note until note_added on the screens (and the topic's other pads)",
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "command": " ".join(
            [".venv/bin/python", "benchmarks/notes_load.py", *(sys.argv[1:] if argv is None else argv)]
        ),
        "machine": machine(),
        "versions": versions(),
        "config": {
            "hosts": args.hosts,
            "topics": args.topics,
            "screens": args.screens,
            "phones": args.phones,
            "seconds": args.seconds,
            "interval_s": args.interval,
            "notes_per_s": round(args.hosts / args.interval, 2),
            "transport": "websocket",
            "client": "python-socketio AsyncClient(reconnection=False)",
            "server": "worldcafe run (one process, eventlet, SQLite)"
            + (" under cProfile" if args.profile else " with a trace of GC and add_note steps" if args.trace else ""),
        },
        "targets": {
            "screen_p95_ms_max": TARGETS["p95_ms"],
            "screen_p99_ms_max": TARGETS["p99_ms"],
            "lost": 0,
            "duplicates": 0,
        },
    }
    server = phones = screens = hosts = probe = None
    profile_out = workdir / "server.prof" if args.profile else None
    trace_log = workdir / "trace.log" if args.trace and not args.profile else None
    try:
        log(f"starting worldcafe run in {workdir}")
        server = start_worldcafe(workdir, profile_out=profile_out, trace_log=trace_log)
        n_participants = max(args.phones, args.hosts)
        capacity = max(10, math.ceil(n_participants / args.hosts))
        ev = setup_event(
            server.base,
            participants=n_participants,
            topics=args.topics,
            tables=args.hosts,
            capacity=capacity,
            name=f"Notes load {args.hosts}",
        )
        doc["setup"] = {"event": ev["code"], "tables": len(ev["hosts"]), **ev["timings"]}
        log(f"event {ev['code']}: {len(ev['hosts'])} tables, {len(ev['participants'])} participants, round 1 running")

        if args.phones:
            processes = max(1, min(8, math.ceil(args.phones / args.per_process)))
            phones = Phones(server.base, ev["participants"][: args.phones], processes, args.ramp, 60)
            doc["phones"] = phones.wait_connected(420)
            doc["phones"]["client_processes"] = processes
            log(f"phones: {doc['phones']['connected']}/{args.phones} in {doc['phones']['seconds']} s")

        host_specs = [
            {**h, "offset": args.interval * i / len(ev["hosts"])} for i, h in enumerate(ev["hosts"][: args.hosts])
        ]
        screens = NoteClients(server.base, [], [ev["screen"]] * args.screens)
        hosts = NoteClients(server.base, host_specs, [])
        doc["screens_connect"] = screens.wait_connected()
        doc["hosts_connect"] = hosts.wait_connected()
        host_labels = doc["hosts_connect"].pop("labels")
        doc["screens_connect"].pop("labels")
        log(
            f"screens {doc['screens_connect']['connected']}/{args.screens}, hosts "
            f"{doc['hosts_connect']['connected']}/{args.hosts} connected "
            f"({doc['hosts_connect']['pads_closed']} pads closed)"
        )
        time.sleep(args.settle)
        doc["rss_mb_connected"] = round(server.rss() / 2**20, 1)

        server.start_sampling()
        probe = LagProbe(server.base)
        cpu0 = server.cpu_seconds()
        ccpu0 = hosts.cpu_seconds() + screens.cpu_seconds() + (phones.cpu_seconds() if phones else 0.0)
        load_before = os.getloadavg()[0]
        if profile_out is not None:
            profile_on(server)
        t_start = time.time() + 1.0
        hosts.run(t_start, args.seconds, args.interval, args.ack_timeout)
        log(f"hosts sending for {args.seconds:g} s ({args.hosts / args.interval:g} notes/s)")
        n_sent = hosts.wait_sent(args.seconds + args.ack_timeout + 60)
        t_sent = time.time()
        got = hosts.collect()
        acked = sum(1 for r in got["sends"] if r["ok"])
        log(f"  {n_sent} notes sent, {acked} acked; waiting for the screens")
        deadline = time.monotonic() + args.drain
        while time.monotonic() < deadline:
            st = screens.status()
            if all(v >= acked for v in st.values()):
                break
            time.sleep(0.2)
        time.sleep(0.5)  # duplicates, if any, arrive now
        if profile_out is not None:
            profile_off(server, profile_out)
        cpu_server = server.cpu_seconds() - cpu0
        cpu_clients = hosts.cpu_seconds() + screens.cpu_seconds() + (phones.cpu_seconds() if phones else 0.0) - ccpu0
        elapsed = time.time() - t_start
        got = hosts.collect()
        scr = screens.collect()
        receipts = {**got["receipts"], **scr["receipts"]}
        result = analyse(got["sends"], receipts, host_labels, args.topics, t_start)
        result["send_phase_s"] = round(t_sent - t_start, 2)
        result["notes_per_s_achieved"] = round(result["notes_sent"] / max(args.seconds, 1e-3), 2)
        result["server_cpu_s"] = round(cpu_server, 2)
        result["server_cpu_share"] = round(cpu_server / max(elapsed, 1e-3), 3)
        result["clients_cpu_s"] = round(cpu_clients, 2)
        result["loadavg_1min_before"] = round(load_before, 2)
        result["healthz_rtt_during_notes"] = probe.stop()
        probe = None
        result["rss_mb_peak"] = round(server.stop_sampling() / 2**20, 1)
        result["client_errors"] = {**got["errors"], **scr["errors"]}
        result["disconnects_during_run"] = got["disconnects"] + scr["disconnects"]
        doc["notes"] = result
        for label, s in result["screens"].items():
            log(
                f"  {label}: {s['received']}/{result['acks_ok']} p50 {s['p50_ms']} p95 {s['p95_ms']} p99 {s['p99_ms']} "
                f"max {s['max_ms']} ms, lost {s['lost']}, dup {s['duplicates']}"
            )
        f = result["pad_fanout"]
        log(f"  pads: {f['received']}/{f['expected']} p95 {f['p95_ms']} p99 {f['p99_ms']} ms")
        if trace_log is not None:
            rows = read_trace(trace_log, t_start, time.time())
            doc["server_trace"] = trace_figures(rows, got["sends"], scr["receipts"].get("screen:0", []))
        if profile_out is not None and profile_out.exists():
            doc["server_profile"] = profile_summary(profile_out)
    except Exception as exc:  # noqa: BLE001 - reported in the JSON
        log(f"failed: {type(exc).__name__}: {exc}")
        doc["error"] = f"{type(exc).__name__}: {exc}"
        if server is not None:
            doc["server_log_tail"] = server.logfile.read_text(errors="replace")[-1500:]
    finally:
        if probe is not None:
            probe.stop()
        for clients in (hosts, screens):
            if clients is not None:
                clients.stop()
        if phones is not None:
            doc.setdefault("phones", {}).update(phones.stop())
        if server is not None:
            server.stop()
        finish(doc, started, evaluate, workdir, args.keep)
    return 0


def evaluate(doc: dict[str, Any]) -> dict[str, Any]:
    notes = doc.get("notes")
    if not notes or not notes["screens"]:
        return {"ran": False}
    screens = notes["screens"].values()
    p95 = [s["p95_ms"] for s in screens]
    p99 = [s["p99_ms"] for s in screens]
    return {
        "screen_p95_le_100ms": all(x is not None and x <= TARGETS["p95_ms"] for x in p95),
        "screen_p99_le_250ms": all(x is not None and x <= TARGETS["p99_ms"] for x in p99),
        "zero_lost": notes["acks_failed"] == 0 and all(s["lost"] == 0 for s in screens),
        "zero_duplicates": all(s["duplicates"] == 0 for s in screens),
    }


if __name__ == "__main__":
    sys.exit(main())
