"""Fixtures for the people administration tests."""

from __future__ import annotations

import pytest

from lms.db import db
from lms.roles import Role
from tests.factories import make_person


@pytest.fixture
def admin(app, login):
    """Sign in an administrator and return them."""
    person = make_person("quantri", "Quản Trị Viên", roles=(Role.ADMIN,))
    db.session.commit()
    assert login("quantri").status_code == 302
    return person
