"""A private, throw-away PostgreSQL cluster on a free port, which a test may stop and start at will.

The shared PostgreSQL (port 5432) is never touched. PostgreSQL refuses to run as root, so under root the
binaries run as the ``postgres`` user through ``runuser``; the cluster lives in a folder that user owns.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import need
from tests.live_server import free_port

BIN = Path(os.environ.get("WORLDCAFE_PG_BIN", "/usr/local/bin"))


class PrivatePostgres:
    """``initdb`` + ``pg_ctl`` on 127.0.0.1:<free port>, sockets and data in a private temporary folder."""

    def __init__(self) -> None:
        for tool in ("initdb", "pg_ctl", "postgres"):
            need((BIN / tool).exists() or shutil.which(tool) is not None, f"PostgreSQL's {tool} is not installed")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            need(shutil.which("runuser") is not None, "runuser is needed to run PostgreSQL as a non-root user")
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                need(False, "there is no 'postgres' user to run a private PostgreSQL as")
        # Not under pytest's tmp_path: its parents are private to root, and the postgres user must reach the folder.
        self.folder = Path(tempfile.mkdtemp(prefix="worldcafe-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/worldcafe"
        if self.as_root:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.start()
        self._create_database()

    def _tool(self, name: str) -> str:
        return str(BIN / name) if (BIN / name).exists() else str(shutil.which(name))

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [self._tool(tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=self.folder)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}\n{self.log_tail()}")
        return result

    def log_tail(self) -> str:
        log = self.folder / "postgres.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def start(self) -> None:
        """Start (again) and wait until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
            "-c fsync=off -c max_connections=50"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "postgres.log"), "-w", "start")

    def stop(self) -> None:
        """Stop like an administrator restarting the server: open connections are cut at once."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def _create_database(self) -> None:
        import psycopg2

        admin = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("CREATE DATABASE worldcafe")
        admin.close()

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        """Rows of one query against the app's database."""
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="worldcafe")
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
        finally:
            connection.close()

    def destroy(self) -> None:
        """Stop if running and delete everything."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):  # already stopped
                self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
