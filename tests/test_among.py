"""lms.db.among: a column among thousands of ids, sent as one parameter, on both databases."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import Person
from lms.db import among, db
from tests.factories import make_person


def test_among_finds_exactly_the_ids_given_in_one_parameter(app, sql_statements):
    people = [make_person(password=None) for _ in range(5)]
    db.session.commit()
    # Two that name nobody, one of them past a 32-bit integer (the list is bigint[]).
    wanted = [people[1].id, people[3].id, 10**9, 2**40]
    query = select(Person.id).where(among(Person.id, wanted)).order_by(Person.id)
    assert db.session.scalars(query).all() == [people[1].id, people[3].id]
    assert db.session.scalars(select(Person.id).where(among(Person.id, []))).all() == []
    assert db.session.scalars(select(Person.id).where(~among(Person.id, wanted))).all() == sorted(
        p.id for p in people if p.id not in wanted
    )
    # Five thousand ids are still one bound value, not five thousand.
    many = list(range(1, 5001))
    statements = sql_statements(
        lambda: db.session.scalars(select(Person.id).where(among(Person.id, many))).all()
    )
    (statement,) = [s for s in statements if "FROM person" in s]
    assert statement.count("?") + statement.count("%(") == 1
