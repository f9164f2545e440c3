"""A signing key in the test's own folder, and a learner with a certificate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.credentials import keys
from lms.db import db
from lms.learning.models import Certificate
from tests.factories import complete_course, make_course, make_person

CODE = "ABCD-EFGH-JKMN"


@pytest.fixture
def key_folder(app, tmp_path):
    app.config["CREDENTIAL_KEYS_DIR"] = str(tmp_path / "keys")
    return tmp_path / "keys"


@pytest.fixture
def signing_key(key_folder) -> keys.SigningKey:
    return keys.create_key(first=True)


@pytest.fixture
def holder(app):
    person = make_person("hocvien", "Lò Thị Mai", email="mai@example.vn")
    db.session.commit()
    return person


@pytest.fixture
def certificate(holder) -> Certificate:
    course = make_course(hours="1.5", title="Tiếng Tày giao tiếp")
    complete_course(holder, course, datetime(2024, 4, 5, 3, tzinfo=UTC), code=CODE)
    db.session.commit()
    return db.session.scalar(db.select(Certificate))
