"""The reference event "Canada meets OWL": a German–Canadian matchmaking day in Paderborn."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import Event
from .events import create_event

DEMO_NAME = "Canada meets OWL"

TOPICS = [
    {
        "title": "KI in der Produktentwicklung",
        "question": (
            "Wo hilft KI heute schon bei der Entwicklung von Produkten – und was fehlt noch für den Mittelstand?"
        ),
    },
    {
        "title": "Zukunft der Arbeit",
        "question": "Wie verändern KI und Automatisierung unsere Arbeit – und wie nehmen wir die Menschen mit?",
    },
    {
        "title": "Digital in NRW – Kompetenzzentrum für den Mittelstand",
        "question": "Was braucht ein Kompetenzzentrum, damit kanadische und ostwestfälische Partner zusammenfinden?",
    },
]
HOSTS = [
    "Dr. Anja Röhrig",
    "Tobias Klenke",
    "Sarah Whitfield",
    "Prof. Jens Meier",
    "Claire Dubois",
    "Martin Hüsing",
    "Dr. Ravi Patel",
    "Katrin Vahle",
    "Liam O'Connor",
]
CANADIANS = [
    "Emily Tremblay",
    "Noah Gagnon",
    "Olivia Roy",
    "Ethan Côté",
    "Ava Bouchard",
    "Lucas Gauthier",
    "Chloé Morin",
    "Jacob Lavoie",
    "Mia Fortin",
    "William Gagné",
    "Sophie Ouellet",
    "Benjamin Pelletier",
    "Charlotte Bélanger",
    "Owen MacDonald",
    "Isla Campbell",
]
OWL = [
    "Anna Schäfer",
    "Jonas Becker",
    "Lena Hoffmann",
    "Felix Wagner",
    "Marie Schulz",
    "Paul Richter",
    "Laura Wolf",
    "Maximilian Krüger",
    "Sophie Neumann",
    "Leon Schwarz",
    "Hannah Zimmermann",
    "Lukas Braun",
    "Julia Hartmann",
    "Tim Lange",
    "Sarah Krause",
    "Niklas Werner",
    "Katharina Lehmann",
    "David Köhler",
    "Johanna Meyer",
    "Moritz Schmitz",
    "Clara Fischer",
    "Simon Peters",
    "Elena Vogel",
    "Jan Friedrich",
    "Miriam Sommer",
]


def demo_spec() -> dict[str, Any]:
    """The reference event as an API spec: 3 topics × 3 tables of 5, 40 people (15 Kanada, 25 OWL), 3 × 20 min."""
    tables = [
        {"number": number, "topic": (number - 1) // 3 + 1, "capacity": 5, "host": HOSTS[number - 1]}
        for number in range(1, 10)
    ]
    people = [{"name": name, "group": "Kanada"} for name in CANADIANS] + [{"name": n, "group": "OWL"} for n in OWL]
    return {
        "name": DEMO_NAME,
        "language": "de",
        "timezone": "Europe/Berlin",
        "groups": ["Kanada", "OWL"],
        "joining_open": True,
        "rounds": [{"minutes": 20}] * 3,
        "topics": TOPICS,
        "tables": tables,
        "participants": people,
    }


def ensure_demo() -> tuple[Event, bool]:
    """The reference event, created unless it exists; returns it and whether it was created."""
    existing = db.session.execute(db.select(Event).filter_by(name=DEMO_NAME).order_by(Event.id)).scalars().first()
    if existing is not None:
        return existing, False
    return create_event(demo_spec()), True
