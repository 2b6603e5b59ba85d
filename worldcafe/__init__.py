"""worldcafe: run World Café events.

Importing the package stays light (no Flask, no eventlet) so the server entry point can monkey-patch first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app (see ``worldcafe.app``)."""
    from .app import build_app

    return build_app(test_config)
