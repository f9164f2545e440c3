"""The migration that starts position history gives everyone with a position a first row."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import text

from lms import MIGRATIONS_DIR
from lms.db import db
from tests.test_migrations import empty_app  # noqa: F401 - the fixture, on both databases

REVISION = "e9f1fd6f7d66"


def _previous_revision() -> str:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return ScriptDirectory.from_config(config).get_revision(REVISION).down_revision


def _add_person(connection, person_id: int, position: str | None, created_at: str) -> None:
    connection.execute(
        text(
            "INSERT INTO person (id, username, full_name, given_name, family_and_middle, "
            "sort_key, search_name, position, employment_kind, must_change_password, "
            "is_active, is_demo, created_at, updated_at) VALUES (:id, :username, 'Lò Văn A', "
            "'A', 'Lò Văn', 'a', 'lo van a', :position, 'cong_chuc', false, true, false, "
            ":created_at, :created_at)"
        ),
        {
            "id": person_id,
            "username": f"nguoi{person_id}",
            "position": position,
            "created_at": created_at,
        },
    )


@pytest.mark.usefixtures("empty_app")
def test_each_position_is_held_from_the_first_membership_or_the_creation_day():
    upgrade(revision=_previous_revision())
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO unit (id, code, kind, valid_from) "
                "VALUES (1, 'PDT', 'division', '2010-01-01')"
            )
        )
        _add_person(connection, 1, "Chuyên viên", "2024-03-04 10:00:00")
        # 20:00 UTC is already the next day in Việt Nam: the day the agency saw it created.
        _add_person(connection, 2, "Trưởng phòng", "2024-03-04 20:00:00")
        _add_person(connection, 3, None, "2024-03-04 10:00:00")
        _add_person(connection, 4, "", "2024-03-04 10:00:00")
        for membership_id, since in ((1, "2022-01-01"), (2, "2019-05-01")):
            connection.execute(
                text(
                    "INSERT INTO membership (id, person_id, unit_id, valid_from) "
                    "VALUES (:id, 1, 1, :since)"
                ),
                {"id": membership_id, "since": since},
            )

    upgrade(revision=REVISION)

    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT person_id, position, valid_from, recorded_by_id, recorded_at "
                "FROM person_position ORDER BY person_id"
            )
        ).all()
    found = [
        (person_id, position, date.fromisoformat(str(since)[:10]), by)
        for person_id, position, since, by, _at in rows
    ]
    assert found == [
        (1, "Chuyên viên", date(2019, 5, 1), None),
        (2, "Trưởng phòng", date(2024, 3, 5), None),
    ]
    assert all(at is not None for *_rest, at in rows)
