"""Helpers for the organisation tests: a signed-in administrator and a raw view of the tables."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from lms.auth.roles import Role
from lms.db import db
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


def count_queries(app):
    """Return a function that runs a callable and says how many SQL statements it sent."""

    def run(action) -> int:
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        # Requests share the test's session: start from an empty one, as a real request does.
        db.session.commit()
        db.session.close()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            action()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    return run
