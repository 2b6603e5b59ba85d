"""Reading many rows without holding the event loop: one query, fetched a chunk at a time (DESIGN.md §6a).

10,000 notes turned into dicts take the loop about half a second in one go. Fetched in chunks, with a pause that
lets the loop serve everyone else in between, the same query holds it for a few milliseconds at a time. Only
reads: a write transaction held across a pause would stall every other writer (SQLite has one).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row

from ..extensions import db

CHUNK_ROWS = 1000


def let_others_run() -> None:
    """Hand the loop to whoever waits (eventlet's patched ``time.sleep``); a no-op outside the server."""
    time.sleep(0)


def rows_in_chunks(query: Any, size: int = CHUNK_ROWS) -> Iterator[Row[Any]]:
    """The rows of a select, fetched ``size`` at a time with a pause for the loop between chunks."""
    result = db.session.execute(query.execution_options(yield_per=size))
    for chunk in result.partitions():
        yield from chunk
        let_others_run()
