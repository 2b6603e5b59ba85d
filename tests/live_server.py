"""A real `worldcafe run` server process for browser, restart and multi-process tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real server process on a free port with its own instance folder."""

    def __init__(self, tmp: Path, port: int | None = None, env: dict[str, str] | None = None) -> None:
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
