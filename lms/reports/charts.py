"""Charts drawn on the server as inline SVG: no script, readable by screen readers.

Each chart is an `<svg role="img">` with a title and a description that states every value, and
the page shows the same figures in a table beside it (the text equivalent).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)
WIDTH = 640
LABEL_WIDTH = 220
BAR_HEIGHT = 22
GAP = 8
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str


def bar_chart(title: str, bars: list[Bar], *, maximum: float | None = None) -> Markup:
    """A horizontal bar chart: one labelled bar per item, the value written at its end."""
    number = next(_ids)
    top_value = maximum if maximum else max((bar.value for bar in bars), default=0) or 1
    height = TOP * 2 + len(bars) * (BAR_HEIGHT + GAP)
    room = WIDTH - LABEL_WIDTH - 70
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="chart-{number}-title chart-{number}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{number}-title">{escape(title)}</title>',
        f'<desc id="chart-{number}-desc">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * (BAR_HEIGHT + GAP)
        length = max(0.0, min(1.0, bar.value / top_value)) * room
        middle = y + BAR_HEIGHT / 2
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{middle:.1f}" '
            f'text-anchor="end" dominant-baseline="middle">{escape(_short(bar.label))}</text>'
        )
        parts.append(
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}"></rect>'
        )
        parts.append(
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 6:.1f}" y="{middle:.1f}" '
            f'dominant-baseline="middle">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, limit: int = 32) -> str:
    """Long unit names are cut in the drawing; the title, description and table keep them."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
