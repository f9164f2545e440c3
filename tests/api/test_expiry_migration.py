"""The migration that adds token expiry gives existing tokens 90 days from their creation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from lms.db import db
from tests.accounts.test_position_migration import _add_person
from tests.test_migrations import empty_app  # noqa: F401 - the fixture, on both databases

REVISION = "5a7c2e9b4d13"
PREVIOUS = "e9f1fd6f7d66"


@pytest.mark.usefixtures("empty_app")
def test_existing_tokens_expire_90_days_after_they_were_made():
    upgrade(revision=PREVIOUS)
    with db.engine.begin() as connection:
        _add_person(connection, 1, None, "2024-03-04 10:00:00")
        connection.execute(
            text(
                "INSERT INTO api_token (id, person_id, name, token_hash, prefix, created_at) "
                "VALUES (1, 1, 'Cổng', :hash, 'hts_abcdefgh', '2024-03-04 10:00:00')"
            ),
            {"hash": "0" * 64},
        )

    upgrade(revision=REVISION)

    with db.engine.connect() as connection:
        expires = connection.execute(text("SELECT expires_at FROM api_token")).scalar_one()
    expires = expires if isinstance(expires, datetime) else datetime.fromisoformat(expires)
    assert expires.replace(tzinfo=expires.tzinfo or UTC) == datetime(2024, 6, 2, 10, 0, tzinfo=UTC)
