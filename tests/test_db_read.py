"""lms.db.read: a Core select on the session's connection sees the request's own pending work,
as the session's execute would, and leaves it pending inside no_autoflush; a list of one id
among which a column is read goes as that id."""

from __future__ import annotations

import pytest
from sqlalchemy import String, func, select, text, type_coerce

import lms.db
from lms.accounts.models import Person
from lms.db import among, db, id_list, read
from lms.org.models import Unit
from tests.factories import make_person, make_unit


def _position(person_id: int) -> str | None:
    return read(select(Person.position).where(Person.id == person_id)).scalar()


def test_read_sees_what_the_request_changed_but_did_not_flush(app):
    person = make_person(position="Chuyên viên")
    db.session.commit()
    person.position = "Phó trưởng phòng"
    assert person in db.session.dirty  # pending: nothing sent to the database yet

    assert _position(person.id) == "Phó trưởng phòng"

    assert person not in db.session.dirty  # flushed first, as the session's execute does
    db.session.rollback()
    assert _position(person.id) == "Chuyên viên"  # and dropped with the rollback


def test_read_inside_no_autoflush_leaves_pending_work_alone(app):
    person = make_person(position="Chuyên viên")
    db.session.commit()
    person.position = "Phó trưởng phòng"

    with db.session.no_autoflush:
        seen = _position(person.id)

    assert seen == "Chuyên viên"
    assert person in db.session.dirty
    db.session.rollback()


# A unit's code, for the units among a list of ids (as the progress engine reads people).
_CODES = select(Unit.code).where(among(Unit.id, id_list("ids"))).order_by(Unit.code)


def _codes(ids: list[int | None], *, where=None) -> list[str]:
    return list(read(where if where is not None else _CODES, {"ids": ids}).scalars())


def test_a_list_of_one_id_is_read_as_that_id_from_the_second_read_on(app, sql_statements):
    """A person's own figures go through statements built for many people: with one id, the
    id is compared as itself (PostgreSQL then plans the statement once, not at every run).
    A statement is copied for it when read again: one built for a single read is not."""
    first, second, _third = (make_unit(f"MOT{i}", f"Đơn vị {i}").id for i in range(3))
    db.session.commit()
    codes = select(Unit.code).where(among(Unit.id, id_list("ids"))).order_by(Unit.code)
    found: list[list[str]] = []
    statements = sql_statements(
        lambda: found.extend(_codes(ids, where=codes) for ids in ([second], [second], [first]))
    )
    assert found == [["MOT1"], ["MOT1"], ["MOT0"]]
    as_list, *as_id = statements
    assert "ANY" in as_list or "json_each" in as_list
    for statement in as_id:
        assert "unit.id = " in statement and "ANY" not in statement
        assert "json_each" not in statement
    # Two ids stay a list; so does a list of one in a statement built for that read alone.
    (two,) = sql_statements(lambda: found.append(_codes([first, second], where=codes)))
    assert found[-1] == ["MOT0", "MOT1"] and ("ANY" in two or "json_each" in two)
    for _ in range(2):
        (once,) = sql_statements(
            lambda: found.append(
                _codes([second], where=select(Unit.code).where(among(Unit.id, id_list("ids"))))
            )
        )
        assert found[-1] == ["MOT1"] and ("ANY" in once or "json_each" in once)


def test_a_list_of_one_id_read_as_that_id_finds_what_the_list_finds(app):
    unit = make_unit("NGOAI", "Đơn vị ngoài").id
    make_unit("KHAC", "Đơn vị khác")  # found by `outside`
    db.session.commit()
    outside = select(Unit.code).where(~among(Unit.id, id_list("ids")), Unit.code != "TINH")
    for _ in range(2):  # as a list, then as the id
        assert _codes([unit]) == ["NGOAI"]
        assert "KHAC" in _codes([unit], where=outside) and "NGOAI" not in _codes(
            [unit], where=outside
        )
        assert _codes([None]) == []  # a NULL matches nothing
        # Past an INTEGER (2**31), or past SQLite's integers (2**63): nobody, as a list finds.
        assert _codes([2**31]) == [] and _codes([2**40]) == []


def test_a_list_of_one_id_also_bound_elsewhere_stays_a_list(app):
    unit = make_unit("CALI", "Đơn vị danh sách")
    db.session.commit()
    both = select(Unit.code, func.length(type_coerce(id_list("ids"), String))).where(
        among(Unit.id, id_list("ids"))
    )
    for _ in range(2):
        ((code, length),) = read(both, {"ids": [unit.id]}).all()
        assert code == "CALI"
        assert length == len(f"[{unit.id}]")  # JSON on SQLite, {…} on PostgreSQL: as long


def test_on_postgresql_a_list_of_one_id_gets_a_plan_made_once(app):
    """PostgreSQL plans `= ANY(:ids)` again at every run (it costs a generic plan as if for ten
    ids); a person's reads, run on every page of theirs, are planned once."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plans of prepared statements")
    if db.engine.dialect.create_connect_args(db.engine.url)[1].get("prepare_threshold", 5) is None:
        pytest.skip("nothing prepared (LMS_DATABASE_PREPARED=0)")
    unit = make_unit("GENE", "Đơn vị một kế hoạch")
    db.session.commit()
    # psycopg prepares a statement at its fifth run on a connection; PostgreSQL makes a plan
    # for the values of each of the first five runs of a prepared statement, then weighs one
    # made for all values.
    for _ in range(14):
        assert list(read(_CODES, {"ids": [unit.id]}).scalars()) == ["GENE"]
    # This statement's one-id copy only: the connection may have come back to the pool with
    # others of the unit table prepared (`session.get(Unit, ...)`, from earlier tests).
    plans = read(
        text(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE 'SELECT unit.code %FROM unit %WHERE unit.id = $1%'"
        )
    ).all()
    assert len(plans) == 1
    generic, custom = plans[0]
    # Five plans for the values at hand, then the one for all (with `= ANY(:ids)`: none).
    assert custom == 5 and generic >= 4


def test_statements_built_per_read_keep_no_more_than_the_limit(app, monkeypatch):
    """A copy keeps its statement alive (SQLAlchemy's clone refers to its original): copies of
    statements built per request, each read twice, stay within lms.db.MAX_ONE_ID."""
    unit = make_unit("GIOIHAN", "Đơn vị giới hạn").id
    db.session.commit()
    monkeypatch.setattr(lms.db, "MAX_ONE_ID", 8)
    for _ in range(30):
        built = select(Unit.code).where(among(Unit.id, id_list("ids")))
        assert _codes([unit], where=built) == _codes([unit], where=built) == ["GIOIHAN"]
        assert len(lms.db._ONE_ID) <= 8
