"""The pages people open every day read the rows they show through indexes, never by walking a
table that grows with the organisation (issue 17): a plan page that grouped every plan version
in the table cost 20 ms at 10,000 people and 200 ms at 100,000, whatever the learner had.

SQLite's planner decides from the schema alone (the tests' tables hold no statistics), so its
plan for a handful of rows is its plan for a hundred thousand; PostgreSQL's depends on the
rows there are, and would read a small table whole, as it should: these run on SQLite only.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from lms.db import db
from lms.i18n import local_today
from lms.plans import assignments
from lms.plans.models import PlanStatus, PlanVersion, StudyPlan
from lms.roles import Role
from tests.factories import complete_course, make_course, make_person, make_unit

# What the agency publishes or sets (courses, rules, units, forms, boards, recordings):
# it grows with its content, not with its people, and the reference data among it is read whole
# on purpose, once per change (lms.reference). Every other table, a new one too, grows with
# the people or their doings: reading one whole is a cost that grows with the organisation.
PUBLISHED = {
    "commendation_form",
    "commune",
    "course_media",
    "course_version",
    "criteria_set",
    "criterion",
    "dictionary_entry",
    "dictionary_word",
    "honour_board",
    "honoured_unit",
    "indicator",
    "learning_rule",
    "nomination_list",
    "recording",
    "reference_stamp",
    "speaker",
}
# "SCAN t" reads the whole table and "SCAN t USING [COVERING] INDEX i" the whole of an index
# (SQLite before 3.36 wrote "SCAN TABLE t"); an automatic index is built from the whole table
# by each statement. A plan names a table by its alias in the statement (role_grant_1).
WHOLE = re.compile(r"^(?:SCAN (?:TABLE )?(\w+)|SEARCH (?:TABLE )?(\w+) USING AUTOMATIC)")
LOOKUP = re.compile(r"^SEARCH (?:TABLE )?(\w+) USING (?!AUTOMATIC)")
ALIAS = re.compile(r"\b(\w+) AS (\w+)\b")


@pytest.fixture(autouse=True)
def sqlite_only(app):
    """Before any data is made: the plans read are SQLite's."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plans (PostgreSQL plans by the rows it holds)")


@pytest.fixture
def org(app):
    """Two divisions (one with a team under it), a manager, learners with plans of several
    versions over two years, a completed course, a required course, an HCTH officer."""
    from lms.plans import rules

    rules.seed_default_rules()
    agency = make_unit("SO", "Sở Dân tộc và Tôn giáo")
    unit = make_unit("CSDT", "Phòng Chính sách dân tộc", parent=agency)
    team = make_unit("TO1", "Tổ công tác", parent=unit)
    other = make_unit("PKH", "Phòng Kế hoạch", parent=agency)
    make_person("truongphong", "Nông Văn Quản", unit=unit, manages=unit)
    learner = make_person("mai", "Lò Thị Mai", unit=unit)
    colleague = make_person("hoa", "Hoàng Thị Hoa", unit=team)
    make_person("vanxa", "Vi Văn Xa", unit=other)
    make_person("tonghop", "Lương Thị Hợp", unit=other, roles=(Role.HCTH,))
    course = make_course(title="Kỹ năng số cho công chức")
    year = local_today().year
    for plan_year in (year - 1, year):
        for person in (learner, colleague):
            plan = StudyPlan(person_id=person.id, year=plan_year)
            db.session.add(plan)
            db.session.flush()
            db.session.add(PlanVersion(plan_id=plan.id, number=1, status=PlanStatus.RETURNED))
            db.session.add(PlanVersion(plan_id=plan.id, number=2, status=PlanStatus.SUBMITTED))
    assignments.assign_course(
        unit=unit,
        course_id=course.id,
        year=year,
        kind="required",
        due_on=f"{year}-03-31",
        include_subunits=True,
        actor_id=None,
    )
    complete_course(learner, make_course(title="Khóa đã học"), datetime(year, 1, 2, 3, tzinfo=UTC))
    db.session.commit()
    return {"unit": unit.id, "course": course.slug, "year": year, "last_year": year - 1}


def growing_tables() -> set[str]:
    return {
        name
        for name, table in db.metadata.tables.items()
        if name not in PUBLISHED and not table.info.get("reference_data")
    }


def plan_steps(client, path: str) -> list[tuple[str, str]]:
    """(table, SQLite's plan step) of each step of each SELECT the page sends, the table named
    as in the schema (not by its alias)."""
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
    steps = []
    with db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        for statement, parameters in statements:
            tables = {alias: table for table, alias in ALIAS.findall(statement)}
            for *_ids, step in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters):
                named = WHOLE.match(step) or LOOKUP.match(step)
                if named:
                    name = next(group for group in named.groups() if group)
                    steps.append((tables.get(name, name), step))
    return steps


def whole_reads(client, path: str) -> list[str]:
    """The steps of the page's statements that walk a table growing with the organisation."""
    growing = growing_tables()
    steps = plan_steps(client, path)
    # Not vacuous: the page read some growing table by an index lookup, as SQLite words it.
    assert any(table in growing and LOOKUP.match(step) for table, step in steps), steps
    return [step for table, step in steps if table in growing and WHOLE.match(step)]


def test_sqlite_words_its_plans_as_these_tests_read_them(app):
    assert sqlite3.sqlite_version_info >= (3, 30)  # FILTER, and these plans' wording
    with db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        plan = raw.execute("EXPLAIN QUERY PLAN SELECT * FROM person AS p").fetchall()
        lookup = raw.execute("EXPLAIN QUERY PLAN SELECT * FROM person WHERE id = 1").fetchall()
    assert WHOLE.match(plan[0][-1]).groups()[0] == "p"
    assert LOOKUP.match(lookup[0][-1]).group(1) == "person"


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
def test_a_learners_pages_read_no_growing_table_whole(client, login, org, path):
    login("mai")
    assert whole_reads(client, path.format(**org)) == []


@pytest.mark.parametrize("path", MANAGER_PAGES)
def test_a_managers_pages_read_no_growing_table_whole(client, login, org, path):
    login("truongphong")
    assert whole_reads(client, path.format(**org)) == []


def test_the_whole_organisations_roster_page_reads_no_growing_table_whole(client, login, org):
    login("tonghop")
    assert whole_reads(client, "/reports/roster") == []
