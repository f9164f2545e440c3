"""Removing the demo data before going live: the demo people, what hangs off them, their units.

The rows to remove are found through the foreign keys the models declare, so a feature added
later is covered without a change here:

- a row that must point at a demo person (a NOT NULL foreign key: sessions, tokens, progress,
  plans, evidence, memberships, role grants...) goes with them, and so does every row that must
  point at such a row (a plan's versions and items, a progress's certificate);
- a row that only may point at a demo person ("who did it": audit events, created_by...) stays,
  and the reference is cleared;
- a unit the seed made (a seeded code, with demo members) goes only when nothing but demo data
  uses it: a unit a real person belongs to, a real manager's unit, the parent of a unit that
  stays, stays (and is listed).

Nothing here commits: the caller commits once, so the purge is one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, ColumnElement, ForeignKey, Row, Table, delete, select, tuple_, update

from lms.accounts.models import Person
from lms.db import db
from lms.demo import seed
from lms.org.models import Membership, Unit

# Rows that are part of a unit: they go with it (its names and parents over time).
PARTS_OF_UNIT = frozenset({"unit_version.unit_id"})

RowKeys = dict[str, set]
# Ids per IN (...): PostgreSQL takes at most 65535 parameters in one statement.
CHUNK = 5_000


@dataclass
class PurgePlan:
    """What a purge removes (rows per table), clears (references per table.column) and keeps."""

    removed: RowKeys = field(default_factory=dict)
    cleared: dict[tuple[Table, ForeignKey], set[object]] = field(default_factory=dict)
    # Seeded unit code -> the tables whose non-demo rows still use it.
    kept_units: dict[str, list[str]] = field(default_factory=dict)

    @property
    def people(self) -> int:
        return len(self.removed.get("person", ()))

    @property
    def cleared_counts(self) -> dict[str, int]:
        """Cleared references per "table.column"."""
        return {
            f"{table.name}.{foreign_key.parent.name}": len(keys)
            for (table, foreign_key), keys in self.cleared.items()
        }

    @property
    def counts(self) -> dict[str, int]:
        """Removed rows per table, in the order they are deleted, without empty tables."""
        return {
            table.name: len(self.removed[table.name])
            for table in reversed(db.metadata.sorted_tables)
            if self.removed.get(table.name)
        }


def _key(table: Table) -> ColumnElement[Any]:
    """The primary key of table as one expression (a tuple for a composite key)."""
    columns = list(table.primary_key.columns)
    return columns[0] if len(columns) == 1 else tuple_(*columns)


def _chunks(keys: AbstractSet[Any]) -> list[list[Any]]:  # ids, or tuples of a composite key
    ordered = sorted(keys)
    return [ordered[start : start + CHUNK] for start in range(0, len(ordered), CHUNK)]


def _row_key(table: Table, row: Sequence[object]) -> object:
    return row[0] if len(table.primary_key.columns) == 1 else tuple(row)


def _pointing_at(
    table: Table, column: Column[Any], ids: AbstractSet[object], *extra: Column[Any]
) -> list[Row[Any]]:
    """Rows (primary key columns, then extra columns) of table whose column is one of ids."""
    rows: list[Row[Any]] = []
    for chunk in _chunks(ids):
        query = select(*table.primary_key.columns, *extra).where(column.in_(chunk))
        rows.extend(db.session.execute(query))
    return rows


def _owned_rows(start: RowKeys, parts: frozenset[str] | None = None) -> RowKeys:
    """The rows start holds, plus every row that must point at one of them (transitively).

    With parts, only those foreign keys ("table.column") are followed.
    """
    found = {name: set(keys) for name, keys in start.items()}
    # Parents come before children in sorted_tables, so one pass reaches every descendant.
    for table in db.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            target = foreign_key.column.table
            if (
                foreign_key.parent.nullable
                or target is table
                or not found.get(target.name)
                or (parts is not None and f"{table.name}.{foreign_key.parent.name}" not in parts)
            ):
                continue
            rows = _pointing_at(table, foreign_key.parent, found[target.name])
            found.setdefault(table.name, set()).update(_row_key(table, row) for row in rows)
    return found


def _users_of_units(unit_ids: set[int], removed: RowKeys) -> dict[int, set[str]]:
    """Which tables have rows outside removed that point at each of unit_ids."""
    users: dict[int, set[str]] = {}
    unit_table = Unit.__table__
    for table in db.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            if foreign_key.column.table is not unit_table:
                continue
            gone = removed.get(table.name, set())
            for row in _pointing_at(table, foreign_key.parent, unit_ids, foreign_key.parent):
                if _row_key(table, row[:-1]) not in gone:
                    users.setdefault(row[-1], set()).add(table.name)
    return users


def plan_purge() -> PurgePlan:
    """Work out what removing the demo data would remove, clear and keep; change nothing."""
    demo_people = set(db.session.scalars(select(Person.id).where(Person.is_demo.is_(True))))
    # A real install may well have its own "HCTH": only a seeded code with demo members counts.
    demo_members = select(Membership.unit_id).where(Membership.person_id.in_(demo_people))
    candidates = {
        unit.id: unit.code
        for unit in db.session.scalars(
            select(Unit).where(Unit.code.in_(seed.SEEDED_UNIT_CODES), Unit.id.in_(demo_members))
        )
    }
    of_people = _owned_rows({"person": demo_people})
    kept: dict[str, list[str]] = {}
    while True:
        # A unit stays when a row that stays uses it; that row may be a part of another
        # seeded unit that has just been kept (a child's version naming its parent): repeat.
        structure = _owned_rows({"unit": set(candidates)}, PARTS_OF_UNIT)
        removed = {
            name: of_people.get(name, set()) | structure.get(name, set())
            for name in of_people.keys() | structure.keys()
        }
        users = _users_of_units(set(candidates), removed)
        if not users:
            break
        for unit_id, tables in users.items():
            kept[candidates.pop(unit_id)] = sorted(tables)
    plan = PurgePlan(removed=_owned_rows({"person": demo_people, "unit": set(candidates)}))
    plan.kept_units = dict(sorted(kept.items()))
    plan.cleared = _references_to_clear(plan.removed)
    return plan


def _references_to_clear(removed: RowKeys) -> dict[tuple[Table, ForeignKey], set[object]]:
    """Rows that stay but may point at a removed row, per (table, foreign key): cleared."""
    found: dict[tuple[Table, ForeignKey], set[object]] = {}
    for table in db.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            targets = removed.get(foreign_key.column.table.name)
            if not foreign_key.parent.nullable or not targets:
                continue
            rows = _pointing_at(table, foreign_key.parent, targets)
            keys = {_row_key(table, row) for row in rows} - removed.get(table.name, set())
            if keys:
                found[table, foreign_key] = keys
    return found


def purge_demo_data(plan: PurgePlan) -> None:
    """Carry out plan: clear the references of rows that stay, then delete children first."""
    for (table, foreign_key), keys in plan.cleared.items():
        for chunk in _chunks(keys):
            db.session.execute(
                update(table).where(_key(table).in_(chunk)).values({foreign_key.parent.name: None})
            )
    removed = plan.removed
    # A seeded unit merged into another seeded unit names it as successor: unlink them first.
    for chunk in _chunks(removed.get("unit", set())):
        db.session.execute(update(Unit).where(Unit.id.in_(chunk)).values(successor_id=None))
    for table in reversed(db.metadata.sorted_tables):
        for chunk in _chunks(removed.get(table.name, set())):
            db.session.execute(delete(table).where(_key(table).in_(chunk)))
    db.session.expire_all()
