"""The ``worldcafe`` console script: monkey-patches for eventlet before anything else when serving."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Patch first (only for ``worldcafe run`` under eventlet), then hand over to the CLI."""
    if (
        len(sys.argv) > 1
        and sys.argv[1] == "run"
        and (os.environ.get("WORLDCAFE_ASYNC_MODE") or "eventlet") == "eventlet"  # empty counts as unset
    ):
        import warnings

        # eventlet is the product's chosen server (docs/deploy.md); its deprecation notice is known.
        warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    from .cli import cli

    cli()
