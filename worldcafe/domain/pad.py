"""The pad's rules, pure: who wins an edit (versions), when a pad is open."""

from __future__ import annotations

from datetime import datetime, timedelta

KINDS = ("idea", "question", "insight", "quote")
MAX_TEXT = 2000
MAX_TAGS = 10


class StaleEdit(ValueError):
    """An edit based on a version that is no longer current: the client must see both and decide."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"the note is at version {current_version}")
        self.current_version = current_version


def check_base(current_version: int, base_version: int) -> int:
    """The next version, if the edit was made on the current one; never a silent overwrite."""
    if base_version != current_version:
        raise StaleEdit(current_version)
    return current_version + 1


def pad_open(status: str, last_ended_at: datetime | None, grace_s: int, reopened_until: datetime | None,
             now: datetime) -> bool:
    """Pads take notes while a round runs, for a grace period after it ends, and while the moderator reopened them."""
    if status == "closed":
        return False
    if reopened_until is not None and now < reopened_until:
        return True
    if status in ("running", "paused"):
        return True
    return status in ("moving", "harvest") and last_ended_at is not None and now < last_ended_at + timedelta(
        seconds=grace_s)
