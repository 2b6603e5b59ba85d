"""Browser tests: Debian's Chromium driven by Playwright against a real `worldcafe run` server process."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import need
from tests.live_server import LiveServer

CHROMIUM = os.environ.get("WORLDCAFE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    need(
        Path(CHROMIUM).exists() or shutil.which("chromium") is not None,
        f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class PageErrors:
    """Collects JavaScript errors and failed requests of pages, so a test fails on a broken script."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.pages: list[Any] = []

    def watch(self, page: Any) -> Any:
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        page.on("console", lambda msg: self._console(page, msg))
        self.pages.append(page)
        return page

    def close(self) -> None:
        """Close the pages' browser contexts. Left open, every page of every test went on running in the one
        session browser (reconnecting to its stopped server, animating): 188 renderer processes and a load average
        of 14 on 2 cores by a third of the suite, measured, and the timed tests after them failed."""
        for context in {id(page.context): page.context for page in self.pages}.values():
            with contextlib.suppress(Exception):  # already closed by the test, or the browser is gone
                context.close()

    def _console(self, page: Any, msg: Any) -> None:
        # A refused API call (4xx) is shown to the user by the page itself; tests provoke some on purpose. So do
        # the tests that take a device offline (set_offline): Chromium logs every reconnect attempt made meanwhile
        # as net::ERR_INTERNET_DISCONNECTED, whether one falls into the offline window depends on timing.
        expected = ("responded with a status of 4", "net::ERR_INTERNET_DISCONNECTED")
        if msg.type == "error" and not any(text in msg.text for text in expected):
            self.errors.append(f"{page.url}: {msg.text}")


@pytest.fixture
def page_errors() -> Iterator[PageErrors]:
    errors = PageErrors()
    yield errors
    errors.close()


def shot(page: Any, name: str) -> None:
    """Save a screenshot for people to look at (test-artifacts/screenshots, also used by docs/guide.md)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 900}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
