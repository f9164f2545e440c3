"""Fixtures for the security proofs: a person holding every role, and whole-database snapshots."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.db import db
from lms.roles import Role
from tests.factories import make_person, make_unit

CSRF_MESSAGE = "Biểu mẫu thiếu hoặc sai mã bảo vệ (CSRF)"


def table_counts() -> dict[str, int]:
    """Return the number of rows of every table, read afresh from the database."""
    db.session.rollback()
    with db.engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables
        }


@pytest.fixture
def unit(app):
    unit = make_unit("PCS", "Phòng Chính sách dân tộc")
    db.session.commit()
    return unit


@pytest.fixture
def superuser(app, unit):
    """An administrator who is also learner, editor, HCTH and manager of a unit."""
    person = make_person(
        "sieuquyen",
        "Nguyễn Văn Quyền",
        unit=unit,
        roles=(Role.EDITOR, Role.HCTH, Role.ADMIN),
        manages=unit,
    )
    db.session.commit()
    return person


@pytest.fixture
def as_superuser(client, login, superuser):
    """The client, signed in as the person holding every role."""
    assert login("sieuquyen").status_code == 302
    return client


def assert_nothing_lost(before: dict[str, int], after: dict[str, int]) -> None:
    """Every table is still there with at least its rows (reads may append to access logs)."""
    lost = {
        name: (count, after.get(name))
        for name, count in before.items()
        if after.get(name) is None or after[name] < count
    }
    assert not lost, f"rows or tables lost: {lost}"
