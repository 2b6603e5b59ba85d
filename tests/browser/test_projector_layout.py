"""The projector at 1280×720, 1920×1080 and 3840×2160 with a worst-case event: nothing overflows, overlaps or jumps.

One event of 400 people with a long name and long notes is shown on three projectors at once, through every mode:
welcome, a round (ticker and themes), a broadcast, the last two minutes, time-up, and "find your table" paged A–Z.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest

from tests.browser.conftest import shot
from tests.browser.projector_fixture import add_notes, big_spec

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = [(1280, 720), (1920, 1080), (3840, 2160)]

# The boxes of text a projector shows; none may overlap another, leave the window or reach under the join QR.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > innerWidth) problems.push(`scrolls sideways: ${doc.scrollWidth} > ${innerWidth}`);
  if (doc.scrollHeight > innerHeight) problems.push(`scrolls down: ${doc.scrollHeight} > ${innerHeight}`);
  const selectors = [".screen-title", ".screen-round", ".screen-tools", ".screen-message", ".big-timer",
    ".timer-status", "#topics-round > li", "#ticker > li", ".themes-box", ".find-title", ".find-page", ".find-hint",
    "#find-list > li", ".counters", "#topics > li", "#bars > li", "#harvest-topics > li", ".end-text"];
  const visible = (el) => {
    if (el.closest("[hidden]")) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const boxes = [];
  for (const selector of selectors) {
    document.querySelectorAll(selector).forEach((el, i) => {
      if (visible(el)) boxes.push({ name: `${selector}[${i}]`, el, r: el.getBoundingClientRect() });
    });
  }
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (const box of boxes) {
    const r = box.r;
    if (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1) {
      problems.push(`${box.name} leaves the window: ${JSON.stringify(r)}`);
    }
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (overlap(boxes[i].r, boxes[j].r)) problems.push(`${boxes[i].name} overlaps ${boxes[j].name}`);
    }
  }
  const join = document.getElementById("join-box");
  if (visible(join)) {
    const q = join.getBoundingClientRect();
    for (const box of boxes) if (overlap(box.r, q)) problems.push(`${box.name} is under the join QR`);
  }
  // A name on the "find your table" list is never cut: its box holds all of it.
  document.querySelectorAll("#find-list > li").forEach((li) => {
    if (li.scrollHeight > li.clientHeight + 1 || li.scrollWidth > li.clientWidth + 1) {
      problems.push(`name cut short: ${li.textContent}`);
    }
  });
  // A long note: two lines and "…" inside its own box.
  document.querySelectorAll("#ticker .ticker-text").forEach((text) => {
    const lines = text.getBoundingClientRect().height / parseFloat(getComputedStyle(text).lineHeight);
    if (text.closest("li:not([hidden])") && lines > 2.05) problems.push(`a note takes ${lines.toFixed(1)} lines`);
  });
  const title = document.querySelector(".screen-title");
  const line = parseFloat(getComputedStyle(title).lineHeight);
  if (title.getBoundingClientRect().height > 2 * line + 2) problems.push("the event name takes more than two lines");
  return problems;
}"""

FIXED_BOXES = """() => ["#big-timer", "#topics-round", "#ticker", ".themes-box", "#join-box"].map((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return [s, Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)];
})"""


def problems(page: Any) -> list[str]:
    return page.evaluate(LAYOUT_PROBLEMS)


def assert_clean(pages: dict[str, Any], mode: str) -> None:
    for label, page in pages.items():
        found = problems(page)
        assert found == [], f"{mode} at {label}: {found}"


IN_VIEW = """(s) => { const r = document.querySelector(s).getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0
    && r.bottom <= innerHeight && r.right <= innerWidth; }"""


def in_view(page: Any, selector: str) -> bool:
    return bool(page.evaluate(IN_VIEW, selector))


