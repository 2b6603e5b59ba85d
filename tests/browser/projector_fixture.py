"""A worst-case event for the projector: a long name, 400 people with long names, long notes from many tables."""

from __future__ import annotations

import uuid
from typing import Any

import socketio

from tests.live_server import LiveServer, wait_for

LONG_NAME = ("Zukunftswerkstatt Mittelstand und Forschung: Künstliche Intelligenz, Arbeit und Digitalisierung in "
             "Ostwestfalen-Lippe und Kanada — Jahrestreffen 2026")
TOPICS = [
    {"title": "KI in der Produktentwicklung", "question": "Wo hilft KI schon heute?"},
    {"title": "Zukunft der Arbeit", "question": "Was ändert sich in fünf Jahren?"},
    {"title": "Digital in NRW – Kompetenzzentrum für den Mittelstand", "question": "Was braucht ein KMU?"},
    {"title": "Datenräume und Datenschutz", "question": "Wer teilt welche Daten?"},
]
FIRST = ["Anna", "Ben", "Chloé", "Dmitri", "Emily", "Fatima", "Georg", "Hannah", "Ingrid", "Jan", "Klaus", "Lena",
         "Mohammed", "Nora", "Olivier", "Paula", "Quentin", "Rosa", "Sebastian", "Tanja", "Uwe", "Valérie",
         "Wolfgang", "Xenia", "Yusuf", "Zoë", "Anne-Kathrin", "Maximilian", "Marie-Christine", "Jean-Baptiste"]
LAST = ["Müller", "Tremblay", "Schmidt", "Gagnon", "Schneider", "Roy", "Fischer", "Côté", "Weber", "Bouchard",
        "Meyer", "Gauthier", "Wagner", "Morin", "Becker", "Lavoie", "Hoffmann-Leutheusser", "Fortin",
        "von Hohenzollern-Sigmaringen", "Nguyen"]
LONG_NOTE = ("Pilotprojekte mit kanadischen Partnern senken die Einstiegshürde für kleine und mittlere Unternehmen "
             "erheblich, wenn Förderprogramme, Datenschutzregeln und Ansprechpartner von Anfang an geklärt sind; "
             "sonst versanden gute Ideen zwischen Antrag und Umsetzung. ") * 6 + "https://example.org/" + "x" * 300


def big_spec(language: str = "de", people: int = 400) -> dict[str, Any]:
    """80 tables of 5 under four topics, ``people`` participants with long names (a few very long), 3 rounds."""
    names = [f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST) + i) % len(LAST)]}" for i in range(people)]
    names[7] = "Maria-Magdalena Anastasia von Hohenzollern-Sigmaringen-Veringen"
    names = [f"{name} {i // (len(FIRST) * len(LAST))}" if i >= len(FIRST) * len(LAST) else name
             for i, name in enumerate(names)]
    tables = [{"number": n, "topic": (n - 1) % len(TOPICS) + 1, "capacity": 5} for n in range(1, people // 5 + 1)]
    return {
        "name": LONG_NAME,
        "language": language,
        "groups": ["Kanada", "OWL"],
        "joining_open": True,
        "rounds": [{"minutes": 20}] * 3,
        "topics": TOPICS,
        "tables": tables,
        "participants": [{"name": name, "group": "Kanada" if i % 3 else "OWL"} for i, name in enumerate(names)],
    }


def host_call(server: LiveServer, token: str, notes: list[dict[str, Any]]) -> None:
    """Add notes as a table host over a real socket (the pad's way), each acknowledged."""
    client = socketio.Client(reconnection=False)
    got: list[str] = []
    client.on("*", lambda name, data=None: got.append(name))
    client.connect(server.url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    try:
        wait_for(lambda: any(n in ("snapshot", "synced") for n in got), 10, "the host's catch-up")
        for note in notes:
            ack = client.call("add_note", {"id": str(uuid.uuid4()), **note}, timeout=10)
            assert ack["ok"], ack
    finally:
        client.disconnect()


def add_notes(server: LiveServer, created: dict[str, Any]) -> None:
    """A long note and some ordinary ones at the first tables of every topic."""
    hosts = created["links"]["hosts"]
    token = {int(number): link.rsplit("/", 1)[1] for number, link in hosts.items()}
    host_call(server, token[1], [{"text": LONG_NOTE}, {"text": "Datenschutz früh klären"},
                                 {"text": "Förderprogramme sind zu kompliziert für kleine Firmen"}])
    host_call(server, token[2], [{"text": "Weiterbildung muss im Betrieb passieren, nicht daneben"},
                                 {"text": "Weiterbildung und Datenschutz " * 30}])
    host_call(server, token[3], [{"text": "Ein Kompetenzzentrum als erste Anlaufstelle für Mittelständler"}])
    host_call(server, token[4], [{"text": "Datenräume brauchen Vertrauen und klare Regeln für Datenschutz"}])
    host_call(server, token[5], [{"text": "Prototypen mit KI in Wochen statt Monaten"}])
