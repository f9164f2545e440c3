"""Odd values in any query argument of any page: a 4xx with a message, never a 500."""

from __future__ import annotations

import re

import pytest
from flask import Request
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict

from lms.api import services as api_services
from lms.courses.models import Lesson
from lms.db import db
from lms.roles import Role
from tests.courses.conftest import EXAMPLE
from tests.factories import make_person, make_unit
from tests.reports.test_criteria_columns import make_set

BAD_VALUES = [
    "9999",
    "0001",
    "-1",
    "0",
    "1" + "0" * 30,
    "abc",
    "2026-02-30",
    "30/02/2026",
    "01/01/0001",
    "31/12/9999",
    "0001-01-01",
    "9999-12-31",
    "",
    "\x00",
    "²",
]


class RecordingArgs(ImmutableMultiDict):
    """Query arguments that remember which names a view asked for."""

    read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)

    def getlist(self, key, type=None):  # noqa: A002 (werkzeug's name)
        self.read.add(key)
        return super().getlist(key, type)


@pytest.fixture
def admin_routes(app, client, login, runner, monkeypatch):
    """Every GET route as a signed-in administrator, with the query arguments it reads."""
    unit = make_unit("PHCTH", "Phòng Hành chính - Tổng hợp")
    admin = make_person(
        "quantri", "Triệu Thị Trị", unit=unit, roles=(Role.ADMIN, Role.HCTH, Role.EDITOR)
    )
    assert runner.invoke(args=["courses", "import", str(EXAMPLE.parent)]).exit_code == 0
    lesson = db.session.scalars(select(Lesson).order_by(Lesson.position)).first()
    criteria_set = make_set()
    _token, secret = api_services.issue_token(admin, "Kiểm tra")
    db.session.commit()
    login("quantri")
    monkeypatch.setattr(Request, "parameter_storage_class", RecordingArgs)
    values = {
        "year": 2026,
        "unit_id": unit.id,
        "person_id": admin.id,
        "course_slug": lesson.course.slug,
        "slug": lesson.course.slug,
        "lesson_slug": lesson.slug,
        "set_id": criteria_set.id,
    }
    headers = {"Authorization": f"Bearer {secret}"}
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values.get(match[1], 1)), rule.rule)
        RecordingArgs.read = set()
        client.get(path, headers=headers)
        routes.append((path, sorted(RecordingArgs.read)))
    return routes, headers


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
def test_odd_values_in_query_arguments_are_never_a_server_error(client, admin_routes, value):
    routes, headers = admin_routes
    assert sum(len(names) for _path, names in routes) > 20  # the walk does reach the arguments
    errors = []
    for path, names in routes:
        for name in names:
            try:
                status = client.get(path, query_string={name: value}, headers=headers).status_code
            except Exception as error:  # noqa: BLE001 (the test client raises what a 500 hides)
                status = f"{type(error).__name__}: {error}"[:120]
            if not isinstance(status, int) or status >= 500:
                errors.append((path, name, status))
    assert errors == []
