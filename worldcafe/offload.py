"""Heavy work off the event loop: CPU-bound jobs run in a pool of worker processes (DESIGN.md §6a).

One eventlet loop serves every phone, tablet and projector of an event, and pure-Python work in a thread still
holds the GIL, so planning, rendering and text analysis go to other processes. ``run(fn, *args)`` submits a job
and waits for its result; under eventlet the wait yields to the loop (the executor's plumbing is green once the
server has monkey-patched), so the room goes on while the job computes. Jobs are plain functions of plain data
(picklable in, picklable out): no app, no session, no database in a worker.

Only serving processes start the pool (``worldcafe run``, ``wsgi.py``); elsewhere — tests, the CLI — jobs run
inline, which keeps the test clients synchronous and deterministic.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

# Workers run below the serving process's priority: on a small machine the loop must win the CPU.
WORKER_NICENESS = 10


class WorkerUnavailable(RuntimeError):
    """A job's result is not to be had: its worker died, or it overran the time its caller would wait."""


_pool: ProcessPoolExecutor | None = None
_size = 0
_lock = threading.Lock()


def _initialise_worker() -> None:
    with contextlib.suppress(OSError):  # not permitted here: the job still runs, at normal priority
        os.nice(WORKER_NICENESS)
    parent = multiprocessing.parent_process()
    if parent is not None:
        # The job queue's pipe never reports the server's death to a worker, so a killed server would leave its
        # workers behind: each watches its parent and goes with it.
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: Any) -> None:
    parent.join()
    os._exit(0)


def _warm() -> int:
    """Nothing: submitted once at start so the workers have imported what the first real job needs."""
    from .domain import rotation  # noqa: F401 - imported for its side effect of being loaded

    # The harvest's taggers (1–3 s, ~100 MB) load on a worker's first summary, not here: a plan or a re-plan submitted
    # right after start would otherwise wait behind every worker's warm-up (12 s on a busy machine, measured).
    return os.getpid()


def start(size: int) -> None:
    """Start the pool of ``size`` worker processes (0: jobs run inline, on the calling loop)."""
    global _pool, _size
    with _lock:
        _size = size
        if _pool is not None or size <= 0:
            return
        # spawn, not fork: a forked child would inherit the loop, sockets and database connections of the server.
        _pool = ProcessPoolExecutor(
            max_workers=size, mp_context=multiprocessing.get_context("spawn"), initializer=_initialise_worker
        )
    for _ in range(size):
        _pool.submit(_warm)


def stop() -> None:
    """Shut the pool down (a serving process exits, or a test is done with it)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def running() -> bool:
    """Whether jobs go to worker processes (True) or run inline (False)."""
    return _pool is not None


def _replace_broken_pool(reason: str) -> None:
    """A worker died (killed, out of memory): the executor is unusable from then on, so start a new one."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    log.warning("worker pool restarted: %s", reason)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
    start(_size)


def run(fn: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
    """Run ``fn(*args)`` in a worker process and return its result (inline when no pool is running).

    Raises what ``fn`` raises, or ``WorkerUnavailable`` when the worker died or ``timeout`` seconds passed. A job
    that overruns is not killed (that would wedge the executor): every job bounds its own time, ``timeout`` only
    stops the caller from waiting for it.
    """
    pool = _pool
    if pool is None:
        return fn(*args)
    try:
        future = pool.submit(fn, *args)
        return future.result(timeout=timeout)
    except FutureTimeout:
        log.warning("%s overran %s s; its caller stopped waiting", getattr(fn, "__name__", fn), timeout)
        raise WorkerUnavailable(f"{getattr(fn, '__name__', fn)} took longer than {timeout} s") from None
    except BrokenExecutor as exc:
        _replace_broken_pool(f"a worker died ({exc})")
        raise WorkerUnavailable("a worker process died") from None
