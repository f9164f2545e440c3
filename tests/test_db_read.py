"""lms.db.read: a Core select on the session's connection sees the request's own pending work,
as the session's execute would, and leaves it pending inside no_autoflush."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import Person
from lms.db import db, read
from tests.factories import make_person


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
