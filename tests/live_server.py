"""A real `worldcafe run` server process for browser, restart and multi-process tests."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real server process on a free port with its own instance folder."""

    def __init__(
        self,
        tmp: Path,
        port: int | None = None,
        env: dict[str, str] | None = None,
        nofile: tuple[int, int] | None = None,
    ) -> None:
        """``nofile`` starts the process with this (soft, hard) open-file limit."""
        self.tmp = tmp
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        base = {
            **os.environ,
            "WORLDCAFE_INSTANCE_PATH": str(tmp),
            "WORLDCAFE_PORT": str(self.port),
            "WORLDCAFE_PRESENCE_INTERVAL_S": "0.2",
            "SECRET_KEY": "browser-tests",
        }
        # The developer's own database, queue and address never leak in; `env` sets them explicitly.
        for name in ("WORLDCAFE_DATABASE_URL", "WORLDCAFE_PUBLIC_URL", "WORLDCAFE_MESSAGE_QUEUE"):
            base.pop(name, None)
        env = {**base, **(env or {})}
        self.log_path = tmp / f"server-{self.port}.log"
        self.log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "worldcafe"), "run"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: resource.setrlimit(resource.RLIMIT_NOFILE, nofile)) if nofile else None,  # noqa: PLW1509
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start: {self.log_path.read_text()[-2000:]}")

    def call(
        self, method: str, path: str, token: str | None = None, body: Any = None, timeout: float = 10
    ) -> tuple[int, Any]:
        """One JSON request → (status, JSON body), HTTP errors included."""
        request = urllib.request.Request(
            self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None
        )
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def api(self, method: str, path: str, token: str | None = None, body: Any = None, timeout: float = 10) -> Any:
        """One JSON request → its body; an HTTP error fails the test with the answer."""
        status, answer = self.call(method, path, token, body, timeout)
        if status >= 400:
            raise AssertionError(f"{method} {path} → {status}: {str(answer)[:500]}")
        return answer

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def kill(self) -> None:
        """Kill -9: no shutdown, no cleanup (a power cut)."""
        self.process.kill()
        self.process.wait(10)
        self.log.close()


def wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    """Poll ``check`` until it returns something true (returned), or fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
