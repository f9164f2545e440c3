"""Page-by-page reads: one query for the rows and one to count them."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from lms.db import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list."""

    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_of(items: list[T], number: int, per_page: int) -> Page[T]:
    """One page of a list already in memory; a number past either end shows the nearest page."""
    pages = max(1, ceil(len(items) / per_page))
    number = min(max(1, number), pages)
    start = (number - 1) * per_page
    return Page(items[start : start + per_page], number, per_page, len(items))


def paginate(query: Select, *, page: int, per_page: int, scalars: bool = True) -> Page[Any]:
    """Run query for one page, plus one count query."""
    count = select(func.count()).select_from(query.order_by(None).subquery())
    total = db.session.scalar(count) or 0
    page = max(1, min(page, max(1, ceil(total / per_page))))
    window = query.limit(per_page).offset((page - 1) * per_page)
    items: list[Any]  # the model rows, or tuples of columns (scalars=False)
    if scalars:
        items = list(db.session.scalars(window).unique())
    else:
        items = list(db.session.execute(window))
    return Page(
        items=items,
        number=page,
        per_page=per_page,
        total=total,
    )
