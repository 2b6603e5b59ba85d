"""Turns on the one loop: a burst of page loads waits while the room's live messages go first (DESIGN.md §6a).

eventlet runs whatever is ready in no particular order. After a walk-in rush, 50 phones load their page, poll
``/api/v1/me`` and connect their socket within a few milliseconds; each of those requests is cheap (3–5 ms), but the
loop runs them one after the other, and a host's note or a screen's ``clock`` that arrives meanwhile waits behind
all of them — 200–300 ms, measured. Nothing here makes a request cheaper; it changes the order.

A **turn** of the loop begins each time it polls its sockets; it then runs the sockets that were ready and the
timers that are due (a turn's time is counted from the moment the poll returns). Work that can wait a moment — an
HTTP request that is not the socket transport, a socket's connect with its snapshot — calls :func:`wait_turn` before
it touches the database. It goes at once while the turn is younger than ``BUDGET_S``, or when it is the first such
work in its turn (so page loads never stop altogether, however busy the room); otherwise it steps back to a later
turn, behind the work that stepped back before it, and the sockets with a message waiting are read first. The room's
live messages (notes, votes, ``clock``) never wait here. ``MAX_WAIT_S`` bounds the wait. Walk-ins' joins take turns
the same way in a lane of their own, ahead of page loads: a burst of them is spread over several turns, and page
loads wait while joins do (even the first of a turn; ``MAX_WAIT_S`` still bounds their wait).

Outside a serving process (tests, the CLI) turns are not counted and :func:`wait_turn` returns at once; likewise
under an eventlet hub without a poll step to count (other than the poll and epoll hubs).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

# Loop time per turn that waiting work may use (plus the one request that crosses it). With 15 ms, a burst of joins
# made turns of 20–30 ms back to back and a live message waited out two or three of them (a longest stall over
# 100 ms in 3 of 16 join-phase runs); with 10 ms, in none of 14, and the joins were answered no later (measured).
BUDGET_S = 0.010
# The longest a request waits for its turn; beyond it, it runs anyway.
MAX_WAIT_S = 1.0


class _Turns:
    def __init__(self) -> None:
        self.counting = False
        self.number = 0  # turns since start
        self.began = 0.0  # when this turn began (monotonic)

    def polled(self) -> None:
        self.number += 1
        self.began = time.monotonic()


class _Lane:
    """One kind of work that steps back while the turn is old: its own queue, so one kind never waits behind the
    other."""

    def __init__(self, behind: _Lane | None = None) -> None:
        self.admitted_in = -1  # the last turn in which this lane's work went
        self.waiting = 0  # requests stepped back, waiting for a later turn
        self.behind = behind  # a lane whose waiting work goes first

    def may_go(self, stepped_back: bool) -> bool:
        if self.waiting and not stepped_back:
            return False  # behind those already waiting
        if self.behind is not None and self.behind.waiting:
            return False
        return self.admitted_in != _turns.number or time.monotonic() - _turns.began <= BUDGET_S


_turns = _Turns()
# Walk-ins' joins, and page loads, polls and socket connects. Page loads wait while joins wait: a join's answer is
# what a walk-in stands at the door for, while the page loads after a rush are mostly those who joined before.
JOINS = _Lane()
PAGES = _Lane(behind=JOINS)


def start() -> None:
    """Count the turns of this thread's eventlet loop (once, in a serving process)."""
    if _turns.counting:
        return
    import eventlet.hubs  # only a serving process under eventlet counts turns

    hub = eventlet.hubs.get_hub()
    wait, do_poll = getattr(hub, "wait", None), getattr(hub, "do_poll", None)
    if wait is None or do_poll is None:
        log.info("event loop %s has no poll step to count: page loads are not held back for live messages", hub)
        return

    def waiting_for_sockets(seconds: float | None = None) -> Any:
        _turns.polled()
        return wait(seconds)

    def polled(seconds: float) -> Any:
        try:
            return do_poll(seconds)
        finally:
            _turns.began = time.monotonic()  # the turn's work begins when the poll returns, not while it sleeps

    hub.wait = waiting_for_sockets
    hub.do_poll = polled
    _turns.polled()
    _turns.counting = True


def counting() -> bool:
    """Whether this process counts its loop's turns (it serves under eventlet)."""
    return _turns.counting


def wait_turn(lane: _Lane = PAGES) -> float:
    """Go now, or step back to a later turn of the loop (at most ``MAX_WAIT_S``); returns the seconds waited."""
    if not _turns.counting or lane.may_go(stepped_back=False):
        lane.admitted_in = _turns.number
        return 0.0
    import eventlet

    began = time.monotonic()
    lane.waiting += 1
    try:
        while True:
            eventlet.sleep(0)  # due in the loop's next timer pass: after it has polled its sockets again
            if lane.may_go(stepped_back=True) or time.monotonic() - began >= MAX_WAIT_S:
                break
    finally:
        lane.waiting -= 1
    lane.admitted_in = _turns.number
    return time.monotonic() - began


# A join's answer is what a walk-in waits for at the door. A burst of 50 joins arrives in one turn of the loop, and
# each runs ~1.6 ms before it queues for its burst (worldcafe.realtime.joins): 80 ms in one piece, measured.
# Joins take turns in their own lane, so that the room's live messages get in between; never behind page loads
# (behind those, under a busy loop they waited out MAX_WAIT_S: answer p99 ~1 s, measured).
JOIN_PATHS = ("/api/v1/join/", "/j/")


class TakingTurns:
    """WSGI middleware: every HTTP request but the socket transport's takes its turn before the app runs it (a join
    in the joins' lane)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], socket_path: str = "/socket.io/") -> None:
        self.app = app
        self.socket_path = socket_path

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        joining = environ.get("REQUEST_METHOD") == "POST" and path.startswith(JOIN_PATHS)
        if joining:
            wait_turn(JOINS)
        elif not path.startswith(self.socket_path):
            wait_turn()
        return self.app(environ, start_response)
