"""Photos made fit to embed in a document: turned upright, shrunk, re-encoded as JPEG without their metadata.

A phone photo is up to 10 MB; forty of them inline would make a summary nobody can mail. 1,280 pixels on the long
side print sharply at the size the exports show them. Re-encoding also drops the EXIF data (a phone's GPS position)
from the copy that travels. Runs in a worker (``worldcafe.offload``), like the rest of an export.
"""

from __future__ import annotations

import base64
import functools
import io
import os
from collections.abc import Mapping
from typing import Any

from PIL import Image, ImageOps

MAX_SIDE = 1280
QUALITY = 80
# A decoded image this large would take gigabytes; a phone camera stays well below (48 MP at most).
MAX_PIXELS = 60_000_000


def shrink(path: str) -> tuple[bytes, int, int] | None:
    """The photo at ``path`` as (JPEG bytes, width, height) at most ``MAX_SIDE`` pixels wide and high; None when it
    cannot be read as an image (missing, truncated, not a photo, too large)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _shrunk(path, stat.st_mtime_ns, stat.st_size)


# A worker process keeps the last photos it shrank (about 200 KB each): the moderator downloading the summary again,
# or in another format, waits ~0.2 s less per photo.
@functools.lru_cache(maxsize=128)
def _shrunk(path: str, _mtime_ns: int, _size: int) -> tuple[bytes, int, int] | None:
    try:
        with Image.open(path) as image:
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG decodes at a fraction of its size, much faster
            if image.width * image.height > MAX_PIXELS:
                return None
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            if upright.mode in ("RGBA", "LA", "P", "PA"):
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
                upright = flat
            elif upright.mode != "RGB":
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=QUALITY, optimize=True)
            return out.getvalue(), upright.width, upright.height
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None


def with_images(photos: list[Mapping[str, Any]], files: Mapping[str, str]) -> list[dict[str, Any]]:
    """The photos, each with ``image`` (JPEG bytes), ``width`` and ``height`` where its file could be read."""
    out = []
    for photo in photos:
        entry = dict(photo)
        path = files.get(str(photo.get("id")))
        shrunk = shrink(path) if path else None
        if shrunk is not None:
            entry["image"], entry["width"], entry["height"] = shrunk
        out.append(entry)
    return out


def data_uri(photo: Mapping[str, Any]) -> str | None:
    """An embedded photo as a ``data:`` URI, or None when it has no image."""
    image = photo.get("image")
    if not isinstance(image, bytes | bytearray):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(image).decode("ascii")
