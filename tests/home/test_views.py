"""The learner's home page: what it shows, and what it costs (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import lms.db
from lms.accounts.models import Person
from lms.db import db
from lms.home.queries import organisation_counts, unit_member_counts
from lms.i18n import local_today
from lms.org import services as org
from tests.factories import (
    complete_course,
    make_citizen,
    make_course,
    make_person,
    make_unit,
)


def test_the_learner_home_shows_the_unit_and_courses_in_a_fixed_number_of_queries(
    app, client, login, count_queries
):
    unit = make_unit("PCS", "Phòng Chính sách dân tộc")
    person_id = make_person("hocvien", "Lò Văn Học", unit=unit).id
    db.session.commit()
    login("hocvien")
    # The first page reads the reference data (rules, assignments), kept while unchanged
    # (lms.reference); the guard counts the pages after it.
    client.get("/")
    # The unit today comes from the memberships the plan's figures are read with, named from
    # the year's unit tree kept with the reference data: no statement of its own.
    few = count_queries(lambda: client.get("/"))
    page = client.get("/").get_data(as_text=True)
    assert "Phòng Chính sách dân tộc" in page
    assert "Bạn chưa bắt đầu khóa học nào." in page

    learner = db.session.get(Person, person_id)
    moment = datetime.combine(local_today(), datetime.min.time(), tzinfo=UTC)
    for number in range(3):
        complete_course(learner, make_course(title=f"Khóa đã học {number}"), moment)
    db.session.commit()
    client.get("/")  # new courses: the reference data are read again, once
    many = count_queries(lambda: client.get("/"))
    page = client.get("/").get_data(as_text=True)
    assert all(f"Khóa đã học {number}" in page for number in range(3))
    # 6: the review deck's due count is one indexed COUNT (lms.review.queries.due_count); the
    # courses' categories are not read (the learner's credits are summed by the database); the
    # rules and assignments are kept while the reference stamp is unchanged; the stamp and the
    # header's unread count are read by the sign-in query.
    assert many == few == 6


def test_the_home_names_the_unit_i_am_in_today_as_it_is_named_today(app, client, login):
    today = local_today()
    old = make_unit("CU", "Phòng Tổng hợp")
    new = make_unit("MOI", "Phòng Chính sách")
    moved = make_person("chuyen", "Lò Văn Chuyển", unit=old)
    org.assign_to_unit(moved, new, today)  # moved today: yesterday was their last day in CU
    left = make_person("nghi", "Vi Văn Nghỉ", unit=old)
    org.end_membership(left.memberships[0], today)
    make_person("sapden", "Hà Văn Đến", unit=new, since=today + timedelta(days=1))
    # A citizen has no plan to read memberships with; made a member, they see their unit too.
    org.assign_to_unit(make_citizen("nguoidan", "Lò Thị Dân"), old, today)
    db.session.commit()

    def my_unit(username: str) -> str:
        client.post("/logout")
        login(username)
        page = client.get("/").get_data(as_text=True)
        return page[page.index("<dt>Đơn vị</dt>") :].split("</dd>")[0].split("<dd>")[1]

    assert my_unit("chuyen") == "Phòng Chính sách"
    # The year's tree is kept while the reference data are unchanged; a new name is such a
    # change, seen on the next page. A name from tomorrow is not today's.
    org.rename_unit(new, "Phòng Chính sách dân tộc", today)
    db.session.commit()
    assert my_unit("chuyen") == "Phòng Chính sách dân tộc"
    org.rename_unit(new, "Phòng Dân tộc", today + timedelta(days=1))
    db.session.commit()
    assert my_unit("chuyen") == "Phòng Chính sách dân tộc"
    # In no unit today: gone since today, or not there until tomorrow.
    assert my_unit("nghi") == my_unit("sapden") == "Chưa thuộc đơn vị nào"
    assert my_unit("nguoidan") == "Phòng Tổng hợp"


def test_the_home_counts_each_units_members_today_for_its_manager_and_for_hcth(
    client, login, count_queries, monkeypatch
):
    from lms.roles import Role

    # lms.db.read reads a statement as built the first time this process sees it, and through
    # its copy made for one id after: started afresh, the manager's page checks both.
    monkeypatch.setattr(lms.db, "_ONE_ID", {})

    agency = make_unit("SO", "Sở Dân tộc và Tôn giáo")
    unit = make_unit("CSDT", "Phòng Chính sách dân tộc", parent=agency)
    other = make_unit("PKH", "Phòng Kế hoạch", parent=agency)
    make_unit("TRONG", "Phòng chưa có ai", parent=agency)
    make_person("truongphong", "Nông Văn Quản", unit=unit, manages=unit)
    make_person("mai", "Lò Thị Mai", unit=unit)
    make_person("nghi", "Vi Văn Nghỉ", unit=unit).is_active = False  # not counted
    make_person("vanxa", "Vi Văn Xa", unit=other)
    make_person("tonghop", "Lương Thị Hợp", unit=other, roles=(Role.HCTH,))
    # Not yet a member today, and no longer one: neither counts in its unit today, whether
    # still employed or not.
    tomorrow, today = local_today() + timedelta(days=1), local_today()
    make_person("sapden", "Hà Văn Đến", unit=other, since=tomorrow)
    make_person("sapnghi", "Hà Văn Chưa", unit=unit, since=tomorrow).is_active = False
    left = make_person("dadi", "Hà Thị Đi", unit=other)
    org.end_membership(left.memberships[0], today)  # their last day: yesterday
    retired = make_person("huu", "Hà Thị Hưu", unit=unit)
    org.end_membership(retired.memberships[0], today)
    retired.is_active = False
    # A citizen on the open courses is one of the province's people, not of the agency.
    make_citizen("nguoidan", "Lò Thị Dân")
    db.session.commit()

    login("truongphong")
    for _ in range(3):  # as built, then through the copy
        page = client.get("/").get_data(as_text=True)
        # Their own unit only, with its two active members (themselves and Mai).
        assert "Phòng Chính sách dân tộc</a> — 2 người" in page
        assert "Phòng Kế hoạch</a>" not in page
    assert count_queries(lambda: client.get("/")) == 7  # a learner's six, then their units

    client.post("/logout")
    login("tonghop")
    # Active staff: the four above, the one still to join and the one who left the unit (still
    # employed); not those who left the agency, nor the citizen.
    rows = [
        ("SO", "Sở Dân tộc và Tôn giáo", 0),
        ("CSDT", "Phòng Chính sách dân tộc", 2),
        ("PKH", "Phòng Kế hoạch", 2),
        ("TRONG", "Phòng chưa có ai", 0),
    ]
    for _ in range(2):
        page = client.get("/").get_data(as_text=True)
        assert "6 người đang hoạt động, 4 đơn vị." in page
        for code, name, members in rows:
            assert f"<tr><td>{code}</td><td>{name}</td><td>{members}</td></tr>" in page
    # A learner's six, then the units with their counts and the staff count: the open units
    # are not read first to be listed back to the database.
    assert count_queries(lambda: client.get("/")) == 8


def test_unit_head_counts_are_the_same_for_one_unit_and_for_several(app, monkeypatch):
    monkeypatch.setattr(lms.db, "_ONE_ID", {})  # see above: as built first, then the copy
    agency = make_unit("SO", "Sở Dân tộc và Tôn giáo")
    unit = make_unit("CSDT", "Phòng Chính sách dân tộc", parent=agency)
    other = make_unit("PKH", "Phòng Kế hoạch", parent=agency)
    for _ in range(3):
        make_person(unit=unit)
    make_person(unit=unit).is_active = False
    make_person(unit=other)
    db.session.commit()
    today = local_today()
    expected = {unit.id: 3, other.id: 1}
    # One unit: the first read as built (a list), the others through the copy for one id.
    # Two units: as built.
    for _ in range(2):
        for unit_id in (unit.id, other.id):
            (found,) = unit_member_counts({unit_id}, today)
            assert found.members == expected[unit_id]
        both = unit_member_counts({unit.id, other.id}, today)
        assert {count.unit_id: count.members for count in both} == expected
    everyone = {count.code: count.members for count in organisation_counts(today)}
    assert everyone == {"SO": 0, "CSDT": 3, "PKH": 1}


# The home's partial indexes of people: (name, the statement planned through it on SQLite, its
# values there, its condition as SQLite and PostgreSQL hold it).
PARTIAL_INDEXES = {
    # The people who left, taken off every unit's head count (HCTH's home).
    "ix_person_left": (
        "_ORGANISATION",
        {"day": "2026-01-01"},
        "WHERE is_active IS 0",
        "WHERE (is_active IS FALSE)",
    ),
    # The agency's active staff, counted (HCTH's home).
    "ix_person_staff": (
        "_STAFF",
        {},
        "WHERE is_active IS 1 AND is_citizen IS 0",
        "WHERE ((is_active IS TRUE) AND (is_citizen IS FALSE))",
    ),
}


@pytest.mark.parametrize("name", sorted(PARTIAL_INDEXES))
def test_the_home_counts_people_through_partial_indexes_of_them(app, name):
    """Each index is partial (a plain one on is_active misleads SQLite's planner, see
    lms.accounts.models), and SQLite uses a partial index only for a condition written as its
    own: the migrations' check compares names and columns, not conditions, so the condition is
    checked here as each database holds it, and on SQLite the statement's plan."""
    from sqlalchemy import text

    from lms.home import queries

    statement_name, values, on_sqlite, on_postgresql = PARTIAL_INDEXES[name]
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            made = connection.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": name}
            )
            assert made.endswith(on_sqlite)
            # The statement as SQLite receives it, planned through the partial index.
            compiled = getattr(queries, statement_name).compile(dialect=connection.dialect)
            bound = {**compiled.params, **values}
            positional = [bound[key] for key in compiled.positiontup or ()]
            raw = connection.connection.dbapi_connection
            plan = raw.execute("EXPLAIN QUERY PLAN " + str(compiled), positional).fetchall()
            assert any(name in step[-1] for step in plan), plan
        else:
            made = connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"), {"name": name}
            )
            assert made.endswith(on_postgresql)
