"""Colour contrast of the stylesheet's palette (WCAG 2.2 SC 1.4.3, AA): every topic colour with its ink, and the
page's text colours on the backgrounds they are drawn on. axe checks the pages a browser test shows; this checks every
colour, including those no test event happens to use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "app.css").read_text()


def luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(d * 2 for d in hex_digits)
    channels = [int(hex_digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


ROOT = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;", CSS.split("}", 1)[0]))
TOPIC_COLOURS = re.findall(r"\.c-([a-z]+)\s*\{\s*--c:\s*(#[0-9a-fA-F]{6});\s*--c-ink:\s*(#[0-9a-fA-F]{3,6});", CSS)


def test_the_palette_is_read_from_the_stylesheet():
    assert len(TOPIC_COLOURS) >= 12 and {"ink", "ink-soft", "paper", "bg", "accent"} <= ROOT.keys()


@pytest.mark.parametrize(("name", "colour", "ink"), TOPIC_COLOURS)
def test_every_topic_colour_carries_readable_text(name, colour, ink):
    # Table numbers, topics and questions are printed on the colour: on cards, phones, the host's header, the console.
    assert contrast(colour, ink) >= 4.5, f".c-{name}: {ink} on {colour} is {contrast(colour, ink):.2f}:1"


@pytest.mark.parametrize(("text", "background"), [
    ("ink", "paper"), ("ink", "bg"), ("ink-soft", "paper"), ("ink-soft", "bg"), ("accent", "paper"),
    ("accent-ink", "accent"), ("bad", "paper"), ("ok", "paper"),
])
def test_page_text_colours_are_readable(text, background):
    assert contrast(ROOT[text], ROOT[background]) >= 4.5, f"--{text} on --{background}"
