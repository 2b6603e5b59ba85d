"""Process tuning for a serving process with thousands of long-lived sockets."""

from __future__ import annotations

import gc


def tune_gc() -> None:
    """Move start-up objects out of the collector's way and collect the young generation less often.

    With thousands of sockets, a full collection walks every object and stalls every client (measured 0.2–0.5 s
    pauses at 2,000 phones, one inside a round change); frozen start-up objects are never walked again, and a
    larger first threshold means fewer collections that cascade into full ones. Not too large: a young-generation
    collection walks every object allocated since the last one, and with 50,000 of them (most of them SQLAlchemy
    rows and eventlet socket wrappers in reference cycles) one pause measured 30–95 ms on a quiet machine and
    110–580 ms on a busy one — a loop stall by itself. 10,000 keeps each pause a fifth of that.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)
