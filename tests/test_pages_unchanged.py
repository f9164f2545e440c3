"""The pages made faster (issue 17) show what they showed: a fixed data set's lesson, unit
dashboard (every sort) and printable unit roster compared with pages kept in tests/golden.

The data are in a past year (2025), so nothing depends on the day the test runs. What may
differ by design is taken out before comparing: asset URLs (their content hash), the favicon
and period-check script links, the CSRF token, a lesson's study-time beacon ids, the moment a
printout was made, the signed-in person's id, and blank lines. `LMS_WRITE_GOLDEN=1` writes the
pages anew: after a change meant to alter them, and reviewed in the diff.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from lms.courses import checker, importer
from lms.db import db
from lms.plans import assignments, rules
from lms.plans.models import ActivityStatus, ExternalActivity
from lms.roles import Role
from tests.courses.conftest import EXAMPLE
from tests.factories import (
    add_activity,
    approve_plan,
    complete_course,
    make_course,
    make_person,
    make_unit,
)

GOLDEN = Path(__file__).parent / "golden"
YEAR = 2025
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga", "Phúc", "Quý"]


def normalised(text: str) -> str:
    text = re.sub(r"(/static/[\w/.-]+?)\.[0-9a-f]{12}(\.\w+)", r"\1\2", text)
    text = re.sub(r'\s*<link rel="icon"[^>]*>', "", text)
    text = re.sub(r'\s*<script src="/static/js/forms\.js"[^>]*></script>', "", text)
    text = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', text)
    # A lesson's study-time beacon: a new event id and signed opening moment per page.
    text = re.sub(r'name="(event_id|opened_at)" value="[^"]*"', r'name="\1" value=""', text)
    text = re.sub(r'data-(stamp|csrf|person)="[^"]*"', r'data-\1=""', text)
    text = re.sub(r"\d\d/\d\d/\d{4} \d\d:\d\d", "dd/mm/yyyy hh:mm", text)
    text = re.sub(r"ngày \d+ tháng \d+ năm \d{4}", "ngày … tháng … năm …", text)
    return "\n".join(line for line in text.splitlines() if line.strip()) + "\n"


@pytest.fixture
def agency(app):
    rules.seed_default_rules()
    root = make_unit("SO", "Sở Dân tộc và Tôn giáo")
    unit = make_unit("CSDT", "Phòng Chính sách dân tộc", parent=root)
    team = make_unit("TO1", "Tổ công tác", parent=unit)
    make_person("truongphong", "Nông Văn Quản", unit=unit, manages=unit, roles=(Role.HCTH,))
    courses = [
        make_course("digital-skills", hours, title=f"Khóa {n}")
        for n, hours in enumerate(["8", "4", "12", "2.5"])
    ]
    for index, course in enumerate(courses[:3]):
        assignments.assign_course(
            unit=unit,
            course_id=course.id,
            year=YEAR,
            kind="required" if index < 2 else "recommended",
            due_on=date(YEAR, 3 + 3 * index, 28),
            include_subunits=True,
            actor_id=None,
        )
    for number, given in enumerate(GIVEN):
        person = make_person(
            f"cb{number:02d}", f"Hoàng Văn {given}", unit=team if number % 3 == 0 else unit
        )
        for index, course in enumerate(courses):
            if (number + index) % 3:
                month = 1 + (number + 2 * index) % 12
                complete_course(person, course, datetime(YEAR, month, 10, 3, tzinfo=UTC))
        if number % 2:
            add_activity(
                ExternalActivity(
                    person_id=person.id,
                    year=YEAR,
                    kind="training",
                    title="Lớp bồi dưỡng",
                    organiser="Trường Chính trị tỉnh",
                    starts_on=date(YEAR, 4, number + 1),
                    ends_on=date(YEAR, 4, number + 1),
                    hours=Decimal(number) + Decimal("0.5"),
                    status=ActivityStatus.VERIFIED,
                )
            )
        if number % 4 != 3:
            approve_plan(person, YEAR)
    sources, is_collection = checker.load_folder(EXAMPLE)
    importer.import_courses(checker.check_courses(sources, is_collection=is_collection))
    db.session.commit()
    return unit


def pages(unit) -> dict[str, str]:
    dashboard = f"/plans/units/{unit.id}/{YEAR}"
    return {
        "dashboard-name": dashboard,
        "dashboard-percent": dashboard + "?sort=percent",
        "dashboard-hours": dashboard + "?sort=hours&desc=1",
        "dashboard-overdue": dashboard + "?sort=overdue",
        "roster-print": f"/reports/units/{unit.id}/roster?period={YEAR}&format=html",
        "lesson": "/courses/mau-tieng-tay/chao-hoi",
    }


def test_the_pages_show_what_they_showed(agency, client, login):
    login("truongphong")
    write = os.environ.get("LMS_WRITE_GOLDEN") == "1"
    for name, path in pages(agency).items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        page = normalised(response.get_data(as_text=True))
        golden = GOLDEN / f"{name}.html"
        if write:
            GOLDEN.mkdir(exist_ok=True)
            golden.write_text(page, encoding="utf-8")
            continue
        assert page == golden.read_text(encoding="utf-8"), f"{name} ({path}) changed"