def test_projector_layout_holds_for_400_people_long_names_and_long_notes(browser, live_server, page_errors):
    spec = big_spec()
    created = live_server.api("POST", "/api/v1/events", body=spec, timeout=60)
    code = created["event"]["id"]
    moderator = created["links"]["moderator"].rsplit("/", 1)[1]
    screen_path = "/" + created["links"]["screen"].split("/", 3)[3]
    pages = {}
    for width, height in SIZES:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en")
        page = page_errors.watch(context.new_page())
        page.goto(live_server.url + screen_path)
        pages[f"{width}x{height}"] = page
    for label, page in pages.items():
        page.locator("#conn[data-state=live]").wait_for()
        # The big join code for people who cannot scan, in one piece.
        code_box = page.locator("#join-code")
        assert code_box.inner_text() == code
        assert code_box.evaluate("(el) => el.getClientRects().length") == 1
        shot(page, f"projector-welcome-{label}")
    assert_clean(pages, "welcome")

    def control(body: dict[str, Any]) -> None:
        live_server.api("POST", f"/api/v1/events/{code}/control", moderator, body, timeout=60)

    control({"action": "start_round"})
    add_notes(live_server, created)
    for label, page in pages.items():
        page.locator("#ticker li").first.wait_for()
        page.locator(".theme-term").first.wait_for(timeout=45000)  # themes are worked out every 5 s, off the loop
        assert in_view(page, ".themes-box"), label
        shot(page, f"projector-round-{label}")
    assert_clean(pages, "round")

    # The ticker turns to the next topic every 8 s: no box moves or changes size.
    before = {label: page.evaluate(FIXED_BOXES) for label, page in pages.items()}
    topics_before = {label: page.locator("#themes-title").inner_text() for label, page in pages.items()}
    # Polled from here: a predicate string for wait_for_function is eval'd in the page, which its CSP forbids.
    title = pages["1920x1080"].locator("#themes-title")
    for _ in range(60):
        if title.inner_text() != topics_before["1920x1080"]:
            break
        pages["1920x1080"].wait_for_timeout(200)
    assert title.inner_text() != topics_before["1920x1080"], "the ticker never turned to the next topic"
    for label, page in pages.items():
        assert page.evaluate(FIXED_BOXES) == before[label], f"the layout moved at {label}"
    assert_clean(pages, "round after the ticker turned")

    # A broadcast is a banner: the timer stays in view.
    live_server.api("POST", f"/api/v1/events/{code}/broadcast", moderator,
                    {"text": "Kaffee steht im Foyer bereit. Bitte um 11:15 Uhr zur zweiten Runde zurück — " * 3})
    for label, page in pages.items():
        page.locator("#screen-message:not([hidden])").wait_for()
        assert in_view(page, "#big-timer") and in_view(page, ".themes-box"), label
        shot(page, f"projector-broadcast-{label}")
    assert_clean(pages, "broadcast")

    # The last two minutes, then time-up: the big 0:00 never covers the event name.
    control({"action": "extend", "seconds": -(20 * 60 - 118)})
    for label, page in pages.items():
        page.locator("#timer-signal[data-on=true]").wait_for()
        assert page.locator("#big-timer").get_attribute("data-final") == "true"
        shot(page, f"projector-two-minutes-{label}")
    control({"action": "extend", "seconds": -200})
    for label, page in pages.items():
        page.locator("#big-timer:text-is('0:00')").wait_for()
        page.locator("#timer-signal", has_text=re.compile(r"\S")).wait_for()
        shot(page, f"projector-time-up-{label}")
    assert_clean(pages, "time-up")

    # Between rounds: all 400 names A–Z, page after page, none cut short, clear of the QR.
    control({"action": "end_round"})
    for label, page in pages.items():
        page.locator("#find-list li").first.wait_for()
        page.locator("#find-page", has_text=re.compile(r"\d")).wait_for()
        seen: list[str] = []
        count = int(re.findall(r"\d+", page.locator("#find-page").inner_text())[-1])
        assert count >= 2
        for number in range(count):
            assert_clean({label: page}, f"find your table, page {number + 1}")
            if number == 0:
                shot(page, f"projector-find-{label}")
            seen += page.locator("#find-list .find-name").all_inner_texts()
            page.keyboard.press("ArrowRight")
        expected = [p["name"] for p in spec["participants"]]
        assert len(seen) == 400 and sorted(seen) == sorted(expected), label
        initials = [unicodedata.normalize("NFD", name)[0].casefold() for name in seen]
        assert initials == sorted(initials), f"not A–Z at {label}"
    assert page_errors.errors == []
