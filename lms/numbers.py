"""Figures written for people: percentages rounded half up, decimals the Vietnamese way.

One rounding for every page, file and API, so that a figure shows the same digits wherever it
is read. Criteria judge exact values; these functions are for display only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

TWO_PLACES = Decimal("0.01")
_ONE = Decimal(1)


@lru_cache(maxsize=8192)  # a dashboard sorted by percent works out 500, of a few targets
def percent(part: Decimal | int | None, whole: Decimal | int | None) -> int | None:
    """Return part as a whole percentage of whole, rounded half up (None without a whole)."""
    if part is None or not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(_ONE, rounding=ROUND_HALF_UP))


def two_places(value: Decimal) -> Decimal:
    """Return value rounded half up to two decimal places (how tiết and hours are kept)."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=8192)  # a roster repeats the same few hundred figures and targets
def decimal_text(value: Decimal | int | None) -> str:
    """Write a figure as every page and file shows it: rounded half up to two places, no
    trailing zeros, Vietnamese marks: "1.234,5", "12,25", "40", "0"; None (no figure) is "—".

    A spreadsheet cell holds the same two-place value, formatted WHOLE_FORMAT when it is a
    whole number and DECIMAL_FORMAT otherwise, so it shows the same digits.
    """
    if value is None:
        return "—"
    rounded = two_places(Decimal(value))
    text = f"{(rounded.normalize() if rounded else Decimal(0)):,f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def file_size(size: int) -> str:
    """Say a file size the Vietnamese way: 1,5 MB."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".replace(".", ",") + f" {unit}"
    return f"{size} byte"


# Spreadsheet formats matching decimal_text and a whole percentage; the marks come from the
# reader's locale, so a Vietnamese Excel or LibreOffice shows "1.234,5", "40" and "79%". A
# whole number needs its own format: "#,##0.##" would show 40 as "40,".
DECIMAL_FORMAT = "#,##0.##"
WHOLE_FORMAT = "#,##0"
PERCENT_FORMAT = "0%"
DATE_FORMAT = "dd/mm/yyyy"


def init_app(app: Flask) -> None:
    """Give pages the files' way of writing figures: {{ hours|decimal_text }}."""
    app.jinja_env.filters["decimal_text"] = decimal_text
    app.jinja_env.filters["file_size"] = file_size
