"""Harvest benchmark: 10,000 template notes (German and English, 10 topics) -> build_summary and every export.

Run: .venv/bin/python benchmarks/summary.py [--notes 10000] [--repeat 3] [--compare-yake]
Prints JSON: seconds of the first (cold) run and the best of ``--repeat`` runs. Targets (met on the first run):
summary <= 2 s, each export <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from worldcafe.domain.summary import build_summary, live_terms  # noqa: E402
from worldcafe.export import to_csv, to_docx, to_html, to_json, to_markdown  # noqa: E402

TOPICS = [
    ("Bildung", ["Schüleraustausch", "Sprachkurse", "Lehrkräfte", "Ganztagsschule", "Berufsschule", "Lernplattform"]),
    ("Arbeit", ["Fachkräfte", "Anerkennung", "Praktikum", "Ausbildung", "Homeoffice", "Weiterbildung"]),
    ("Wohnen", ["Wohnungssuche", "Mietpreise", "Wohnraum", "Nachbarschaft", "Quartier", "Baugenehmigung"]),
    ("Mobilität", ["Radwege", "Nahverkehr", "Carsharing", "Bahnhof", "Busverbindung", "Parkplätze"]),
    ("Kultur", ["Stadtfest", "Museum", "Vereine", "Musikschule", "Theater", "Bibliothek"]),
    ("Health", ["family doctor", "waiting lists", "mental health", "walk-in clinic", "nurses", "home care"]),
    ("Climate", ["solar panels", "heat pumps", "tree planting", "flood defence", "energy advice", "green roofs"]),
    ("Business", ["start-up grants", "trade fair", "export advice", "mentoring", "co-working space", "supply chain"]),
    ("Youth", ["youth club", "skate park", "apprenticeships", "student exchange", "sports clubs", "summer camp"]),
    ("Digital", ["broadband", "digital skills", "online services", "data protection", "public wifi", "open data"]),
]
SHARED_DE = ["Netzwerk", "Austausch", "Ehrenamt", "Förderung", "Beratung", "Partnerschaft"]
SHARED_EN = ["network", "exchange", "volunteers", "funding", "advice", "partnership"]
GERMAN = [
    "Mehr {a} für junge Familien",
    "{a} und {b} zusammen denken",
    "Wie können wir {a} verbessern?",
    "{a} ist in OWL sehr gut, aber {b} fehlt",
    "Gemeinsames Projekt: {a} mit Kanada",
    "{a} digital anbieten",
    "Ohne {a} kein {b}",
    "{a} für Neuankommende erleichtern",
    "Wer kümmert sich um {a}?",
    "{a} sollte kostenlos sein",
    "Sehr gut, also wirklich: {a}!",
    "{a} braucht {b} vor Ort",
]
ENGLISH = [
    "More {a} for young families",
    "Link {a} and {b}",
    "How can we improve {a}?",
    "{a} works well, but {b} is missing",
    "Joint project: {a} with Germany",
    "Offer {a} online",
    "No {a} without {b}",
    "Make {a} easier for newcomers",
    "Who looks after {a}?",
    "{a} should be free",
    "Really good thing: {a}!",
    "{a} needs {b} locally",
]


def typo(text: str, rng: random.Random) -> str:
    """Swap two neighbouring letters, the way a hurried tablet note does."""
    i = rng.randrange(1, max(2, len(text) - 2))
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def event(notes: int, seed: int = 1) -> dict[str, Any]:
    """A 10-topic event of ``notes`` notes over 100 tables and 4 rounds."""
    rng = random.Random(seed)
    topics = [
        {
            "position": p + 1,
            "title": title,
            "question": f"{title}?",
            "colour": "blue",
            "colour_hex": "#0072B2",
            "tables": list(range(10 * p + 1, 10 * p + 11)),
        }
        for p, (title, _nouns) in enumerate(TOPICS)
    ]
    note_list = []
    for n in range(notes):
        p = rng.randrange(len(TOPICS))
        title, nouns = TOPICS[p]
        english = p >= 5 if rng.random() < 0.9 else p < 5  # a tenth of notes in the other language
        pool = nouns + (SHARED_EN if english else SHARED_DE)
        a, b = rng.sample(pool, 2)
        text = rng.choice(ENGLISH if english else GERMAN).format(a=a, b=b)
        if rng.random() < 0.05:
            text = typo(text, rng)
        note_list.append(
            {
                "id": f"n{n:05d}",
                "topic": title,
                "table": 10 * p + rng.randrange(1, 11),
                "round": rng.randrange(1, 5),
                "text": text,
                "kind": rng.choice(["idea", "idea", "question", "insight", "quote"]),
                "tags": rng.sample(["kanada", "owl", "follow-up"], rng.randrange(0, 2)),
                "starred": rng.random() < 0.05,
                "hidden": rng.random() < 0.01,
                "by_participant": rng.random() < 0.3,
                "created_at": f"2026-11-21T{10 + n % 8:02d}:{n % 60:02d}:00+00:00",
            }
        )
    starred = [n["id"] for n in note_list if n["starred"]]
    groups = ["Kanada", "OWL"]
    return {
        "event": {
            "id": "BENCH1",
            "name": "Canada meets OWL",
            "language": "de",
            "groups": groups,
            "date": "2026-11-21",
            "rounds": [{"number": r, "minutes": 20, "started_at": None, "ends_at": None} for r in range(1, 5)],
        },
        "topics": topics,
        "notes": note_list,
        "votes": [{"note_id": i, "count": rng.randrange(0, 12)} for i in starred],
        "attendance": {
            "rounds": [{"number": r, "seated": 1000 - 10 * r, "checked_in": 950 - 12 * r} for r in range(1, 5)],
            "participants": 1000,
            "joined_on_the_day": 30,
            "left": 20,
            "no_show": 15,
        },
        "mixing": {
            "rounds": [
                {
                    "number": r,
                    "tables": [
                        {"table": t, "groups": {"Kanada": rng.randrange(0, 5), "OWL": rng.randrange(1, 7)}}
                        for t in range(1, 101)
                    ],
                }
                for r in range(1, 5)
            ]
        },
        "photos": [
            {
                "id": f"p{i}",
                "table": i % 100 + 1,
                "round": i % 4 + 1,
                "caption": f"Tisch {i}",
                "url": f"/photos/p{i}.jpg",
            }
            for i in range(40)
        ],
    }


def timed(repeat: int, run: Callable[[], Any]) -> tuple[float, float, Any]:
    """The first run (cold: no word looked up yet), the fastest of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return round(times[0], 3), round(min(times), 3), result


