"""Figures written for people: percentages rounded half up, decimals the Vietnamese way.

One rounding for every page, file and API, so that a figure shows the same digits wherever it
is read. Criteria judge exact values; these functions are for display only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def percent(part: Decimal | int | None, whole: Decimal | int | None) -> int | None:
    """Return part as a whole percentage of whole, rounded half up (None without a whole)."""
    if part is None or not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def two_places(value: Decimal) -> Decimal:
    """Return value rounded half up to two decimal places (how tiết and hours are kept)."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
