"""Reads for the honour board: consent, boards for HCTH, and the public pages.

A person's unit on a board is the unit they were last a member of within the board's period,
named as it was on the last day of that membership within the period; a unit is named as it
was on the board's last day (or on its own last day, when it closed earlier).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from lms.accounts.models import Person
from lms.awards.queries import PersonChoice, people_choices
from lms.db import db
from lms.honours.models import HonourBoard, HonourConsent, HonouredPerson, HonouredUnit
from lms.nominations.models import ListStatus, NominationEntry, NominationList
from lms.org.models import Membership, Unit, UnitVersion

# ---------------------------------------------------------------------------------------------
# Consent


def _latest_consent():
    """Subquery: the id of each person's latest consent event."""
    return (
        select(func.max(HonourConsent.id).label("id"))
        .group_by(HonourConsent.person_id)
        .scalar_subquery()
    )


def consenting():
    """SQL: the ids of the people who consent now (whose latest event gives consent)."""
    return select(HonourConsent.person_id).where(
        HonourConsent.id.in_(_latest_consent()), HonourConsent.is_given.is_(True)
    )


def has_consented(person_id: int) -> bool:
    latest = db.session.scalar(
        select(HonourConsent.is_given)
        .where(HonourConsent.person_id == person_id)
        .order_by(HonourConsent.id.desc())
        .limit(1)
    )
    return bool(latest)


def consenting_ids(person_ids: Iterable[int]) -> set[int]:
    """The people among person_ids who consent now: one query."""
    ids = list(set(person_ids))
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(HonourConsent.person_id).where(
                HonourConsent.person_id.in_(ids),
                HonourConsent.id.in_(_latest_consent()),
                HonourConsent.is_given.is_(True),
            )
        )
    )


@dataclass(frozen=True)
class ConsentEvent:
    is_given: bool
    at: datetime


def consent_history(person_id: int) -> list[ConsentEvent]:
    """Every giving and withdrawal of the person's consent, newest first."""
    rows = db.session.execute(
        select(HonourConsent.is_given, HonourConsent.at)
        .where(HonourConsent.person_id == person_id)
        .order_by(HonourConsent.id.desc())
    )
    return [ConsentEvent(*row) for row in rows]


def published_boards_of(person_id: int) -> list[str]:
    """Titles of the published boards the person is on (shown only while they consent)."""
    return list(
        db.session.scalars(
            select(HonourBoard.title)
            .join(HonouredPerson, HonouredPerson.board_id == HonourBoard.id)
            .where(HonouredPerson.person_id == person_id, HonourBoard.is_published.is_(True))
            .order_by(HonourBoard.last_day.desc(), HonourBoard.id.desc())
        )
    )


# ---------------------------------------------------------------------------------------------
# Boards for HCTH


@dataclass(frozen=True)
class BoardSummary:
    id: int
    title: str
    first_day: date
    last_day: date
    is_published: bool
    people: int
    units: int


def board_summaries() -> list[BoardSummary]:
    """Every board, newest period first, with its numbers of entries: one query."""
    people = (
        select(HonouredPerson.board_id, func.count().label("n"))
        .group_by(HonouredPerson.board_id)
        .subquery()
    )
    units = (
        select(HonouredUnit.board_id, func.count().label("n"))
        .group_by(HonouredUnit.board_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            HonourBoard.id,
            HonourBoard.title,
            HonourBoard.first_day,
            HonourBoard.last_day,
            HonourBoard.is_published,
            func.coalesce(people.c.n, 0),
            func.coalesce(units.c.n, 0),
        )
        .outerjoin(people, people.c.board_id == HonourBoard.id)
        .outerjoin(units, units.c.board_id == HonourBoard.id)
        .order_by(HonourBoard.last_day.desc(), HonourBoard.id.desc())
    )
    return [BoardSummary(*row) for row in rows]


@dataclass(frozen=True)
class PersonLine:
    entry_id: int
    person_id: int
    full_name: str
    unit_name: str
    citation: str
    position: int
    consents: bool


@dataclass(frozen=True)
class UnitLine:
    entry_id: int
    unit_id: int
    name: str
    citation: str
    position: int


@dataclass(frozen=True)
class BoardView:
    id: int
    title: str
    first_day: date
    last_day: date
    is_published: bool
    people: list[PersonLine]
    units: list[UnitLine]


def board(board_id: int) -> HonourBoard | None:
    return db.session.get(HonourBoard, board_id)