def compare_yake(data: dict[str, Any]) -> dict[str, Any]:
    """YAKE (one document per topic) next to our themes ([tables]): top 5 on the test corpora, time on ``data``."""
    import yake  # only for this comparison: pip install yake

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "summary"))
    from harvest_corpus import event_data

    top: dict[str, Any] = {}
    for language in ("de", "en"):
        corpus = event_data(language)
        ours = {t["title"]: t["themes"] for t in build_summary(corpus)["topics"]}
        extractor = yake.KeywordExtractor(lan=language, n=2, top=5)
        for topic in corpus["topics"]:
            text = ". ".join(n["text"].rstrip(".!?") for n in corpus["notes"] if n["topic"] == topic["title"])
            top[topic["title"]] = {
                "yake": [k for k, _score in extractor.extract_keywords(text)],
                "ours": [f"{t['label']} [{t['tables']}]" for t in ours[topic["title"]][:5]],
            }
    extractor = yake.KeywordExtractor(lan="de", n=2, top=10)
    start = time.perf_counter()
    for topic in data["topics"]:
        extractor.extract_keywords(". ".join(n["text"] for n in data["notes"] if n["topic"] == topic["title"]))
    return {"top5_on_test_corpora": top, "yake_seconds_10_topics": round(time.perf_counter() - start, 3)}


def main() -> None:
    """Time the summary and each export; print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare-yake", action="store_true", help="also run YAKE (needs: pip install yake)")
    args = parser.parse_args()
    data = event(args.notes)
    plan = {
        "rounds": [
            {"number": r, "seats": [{"participant": f"P{i}", "table": i % 100 + 1} for i in range(1000)]}
            for r in range(1, 5)
        ]
    }
    seconds: dict[str, float] = {}
    first: dict[str, float] = {}
    # The taggers' models load once per worker process, at its start (worldcafe.offload): timed apart, as the
    # server pays it before anyone asks for a summary. The first build still meets each word for the first time.
    try:
        from worldcafe.domain.summary.lemmas import warm
    except ImportError:  # a checkout from before base forms
        warm = None
    if warm is not None:
        first["load_taggers"], seconds["load_taggers"], _none = timed(1, warm)
    first["build_summary"], seconds["build_summary"], summary = timed(args.repeat, lambda: build_summary(data))
    # live_terms feeds the notes one by one into LiveTerms, so this is also the incremental cost per note.
    first["live_terms"], seconds["live_terms"], _terms = timed(args.repeat, lambda: live_terms(data["notes"], 10, "de"))
    # Shapes that stress the grouping: every note under one topic; notes made of eight words only.
    one_topic = {**data, "notes": [{**n, "topic": "Bildung", "table": n["table"] % 10 + 1} for n in data["notes"]]}
    rng = random.Random(3)
    words = ["Austausch", "Schule", "Kanada", "Netzwerk", "Ehrenamt", "digital", "Sprache", "Kurse"]
    repetitive = {
        **data,
        "notes": [
            {**n, "text": " ".join(rng.choice(words) for _ in range(rng.randrange(3, 9)))} for n in data["notes"]
        ],
    }
    first["build_summary_one_topic"], seconds["build_summary_one_topic"], _s = timed(
        args.repeat, lambda: build_summary(one_topic)
    )
    first["build_summary_eight_words"], seconds["build_summary_eight_words"], _s = timed(
        args.repeat, lambda: build_summary(repetitive)
    )
    sizes: dict[str, int] = {}
    exports: dict[str, Callable[[], str | bytes]] = {
        "to_markdown": lambda: to_markdown(summary),
        "to_html": lambda: to_html(summary),
        "to_csv": lambda: to_csv(data),
        "to_docx": lambda: to_docx(summary),
        "to_json": lambda: to_json(data, summary, plan),
    }
    for name, run in exports.items():
        first[name], seconds[name], output = timed(args.repeat, run)
        sizes[name] = len(output.encode() if isinstance(output, str) else output)
    print(
        json.dumps(
            {
                "notes": args.notes,
                "topics": len(data["topics"]),
                "tables": 100,
                "rounds": 4,
                "python": platform.python_version(),
                "repeat": args.repeat,
                "seconds_first_run": first,
                "seconds_best": seconds,
                "bytes": sizes,
                "themes_per_topic": [len(t["themes"]) for t in summary["topics"]],
                "top_themes": {
                    t["title"]: [f"{th['label']} [{th['tables']}]" for th in t["themes"][:3]] for t in summary["topics"]
                },
                "cross_topic_themes": [th["label"] for th in summary["cross_topic_themes"]],
                "targets_met": first["build_summary"] <= 2 and all(first[n] <= 2 for n in exports),
                **({"yake": compare_yake(data)} if args.compare_yake else {}),
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
