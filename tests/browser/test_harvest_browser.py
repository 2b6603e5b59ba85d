"""The harvest as a facilitator runs it: themes shaped on the console, a shortlist on the phones, votes back on the
console, and a shared summary that fits a phone and prints without near-empty pages."""

from __future__ import annotations

import re
import uuid

import pytest
import socketio

from tests.browser.conftest import SHOTS, shot
from tests.live_server import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOPICS = [
    {"title": "KI in der Produktentwicklung", "question": "Wo hilft KI schon heute?"},
    {"title": "Zukunft der Arbeit", "question": "Was ändert sich für Fachkräfte?"},
    {"title": "Digital in NRW", "question": "Was braucht der Mittelstand?"},
]
# (table, round, text, starred): recurring points in different forms ("Förderprogramme", "Programmen"), an adjective
# that used to become a theme ("Gemeinsamer"), hashtags, a very long compound.
NOTES = [
    (1, 1, "Gemeinsame Förderprogramme über den Atlantik #förderung", True),
    (2, 1, "Datenschutz bei KI-Projekten früh klären #datenschutz", False),
    (3, 1, "Pilotprojekte mit kanadischen Partnern starten", True),
    (1, 2, "Mehr Programme für den Austausch von Fachkräften", False),
    (2, 2, "Datenschutz als Standortvorteil erklären", True),
    (3, 2, "Gemeinsamer Austausch zwischen Hochschulen und Unternehmen", False),
    (4, 1, "Fachkräfte aus Kanada schneller anerkennen", False),
    (5, 1, "Anerkennung der Abschlüsse dauert zu lange", True),
    (6, 1, "Arbeitszeitflexibilisierungsvereinbarungsverhandlungen", False),
    (4, 2, "Weiterbildung für Fachkräfte in kleinen Firmen", False),
    (5, 2, "Homeoffice über Zeitzonen hinweg organisieren", False),
    (6, 2, "Anerkennung von Abschlüssen digitalisieren", False),
    (7, 1, "Breitband im ländlichen Raum fehlt", False),
    (8, 1, "Digitale Verwaltung für Gründungen", True),
    (9, 1, "Breitband und digitale Verwaltung gehören zusammen", False),
    (7, 2, "Förderprogramme für den Mittelstand vereinfachen", False),
    (8, 2, "Breitbandausbau beschleunigen", False),
    (9, 2, "Verwaltung digital und auf Englisch", False),
]


def run_the_cafe(live_server):
    created = live_server.api("POST", "/api/v1/events", body={
        "name": "Canada meets OWL", "language": "de", "timezone": "Europe/Berlin", "groups": ["Kanada", "OWL"],
        "rounds": [{"minutes": 20}] * 3, "topics": TOPICS,
        "tables": [{"number": n, "topic": (n - 1) // 3 + 1, "capacity": 5} for n in range(1, 10)],
        "participants": [{"name": f"Person {i}", "group": ["Kanada", "OWL"][i % 2]} for i in range(1, 19)],
    }, timeout=30)
    code = created["event"]["id"]
    moderator = created["links"]["moderator"].rsplit("/", 1)[1]
    hosts = {int(n): link.rsplit("/", 1)[1] for n, link in created["links"]["hosts"].items()}
    person = next(p["link"] for p in created["links"]["participants"] if p["name"] == "Person 1").rsplit("/", 1)[1]
    clients = {}
    try:
        for number in {table for table, _r, _t, _s in NOTES}:
            client = socketio.Client(reconnection=False)
            client.connect(live_server.url, auth={"token": hosts[number]}, transports=["websocket"], wait_timeout=10)
            clients[number] = client
        for round_number in (1, 2):
            live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_round"},
                            timeout=60)
            for table, round_, text, starred in NOTES:
                if round_ != round_number:
                    continue
                ack = clients[table].call("add_note", {"id": str(uuid.uuid4()), "text": text}, timeout=30)
                assert ack["ok"], ack
                if starred:
                    clients[table].call("edit_note", {"id": ack["note"]["id"], "base_version": 1, "starred": True},
                                        timeout=30)
            live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "end_round"},
                            timeout=60)
    finally:
        for client in clients.values():
            client.disconnect()
    live_server.api("POST", f"/api/v1/events/{code}/control", moderator, {"action": "start_harvest"}, timeout=60)
    return code, moderator, person


