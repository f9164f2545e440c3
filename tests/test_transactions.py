"""A request's writes stand or fall together, savepoints included, on every database."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.db import db
from lms.org.models import Unit
from tests.factories import make_unit


def count_units() -> int:
    return db.session.scalar(select(func.count(Unit.id)))


def test_a_savepoint_taken_first_does_not_commit_on_its_own(app):
    before = count_units()
    with db.session.begin_nested():
        make_unit("SP1", "Đơn vị trong savepoint")
    make_unit("SP2", "Đơn vị sau savepoint")
    # The worker dies before the request commits: nothing of it may remain.
    db.session.rollback()
    db.session.remove()
    assert count_units() == before
