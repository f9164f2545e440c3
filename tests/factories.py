"""Factory functions that build valid records through the real services."""

from __future__ import annotations

from datetime import date
from functools import cache
from itertools import count

from lms.accounts import services as people
from lms.accounts.models import Person
from lms.auth import services as auth
from lms.auth.roles import Role
from lms.db import db
from lms.org import services as org
from lms.org.models import Unit, UnitKind

PASSWORD = "Mat-khau-2024"
START = date(2020, 1, 1)
_numbers = count(1)


@cache
def _hash(password: str) -> str:
    """Hash each test password once per run; scrypt is slow on purpose."""
    return auth.hash_password(password)


def make_unit(
    code: str | None = None,
    name: str | None = None,
    *,
    parent: Unit | None = None,
    kind: UnitKind = UnitKind.DIVISION,
    valid_from: date = START,
) -> Unit:
    number = next(_numbers)
    unit = org.create_unit(
        code=code or f"U{number:03d}",
        name=name or f"Phòng số {number}",
        kind=kind,
        parent=parent,
        valid_from=valid_from,
    )
    db.session.flush()
    return unit


def make_person(
    username: str | None = None,
    full_name: str | None = None,
    *,
    unit: Unit | None = None,
    since: date = START,
    roles: tuple[Role, ...] = (),
    manages: Unit | None = None,
    password: str | None = PASSWORD,
    **fields,
) -> Person:
    number = next(_numbers)
    person = people.create_person(
        username=username or f"nguoi{number}",
        full_name=full_name or f"Nguyễn Văn Thử {number}",
        **fields,
    )
    if password:
        person.password_hash = _hash(password)
    db.session.flush()
    if unit is not None:
        org.assign_to_unit(person, unit, since)
    for role in roles:
        people.grant_role(person, role)
    if manages is not None:
        people.grant_role(person, Role.MANAGER, manages)
    db.session.flush()
    return person
