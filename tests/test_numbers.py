"""Figures as people read them: one way of writing decimals for the page and every file."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.numbers import decimal_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12.5"), "12,5"),
        (Decimal("12.50"), "12,5"),  # the page once showed "12,50" where the file showed "12,5"
        (Decimal("40.00"), "40"),
        (Decimal("0.00"), "0"),
        (Decimal("100"), "100"),
        (Decimal("31.835"), "31,84"),  # half up
        (Decimal("31.825"), "31,83"),
        (Decimal("1234.5"), "1.234,5"),
        (Decimal("-0.001"), "0"),
        (7, "7"),
        (None, "—"),
    ],
)
def test_decimal_text(value, text):
    assert decimal_text(value) == text


def test_pages_have_it_as_a_filter(app):
    template = app.jinja_env.from_string("{{ hours|decimal_text }} tiết")
    assert template.render(hours=Decimal("12.50")) == "12,5 tiết"
