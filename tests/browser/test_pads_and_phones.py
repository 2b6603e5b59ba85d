"""The host pad and the phones at their real sizes: pad states, sticky header, feedback, broadcasts that leave,
the join form's Back, and a pad reloaded without Wi-Fi (issue 13)."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import LAPTOP, PHONE, SHOTS, shot
from tests.browser.test_live_flow import create_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABLET_SIZES = [(768, 1024), (1024, 768), (1280, 800)]


def path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def tablet(width: int = 1024, height: int = 768) -> dict:
    return {"viewport": {"width": width, "height": height}, "has_touch": True, "locale": "en"}


def view_shot(page, name: str) -> None:
    """What is on the screen now (not the whole page): for things that must stay in view."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def add(page, text: str) -> None:
    field = page.locator("#note-text")
    field.fill(text)
    field.press("Enter")


@pytest.fixture
def demo(live_server):
    body = create_demo(live_server)
    code = body["event"]["id"]
    moderator = body["links"]["moderator"].rsplit("/", 1)[1]

    def control(action: str, **extra) -> None:
        live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": action, **extra})

    return body, code, moderator, control


def test_the_pad_says_what_the_host_can_do_and_disables_the_input_when_it_cannot(browser, live_server, page_errors,
                                                                              demo):
    body, code, moderator, control = demo
    pad = page_errors.watch(browser.new_context(**tablet(768, 1024)).new_page())
    pad.goto(live_server.url + path(body["links"]["hosts"]["1"]))
    pad.locator("#conn[data-state=live]").wait_for()
    state, field = pad.locator("#pad-state"), pad.locator("#note-text")
    # Before round 1: a clear "not started, get ready", and an input that is disabled and looks it.
    state.wait_for()
    assert state.get_attribute("data-state") == "before"
    assert "has not started yet" in state.inner_text() and "locked" not in state.inner_text()
    assert field.is_disabled() and pad.locator(".add-button").is_disabled()
    assert pad.locator("input[name=kind]").first.is_disabled()
    assert field.get_attribute("placeholder") == "The pad opens when round 1 starts."
    assert field.evaluate("el => getComputedStyle(el).borderStyle") == "dashed"
    shot(pad, "pad-before-round-768")

    control("start_round")
    state.wait_for(state="hidden")
    assert field.is_enabled()
    add(pad, "First idea of round one")
    pad.locator("#notes-now .note:not(.queued)", has_text="First idea").wait_for()

    control("end_round")  # the grace period: the host may finish the last notes
    pad.locator("#pad-state[data-state=grace]").wait_for()
    assert field.is_enabled() and "finish your notes" in state.inner_text()
    shot(pad, "pad-round-over-grace-768")

    live_server.api("POST", f"/api/v1/events/{code}/pads", moderator, {"minutes": 0})  # lock them now
    pad.locator("#pad-state[data-state=locked]").wait_for()
    assert "locked" in state.inner_text() and field.is_disabled()
    assert field.get_attribute("placeholder") == "The pad is locked."
    shot(pad, "pad-locked-768")
    assert page_errors.errors == []


def test_the_pad_header_with_the_timer_stays_in_view_while_scrolling(browser, live_server, page_errors, demo):
    body, _code, _moderator, control = demo
    control("start_round")
    writer = page_errors.watch(browser.new_context(**tablet()).new_page())
    writer.goto(live_server.url + path(body["links"]["hosts"]["1"]))
    writer.locator("#conn[data-state=live]").wait_for()
    for n in range(14):
        add(writer, f"Note number {n} about pilot projects, trust between the partners and what the region offers")
    writer.locator("#outbox-state").wait_for(state="hidden", timeout=15000)
    for width, height in TABLET_SIZES:
        pad = page_errors.watch(browser.new_context(**tablet(width, height)).new_page())
        pad.goto(live_server.url + path(body["links"]["hosts"]["1"]))
        pad.locator("#notes-now .note", has_text="Note number 13").wait_for()
        pad.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        assert pad.evaluate("window.scrollY") > 300  # scrollTo is synchronous
        head = pad.locator(".host-head").bounding_box()
        timer = pad.locator("#host-timer").bounding_box()
        assert abs(head["y"]) <= 1, (width, head)  # stuck to the top, not scrolled away
        assert head["height"] < height * 0.3, (width, head)  # and not eating the screen
        assert timer is not None and timer["y"] >= 0 and timer["y"] + timer["height"] <= head["height"] + 1
        assert pad.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        # The header is on top of the notes, not under them.
        top = pad.evaluate(f"document.elementFromPoint({width // 2}, {int(head['height']) - 5}).closest('.host-head')")
        assert top is not None, width
        view_shot(pad, f"pad-scrolled-{width}x{height}")
    assert page_errors.errors == []


