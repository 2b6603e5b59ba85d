"""Heavy jobs run in worker processes while the serving loop goes on (DESIGN.md §6a)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from worldcafe import offload

# Runs as its own process: eventlet must be patched first, as in `worldcafe run`.
SCRIPT = textwrap.dedent(
    """
    import warnings
    warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
    import eventlet
    eventlet.monkey_patch()
    import json, time
    from worldcafe import offload
    from tests.offload_jobs import burn, fail, sleep_for

    offload.start(1)
    offload.run(burn, 10)  # the worker has started
    gaps, done = [], []

    def tick():
        last = time.monotonic()
        while not done:
            eventlet.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    eventlet.spawn(tick)
    start = time.monotonic()
    total = offload.run(burn, 20_000_000)
    took = time.monotonic() - start
    done.append(True)
    eventlet.sleep(0.01)
    try:
        offload.run(fail)
    except ValueError as exc:
        raised = str(exc)
    try:
        offload.run(sleep_for, 2, timeout=0.5)
    except offload.WorkerUnavailable:
        timed_out = True
    after = offload.run(burn, 10)  # queued behind the overrunning job, then served by the same worker
    import os, signal
    victim = offload.run(os.getpid)
    os.kill(victim, signal.SIGKILL)
    try:
        offload.run(sleep_for, 5)
    except offload.WorkerUnavailable:
        died = True
    revived = offload.run(burn, 10)  # a new pool took over from the killed worker
    offload.stop()
    print(json.dumps({"total": total, "took": took, "ticks": len(gaps), "max_gap": max(gaps),
                      "raised": raised, "timed_out": timed_out, "after": after,
                      "died": died, "revived": revived}), flush=True)
    # Not the interpreter's exit: after a worker was killed it may wait for that executor's plumbing for good.
    os._exit(0)
    """
)


@pytest.mark.slow
def test_a_job_in_a_worker_leaves_the_loop_free(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=True, cwd=str(tmp_path.cwd())
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert figures["total"] == sum(i * i for i in range(20_000_000))
    # The job took a while; the loop ticked all along (a job on the loop would show one gap as long as the job).
    assert figures["max_gap"] < max(0.25, figures["took"] / 4), figures
    assert figures["ticks"] > 10
    assert figures["raised"] == "the job failed"
    assert figures["timed_out"] is True
    assert figures["after"] == sum(i * i for i in range(10))
    assert figures["died"] is True
    assert figures["revived"] == sum(i * i for i in range(10))


def test_without_a_pool_jobs_run_inline():
    from tests.offload_jobs import burn, fail

    assert not offload.running()
    assert offload.run(burn, 4) == 0 + 1 + 4 + 9
    with pytest.raises(ValueError, match="the job failed"):
        offload.run(fail)
