"""Reads of the organisation tree as it stood on a given day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select

from lms.db import db
from lms.org.models import Membership, Unit, UnitVersion


def _version_on(day: date):
    return and_(
        UnitVersion.valid_from <= day,
        or_(UnitVersion.valid_until.is_(None), UnitVersion.valid_until >= day),
    )


def subtree_unit_ids(root_ids: Iterable[int], day: date) -> set[int]:
    """Return the given units and every unit below them in the tree as it was on day."""
    roots = list(root_ids)
    if not roots:
        return set()
    tree = select(Unit.id.label("id")).where(Unit.id.in_(roots)).cte("tree", recursive=True)
    tree = tree.union(
        select(UnitVersion.unit_id).where(UnitVersion.parent_id == tree.c.id, _version_on(day))
    )
    return set(db.session.scalars(select(tree.c.id)))


@dataclass(frozen=True)
class UnitOnDay:
    unit_id: int
    code: str
    name: str
    parent_id: int | None


def unit_on(unit_id: int, day: date) -> UnitOnDay | None:
    """Return the unit's code, name and parent as they were on day, or None if it did not exist."""
    row = db.session.execute(
        select(Unit.id, Unit.code, UnitVersion.name, UnitVersion.parent_id)
        .join(UnitVersion, UnitVersion.unit_id == Unit.id)
        .where(Unit.id == unit_id, _version_on(day))
    ).first()
    return UnitOnDay(*row) if row else None


def membership_on(person_id: int, day: date) -> tuple[Membership, UnitOnDay] | None:
    """Answer "which unit was this person in on day, and what was it called then?"."""
    membership = db.session.scalars(
        select(Membership).where(
            Membership.person_id == person_id,
            Membership.valid_from <= day,
            or_(Membership.valid_until.is_(None), Membership.valid_until >= day),
        )
    ).first()
    if membership is None:
        return None
    unit = unit_on(membership.unit_id, day)
    return (membership, unit) if unit else None
