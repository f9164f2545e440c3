"""The pages people open every day read the rows they show through indexes, never by walking a
table that grows with the organisation (issue 17): a plan page that grouped every plan version
in the table cost 20 ms at 10,000 people and 200 ms at 100,000, whatever the learner had.

SQLite's planner decides from the schema alone (the tests' tables hold no statistics), so its
plan for a handful of rows is its plan for a hundred thousand; PostgreSQL's depends on the
rows there are, and would read a small table whole, as it should: these run on SQLite only.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from lms.db import db
from lms.plans import assignments
from lms.plans.models import PlanStatus, PlanVersion, StudyPlan
from tests.factories import complete_course, make_course, make_person, make_unit
from tests.plans.conftest import Division

# Tables with a row per person, or several: reading one whole is a cost that grows with the
# organisation. The reference tables (units, courses, rules, assignments) are read whole on
# purpose, once per change (lms.reference).
GROWING = {
    "person",
    "membership",
    "person_position",
    "role_grant",
    "user_session",
    "study_plan",
    "plan_version",
    "plan_item",
    "external_activity",
    "progress_credit",
    "course_progress",
    "lesson_progress",
    "quiz_attempt",
    "notification",
    "access_log",
}
# "SCAN t" reads the whole table, "SCAN t USING [COVERING] INDEX i" the whole of an index:
# either walks every row. A SEARCH is the lookup we want.
WHOLE = re.compile(r"^SCAN (\w+)")
YEAR = date.today().year


@pytest.fixture
def org(app, division: Division):
    """A unit with plans of several versions over several years, credits, a required course."""
    from lms.plans import rules

    rules.seed_default_rules()
    for year in (YEAR - 1, YEAR):
        for person in (division.learner, division.colleague):
            plan = StudyPlan(person_id=person.id, year=year)
            db.session.add(plan)
            db.session.flush()
            db.session.add(PlanVersion(plan_id=plan.id, number=1, status=PlanStatus.RETURNED))
            db.session.add(PlanVersion(plan_id=plan.id, number=2, status=PlanStatus.SUBMITTED))
    assignments.assign_course(
        unit=division.unit,
        course_id=division.course.id,
        year=YEAR,
        kind="required",
        due_on=f"{YEAR}-03-31",
        include_subunits=True,
        actor_id=None,
    )
    moment = datetime(YEAR, 2, 1, 3, tzinfo=UTC)
    complete_course(division.learner, make_course(title="Khóa đã học"), moment)
    other = make_unit("PKH", "Phòng Kế hoạch")
    make_person("vanxa", "Vi Văn Xa", unit=other)
    db.session.commit()
    return division


def whole_reads(app, client, path: str) -> list[str]:
    """Each statement the page sends that walks a growing table, with SQLite's plan step."""
    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    client.get(path)  # the reference data, read once while unchanged
    db.session.commit()
    db.session.close()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, path
    found = []
    with db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        for statement, parameters in statements:
            for *_ids, step in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters):
                match = WHOLE.match(step)
                if match and match.group(1) in GROWING:
                    found.append(f"{step}: {' '.join(statement.split())[:300]}")
    return found


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plans (PostgreSQL plans by the rows it holds)")


LEARNER_PAGES = [
    "/",
    "/plans/{year}",
    "/plans/{last_year}",
    "/plans/notifications",
    "/courses/",
    "/courses/{course}",
    "/review/",
]
MANAGER_PAGES = [
    "/",
    "/plans/units/{unit}/{year}",
    "/plans/units/{unit}/{year}?sort=percent",
    "/plans/units/{unit}/{year}?sort=overdue",
    "/reports/units/{unit}/roster",
]


@pytest.mark.parametrize("path", LEARNER_PAGES)
def test_a_learners_pages_read_no_growing_table_whole(app, client, login, org, sqlite_only, path):
    login("mai")
    path = path.format(year=YEAR, last_year=YEAR - 1, course=org.course.slug)
    assert whole_reads(app, client, path) == []


@pytest.mark.parametrize("path", MANAGER_PAGES)
def test_a_managers_pages_read_no_growing_table_whole(app, client, login, org, sqlite_only, path):
    login("truongphong")
    path = path.format(unit=org.unit.id, year=YEAR)
    assert whole_reads(app, client, path) == []


def test_the_whole_organisations_roster_page_reads_no_growing_table_whole(
    app, client, login, org, sqlite_only
):
    login("tonghop")
    assert whole_reads(app, client, "/reports/roster") == []