def test_a_note_added_on_another_tab_gives_feedback_and_its_kind_can_be_changed(browser, live_server, page_errors,
                                                                               demo):
    body, code, moderator, control = demo
    control("start_round")
    pad = page_errors.watch(browser.new_context(**tablet()).new_page())
    pad.goto(live_server.url + path(body["links"]["hosts"]["1"]))
    pad.locator("#conn[data-state=live]").wait_for()
    pad.get_by_role("tab", name="Recap for newcomers").click()
    add(pad, "Written while the recap is open")
    toast = pad.locator("#toast")
    toast.wait_for()
    assert "This round" in toast.inner_text()
    assert pad.locator("#now-badge").inner_text().strip() == "+1"
    shot(pad, "pad-note-added-on-recap")
    toast.get_by_role("button", name="Show").click()
    assert pad.get_by_role("tab", name="This round").get_attribute("aria-selected") == "true"
    assert pad.locator("#now-badge").is_hidden()
    note = pad.locator("#notes-now .note", has_text="Written while the recap is open")
    note.wait_for()
    pad.locator("#outbox-state").wait_for(state="hidden")

    note.get_by_role("button", name="Edit").click()
    editor = pad.locator("#notes-now .note").filter(has=pad.locator(".edit-kinds")).first
    editor.locator(".kind-chip", has_text="Insight").click()
    shot(pad, "pad-edit-kind")
    editor.get_by_role("button", name="Save").click()
    pad.locator("#notes-now .note.k-insight", has_text="Written while the recap").wait_for()
    assert pad.locator("#notes-now .note.k-insight .note-kind").inner_text().lower() == "insight"
    notes = live_server.api("GET", f"/api/v1/events/{code}/notes", moderator)["notes"]
    assert [(n["text"], n["kind"]) for n in notes] == [("Written while the recap is open", "insight")]
    assert page_errors.errors == []


def test_broadcasts_expire_are_withdrawn_and_never_reach_late_phones(browser, live_server, page_errors, demo):
    body, code, moderator, control = demo
    url = lambda link: live_server.url + path(link)  # noqa: E731
    console = page_errors.watch(browser.new_context(**LAPTOP, locale="en").new_page())
    console.goto(url(body["links"]["moderator"]))
    phone = page_errors.watch(browser.new_context(**PHONE, locale="en").new_page())
    phone.goto(url(body["links"]["participants"][0]["link"]))
    pad = page_errors.watch(browser.new_context(**tablet(768, 1024)).new_page())
    pad.goto(url(body["links"]["hosts"]["1"]))
    for page in (console, phone, pad):
        page.locator("#conn[data-state=live]").wait_for()

    # A short message leaves by itself.
    live_server.api("POST", f"/api/v1/events/{code}/broadcast", moderator, {"text": "Back in 5 seconds", "seconds": 5})
    for page in (phone, pad):
        page.locator("#broadcast", has_text="Back in 5 seconds").wait_for(timeout=5000)
    sent = time.monotonic()
    for page in (phone, pad):
        page.locator("#broadcast").wait_for(state="hidden", timeout=10000)
    assert 2 < time.monotonic() - sent < 9
    late = page_errors.watch(browser.new_context(**PHONE, locale="en").new_page())
    late.goto(url(body["links"]["participants"][1]["link"]))
    late.locator("#conn[data-state=live]").wait_for()
    late.wait_for_timeout(500)
    assert late.locator("#broadcast").is_hidden()  # an expired message is not news for a late phone

    # The console: send for 10 minutes, see it listed, withdraw it from every device.
    form = console.locator("#broadcast-form")
    form.locator("input[name=text]").fill("Coffee is ready in the foyer")
    form.locator("select[name=seconds]").select_option("600")
    form.get_by_role("button", name="Send").click()
    for page in (phone, pad, late):
        page.locator("#broadcast", has_text="Coffee is ready").wait_for(timeout=5000)
    fresh = page_errors.watch(browser.new_context(**PHONE, locale="en").new_page())
    fresh.goto(url(body["links"]["participants"][2]["link"]))
    fresh.locator("#broadcast", has_text="Coffee is ready").wait_for(timeout=5000)  # on show: a late phone gets it
    item = console.locator("#broadcasts-on-show .on-show-item", has_text="Coffee is ready")
    item.wait_for(timeout=5000)
    assert "to everyone" in item.inner_text()
    item.scroll_into_view_if_needed()
    shot(phone, "phone-broadcast")
    view_shot(console, "console-broadcasts-on-show")
    item.get_by_role("button", name="Withdraw").click()
    for page in (phone, pad, late, fresh):
        page.locator("#broadcast").wait_for(state="hidden", timeout=5000)
    item.wait_for(state="detached", timeout=5000)
    shot(phone, "phone-broadcast-withdrawn")

    # A new round starts clean.
    live_server.api("POST", f"/api/v1/events/{code}/broadcast", moderator, {"text": "Please find your seats"})
    phone.locator("#broadcast", has_text="Please find your seats").wait_for(timeout=5000)
    control("start_round")
    for page in (phone, pad):
        page.locator("#broadcast").wait_for(state="hidden", timeout=5000)
    assert page_errors.errors == []


