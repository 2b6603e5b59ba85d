"""Matchmaking benchmark: 1,000 profiles (German and English offers, seeks and interests, two groups) -> find_matches.

Run: .venv/bin/python benchmarks/matching.py [--people 1000] [--repeat 3]
Prints JSON: seconds of the first run (taggers loaded before, as a warm worker has them) and the best of ``--repeat``
runs with a fresh word cache, the number of pairs and the most pairs one person is in. Target: ≤ 2 s in a worker
(it never runs on the serving loop).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from worldcafe.domain.matching import Profile, find_matches  # noqa: E402
from worldcafe.domain.summary.lemmas import warm  # noqa: E402

GERMAN = ["Bildverarbeitung", "Robotik", "Sensorik", "Logistik", "Maschinenbau", "Qualitätsprüfung", "Förderprogramme",
          "Pilotkunden", "Fertigung", "Energiemanagement", "Lieferketten", "Automatisierung", "Medizintechnik",
          "Landtechnik", "Spracherkennung", "Wartung", "Cloud-Plattformen", "Datenanalyse", "Prüfstände", "Vertrieb"]
ENGLISH = ["computer vision", "machine learning", "robotics", "sensor fusion", "supply chain", "predictive maintenance",
           "speech recognition", "digital twins", "edge computing", "pilot customers", "quality inspection",
           "energy forecasting", "medical imaging", "precision agriculture", "data platforms", "cybersecurity"]
INTERESTS = ["KI", "Machine Learning", "Hockey", "Nachhaltigkeit", "Export", "Start-ups", "Industrie 4.0", "Cloud"]


def profiles(n: int, rng: random.Random) -> list[Profile]:
    """Canadians write English, OWL writes German; some of each write the other language."""
    people = []
    for i in range(n):
        canadian = i % 2 == 0
        words = ENGLISH if canadian != (rng.random() < 0.2) else GERMAN
        offer = ("We offer " if words is ENGLISH else "Wir bieten ") + ", ".join(rng.sample(words, 2))
        seek = ("We seek " if words is ENGLISH else "Wir suchen ") + ", ".join(rng.sample(words, 2))
        people.append(Profile(i + 1, "Kanada" if canadian else "OWL", offer, seek, tuple(rng.sample(INTERESTS, 2))))
    return people


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    people = profiles(args.people, random.Random(7))
    warm()
    runs = []
    for _ in range(max(1, args.repeat)):
        started = time.perf_counter()
        matches = find_matches(people, cap=3, language="de")
        runs.append(time.perf_counter() - started)
    per_person: dict[int, int] = {}
    for m in matches:
        per_person[m.a] = per_person.get(m.a, 0) + 1
        per_person[m.b] = per_person.get(m.b, 0) + 1
    print(json.dumps({"people": args.people, "first_s": round(runs[0], 3), "best_s": round(min(runs), 3),
                      "pairs": len(matches), "max_pairs_per_person": max(per_person.values(), default=0),
                      "python": platform.python_version()}))


if __name__ == "__main__":
    main()