def board_view(found: HonourBoard, *, public: bool = False) -> BoardView:
    """The board's people (with public, only those who consent now) and units, in a fixed
    number of queries whatever the number of entries."""
    consent = consenting()
    query = (
        select(
            HonouredPerson.id,
            HonouredPerson.person_id,
            Person.full_name,
            HonouredPerson.citation,
            HonouredPerson.position,
            HonouredPerson.person_id.in_(consent).label("consents"),
        )
        .join(Person, Person.id == HonouredPerson.person_id)
        .where(HonouredPerson.board_id == found.id)
        .order_by(HonouredPerson.position, Person.sort_key, HonouredPerson.id)
    )
    if public:
        query = query.where(HonouredPerson.person_id.in_(consent))
    people = db.session.execute(query).all()
    units = db.session.execute(
        select(HonouredUnit.id, HonouredUnit.unit_id, HonouredUnit.citation, HonouredUnit.position)
        .where(HonouredUnit.board_id == found.id)
        .order_by(HonouredUnit.position, HonouredUnit.id)
    ).all()

    person_units = units_of_people(
        [row.person_id for row in people], found.first_day, found.last_day
    )
    unit_days = _unit_days([row.unit_id for row in units], found.last_day)
    wanted = {unit_id for unit_id, _day in person_units.values()} | set(unit_days)
    names = _names(wanted)
    return BoardView(
        found.id,
        found.title,
        found.first_day,
        found.last_day,
        found.is_published,
        [
            PersonLine(
                row.id,
                row.person_id,
                row.full_name,
                name_on(names, *person_units[row.person_id])
                if row.person_id in person_units
                else "",
                row.citation,
                row.position,
                bool(row.consents),
            )
            for row in people
        ],
        [
            UnitLine(
                row.id,
                row.unit_id,
                name_on(names, row.unit_id, unit_days[row.unit_id]),
                row.citation,
                row.position,
            )
            for row in units
        ],
    )


def units_of_people(person_ids: list[int], first: date, last: date) -> dict[int, tuple[int, date]]:
    """Each person's last unit within first..last, with the day to name it on: one query."""
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(
            Membership.person_id, Membership.unit_id, Membership.valid_from, Membership.valid_until
        ).where(
            Membership.person_id.in_(person_ids),
            Membership.valid_from <= last,
            or_(Membership.valid_until.is_(None), Membership.valid_until >= first),
        )
    )
    best: dict[int, tuple[date, date, int]] = {}
    for person_id, unit_id, since, until in rows:
        day = min(until or last, last)
        key = (day, since, unit_id)
        if person_id not in best or key > best[person_id]:
            best[person_id] = key
    return {person_id: (unit_id, day) for person_id, (day, _since, unit_id) in best.items()}


def _unit_days(unit_ids: list[int], last: date) -> dict[int, date]:
    """The day to name each unit on: the board's last day, or the unit's own if earlier."""
    if not unit_ids:
        return {}
    rows = db.session.execute(select(Unit.id, Unit.valid_until).where(Unit.id.in_(unit_ids)))
    return {uid: min(until or last, last) for uid, until in rows}


def _names(unit_ids: set[int]) -> dict[int, list[tuple[date, str]]]:
    """Every name of the units, oldest first: one query."""
    names: dict[int, list[tuple[date, str]]] = defaultdict(list)
    if not unit_ids:
        return names
    for uid, since, name in db.session.execute(
        select(UnitVersion.unit_id, UnitVersion.valid_from, UnitVersion.name)
        .where(UnitVersion.unit_id.in_(unit_ids))
        .order_by(UnitVersion.valid_from, UnitVersion.id)
    ):
        names[uid].append((since, name))
    return names


def name_on(names: dict[int, list[tuple[date, str]]], unit_id: int, day: date) -> str:
    """The unit's name on day; its first name when day comes before it existed."""
    versions = names.get(unit_id, [])
    found = [name for since, name in versions if since <= day] or [n for _s, n in versions[:1]]
    return found[-1] if found else ""


# ---------------------------------------------------------------------------------------------
# Choices for HCTH


def consenting_people() -> list[PersonChoice]:
    """Active people who consent now, in Vietnamese name order."""
    return people_choices(among=consenting())


def nomination_lists() -> list[tuple[int, str, bool]]:
    """Every nomination list as (id, name, is frozen), newest first."""
    rows = db.session.execute(
        select(NominationList.id, NominationList.name, NominationList.status).order_by(
            NominationList.id.desc()
        )
    )
    return [(list_id, name, status == ListStatus.FROZEN) for list_id, name, status in rows]


def people_on_list(nomination: NominationList) -> list[int]:
    """The people on a nomination list, in its order: as frozen, or the draft's live entries."""
    if nomination.status == ListStatus.FROZEN and nomination.snapshot is not None:
        data = json.loads(nomination.snapshot.data)
        return [entry["person_id"] for entry in data.get("entries", [])]
    return list(
        db.session.scalars(
            select(NominationEntry.person_id)
            .join(Person, Person.id == NominationEntry.person_id)
            .where(NominationEntry.list_id == nomination.id, NominationEntry.removed_at.is_(None))
            .order_by(NominationEntry.position, Person.sort_key)
        )
    )


# ---------------------------------------------------------------------------------------------
# Public pages


@dataclass(frozen=True)
class PublishedBoard:
    id: int
    title: str
    first_day: date
    last_day: date


def published_boards() -> list[PublishedBoard]:
    rows = db.session.execute(
        select(HonourBoard.id, HonourBoard.title, HonourBoard.first_day, HonourBoard.last_day)
        .where(HonourBoard.is_published.is_(True))
        .order_by(HonourBoard.last_day.desc(), HonourBoard.id.desc())
    )
    return [PublishedBoard(*row) for row in rows]


def public_board(board_id: int) -> BoardView | None:
    """A published board as the public sees it; None when it is not published."""
    found = db.session.scalar(
        select(HonourBoard).where(HonourBoard.id == board_id, HonourBoard.is_published.is_(True))
    )
    return board_view(found, public=True) if found is not None else None
