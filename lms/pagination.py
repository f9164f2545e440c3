"""Page-by-page reads: one query for the rows and one to count them."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

from sqlalchemy import func, select

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


def paginate(query, *, page: int, per_page: int, scalars: bool = True) -> Page:
    """Run query for one page, plus one count query."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = max(1, min(page, max(1, ceil(total / per_page))))
    window = query.limit(per_page).offset((page - 1) * per_page)
    result = db.session.scalars(window) if scalars else db.session.execute(window)
    return Page(
        items=list(result.unique() if scalars else result),
        number=page,
        per_page=per_page,
        total=total,
    )
