"""Reference data (rules, assignments, courses, the unit tree) are read once per process while
the database's stamp is unchanged (lms.reference), and every figure still follows each change at
once: in the request that made it, after a rollback, and on a second server."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select, text, update

from lms import create_app
from lms.courses.models import Course
from lms.db import db, utcnow
from lms.org import services as org
from lms.plans import assignments, rules
from lms.progress.engine import CATEGORY_INDEX, Engine, people_figures
from lms.progress.models import UnitAssignment
from lms.reference import KEPT, ReferenceStamp, current_stamp, remembered
from tests.factories import correct_target, make_course, make_person, make_unit

YEAR = 2026
FIRST, LAST, TODAY = date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR, 6, 15)


def _assign(unit, course, due=date(YEAR, 3, 31)):
    return assignments.assign_course(
        unit=unit, course_id=course.id, year=YEAR, kind="required", due_on=due,
        include_subunits=True, actor_id=None,
    )  # fmt: skip


def _figures(person_id: int, kind: str):
    return people_figures({person_id: kind}, FIRST, LAST, TODAY, items=True)[person_id]


def _assign_on_another_server(settings, unit_model, unit_id, course_id, due):
    """Assign a course as another server would: its own app, engine and memory."""
    second = create_app(dict(settings))
    with second.app_context():
        assignments.assign_course(
            unit=db.session.get(unit_model, unit_id), course_id=course_id, year=YEAR,
            kind="required", due_on=due, include_subunits=False, actor_id=None,
        )  # fmt: skip
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _world():
    rules.seed_default_rules()
    top = make_unit("SO", "Sở")
    unit = make_unit("PCS", "Phòng Chính sách", parent=top)
    person = make_person("mai", "Lò Thị Mai", unit=unit)
    db.session.commit()
    return top, unit, person


def test_a_write_of_reference_data_sets_a_new_stamp_and_no_other_write_does(app):
    _top, unit, person = _world()
    first = current_stamp()
    assert first is not None
    person.position = "Chuyên viên"  # not reference data
    db.session.commit()
    assert current_stamp() == first
    course = make_course()  # an ORM insert of a course
    assert current_stamp() != first  # seen before the commit, by the request that wrote
    db.session.commit()
    second = current_stamp()
    assignment = _assign(unit, course)
    db.session.commit()
    third = current_stamp()
    assert len({first, second, third}) == 3
    db.session.execute(  # a Core UPDATE, not through the ORM's objects
        update(UnitAssignment).where(UnitAssignment.id == assignment.id).values(due_on=LAST)
    )
    db.session.commit()
    assert current_stamp() not in {first, second, third}


def test_figures_follow_each_change_of_assignments_rules_and_the_tree(app):
    top, unit, person = _world()
    other = make_unit("VP", "Văn phòng")
    course, second_course = make_course(title="Khóa một"), make_course(title="Khóa hai")
    own = _assign(unit, course)
    db.session.commit()
    person_id, kind = person.id, person.employment_kind
    before = _figures(person_id, kind)
    assert before.required_total == 1
    assert _figures(person_id, kind).required_total == 1  # read again: the same
    # An assignment to the unit above, with its sub-units: the tree says it reaches her.
    _assign(top, second_course)
    db.session.flush()
    assert _figures(person_id, kind).required_total == 2  # in the request that wrote it
    db.session.commit()
    assert _figures(person_id, kind).required_total == 2
    # Her unit moves out from under the Sở before the due day: that item no longer reaches her.
    org.move_unit(db.session.get(type(unit), unit.id), other, date(YEAR, 2, 1))
    db.session.commit()
    assert _figures(person_id, kind).required_total == 1
    assignments.withdraw_assignment(db.session.get(UnitAssignment, own.id), actor_id=None)
    db.session.commit()
    assert _figures(person_id, kind).required_total == 0
    # A corrected target is the target at once.
    target = _figures(person_id, kind).target
    assert target is not None
    correct_target(target.versions[0].code, TODAY, amount=str(target.amount + 10))
    db.session.commit()
    assert _figures(person_id, kind).target.amount == target.amount + 10


def test_a_change_rolled_back_is_forgotten(app):
    _top, unit, person = _world()
    course = make_course()
    db.session.commit()
    person_id, kind = person.id, person.employment_kind
    assert _figures(person_id, kind).required_total == 0
    kept = current_stamp()
    _assign(unit, course)
    db.session.flush()
    assert _figures(person_id, kind).required_total == 1  # read fresh, after the write
    db.session.rollback()
    assert current_stamp() == kept  # no stamp written
    assert _figures(person_id, kind).required_total == 0
    # The same inside a transaction that goes on: a savepoint rolled back.
    savepoint = db.session.begin_nested()
    _assign(db.session.get(type(unit), unit.id), db.session.get(type(course), course.id))
    db.session.flush()
    assert _figures(person_id, kind).required_total == 1
    savepoint.rollback()
    assert _figures(person_id, kind).required_total == 0
    db.session.rollback()
    assert current_stamp() == kept


def test_a_second_server_sees_the_first_ones_change(app, test_settings):
    _top, unit, person = _world()
    course = make_course()
    db.session.commit()
    person_id, kind, unit_id, course_id = person.id, person.employment_kind, unit.id, course.id
    assert _figures(person_id, kind).required_total == 0  # this server keeps what it read
    _assign_on_another_server(test_settings, type(unit), unit_id, course_id, date(YEAR, 3, 31))
    db.session.rollback()  # a new request on the first server
    assert _figures(person_id, kind).required_total == 1


def test_reference_data_are_read_once_while_unchanged(app, count_queries):
    _top, unit, _person = _world()
    _assign(unit, make_course())
    db.session.commit()

    def build():
        engine = Engine(FIRST, LAST, TODAY)
        assert engine.requirements.required_courses  # the assignment is there
        db.session.rollback()

    first = count_queries(build)
    again = count_queries(build)
    assert again == 1 < first  # the stamp alone


def test_a_shelf_keeps_its_own_many_reads_without_pushing_out_the_shared_ones(app):
    _world()
    stamp = current_stamp()
    loads: list[tuple] = []

    def read(*key):
        def load():
            loads.append(key)
            return key

        return remembered(stamp, key, load, **({"shelf": "lessons", "size": 3} if key[1:] else {}))

    read("shared")
    for number in range(KEPT + 5):  # more lessons than the shared shelf holds
        read("lesson", number)
    loads.clear()
    read("shared")
    assert loads == []  # still kept
    for number in range(5):  # fewer than the shared shelf's size, more than this shelf's
        read("lesson", 100 + number)
    loads.clear()
    read("lesson", 102)
    assert loads == []  # the newest three are kept ...
    read("lesson", 101)
    assert loads == [("lesson", 101)]  # ... and no more: the shelf's own size


def test_without_a_stamp_nothing_is_kept_and_the_figures_stay_right(app, count_queries):
    _top, unit, person = _world()
    db.session.execute(ReferenceStamp.__table__.delete())
    db.session.commit()
    assert db.session.scalar(select(ReferenceStamp.token)) is None
    person_id, kind, unit_id = person.id, person.employment_kind, unit.id
    assert _figures(person_id, kind).required_total == 0
    reads = count_queries(lambda: Engine(FIRST, LAST, TODAY))
    assert reads == count_queries(lambda: Engine(FIRST, LAST, TODAY)) > 1  # read every time
    _assign(db.session.get(type(unit), unit_id), make_course())  # a write puts a stamp back
    db.session.commit()
    assert current_stamp() is not None
    assert _figures(person_id, kind).required_total == 1


def test_a_managers_reach_follows_the_tree_at_once(app):
    from lms.org.scope import units_reached

    top, unit, _person = _world()
    other = make_unit("VP", "Văn phòng")
    head = make_person("truong", "Hà Văn Trưởng", unit=top, manages=top)
    db.session.commit()
    assert unit.id in units_reached(head, TODAY)
    assert unit.id in units_reached(head, TODAY)  # read again: the same
    org.move_unit(unit, other, date(YEAR, 2, 1))
    db.session.commit()
    assert unit.id not in units_reached(head, TODAY)
    assert top.id in units_reached(head, TODAY)


def test_the_roster_follows_a_unit_renamed_or_moved_after_it_was_read(app):
    from lms.reports import queries as reports

    top, unit, person = _world()
    other = make_unit("VP", "Văn phòng")
    make_person("lan", "Hà Thị Lan", unit=other)
    db.session.commit()
    period = reports.Period(FIRST, LAST)

    def rows():
        return [(row.full_name, row.unit_name) for row in reports.roster(period, TODAY).rows]

    # Tree order: the Sở's units first (Phòng Chính sách under it), then the Văn phòng.
    assert rows() == [("Lò Thị Mai", "Phòng Chính sách"), ("Hà Thị Lan", "Văn phòng")]
    assert rows() == [("Lò Thị Mai", "Phòng Chính sách"), ("Hà Thị Lan", "Văn phòng")]
    org.rename_unit(db.session.get(type(unit), unit.id), "Phòng Dân tộc", date(YEAR, 3, 1))
    db.session.commit()
    assert rows()[0] == ("Lò Thị Mai", "Phòng Dân tộc")
    # The Sở moves under the Văn phòng: the Văn phòng's people now come first.
    org.move_unit(db.session.get(type(top), top.id), db.session.get(type(other), other.id), LAST)
    db.session.commit()
    assert [name for name, _unit in rows()] == ["Hà Thị Lan", "Lò Thị Mai"]


def test_what_an_engine_reads_later_is_read_by_the_stamp_of_that_moment(app):
    """The courses' categories are read when first needed: after a write, by the request's
    fresh stamp, so a rolled-back category is never kept for the next requests."""
    rules.seed_default_rules()
    course_id = make_course("digital-skills").id
    db.session.commit()
    engine = Engine(FIRST, LAST, TODAY)  # categories not read yet
    other = next(name for name in CATEGORY_INDEX if name != "digital-skills")
    db.session.get(Course, course_id).category = other
    assert engine.category_of[course_id] == CATEGORY_INDEX[other]  # the request's own write
    db.session.rollback()
    assert Engine(FIRST, LAST, TODAY).category_of[course_id] == CATEGORY_INDEX["digital-skills"]


def test_a_tree_changed_in_a_savepoint_rolled_back_is_never_kept(app):
    """Requirements kept for later requests read their tree when made, not lazily: a unit
    moved in a trial savepoint (as a merge is tried) and rolled back leaves no trace."""
    top, unit, person = _world()
    other = make_unit("VP", "Văn phòng")
    _assign(top, make_course())
    db.session.commit()
    person_id, kind, unit_id, other_id = person.id, person.employment_kind, unit.id, other.id
    engine = Engine(FIRST, LAST, TODAY)  # requirements kept under the stamp
    trial = db.session.begin_nested()
    org.move_unit(db.session.get(type(unit), unit_id), db.session.get(type(other), other_id),
                  date(YEAR, 2, 1))  # fmt: skip
    db.session.flush()
    assert _figures(person_id, kind).required_total == 0  # read fresh, after the move
    assert (
        people_figures({person_id: kind}, FIRST, LAST, TODAY, engine=engine)[
            person_id
        ].required_total
        == 1
    )  # the engine made before it keeps its own reading
    trial.rollback()
    assert _figures(person_id, kind).required_total == 1
    db.session.commit()
    db.session.close()  # a later request
    assert _figures(person_id, kind).required_total == 1


@pytest.mark.skipif(
    not os.environ.get("LMS_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="two writers at once need PostgreSQL: SQLite lets one write at a time",
)
def test_writers_of_reference_data_do_not_wait_for_each_other(app):
    """The stamp is written as a writer commits, not at its first write: a second writer of
    other reference rows commits while the first is still open (a lock on the stamp held from
    the first write made them wait, and deadlock when they then crossed)."""
    first, second = make_course(title="Khóa A"), make_course(title="Khóa B")
    db.session.commit()
    before = current_stamp()
    db.session.rollback()
    other = create_engine(db.engine.url)
    try:
        with db.engine.connect() as one, other.connect() as two:
            one.execute(update(Course).where(Course.id == first.id).values(title="A mới"))
            two.execute(text("SET lock_timeout = '3s'"))
            two.execute(update(Course).where(Course.id == second.id).values(title="B mới"))
            two.commit()  # does not wait for the first writer
            one.commit()
    finally:
        other.dispose()
    assert current_stamp() != before


def test_a_savepoint_rolled_back_after_a_write_keeps_the_transaction_reading_fresh(app):
    """A write, then a trial savepoint that fails: the transaction still reads its write, by
    a stamp no one else reads (not the database's, under which it would be kept for all)."""
    _top, unit, person = _world()
    course = make_course()
    db.session.commit()
    person_id, kind = person.id, person.employment_kind
    _assign(unit, course)
    db.session.flush()
    trial = db.session.begin_nested()
    db.session.get(type(person), person_id).position = "Chuyên viên"
    db.session.flush()
    trial.rollback()
    assert _figures(person_id, kind).required_total == 1  # the transaction's own write
    db.session.rollback()
    assert _figures(person_id, kind).required_total == 0


@pytest.mark.skipif(
    not os.environ.get("LMS_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="two writers at once need PostgreSQL: SQLite lets one write at a time",
)
def test_the_stamp_a_writer_commits_is_one_no_reader_used(app):
    """A writer reads by a fresh stamp after its write; what it kept there holds its state,
    not another writer's committed meanwhile: the stamp it commits is yet another one."""
    one, two = make_course("digital-skills"), make_course("digital-skills")
    db.session.commit()
    other = next(name for name in CATEGORY_INDEX if name != "digital-skills")
    one_id, two_id = one.id, two.id
    db.session.get(Course, one_id).category = other
    assert Engine(FIRST, LAST, TODAY).category_of[two_id] == CATEGORY_INDEX["digital-skills"]
    second = create_engine(db.engine.url)
    try:
        with second.begin() as connection:  # another server changes the other course
            connection.execute(update(Course).where(Course.id == two_id).values(category=other))
    finally:
        second.dispose()
    db.session.commit()
    db.session.close()
    assert Engine(FIRST, LAST, TODAY).category_of[two_id] == CATEGORY_INDEX[other]


def test_a_stamp_that_fails_to_be_written_leaves_no_trace(app, monkeypatch):
    """The stamp is written as the transaction commits: if that fails, its connection is let
    go, so the write it carried is not committed later by the next request to use it."""
    import lms.reference as reference

    course_id = make_course(title="Trước").id
    db.session.commit()
    db.session.remove()

    def fail(_connection):
        raise RuntimeError("mất kết nối khi ghi dấu")

    monkeypatch.setattr(reference, "write_new_stamp", fail)
    db.session.execute(update(Course).where(Course.id == course_id).values(title="Sau"))
    with pytest.raises(RuntimeError):
        db.session.commit()
    monkeypatch.undo()
    db.session.remove()  # Flask's teardown after the error
    current_stamp()  # the next request reads, and commits
    db.session.commit()
    db.session.remove()
    assert db.session.scalar(select(Course.title).where(Course.id == course_id)) == "Trước"


def _stamp_reads(statements: list[str]) -> tuple[int, int]:
    """(statements reading the stamp alone, statements reading it with the sign-in)."""
    alone = sum(1 for s in statements if s.lstrip().startswith("SELECT reference_stamp.token"))
    along = sum(1 for s in statements if "reference_stamp" in s and "user_session" in s)
    return alone, along


def test_a_request_reads_the_stamp_with_its_sign_in_and_sees_another_server_s_change(
    app, client, login, sql_statements, test_settings
):
    """The stamp comes with the sign-in query (no statement of its own), and it is the
    database's at that moment: a change another server committed shows on the next page."""
    _top, unit, _person = _world()
    course = make_course(title="Khóa bắt buộc")
    db.session.commit()
    unit_id, course_id = unit.id, course.id
    login("mai")
    client.get("/")
    statements = sql_statements(lambda: client.get("/"))
    assert _stamp_reads(statements) == (0, 1)
    assert "Quá hạn" not in client.get("/").get_data(as_text=True)

    # Another server assigns the course, due already.
    _assign_on_another_server(test_settings, type(unit), unit_id, course_id, date(YEAR, 1, 31))
    db.session.rollback()  # the test's requests share its session: end its transaction
    assert "Quá hạn: 1" in client.get("/").get_data(as_text=True)


def test_a_sign_in_that_commits_leaves_the_stamp_to_the_next_transaction(
    app, client, login, sql_statements
):
    """Every five minutes the sign-in records the session's use and commits: the stamp it read
    belonged to that transaction, so the page reads the stamp again in its own."""
    from lms.auth.models import UserSession

    _world()
    login("mai")
    client.get("/")

    def idle_then_page():
        db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=6)))
        db.session.commit()
        client.get("/")

    alone, along = _stamp_reads(sql_statements(idle_then_page))
    assert (alone, along) == (1, 1)


def test_a_sign_in_after_a_write_of_reference_data_leaves_the_transaction_reading_fresh(app):
    """The stamp the sign-in reads is the transaction's only if it has none yet: one that
    already wrote reference data goes on reading fresh, not by the database's stamp."""
    from lms.auth import services as auth
    from lms.org.models import Unit

    _top, unit, person = _world()
    token = auth.start_session(person, None)
    db.session.commit()
    stored = db.session.scalar(select(ReferenceStamp.token))
    db.session.execute(update(Unit).where(Unit.id == unit.id).values(code="PCS2"))
    assert auth.person_for_session(person.id, token) is not None
    assert current_stamp() not in {stored, None}
    db.session.rollback()
    assert auth.person_for_session(person.id, token) is not None
    assert current_stamp() == stored
