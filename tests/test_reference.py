"""Reference data (rules, assignments, courses, the unit tree) are read once per process while
the database's stamp is unchanged (lms.reference), and every figure still follows each change at
once: in the request that made it, after a rollback, and on a second server."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from lms import create_app
from lms.db import db
from lms.org import services as org
from lms.plans import assignments, rules
from lms.progress.engine import Engine, people_figures
from lms.progress.models import UnitAssignment
from lms.reference import ReferenceStamp, current_stamp
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
    assert _figures(person_id, kind).required_total == 1  # remembered under the new stamp
    db.session.rollback()
    assert current_stamp() == kept
    assert _figures(person_id, kind).required_total == 0
    # The same inside a transaction that goes on: a savepoint rolled back.
    savepoint = db.session.begin_nested()
    _assign(db.session.get(type(unit), unit.id), db.session.get(type(course), course.id))
    db.session.flush()
    assert _figures(person_id, kind).required_total == 1
    savepoint.rollback()
    assert current_stamp() == kept
    assert _figures(person_id, kind).required_total == 0


def test_a_second_server_sees_the_first_ones_change(app, test_settings):
    _top, unit, person = _world()
    course = make_course()
    db.session.commit()
    person_id, kind, unit_id, course_id = person.id, person.employment_kind, unit.id, course.id
    assert _figures(person_id, kind).required_total == 0  # this server keeps what it read
    second = create_app(dict(test_settings))  # another server: its own engine and memory
    with second.app_context():
        assignments.assign_course(
            unit=db.session.get(type(unit), unit_id), course_id=course_id, year=YEAR,
            kind="required", due_on=date(YEAR, 3, 31), include_subunits=False, actor_id=None,
        )  # fmt: skip
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
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
