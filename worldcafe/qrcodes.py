"""QR codes as SVG, drawn in a worker process and remembered per link (DESIGN.md §6a).

One code takes segno about 5 ms of pure Python: 5,000 participant cards drawn on the serving loop held every phone
of the room for half a minute. A code depends only on what it encodes and how it is drawn, so each is drawn once,
in a worker (``offload``), and kept in a bounded in-memory cache; the pages then only paste cached SVG text.
This module imports no Flask: a worker process imports it to draw.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import segno

from . import offload

# About 2 KB each: 10,000 codes (a 5,000-person event's cards, its help desk and its table cards) are ~20 MB.
CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Qr:
    """One QR code to draw: the text it encodes and how (inline in a page, or a standalone SVG file)."""

    data: str
    scale: int = 4
    title: str | None = None
    standalone: bool = False


def draw(code: Qr) -> str:
    """The SVG of one QR code (error correction M, so a creased card still scans)."""
    qr = segno.make(code.data, error="m", micro=False)
    if code.standalone:
        buffer = io.BytesIO()
        qr.save(buffer, kind="svg", scale=code.scale, border=2, dark="#000", light="#fff", xmldecl=False,
                svgclass="qr", lineclass=None)
        return buffer.getvalue().decode()
    return str(qr.svg_inline(scale=code.scale, border=2, dark="#000", light="#fff", title=code.title, svgclass="qr",
                             lineclass=None, omitsize=True))


def draw_all(codes: Sequence[Qr]) -> list[str]:
    """The SVGs of several codes, in order: one worker job for a whole page of cards."""
    return [draw(code) for code in codes]


class QrCache:
    """The most recently used codes, keyed by what they encode and how they are drawn."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._svgs: OrderedDict[Qr, str] = OrderedDict()
        self._lock = threading.Lock()

    def svgs(self, codes: Sequence[Qr]) -> list[str]:
        """The SVG of every code, in order; the ones not cached are drawn in one worker job."""
        found: dict[Qr, str] = {}
        with self._lock:
            for code in codes:
                svg = self._svgs.get(code)
                if svg is not None:
                    self._svgs.move_to_end(code)
                    found[code] = svg
        missing = list(dict.fromkeys(code for code in codes if code not in found))
        if missing:
            found.update(zip(missing, offload.run(draw_all, missing), strict=True))
            with self._lock:
                for code in missing:
                    self._svgs[code] = found[code]
                    self._svgs.move_to_end(code)
                while len(self._svgs) > self._size:
                    self._svgs.popitem(last=False)
        return [found[code] for code in codes]

    def clear(self) -> None:
        """Forget every code (tests)."""
        with self._lock:
            self._svgs.clear()

    def __len__(self) -> int:
        return len(self._svgs)


cache = QrCache()
