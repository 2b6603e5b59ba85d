"""Keyboard only (WCAG 2.1.1, 2.4.3, 2.4.7, 2.4.11): a table host writes, re-kinds, edits and stars notes, and the
moderator starts, pauses, resumes and ends a round and opens the help desk's QR dialog — with Tab, Shift+Tab, Enter,
Space, Escape (and the arrow keys inside a radio group, as radio groups work everywhere). Every stop must show its
focus, sit where a person expects it in the order, and not hide under the sticky top bar; a dialog keeps the keyboard
inside and gives it back to the button that opened it.
"""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import LAPTOP, SHOTS, TABLET
from tests.browser.test_live_flow import create_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# What the focused element shows, and whether a person can see it: a ring (outline or shadow) on it or — for an
# input drawn by its label (kind chips, the photo button) — on the label, and not covered by anything (a sticky bar).
FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const drawn = [el];
  const label = el.closest('label');
  if (label) drawn.push(label, ...label.querySelectorAll('span'));
  const ring = drawn.some((node) => {
    const style = getComputedStyle(node);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
  });
  const shown = (label && getComputedStyle(el).opacity === '0') || el.classList.contains('visually-hidden')
    ? label : el;
  const box = shown.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 60),
    ring, covered: !(hit && (shown.contains(hit) || hit.contains(shown) || el.contains(hit))),
    inView: box.bottom > 0 && box.top < innerHeight,
  };
}
"""


def focused(page) -> dict:
    info = page.evaluate(FOCUS_JS)
    assert info is not None, "the keyboard focus fell back to the page's body"
    return info


def assert_visible_focus(page, what: str) -> dict:
    info = focused(page)
    assert info["ring"], f"{what}: no visible focus indicator on {info}"
    assert info["inView"] and not info["covered"], f"{what}: the focused control is out of view or covered: {info}"
    return info


def is_focused(locator, wait_ms: int = 0) -> bool:
    """Whether ``locator`` has the focus (within ``wait_ms``: a control re-rendered by a push may take a moment)."""
    deadline = time.monotonic() + wait_ms / 1000
    while True:
        if locator.count() == 1 and locator.evaluate("el => el === document.activeElement"):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def settled_on(locator) -> bool:
    return is_focused(locator, wait_ms=2000)


def tab_to(page, locator, what: str, key: str = "Tab", limit: int = 40) -> list[dict]:
    """Press Tab (or Shift+Tab) until ``locator`` has the focus; every stop on the way must show its focus."""
    stops = []
    for _ in range(limit):
        # A push may re-draw the control under the focus; the page puts the focus back a moment later.
        if is_focused(locator) or (page.wait_for_timeout(150) is None and is_focused(locator)):
            return stops
        page.keyboard.press(key)
        stops.append(assert_visible_focus(page, f"{what}, stop {len(stops) + 1} (after {stops})"))
    raise AssertionError(f"{what}: not reached with {key} in {limit} presses; stops: {stops}")


def focus_shot(page, name: str) -> None:
    """A picture of the focused control and its surroundings, to look at the focus ring."""
    box = page.evaluate("""() => { const el = document.activeElement.closest('label:has(.visually-hidden)')
        || document.activeElement.closest('.kind-chip') || document.activeElement;
        const r = el.getBoundingClientRect(); return {x: r.left, y: r.top, width: r.width, height: r.height}; }""")
    viewport = page.viewport_size
    x, y = max(0, box["x"] - 40), max(0, box["y"] - 40)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"focus-{name}.png"), clip={
        "x": x, "y": y, "width": min(box["width"] + 80, viewport["width"] - x),
        "height": min(box["height"] + 80, viewport["height"] - y)})


@pytest.fixture
def running_demo(live_server):
    body = create_demo(live_server)
    code = body["event"]["id"]
    moderator = body["links"]["moderator"].rsplit("/", 1)[1]
    return body, code, moderator


def test_host_pad_by_keyboard_only(browser, live_server, page_errors, running_demo):
    body, code, moderator = running_demo
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"})
    tablet = page_errors.watch(browser.new_context(**TABLET, locale="en").new_page())
    tablet.goto(live_server.url + "/" + body["links"]["hosts"]["1"].split("/", 3)[3])
    tablet.locator("#conn[data-state=live]").wait_for()
    field = tablet.locator("#note-text")
    assert is_focused(field), "the pad opens ready to type"

    # The order from the top: language, the kind of the next note, its text, Add, the three lists, the photo.
    tablet.keyboard.press("Shift+Tab")
    assert is_focused(tablet.locator("input[name=kind][value=idea]"))
    focus_shot(tablet, "host-kind-chip")
    tab_to(tablet, tablet.locator(".host-side .lang a").first, "host pad, up to the language switch", "Shift+Tab")
    focus_shot(tablet, "host-language-on-colour")
    expected = [
        tablet.locator(".host-side .lang a").nth(1),
        tablet.locator("input[name=kind][value=idea]"),
        field,
        tablet.get_by_role("button", name="Add"),
        tablet.get_by_role("tab", name="This round"),
        tablet.get_by_role("tab", name="Earlier rounds"),
        tablet.get_by_role("tab", name="Recap for newcomers"),
        tablet.locator("#photo-input"),
    ]
    for n, locator in enumerate(expected, 1):
        tablet.keyboard.press("Tab")
        assert_visible_focus(tablet, f"host pad, tab stop {n}")
        assert is_focused(locator), f"host pad, tab stop {n} is {focused(tablet)}, expected {locator}"
    focus_shot(tablet, "host-photo-button")
    # The lists are tabs: Enter opens one, Home (or the arrows) moves to another and opens it.
    tablet.keyboard.press("Shift+Tab")
    tablet.keyboard.press("Enter")
    assert tablet.locator("#recap").is_visible() and tablet.locator("#notes-now").is_hidden()
    tablet.keyboard.press("Home")
    assert settled_on(tablet.get_by_role("tab", name="This round"))
    assert tablet.get_by_role("tab", name="This round").get_attribute("aria-selected") == "true"
    assert tablet.locator("#notes-now").is_visible()

    # Write a note as a question: back to the kind (Shift+Tab from the text), arrow to Question, Tab, type, Enter.
    tab_to(tablet, field, "host pad, back to the text", "Shift+Tab")
    tablet.keyboard.press("Shift+Tab")
    tablet.keyboard.press("ArrowRight")
    assert tablet.locator("input[name=kind][value=question]").is_checked()
    focus_shot(tablet, "host-kind-question")
    tablet.keyboard.press("Tab")
    assert is_focused(field)
    tablet.keyboard.type("How do we share data safely?")
    tablet.keyboard.press("Enter")
    note = tablet.locator("#notes-now .note", has_text="How do we share data safely?")
    note.wait_for()
    assert "k-question" in note.get_attribute("class")
    assert settled_on(field), "after Enter the field is ready for the next note"
    focus_shot(tablet, "host-note-field")

    # Star it with Space; the keyboard stays on the star while the note re-renders.
    star = note.get_by_role("button", name="☆ Star")
    star.wait_for()  # the server confirmed the note (a queued note has no buttons yet)
    tab_to(tablet, star, "host pad, to the note's star")
    focus_shot(tablet, "host-star")
    tablet.keyboard.press("Space")
    tablet.locator("#notes-now .note.starred").wait_for()
    assert settled_on(tablet.locator("#notes-now .note.starred").get_by_role("button", name="★ Starred"))

    # Edit it: Enter on Edit puts the keyboard in the text; Escape cancels and gives the keyboard back to Edit.
    edit = note.get_by_role("button", name="Edit")
    tab_to(tablet, edit, "host pad, to Edit")
    tablet.keyboard.press("Enter")
    area = tablet.locator("#notes-now .edit-text")
    area.wait_for()
    assert settled_on(area)
    tablet.keyboard.type(" (draft)")
    tablet.keyboard.press("Escape")
    area.wait_for(state="detached")
    assert settled_on(note.get_by_role("button", name="Edit")), f"after Escape: {focused(tablet)}"
    assert "(draft)" not in note.inner_text()
    # Again, now saving: select all, type, Tab to Save, Enter.
    tablet.keyboard.press("Enter")
    area.wait_for()
    tablet.keyboard.press("Control+A")
    tablet.keyboard.type("How do we share data safely and fairly?")
    focus_shot(tablet, "host-edit-text")
    tablet.keyboard.press("Tab")
    assert is_focused(tablet.locator("#notes-now").get_by_role("button", name="Save"))
    focus_shot(tablet, "host-save")
    tablet.keyboard.press("Enter")
    edited = tablet.locator("#notes-now .note", has_text="safely and fairly?")
    edited.wait_for()
    assert settled_on(edited.get_by_role("button", name="Edit")), f"after Save: {focused(tablet)}"
    # A note from the topic's other table re-draws the lists: the keyboard stays where it was.
    other = page_errors.watch(browser.new_context(**TABLET, locale="en").new_page())
    other.goto(live_server.url + "/" + body["links"]["hosts"]["2"].split("/", 3)[3])
    other.locator("#conn[data-state=live]").wait_for()
    other.locator("#note-text").fill("From table two")
    other.locator("#note-text").press("Enter")
    tablet.locator("#notes-earlier .note", has_text="From table two").wait_for(state="attached")
    assert settled_on(edited.get_by_role("button", name="Edit")), f"after a push: {focused(tablet)}"
    assert page_errors.errors == []


def test_console_by_keyboard_only(browser, live_server, page_errors, running_demo):
    body, code, moderator = running_demo
    laptop = page_errors.watch(browser.new_context(**LAPTOP, locale="en").new_page())
    laptop.goto(live_server.url + "/" + body["links"]["moderator"].split("/", 3)[3])
    laptop.locator("#conn[data-state=live]").wait_for()
    control = laptop.locator("#ctl-buttons")

    # From the top: the console's links, the language, then the round's first control.
    expected = [
        laptop.get_by_role("link", name="Links & QR codes"),
        laptop.get_by_role("link", name="Print table cards"),
        laptop.get_by_role("link", name="Print participant cards"),
        laptop.get_by_role("link", name="Seating list A–Z"),
        laptop.locator(".topbar .lang a").nth(0),
        laptop.locator(".topbar .lang a").nth(1),
        control.get_by_role("button", name="Start round 1"),
    ]
    for n, locator in enumerate(expected, 1):
        laptop.keyboard.press("Tab")
        assert_visible_focus(laptop, f"console, tab stop {n}")
        assert is_focused(locator), f"console, tab stop {n} is {focused(laptop)}, expected {locator}"
    focus_shot(laptop, "console-start")

    # Start (Enter): the keyboard moves on to Pause; Pause (Space) → Resume; Resume (Enter) → Pause.
    laptop.keyboard.press("Enter")
    laptop.locator("#toast", has_text="Round 1 started").wait_for()
    pause = control.get_by_role("button", name="Pause")
    pause.wait_for()
    assert settled_on(pause), f"after Start: {focused(laptop)}"
    focus_shot(laptop, "console-pause")
    laptop.keyboard.press("Space")
    resume = control.get_by_role("button", name="Resume")
    resume.wait_for()
    assert settled_on(resume), f"after Pause: {focused(laptop)}"
    laptop.keyboard.press("Enter")
    pause.wait_for()
    assert settled_on(pause), f"after Resume: {focused(laptop)}"

    # +1 min keeps the keyboard on +1 min; then on to End round 1, confirmed in the browser's own dialog.
    tab_to(laptop, control.get_by_role("button", name="+1 min"), "console, to +1 min")
    laptop.keyboard.press("Enter")
    laptop.locator("#toast", has_text="Time changed for round 1").wait_for()
    assert settled_on(control.get_by_role("button", name="+1 min"))
    end = control.get_by_role("button", name="End round 1")
    tab_to(laptop, end, "console, to End round 1")
    focus_shot(laptop, "console-end-round")
    laptop.once("dialog", lambda dialog: dialog.accept())
    laptop.keyboard.press("Enter")
    start_2 = control.get_by_role("button", name="Start round 2")
    start_2.wait_for()
    assert settled_on(start_2), f"after End round: {focused(laptop)}"

    # The help desk: find a person, open their QR code; the dialog keeps the keyboard, Escape gives it back.
    search = laptop.locator("#help-search")
    tab_to(laptop, search, "console, to the help desk's search")
    laptop.keyboard.type("Emily")
    show = laptop.locator("#help-results li").first.get_by_role("button")
    show.wait_for()
    tab_to(laptop, show, "console, to Show QR code")
    laptop.keyboard.press("Enter")
    dialog = laptop.locator("#qr-dialog[open]")
    dialog.wait_for()
    for n in range(6):
        assert dialog.evaluate("d => d.contains(document.activeElement)"), f"dialog, stop {n}: {focused(laptop)}"
        assert_visible_focus(laptop, f"dialog, stop {n}")
        if n == 0:
            focus_shot(laptop, "console-dialog")
        laptop.keyboard.press("Tab")
    laptop.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert settled_on(show), f"after closing the dialog: {focused(laptop)}"
    # And the Close button closes it too (Space), with the same return.
    laptop.keyboard.press("Enter")
    dialog.wait_for()
    tab_to(laptop, laptop.locator("#qr-close"), "dialog, to Close")
    laptop.keyboard.press("Space")
    dialog.wait_for(state="hidden")
    assert settled_on(show)
    assert page_errors.errors == []
