"""Reads about people: who cannot sign in yet; positions over time (one query for a whole
roster's people)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Date, bindparam, func, select
from sqlalchemy.orm import aliased

from lms.accounts.models import Person, PersonPosition
from lms.db import Days, among, db, id_list, read, unparsed


def cannot_sign_in_yet() -> ColumnElement[bool]:
    """SQL condition: an active, real account with no password (as a staff import leaves it)."""
    return Person.password_hash.is_(None) & Person.is_active.is_(True) & Person.is_demo.is_(False)


def waiting_for_first_sign_in() -> int:
    """How many people cannot sign in yet (they wait for a first-sign-in code)."""
    return db.session.scalar(select(func.count(Person.id)).where(cannot_sign_in_yet())) or 0


def covers(since: date, until: date | None, day: date) -> bool:
    """Whether the days since..until (None: still open) include day."""
    return since <= day and (until is None or day <= until)


class Positions(dict):
    """Each person's recorded positions up to some day, oldest first: person → (days, titles).

    A person holds the position of their latest change with valid_from <= day. Before their
    first recorded change, or with no history at all, they held none. (The migration gave
    everyone who had a position a first row, and every service that sets a position writes
    one, so "no row" means no position was recorded for that day, never "the one given later".)
    """

    def held_on(self, person_id: int, day: date) -> str | None:
        found = self.get(person_id)
        if found is None:
            return None
        days, titles = found
        index = bisect_right(days, day) - 1
        return titles[index] if index >= 0 else None


# Built once: a roster reads positions for every batch of people.
_POSITIONS = (
    select(PersonPosition.person_id, unparsed(PersonPosition.valid_from), PersonPosition.position)
    .where(
        among(PersonPosition.person_id, id_list("ids")),
        PersonPosition.valid_from <= bindparam("last", type_=Date),
    )
    .order_by(PersonPosition.person_id, PersonPosition.valid_from)
)


def positions_until(person_ids: Collection[int], last: date) -> Positions:
    """The positions of people up to day last, in one query whatever the number of ids (a
    roster asks, for each of its rows, what was held on that row's last day)."""
    found = Positions()
    ids = list(person_ids)
    if not ids:
        return found
    parsed = Days()
    for person_id, since, title in read(_POSITIONS, {"ids": ids, "last": last}).all():
        days, titles = found.setdefault(person_id, ([], []))
        days.append(parsed[since])
        titles.append(title)
    return found


def positions_on(person_ids: Collection[int], day: date) -> dict[int, str | None]:
    """Return the position each person held on day, in one query, for every id given."""
    found = positions_until(person_ids, day)
    return {person_id: found.held_on(person_id, day) for person_id in person_ids}


@dataclass(frozen=True)
class PositionRow:
    """A position a person held, from one day until the day before their next change."""

    position: str
    valid_from: date
    valid_until: date | None
    recorded_at: datetime
    recorded_by: str | None
    is_current: bool


def position_history(person_id: int, day: date) -> list[PositionRow]:
    """Return a person's positions, oldest first; is_current marks the one held on day."""
    recorder = aliased(Person)
    rows = db.session.execute(
        select(
            PersonPosition.position,
            PersonPosition.valid_from,
            PersonPosition.recorded_at,
            recorder.full_name,
        )
        .outerjoin(recorder, recorder.id == PersonPosition.recorded_by_id)
        .where(PersonPosition.person_id == person_id)
        .order_by(PersonPosition.valid_from)
    ).all()
    history = []
    for index, (position, since, recorded_at, recorded_by) in enumerate(rows):
        following = rows[index + 1].valid_from if index + 1 < len(rows) else None
        until = following - timedelta(days=1) if following else None
        history.append(
            PositionRow(
                position=position,
                valid_from=since,
                valid_until=until,
                recorded_at=recorded_at,
                recorded_by=recorded_by,
                is_current=covers(since, until, day),
            )
        )
    return history


def full_names(person_ids: Collection[int]) -> dict[int, str]:
    """The full names of these people, by id (who saved a version, who did something)."""
    if not person_ids:
        return {}
    return dict(
        db.session.execute(
            select(Person.id, Person.full_name).where(Person.id.in_(list(person_ids)))
        ).all()
    )
