"""Topic colours: named, so a phone can say "Table 7 (blue)", and distinguishable with common colour blindness."""

from __future__ import annotations

# Okabe–Ito based, plus a few extra hues; order is the order new topics receive them.
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "purple": "#8E44AD",
    "red": "#D55E00",
    "sky": "#56B4E9",
    "pink": "#CC79A7",
    "yellow": "#F0E442",
    "teal": "#16A085",
    "brown": "#8B5A2B",
    "navy": "#1F3A93",
    "grey": "#7F8C8D",
}
NO_TOPIC_COLOUR = "grey"


def colour_for(position: int, taken: set[str] | None = None) -> str:
    """The first palette colour not yet taken, cycling when topics outnumber colours."""
    taken = taken or set()
    names = list(PALETTE)
    for offset in range(len(names)):
        name = names[(position + offset) % len(names)]
        if name not in taken:
            return name
    return names[position % len(names)]


def hex_of(name: str) -> str:
    """The hex value of a named colour."""
    return PALETTE.get(name, PALETTE[NO_TOPIC_COLOUR])
