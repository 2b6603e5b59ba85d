"""Small self-contained SVG charts: no script, no web fonts, readable in print and by screen readers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from html import escape

LABEL_CHARS = 34
GLYPH = 8  # px per character at 14 px: wider than the average sans-serif glyph, on purpose
FONT = "system-ui, -apple-system, 'Segoe UI', Arial, sans-serif"
INK = "#1a1a1a"
GRID = "#c8c8c8"
# Characters XML forbids even when escaped; a note may carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_CONTROL.sub("", value), quote=True)


def _short(label: str, limit: int) -> str:
    label = " ".join(label.split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def count_ticks(most: float, steps: int = 4) -> list[int]:
    """Axis ticks for counts of people or notes: whole numbers at a round step (1, 2, 5, 10, 20, 50, …), from 0 to
    the first tick at or above ``most``."""
    rough = max(1.0, most / steps)
    magnitude = 10 ** (len(str(int(rough))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    top = -(-int(math.ceil(most)) // step) * step
    return list(range(0, max(top, step) + 1, step))


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    # The chart scales to the column (viewBox) but never beyond its drawn size, so type stays legible.
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="100%" style="max-width:{width}px;overflow:visible" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" font-size="14" fill="{INK}">'
            f'<title id="{chart_id}-title">{_text(title)}</title><desc id="{chart_id}-desc">{_text(desc)}</desc>')


def bar_chart(items: Sequence[tuple[str, float]], title: str, desc: str, *, chart_id: str = "bars",
              colour: str = "#0072B2", limit: int = 12, value_format: Callable[[float], str] = _number) -> str:
    """Horizontal bars with the value printed at the end of each (colour is never the only cue); "" if empty."""
    rows = [(label, _short(label, LABEL_CHARS), value) for label, value in items if value > 0][:limit]
    if not rows:
        return ""
    # Room for the longest label at a generous average glyph width, so no renderer cuts it off.
    label_w = max(len(short) for _label, short, _value in rows) * GLYPH + 16
    bar_w, row_h, top = 330, 30, 8
    width, height = label_w + bar_w + 70, top + row_h * len(rows) + 8
    most = max(value for _label, _short_label, value in rows)
    parts = [_open(chart_id, width, height, title, desc)]
    for n, (label, short, value) in enumerate(rows):
        y = top + n * row_h
        length = max(2.0, bar_w * value / most)
        parts.append(
            f'<g><title>{_text(label)}: {_text(value_format(value))}</title>'
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end">{_text(short)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 10}" fill="{colour}"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 19}">{_text(value_format(value))}</text></g>')
    parts.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - 8}" stroke="{INK}"/></svg>')
    return "".join(parts)


def column_chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], title: str,
                 desc: str, *, chart_id: str = "columns", maximum: float | None = None,
                 value_format: Callable[[float], str] = _number) -> str:
    """Grouped columns, one group per category, with a legend and the value above each column; "" if empty."""
    if not categories or not series:
        return ""
    values = [v for _name, vs, _c in series for v in vs if v is not None]
    most = max(values, default=0.0)
    if (maximum if maximum is not None else most) <= 0:
        return ""
    # A share's axis runs to its maximum in quarters; a count's in whole numbers (no "10.5 people").
    ticks: list[float] = [maximum * step / 4 for step in range(5)] if maximum is not None else \
        [float(t) for t in count_ticks(most)]
    top_value = ticks[-1]
    left, plot_h, top, legend_h = 44, 200, 30, 30
    column_w, gap = 48, 28
    group_w = column_w * len(series) + gap
    legend_w = sum(40 + GLYPH * len(name) for name, _vs, _c in series)
    width = max(left + group_w * len(categories) + 20, left + legend_w)
    height = top + plot_h + 30 + legend_h
    base = top + plot_h
    parts = [_open(chart_id, width, height, title, desc)]
    for step, tick in enumerate(ticks):
        y = base - plot_h * tick / top_value
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{GRID}" '
                     f'stroke-width="{1 if step else 1.5}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
                     f'{_text(value_format(tick))}</text>')
    for c, category in enumerate(categories):
        x0 = left + gap / 2 + c * group_w
        for s, (name, vs, colour) in enumerate(series):
            value = vs[c] if c < len(vs) else None
            x = x0 + s * column_w
            if value is None:
                parts.append(f'<text x="{x + column_w / 2:.1f}" y="{base - 6}" text-anchor="middle" '
                             f'font-size="12">–</text>')
                continue
            h = plot_h * min(value, top_value) / top_value
            parts.append(f'<g><title>{_text(category)}, {_text(name)}: {_text(value_format(value))}</title>'
                         f'<rect x="{x + 2:.1f}" y="{base - h:.1f}" width="{column_w - 4}" height="{h:.1f}" '
                         f'fill="{colour}"/><text x="{x + column_w / 2:.1f}" y="{base - h - 5:.1f}" '
                         f'text-anchor="middle" font-size="12">{_text(value_format(value))}</text></g>')
        parts.append(f'<text x="{x0 + column_w * len(series) / 2:.1f}" y="{base + 20}" text-anchor="middle">'
                     f'{_text(_short(category, group_w // GLYPH))}</text>')
    x = left
    for name, _vs, colour in series:
        parts.append(f'<rect x="{x}" y="{height - 22}" width="14" height="14" fill="{colour}"/>'
                     f'<text x="{x + 20}" y="{height - 10}">{_text(name)}</text>')
        x += 40 + GLYPH * len(name)
    parts.append("</svg>")
    return "".join(parts)


def percent(value: float) -> str:
    """A share as a whole percentage."""
    return f"{round(value * 100)} %"
