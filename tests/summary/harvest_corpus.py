"""Realistic café notes in German and English: 3 topics, 9 tables, 3 rounds, with points we know recur."""

from __future__ import annotations

from typing import Any

# (topic position, table, round, kind, text, starred)
GERMAN_NOTES: list[tuple[int, int, int, str, str, bool]] = [
    # Topic 1: Bildung & Jugend (tables 1-3). The exchange point, three tables, three ways of saying it:
    (1, 1, 1, "idea", "Schüleraustausch zwischen Gymnasien in Kanada und OWL ausbauen", True),
    (1, 2, 2, "idea", "Mehr Austausch für Auszubildende, nicht nur für Studierende", False),
    (1, 3, 3, "insight", "Austauschprogramme für Berufsschulen sind bisher kaum bekannt", True),
    (1, 1, 1, "idea", "Sprachkurse schon in der Grundschule anbieten", False),
    (1, 2, 1, "insight", "Die Sprache ist die größte Hürde, wirklich", False),
    (1, 3, 2, "idea", "Sprachbarrieren abbauen durch Tandems", False),
    (1, 1, 2, "question", "Wer bezahlt die Flüge für Lehrkräfte?", False),
    (1, 2, 3, "idea", "Sehr gut, mehr davon!", False),
    (1, 3, 1, "quote", "Also ich finde das wirklich wichtig.", False),
    (1, 1, 3, "idea", "Digitale Klassenzimmer verbinden: gemeinsamer Unterricht per Video", False),
    (1, 2, 2, "idea", "Netzwerk der Partnerschulen aufbauen", False),
    (1, 3, 3, "idea", "Netzwerk für Lehrkräfte mit regelmäßigen Treffen", False),
    # Topic 2: Wirtschaft & Fachkräfte (tables 4-6). Recognition of qualifications at three tables:
    (2, 4, 1, "insight", "Anerkennung ausländischer Abschlüsse dauert viel zu lange", True),
    (2, 5, 2, "idea", "Berufsabschlüsse schneller anerkennen", False),
    (2, 6, 3, "idea", "Anerkennungsverfahren digital und einfach machen", False),
    (2, 4, 2, "idea", "Netzwerk für Gründerinnen aus beiden Regionen", True),
    (2, 5, 1, "idea", "Gemeinsame Messe für Mittelstand und Start-ups", False),
    (2, 6, 1, "question", "Wie finden kanadische Firmen Partner in OWL?", False),
    (2, 4, 3, "idea", "Mehr Praktika in kanadischen Unternehmen", False),
    (2, 5, 3, "insight", "Fachkräfte bleiben, wenn die Familie ankommt", False),
    (2, 6, 2, "idea", "Also wirklich gut, sehr wichtig", False),
    (2, 4, 1, "idea", "Mentoring durch erfahrene Unternehmerinnen", False),
    (2, 5, 2, "quote", "Ohne Netzwerk kein Auftrag", False),
    (2, 6, 3, "idea", "Fachkräfte aus Kanada gezielt ansprechen", False),
    # Topic 3: Leben & Ankommen (tables 7-9). Housing at three tables; a near-duplicate pair:
    (3, 7, 1, "insight", "Wohnungssuche für Neuankommende ist das größte Problem", True),
    (3, 8, 2, "idea", "Bezahlbare Wohnungen fehlen in Bielefeld", False),
    (3, 9, 3, "idea", "Hilfe bei der Wohnung: Paten vermitteln", False),
    (3, 7, 2, "idea", "Patenschaften für neue Familien organisieren", False),
    (3, 8, 3, "idea", "Patenschaften für neue Familen organisieren!", False),
    (3, 9, 1, "idea", "Willkommenstreffen im Rathaus jeden Monat", False),
    (3, 7, 3, "question", "Gibt es Kitaplätze für Kinder ohne Deutschkenntnisse?", False),
    (3, 8, 1, "idea", "Sehr gut, mehr Begegnung, also wirklich", False),
    (3, 9, 2, "insight", "Vereine sind der beste Ort zum Ankommen", False),
    (3, 7, 1, "idea", "Sportvereine als Türöffner nutzen", False),
    (3, 8, 2, "idea", "Netzwerk der Vereine in OWL stärken", False),
    (3, 9, 3, "idea", "Kanadische Küche beim Stadtfest", False),
]

