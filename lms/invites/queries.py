"""Who may be given a first-sign-in code: people of a unit who cannot sign in yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from lms.accounts.models import Person
from lms.accounts.queries import cannot_sign_in_yet
from lms.db import db, valid_on
from lms.org.models import Membership, Unit, UnitVersion
from lms.org.queries import subtree_unit_ids
from lms.text import collation_key


@dataclass(frozen=True)
class Newcomer:
    """A person who cannot sign in yet, with the unit they belong to on the day."""

    person: Person
    unit_code: str
    unit_name: str


def newcomers(unit_id: int, day: date) -> list[Newcomer]:
    """Return the people of the unit and its sub-units on day who cannot sign in yet.

    Sorted by unit name, then by name in Vietnamese order (given name first, Person.sort_key).
    """
    units = subtree_unit_ids([unit_id], day)
    rows = db.session.execute(
        select(Person, Unit.code, UnitVersion.name)
        .join(Membership, Membership.person_id == Person.id)
        .join(Unit, Unit.id == Membership.unit_id)
        .join(UnitVersion, UnitVersion.unit_id == Unit.id)
        .where(
            Membership.unit_id.in_(units),
            valid_on(Membership, day),
            valid_on(UnitVersion, day),
            cannot_sign_in_yet(),
        )
        .order_by(Person.sort_key, Person.id)
    ).all()
    found = [Newcomer(person, code, name) for person, code, name in rows]
    # Stable: within a unit the people keep their Vietnamese order.
    return sorted(found, key=lambda row: (collation_key(row.unit_name), row.unit_code))
