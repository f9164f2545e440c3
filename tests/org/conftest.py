"""Helpers for the organisation tests: a signed-in administrator and a raw view of the tables."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lms.db import db
from lms.roles import Role
from tests.factories import make_person

ORG_TABLES = ("unit", "unit_version", "membership", "role_grant", "audit_event")


def org_rows() -> dict[str, list[tuple]]:
    """Return every row of the organisation tables, read afresh from the database."""
    with db.engine.connect() as connection:
        return {
            table: sorted(tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}")))
            for table in ORG_TABLES
        }


@pytest.fixture
def admin(app, login):
    """Sign in an administrator (who belongs to no unit) and return them."""
    person = make_person("quantri", "Quản Trị Hệ Thống", roles=(Role.ADMIN,))
    db.session.commit()
    login("quantri")
    return person
