"""The complete event as JSON: the data the summary was built from, the summary itself and the seating plan."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

FORMAT = "worldcafe-event"
VERSION = 1


def to_json(data: Mapping[str, Any], summary: Mapping[str, Any], plan: Any) -> str:
    """One JSON document to archive or re-import the event; non-JSON values (dates) become strings."""
    document = {"format": FORMAT, "version": VERSION, "event": data.get("event"), "data": data, "summary": summary,
                "plan": plan}
    return json.dumps(document, ensure_ascii=False, indent=1, default=str)
