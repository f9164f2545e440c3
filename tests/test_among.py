"""lms.db.among: a column among thousands of ids, sent as one parameter, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import String, func, select
from sqlalchemy.dialects import postgresql, sqlite

from lms.accounts.models import Person
from lms.db import among, db, id_list
from tests.factories import make_person


def test_among_finds_exactly_the_ids_given_in_one_parameter(app, sql_statements):
    people = [make_person(password=None) for _ in range(5)]
    db.session.commit()
    # Two that name nobody, one of them past a 32-bit integer, and a None (as in SQL: nobody).
    wanted = [people[1].id, people[3].id, 10**9, 2**40, None]
    query = select(Person.id).where(among(Person.id, wanted)).order_by(Person.id)
    assert db.session.scalars(query).all() == [people[1].id, people[3].id]
    assert db.session.scalars(select(Person.id).where(among(Person.id, []))).all() == []
    assert db.session.scalars(
        select(Person.id).where(~among(Person.id, wanted[:-1]))
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