def test_the_harvest_from_themes_to_votes_to_a_summary_on_a_phone(browser, live_server, page_errors):
    code, moderator, person = run_the_cafe(live_server)

    console = page_errors.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
    console.set_default_timeout(60_000)  # the themes are worked out on the server: give a busy machine time
    console.goto(f"{live_server.url}/m/{moderator}?lang=de")
    panel = console.locator("#harvest-panel")
    panel.locator("summary").click()
    themes = panel.locator("#harvest-themes")
    themes.locator(".theme-row").first.wait_for()
    labels = themes.locator(".theme-label strong").all_inner_texts()
    # Nouns in their base form, never an inflected word or an adjective.
    assert "Förderprogramm" in labels or "Programm" in labels, labels
    assert "Breitband" in labels and "Anerkennung" in labels, labels
    assert not {"Atlantiks", "Gemeinsamer", "Gemeinsame", "Programme", "Förderprogramme"} & set(labels), labels
    assert "2 Tische" in themes.inner_text() and "1 Tische" not in themes.inner_text()

    # Rename one theme, hide another.
    row = themes.locator(".theme-row", has=console.locator("strong", has_text=re.compile("^Breitband$")))
    row.get_by_role("button", name="Umbenennen").click()
    themes.locator(".theme-rename input").fill("Schnelles Internet")
    themes.locator(".theme-rename").get_by_role("button", name="Speichern").click()
    themes.locator("strong", has_text="Schnelles Internet").wait_for()
    # A noun phrase ("digitale Verwaltung" at two tables in three conversations) is labelled as people wrote it.
    row = themes.locator(".theme-row", has=console.locator("strong", has_text=re.compile("^Digitale Verwaltung$")))
    row.get_by_role("button", name="Ausblenden").click()
    panel.locator("#harvest-edits", has_text="Digitale Verwaltung ist ausgeblendet").wait_for()

    # Shortlist two of the starred notes.
    candidates = panel.locator("#harvest-candidates")
    candidates.get_by_label(re.compile("Datenschutz als Standortvorteil")).check()
    candidates.get_by_label(re.compile("Anerkennung der Abschlüsse")).check()
    candidates.get_by_role("button", name="Über die angehakten Notizen abstimmen").click()
    panel.locator("#harvest-shortlist-state", has_text="2 gewählten Notizen").wait_for()
    shot(console, "harvest-console")
    # docs/guide.md shows the panel: without the toast, and without the sticky header drawn over its top.
    console.locator("#toast").wait_for(state="hidden")
    console.evaluate("document.querySelector('.topbar').style.position = 'static'")
    SHOTS.mkdir(parents=True, exist_ok=True)
    panel.screenshot(path=str(SHOTS / "guide-harvest-console.png"))

    phone = page_errors.watch(browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True,
                                               has_touch=True))
    phone.goto(f"{live_server.url}/p/{person}?lang=de")
    ballot = phone.locator("ol.ballot")
    ballot.wait_for()
    wait_for(lambda: ballot.locator(".ballot-item").count() == 2, 10, "the shortlist on the phone")
    texts = ballot.locator(".ballot-text").all_inner_texts()
    assert sorted(texts) == ["Anerkennung der Abschlüsse dauert zu lange", "Datenschutz als Standortvorteil erklären"]
    item = ballot.locator(".ballot-item", has_text="Datenschutz")
    item.get_by_role("button", name=re.compile("Punkt mehr|One more")).click()
    shot(phone, "harvest-phone-ballot")
    # The dot arrives on the console live.
    panel.locator(".vote-results li", has_text="Datenschutz").locator(".vote-count", has_text="1 Stimme").wait_for()

    # The shared summary on a phone: no horizontal scrolling, the counts read as German.
    shared = live_server.api("POST", f"/api/v1/events/{code}/share", moderator, {"enabled": True}, timeout=60)
    reader = page_errors.watch(browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True))
    reader.goto(shared["link"].replace(re.match(r"https?://[^/]+", shared["link"]).group(0), live_server.url))
    reader.locator("h1").wait_for()
    width = reader.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the shared summary is {width} px wide on a 390 px phone"
    body = reader.locator("body").inner_text()
    assert "Schnelles Internet" in body and "18 Notizen · 3 Themen · 9 Tische" in body
    assert "Uhrzeiten in Europe/Berlin" in body
    shot(reader, "harvest-summary-phone")

    # Printed: the topics run on (no page per topic); every page carries a fair share of text.
    summary = page_errors.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
    summary.goto(f"{live_server.url}/m/{moderator}/summary")
    summary.emulate_media(media="print")
    pdf = summary.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "harvest-summary.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 5, pages  # a page per topic and per section made 8
    assert page_errors.errors == []
