"""Files that hold secrets — the SQLite database (every token), the generated key, photos — readable by the server's
user only: folders 0700, files 0600, set when they are created (never readable in between) and tightened at start
for files an older version left readable."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents as 0700 folders (existing ones are left as they are)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        # mkdir's mode is masked by the umask, which can only take bits away from 0700.
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a 0600 file (created that way; an existing file is made 0600 first)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    # The built-in open owns the descriptor from here (eventlet's green os.fdopen would close it behind our back).
    with open(fd, "wb") as out:
        os.fchmod(fd, FILE_MODE)
        out.write(data)


def create_private(path: Path) -> None:
    """Create ``path`` empty as a 0600 file unless it exists (an empty file is a valid new SQLite database)."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite database URL (``sqlite:///path``), or None for other databases and in-memory ones."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return None
    path = database_url[len(prefix) :].split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def secure_instance(instance_path: Path, database_url: str) -> None:
    """Make the database, the generated key and the photos private to this user: new ones are created so, and
    ones an older version created readable by others are tightened."""
    db_file = sqlite_path(database_url)
    if db_file is not None:
        create_private(db_file)
        # SQLite gives its -wal and -shm files the database file's mode; old ones may still be readable.
        tighten([db_file, db_file.with_name(db_file.name + "-wal"), db_file.with_name(db_file.name + "-shm")])
    tighten([instance_path / "secret_key"])
    photos = instance_path / "photos"
    if photos.is_dir():
        tighten([photos, *photos.rglob("*")])


def tighten(paths: list[Path]) -> None:
    """Take group and other permissions away from the files and folders given that exist."""
    for path in paths:
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(mode) or not mode & 0o077:
            continue
        want = DIR_MODE if stat.S_ISDIR(mode) else FILE_MODE
        try:
            path.chmod(want)
        except OSError as exc:  # e.g. owned by another user: the operator has to fix it, the server still starts
            log.warning("cannot make %s private (mode %o): %s", path, stat.S_IMODE(mode), exc)