ENGLISH_NOTES: list[tuple[int, int, int, str, str, bool]] = [
    # Topic 1: Safe streets (tables 1-3). Protected lanes, three tables, different words:
    (1, 1, 1, "idea", "Protected bike lanes on the ring road", True),
    (1, 2, 2, "idea", "We really need separated cycle lanes, not paint", False),
    (1, 3, 3, "insight", "Painted lanes next to parked cars feel dangerous", True),
    (1, 1, 2, "idea", "20 mph speed limit outside every school", False),
    (1, 2, 3, "idea", "Lower speed limits on residential streets", False),
    (1, 3, 1, "question", "Who enforces the speed limits at night?", False),
    (1, 1, 3, "idea", "Better lighting in the underpasses", False),
    (1, 2, 1, "quote", "It's a good thing, really, we need more of it", False),
    (1, 3, 2, "idea", "Really good, more please", False),
    (1, 1, 1, "idea", "Junction redesign at Station Square", False),
    (1, 2, 2, "idea", "Secure bike parking at the station", False),
    (1, 3, 3, "idea", "Bike parking near the market hall", False),
    # Topic 2: Getting kids moving (tables 4-6):
    (2, 4, 1, "idea", "Walking bus to primary school twice a week", True),
    (2, 5, 2, "idea", "Safe routes to school mapped with the children", False),
    (2, 6, 3, "insight", "Parents drive because the school run feels unsafe", False),
    (2, 4, 2, "idea", "Cycle training for every pupil in year five", False),
    (2, 5, 3, "idea", "Bikeability courses in the summer holidays", False),
    (2, 6, 1, "question", "Can the council lend bikes to families?", False),
    (2, 4, 3, "idea", "Bike library run by volunteers", False),
    (2, 5, 1, "idea", "Secure bike parking at every school gate", False),
    (2, 6, 2, "idea", "Good idea, really, more of that", False),
    (2, 4, 1, "quote", "My daughter wants to cycle but I am scared", False),
    (2, 5, 2, "idea", "School streets closed to cars at drop-off", False),
    (2, 6, 3, "idea", "Scooter racks next to the playground", False),
    # Topic 3: Funding & the council (tables 7-9):
    (3, 7, 1, "idea", "Ring-fenced budget for cycling infrastructure", True),
    (3, 8, 2, "idea", "Publish the transport budget split every year", False),
    (3, 9, 3, "idea", "Participatory budgeting pilot for neighbourhood schemes", False),
    (3, 7, 2, "insight", "Residents trust data more than promises", False),
    (3, 8, 3, "idea", "Open data dashboard of collisions and counts", False),
    (3, 9, 1, "question", "How do we match government grants?", False),
    (3, 7, 3, "idea", "Annual public review of progress", False),
    (3, 8, 1, "idea", "Monthly community ride with councillors", False),
    (3, 9, 2, "idea", "Monthly community ride with the councillors!", False),
    (3, 7, 1, "idea", "Thing is, we need more, really", False),
    (3, 8, 2, "idea", "Bike parking budget for the high street", False),
    (3, 9, 3, "idea", "Local businesses sponsor bike parking", False),
]


def event_data(language: str) -> dict[str, Any]:
    """The plain data the app hands to ``build_summary`` for a German or an English event."""
    if language == "de":
        notes, name, groups = GERMAN_NOTES, "Canada meets OWL", ["Kanada", "OWL"]
        titles = [("Bildung & Jugend", "Wie lernen junge Menschen voneinander?"),
                  ("Wirtschaft & Fachkräfte", "Was hilft Firmen auf beiden Seiten?"),
                  ("Leben & Ankommen", "Was braucht es, um anzukommen?")]
    else:
        notes, name, groups = ENGLISH_NOTES, "Cycling City Forum", ["Residents", "Council"]
        titles = [("Safe streets", "What makes a street feel safe?"),
                  ("Getting kids moving", "How do children get to school on foot or by bike?"),
                  ("Funding and the council", "Who pays, and how do we see progress?")]
    colours = [("blue", "#0072B2"), ("orange", "#E69F00"), ("green", "#009E73")]
    topics = [{"position": p + 1, "title": title, "question": question, "colour": colours[p][0],
               "colour_hex": colours[p][1], "tables": [3 * p + 1, 3 * p + 2, 3 * p + 3]}
              for p, (title, question) in enumerate(titles)]
    note_dicts = []
    for n, (topic, table, round_no, kind, text, starred) in enumerate(notes):
        note_dicts.append({
            "id": f"{language}-{n:03d}", "topic": titles[topic - 1][0], "table": table, "round": round_no,
            "text": text, "kind": kind, "tags": ["tag"] if n % 7 == 0 else [], "starred": starred,
            "hidden": False, "by_participant": n % 5 == 0,
            "created_at": f"2026-11-21T{9 + round_no}:{n % 60:02d}:00+00:00"})
    return {
        "event": {"id": "ABC234", "name": name, "language": language, "groups": groups, "date": "2026-11-21",
                  "rounds": [{"number": r, "minutes": 20, "started_at": None, "ends_at": None} for r in (1, 2, 3)]},
        "topics": topics,
        "notes": note_dicts,
        "votes": [{"note_id": note_dicts[0]["id"], "count": 5}, {"note_id": note_dicts[12]["id"], "count": 3}],
        "attendance": {"rounds": [{"number": 1, "seated": 40, "checked_in": 35},
                                  {"number": 2, "seated": 39, "checked_in": 36},
                                  {"number": 3, "seated": 38, "checked_in": 36}],
                       "participants": 40, "joined_on_the_day": 3, "left": 1, "no_show": 2},
        "mixing": {"rounds": [{"number": r, "tables": [{"table": t, "groups": {groups[0]: 2, groups[1]: 3}}
                                                       for t in range(1, 10)]} for r in (1, 2, 3)]},
        "photos": [{"id": "p1", "table": 1, "round": 1, "caption": "Tischdecke 1", "url": "/photos/p1.jpg"}],
    }


def ids_of(data: dict[str, Any], *texts: str) -> list[str]:
    """The ids of the notes with these texts."""
    by_text = {n["text"]: n["id"] for n in data["notes"]}
    return [by_text[t] for t in texts]
