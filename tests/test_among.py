"""lms.db.among: a column among thousands of ids, sent as one parameter, or among the values a
statement selects, on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import String, func, select
from sqlalchemy.dialects import postgresql, sqlite

from lms.accounts.models import Person
from lms.db import among, db, id_list
from lms.org import services as org
from lms.org.models import Membership, Unit
from tests.factories import make_person, make_unit


def test_among_finds_exactly_the_ids_given_in_one_parameter(app, sql_statements):
    people = [make_person(password=None) for _ in range(5)]
    db.session.commit()
    # Two that name nobody, one of them past a 32-bit integer, and a None (as in SQL: nobody).
    wanted = [people[1].id, people[3].id, 10**9, 2**40, None]
    query = select(Person.id).where(among(Person.id, wanted)).order_by(Person.id)
    assert db.session.scalars(query).all() == [people[1].id, people[3].id]
    assert db.session.scalars(select(Person.id).where(among(Person.id, []))).all() == []
    assert db.session.scalars(
        select(Person.id).where(~among(Person.id, wanted[:-1])).order_by(Person.id)
    ).all() == sorted(p.id for p in people if p.id not in wanted)
    # Five thousand ids are still one bound value, not five thousand.
    many = list(range(1, 5001))
    statements = sql_statements(
        lambda: db.session.scalars(select(Person.id).where(among(Person.id, many))).all()
    )
    (statement,) = [s for s in statements if "FROM person" in s]
    assert statement.count("?") + statement.count("%(") == 1


def test_among_written_out_with_its_values_on_both_databases():
    """A statement printed with its values (a log, an offline migration) shows the ids."""
    query = select(Person.id).where(among(Person.id, [3, 1]))
    printed = {
        name: str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        for name, dialect in (("sqlite", sqlite.dialect()), ("postgresql", postgresql.dialect()))
    }
    assert "json_each('[3, 1]')" in printed["sqlite"]
    assert "= ANY(CAST('{3,1}' AS BIGINT[]))" in printed["postgresql"]


def test_among_the_values_a_statement_selects_on_its_own(app):
    """The people of one unit among all: exactly its members, none when it has none, and the
    statement stands on its own even when the one around it reads the same table (a person who
    moved from the first unit to the second is found among the second's members, once)."""
    first, second, empty = make_unit(), make_unit(), make_unit()
    stayed = make_person(unit=first)
    moved = make_person(unit=first)
    make_person(unit=second)
    make_person()  # in no unit
    org.assign_to_unit(moved, second, date(2025, 3, 1))
    db.session.commit()

    def members(unit):  # by the unit's code: a statement of two tables, one also read around it
        return select(Membership.person_id).where(
            Membership.unit_id == Unit.id, Unit.code == unit.code
        )

    def ids(query):
        return db.session.scalars(query.order_by(Person.id)).all()

    assert ids(select(Person.id).where(among(Person.id, members(first)))) == [stayed.id, moved.id]
    assert ids(select(Person.id).where(among(Person.id, members(empty)))) == []
    everyone = set(ids(select(Person.id)))
    outside = set(ids(select(Person.id).where(~among(Person.id, members(first)))))
    assert outside == everyone - {stayed.id, moved.id}
    in_second = (
        select(Person.id)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.unit_id == second.id, among(Person.id, members(first)))
    )
    assert ids(in_second) == [moved.id]


def test_among_a_statement_s_values_written_as_an_array_on_postgresql():
    """PostgreSQL reads `IN (SELECT ...)` as a join, which for a unit's few hundred people of
    thousands it makes by scanning the whole table; gathered into an array first, they are
    looked up in the column's index (bench/README.md has the timings). SQLite looks them up
    either way."""
    query = select(Person.id).where(among(Person.id, select(Membership.person_id)))
    printed = {
        name: " ".join(str(query.compile(dialect=dialect)).split())
        for name, dialect in (("sqlite", sqlite.dialect()), ("postgresql", postgresql.dialect()))
    }
    assert "person.id IN (SELECT membership.person_id FROM membership)" in printed["sqlite"]
    assert (
        "person.id = ANY(ARRAY(SELECT membership.person_id FROM membership))"
        in printed["postgresql"]
    )


@pytest.mark.parametrize("ids", ["123", [1, "2"], [1, True], [1.5]])
def test_among_refuses_what_is_not_a_list_of_ids_on_postgresql(ids):
    """The ids reach PostgreSQL as an array's text: only ints may go into it."""
    with pytest.raises(TypeError):
        id_list("ids").type.process_bind_param(ids, postgresql.dialect())


def test_an_id_list_reaches_postgresql_as_an_integer_array(app):
    """Its text is sent typed int4[] (int8[] past 32 bits) by a dumper each psycopg connection
    is given as it opens: sent as text, every statement would parse it again."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the ids go to SQLite as JSON")
    typed = select(func.pg_typeof(id_list("ids")).cast(String))
    assert db.session.scalar(typed, {"ids": [1, 2]}) == "integer[]"
    assert db.session.scalar(typed, {"ids": [1, 2**40]}) == "bigint[]"
