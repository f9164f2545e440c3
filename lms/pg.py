"""PostgreSQL through psycopg: a cursor whose description is made only when read.

Only imported for a psycopg database (psycopg is the `postgres` extra).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg import Column


class _Description(Sequence[Column]):
    """A result's cursor.description, its columns made when first read.

    SQLAlchemy reads every statement's description, yet looks into it only the first time it
    runs that statement (after that, what it made of it is kept with the compiled statement).
    psycopg makes a Column of each result column on every read: a page of a few statements
    spent a few hundred µs making 50 or more Columns nobody looked at.
    """

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: psycopg.Cursor[Any], result: Any) -> None:
        self._cursor, self._result = cursor, result
        self._columns: list[Column] | None = None

    def _made(self) -> list[Column]:
        if self._columns is None:
            if self._cursor.pgresult is not self._result:
                raise RuntimeError("a description read after its cursor ran another statement")
            self._columns = psycopg.Cursor.description.fget(self._cursor) or []  # type: ignore[attr-defined]
        return self._columns

    def __len__(self) -> int:
        return int(self._result.nfields)

    @overload
    def __getitem__(self, index: int) -> Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[Column]: ...
    def __getitem__(self, index: int | slice) -> Column | list[Column]:
        return self._made()[index]

    def __iter__(self) -> Iterator[Column]:
        return iter(self._made())


class Cursor(psycopg.Cursor[Any]):
    """psycopg's cursor, with a description made when first read (`_Description`)."""

    @property
    def description(self) -> Sequence[Column] | None:  # type: ignore[override]
        result = self.pgresult
        if result is not None and result.nfields:
            return _Description(self, result)
        return super().description