def test_back_after_a_failed_join_never_asks_to_resubmit(browser, live_server, page_errors, demo):
    body, code, _moderator, _control = demo
    phone = page_errors.watch(browser.new_context(**PHONE, locale="en").new_page())
    posts: list[str] = []
    phone.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    join = f"{live_server.url}/j/{code}"
    phone.goto(join)
    phone.locator("input[name=name]").fill("   ")
    phone.locator(".choice").first.click()
    phone.get_by_role("button", name="Join").click()
    phone.locator(".form-error").wait_for()
    assert phone.url == join  # the answer is a GET of the form (POST-redirect-GET)
    assert phone.locator(".choice input").first.is_checked()  # what was chosen is kept
    shot(phone, "join-refused")
    phone.goto(f"{live_server.url}/")
    back = phone.go_back()
    assert back is not None and back.request.method == "GET" and back.status == 200
    assert phone.url == join and phone.locator("input[name=name]").is_visible()
    assert phone.locator(".form-error").count() == 0  # the reason was for that one answer
    phone.reload()
    assert phone.locator("input[name=name]").is_visible()
    assert len(posts) == 1  # neither Back nor reload sent the form again
    phone.locator("input[name=name]").fill("Walk-in Willa")
    phone.locator(".choice").first.click()
    phone.get_by_role("button", name="Join").click()
    phone.wait_for_url("**/p/**")
    assert page_errors.errors == []


def test_a_pad_reloaded_offline_shows_the_app_with_its_queued_notes(browser, live_server, page_errors, demo):
    body, code, moderator, control = demo
    control("start_round")
    context = browser.new_context(**tablet())
    pad = page_errors.watch(context.new_page())
    link = live_server.url + path(body["links"]["hosts"]["1"])
    token = link.rsplit("/", 1)[1]
    pad.goto(link)
    pad.locator("#conn[data-state=live]").wait_for()
    # The service worker keeps a copy of this page, under a key without the token and without the token inside.
    kept = """async () => {
        const keys = (await (await caches.open("wc-pad-v1")).keys()).map((r) => r.url);
        return keys.some((u) => u.includes("/h/shell/")) && keys.some((u) => u.includes("/static/js/host.js"));
    }"""
    deadline = time.monotonic() + 15
    while not pad.evaluate(kept):
        assert time.monotonic() < deadline, "the service worker kept no copy of the pad"
        pad.wait_for_timeout(200)
    stored = pad.evaluate("""async () => {
        const cache = await caches.open("wc-pad-v1");
        const keys = await cache.keys();
        const shell = keys.find((r) => r.url.includes("/h/shell/"));
        return { keys: keys.map((r) => r.url), html: await (await cache.match(shell)).text() };
    }""")
    assert not any(token in key for key in stored["keys"]) and token not in stored["html"]
    assert not any("/api/" in key or "socket.io/?" in key for key in stored["keys"])
    scope = pad.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
    assert scope == f"{live_server.url}/h/"  # the host pages only: phones, console and screen are not touched

    context.set_offline(True)
    pad.locator("#conn[data-state=offline]").wait_for(timeout=30000)
    add(pad, "Queued before the reload")
    add(pad, "Queued too")
    pad.reload()
    pad.locator("#host").wait_for()
    assert pad.locator("#host").get_attribute("data-token") == ""  # the copy, not the network's page
    pad.locator("#notes-now .note.queued", has_text="Queued before the reload").wait_for()
    assert pad.locator("#notes-now .note.queued").count() == 2
    assert pad.locator("#outbox-state").is_visible() and pad.locator("#note-text").is_enabled()
    assert pad.locator("#conn").get_attribute("data-state") in ("offline", "connecting")
    shot(pad, "pad-offline-reload")
    add(pad, "Written after the offline reload")

    context.set_offline(False)
    pad.locator("#conn[data-state=live]").wait_for(timeout=30000)
    pad.locator("#outbox-state").wait_for(state="hidden", timeout=15000)
    notes = live_server.api("GET", f"/api/v1/events/{code}/notes", moderator)["notes"]
    assert sorted(n["text"] for n in notes) == ["Queued before the reload", "Queued too",
                                                "Written after the offline reload"]
    offline_errors = ("ERR_INTERNET_DISCONNECTED", "net::", "Failed to load resource", "WebSocket")
    assert [e for e in page_errors.errors if not any(s in e for s in offline_errors)] == []
