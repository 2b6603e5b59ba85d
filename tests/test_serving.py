"""The server's guards on their own (tests/test_hostile_network_live.py runs them in a real server): the connection cap
from the file limit, an accept() that rides out failures, room made under pressure, and the limits' settings."""

from __future__ import annotations

import errno
import subprocess
import sys
import textwrap
import warnings

import pytest

from worldcafe.config import ConfigError, load_config

with warnings.catch_warnings():
    # worldcafe.serving imports eventlet (unpatched here); its deprecation notice is known (docs/deploy.md).
    warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
    from worldcafe import serving


def test_the_connection_cap_leaves_the_reserve_free_and_never_exceeds_the_setting():
    assert serving.connection_cap(10000, 1024, 128) == 896
    assert serving.connection_cap(10000, 65536, 128) == 10000
    assert serving.connection_cap(500, 1024, 128) == 500
    # Whatever the limit, the server keeps a usable minimum (and says so in the log).
    assert serving.connection_cap(10000, 100, 128) == serving.MIN_CONNECTIONS


def test_the_soft_file_limit_is_raised_to_the_hard_one():
    # In a child process: the limit is the whole process's.
    code = textwrap.dedent(
        """
        import resource
        from worldcafe.serving import raise_file_limit
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
        print(raise_file_limit(), resource.getrlimit(resource.RLIMIT_NOFILE)[0], hard)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    returned, soft, hard = (int(x) for x in out.stdout.split())
    assert returned == soft
    assert soft == (hard if hard != -1 else soft) and soft > 64


class FakeListener:
    """A listening socket whose accept() fails as scripted (an errno) before it returns a connection."""

    def __init__(self, script: list[int | str]) -> None:
        self.script = list(script)

    def accept(self) -> tuple[str, str]:
        step = self.script.pop(0)
        if isinstance(step, int):
            raise OSError(step, f"scripted {errno.errorcode[step]}")
        return step, "127.0.0.1"

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", 5000)


class FakePool:
    def __init__(self, size: int, free: int) -> None:
        self.size = size
        self.free_slots = free

    def free(self) -> int:
        return self.free_slots

    def running(self) -> int:
        return self.size - self.free_slots


@pytest.fixture
def sleeps(monkeypatch):
    """eventlet.sleep recorded instead of run (the accept loop's back-off)."""
    slept: list[float] = []
    monkeypatch.setattr(serving.eventlet, "sleep", lambda s=0: slept.append(s))
    return slept


def test_running_out_of_descriptors_pauses_accepting_logs_once_and_goes_on(sleeps, caplog):
    emfile = [errno.EMFILE] * 6
    listener = serving.Listener(
        FakeListener([*emfile, "first", errno.ENFILE, "second"]), FakePool(100, 100), serving.WaitingConnections()
    )
    with caplog.at_level("WARNING", logger="worldcafe.serving"):
        assert listener.accept()[0] == "first"
        assert listener.accept()[0] == "second"
    # Backing off, doubling up to the maximum: never a busy loop while nothing can be accepted.
    assert sleeps == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 0.05]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4, lines  # a shortage: once when it starts, once when it is over
    assert lines[0].startswith("cannot accept connections (scripted EMFILE)")
    assert lines[1].startswith("accepting connections again after") and "(6 attempts refused)" in lines[1]
    assert listener.getsockname() == ("127.0.0.1", 5000)  # everything else is the real socket's


def test_a_connection_failing_on_its_way_in_is_skipped_silently(sleeps, caplog):
    script = [errno.ECONNABORTED, errno.ECONNRESET, errno.EPROTO, "next"]
    listener = serving.Listener(FakeListener(script), FakePool(100, 100), serving.WaitingConnections())
    with caplog.at_level("WARNING"):
        assert listener.accept()[0] == "next"
    # No back-off: the next connection may be fine.
    assert sleeps == [] and caplog.records == []


def test_a_long_queue_of_connections_is_taken_in_one_go_with_a_pause_now_and_then(sleeps):
    count = 2 * serving.ACCEPTS_PER_YIELD + 1
    listener = serving.Listener(FakeListener(["c"] * count), FakePool(10000, 10000), serving.WaitingConnections())
    for _ in range(count):
        listener.accept()
    assert sleeps == [0, 0]


def test_a_closed_listening_socket_ends_the_accept_loop(sleeps):
    listener = serving.Listener(FakeListener([errno.EBADF]), FakePool(100, 100), serving.WaitingConnections())
    with pytest.raises(OSError) as raised:
        listener.accept()
    assert raised.value.errno == errno.EBADF


def test_near_the_cap_the_connection_waiting_longest_makes_room(sleeps, monkeypatch):
    waiting = serving.WaitingConnections()
    closed: list[str] = []
    clock = [1000.0]
    monkeypatch.setattr(serving.time, "monotonic", lambda: clock[0])
    waiting.add(1, lambda: closed.append("old"))
    clock[0] += 1
    waiting.add(2, lambda: closed.append("newer"))
    clock[0] += serving.EVICT_AFTER_S
    waiting.add(3, lambda: closed.append("fresh"))
    pool = FakePool(100, 3)  # at most 5 % free: pressure
    listener = serving.Listener(FakeListener(["a", "b", "c"]), pool, waiting)
    listener.accept()
    assert closed == ["old"]
    listener.accept()
    assert closed == ["old", "newer"]
    listener.accept()  # the fresh one has not waited long enough: a real client's request is on its way
    assert closed == ["old", "newer"] and len(waiting) == 1
    waiting.discard(3)  # its request head arrived
    assert len(waiting) == 0


def test_with_room_to_spare_nobody_is_closed(sleeps):
    waiting = serving.WaitingConnections()
    waiting.add(1, lambda: pytest.fail("closed without pressure"))
    listener = serving.Listener(FakeListener(["a"]), FakePool(100, 50), waiting)
    assert listener.accept()[0] == "a" and len(waiting) == 1


def test_at_the_cap_accept_waits_for_a_slot_instead_of_handing_over(sleeps, monkeypatch):
    pool = FakePool(100, 0)
    listener = serving.Listener(FakeListener(["a"]), pool, serving.WaitingConnections())

    def sleep(seconds: float = 0) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            pool.free_slots = 1  # a connection ended

    monkeypatch.setattr(serving.eventlet, "sleep", sleep)
    assert listener.accept()[0] == "a"
    assert sleeps == [0.1, 0.1, 0.1]


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"WORLDCAFE_RESERVED_FILES": "-1"}, "RESERVED_FILES at least 0"),
        ({"WORLDCAFE_MAX_CONNECTIONS": "0"}, "MAX_CONNECTIONS must be at least 1"),
        ({"WORLDCAFE_IDLE_TIMEOUT_S": "0"}, "IDLE_TIMEOUT_S and WORLDCAFE_HEADER_TIMEOUT_S must be more than 0"),
        ({"WORLDCAFE_HEADER_TIMEOUT_S": "soon"}, "HEADER_TIMEOUT_S must be a number"),
        ({"WORLDCAFE_SOCKET_TIMEOUT_S": "-5"}, "SOCKET_TIMEOUT_S 0 \\(off\\) or more"),
        ({"WORLDCAFE_ACCESS_LOG": "maybe"}, "ACCESS_LOG must be 1 or 0"),
    ],
)
def test_bad_limits_are_a_clear_error(tmp_path, env, words):
    with pytest.raises(ConfigError, match=words):
        load_config(tmp_path, {"SECRET_KEY": "k", **env})


def test_limits_defaults_and_settings(tmp_path):
    defaults = serving.ServerLimits.from_config(load_config(tmp_path, {"SECRET_KEY": "k"}))
    assert defaults == serving.ServerLimits(
        max_connections=10000,
        reserved_files=128,
        idle_timeout_s=20.0,
        header_timeout_s=10.0,
        socket_timeout_s=60.0,
        access_log=False,
    )
    env = {
        "SECRET_KEY": "k",
        "WORLDCAFE_MAX_CONNECTIONS": "3000",
        "WORLDCAFE_RESERVED_FILES": "200",
        "WORLDCAFE_IDLE_TIMEOUT_S": "30",
        "WORLDCAFE_HEADER_TIMEOUT_S": "5",
        "WORLDCAFE_SOCKET_TIMEOUT_S": "0",
        "WORLDCAFE_ACCESS_LOG": "yes",
    }
    assert serving.ServerLimits.from_config(load_config(tmp_path, env)) == serving.ServerLimits(
        max_connections=3000,
        reserved_files=200,
        idle_timeout_s=30.0,
        header_timeout_s=5.0,
        socket_timeout_s=None,
        access_log=True,
    )
