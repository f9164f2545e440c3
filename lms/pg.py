"""PostgreSQL through psycopg: a cursor whose description is made only when read.

Only imported for a psycopg database (psycopg is the `postgres` extra).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg import Column


class _Result:
    """What psycopg's Column reads of its cursor, kept for one result: the cursor may have
    moved on to another statement (or closed) by the time the columns are made."""

    __slots__ = ("_encoding", "adapters", "pgresult")

    def __init__(self, cursor: psycopg.Cursor[Any], result: Any) -> None:
        self.pgresult = result
        self._encoding = cursor._encoding
        self.adapters = cursor.adapters


class _Description(Sequence[Column]):
    """A result's cursor.description, its columns made when first read.

    SQLAlchemy reads every statement's description, yet looks into it only the first time it
    runs that statement (after that, what it made of it is kept with the compiled statement).
    psycopg makes a Column of each result column on every read, about 1 µs each: a manager's
    home page made 67 that nobody looked at. Read later, after the cursor ran another
    statement, it still describes its own result, as psycopg's list would.
    """

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: psycopg.Cursor[Any], result: Any) -> None:
        self._cursor, self._result = cursor, result
        self._columns: list[Column] | None = None

    def _made(self) -> list[Column]:
        if self._columns is None:
            cursor = self._cursor
            source = cursor if cursor.pgresult is self._result else _Result(cursor, self._result)
            # _Result stands in for the cursor: it has all that Column reads of one.
            self._columns = [
                Column(source, index)  # type: ignore[arg-type]
                for index in range(self._result.nfields)
            ]
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

    def __repr__(self) -> str:
        return repr(self._made())


class Cursor(psycopg.Cursor[Any]):
    """psycopg's cursor, with a description made when first read (`_Description`)."""

    @property
    def description(self) -> Sequence[Column] | None:  # type: ignore[override]
        result = self.pgresult
        if result is not None and result.nfields:
            return _Description(self, result)
        return super().description
